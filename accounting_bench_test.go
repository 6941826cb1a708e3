package octopus

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/metrics"
	"github.com/octopuscaddy/octopus/pricing"
	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/usage"
)

// The accounting benchmark: the relay's whole request path (auth, body,
// routing, upstream call answered from memory, answer) with the observers
// the handler wires (usage counters, spend, metrics, request log writer)
// against the same path with no observer. Run with
//
//	go test -run '^$' -bench Accounting -benchmem -count 6 .
//
// and compare the on/off pairs (benchstat works on the output).

// benchTransport answers every upstream call from memory.
type benchTransport struct {
	body        []byte
	contentType string
}

func (c *benchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {c.contentType}},
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: r,
	}, nil
}

// discardSink takes request log batches and keeps nothing: the benchmark
// measures the request path, not the database.
type discardSink struct{ rows atomic.Int64 }

func (d *discardSink) InsertRequestLogs(_ context.Context, logs []store.RequestLog) error {
	d.rows.Add(int64(len(logs)))
	return nil
}

func (d *discardSink) PruneRequestLogs(context.Context, time.Time) (int, error) { return 0, nil }

// benchPrices lists one price for the benchmark's model.
type benchPrices struct{}

func (benchPrices) ListPrices(context.Context) ([]*store.Price, error) {
	cr := 0.5
	return []*store.Price{{Model: "gpt-up", Input: 2.5, Output: 10, CacheRead: &cr}}, nil
}

var benchChatBody = func() string {
	var sb strings.Builder
	sb.WriteString(`{"model":"smart","messages":[{"role":"system","content":"You are a helpful assistant."}`)
	for i := 0; i < 12; i++ {
		sb.WriteString(`,{"role":"user","content":"` + strings.Repeat("Tell me about the weather in Paris. ", 8) + `"}`)
	}
	sb.WriteString(`],"temperature":0.7}`)
	return sb.String()
}()

const benchChatAnswer = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-up","choices":[{"index":0,"message":{"role":"assistant","content":"Sunny, 21 degrees."},"finish_reason":"stop"}],"usage":{"prompt_tokens":900,"completion_tokens":6,"total_tokens":906,"prompt_tokens_details":{"cached_tokens":100}}}`

func benchChatStream(chunks int) string {
	var sb strings.Builder
	for i := 0; i < chunks; i++ {
		sb.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-up","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}` + "\n\n")
	}
	sb.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":900,"completion_tokens":20,"total_tokens":920}}` + "\n\ndata: [DONE]\n\n")
	return sb.String()
}

// benchEngine is a relay with one OpenAI channel behind group "smart";
// with accounting, the observers are those handler.go wires.
func benchEngine(b *testing.B, rt http.RoundTripper, accounting bool) *relay.Engine {
	b.Helper()
	cfg := routing.Config{
		Channels: []routing.ChannelConfig{{Name: "bench-up", Type: "openai_chat", BaseURL: "http://upstream.invalid/v1", Keys: []string{"sk-up-1"}, Models: []string{"gpt-up"}}},
		Groups:   []routing.GroupConfig{{Name: "smart", Members: []routing.MemberConfig{{Channel: "bench-up", Model: "gpt-up"}}}},
		Keys:     []routing.APIKeyConfig{{Name: "bench", Secret: "sk-client-bench-123", MaxCost: 1e12}},
	}
	snap, err := routing.Compile(cfg, routing.NewRuntime())
	if err != nil {
		b.Fatal(err)
	}
	ch, _ := snap.Channel("bench-up")
	ch.Client = &http.Client{Transport: rt}
	e := &relay.Engine{Snapshot: func() *routing.Snapshot { return snap }, Logger: zap.NewNop(), BodyLimit: new(atomic.Int64)}
	if !accounting {
		return e
	}
	svc := pricing.NewService(pricing.Config{Store: benchPrices{}})
	b.Cleanup(svc.Close)
	if err := svc.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	counters := usage.NewCounters(nil)
	counters.SetCost(svc.Cost)
	spend := new(usage.Spend)
	spend.SetCost(svc.Cost)
	sink := new(discardSink)
	w, err := reqlog.New(reqlog.Config{Sink: sink, Cost: svc.Cost, QueueSize: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		w.Stop()
		if w.Dropped() > 0 {
			b.Logf("request log dropped %d rows (queue full)", w.Dropped())
		}
	})
	var rl atomic.Pointer[reqlog.Writer]
	rl.Store(w)
	e.Observer = relay.Observers{counters, spend, &metrics.Observer{Cost: svc.Cost}, requestLogObserver{&rl}}
	e.Spent = spend.Spent
	return e
}

func benchRelay(b *testing.B, e *relay.Engine, body string) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk-client-bench-123")
		w := httptest.NewRecorder()
		if !e.ServeHTTP(w, req) || w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkAccounting compares the request path with and without
// accounting, non-streaming and streaming (20 chunks).
func BenchmarkAccounting(b *testing.B) {
	stream := strings.Replace(benchChatBody, `"temperature":0.7`, `"temperature":0.7,"stream":true`, 1)
	for _, tc := range []struct {
		name string
		rt   *benchTransport
		body string
	}{
		{"chat", &benchTransport{body: []byte(benchChatAnswer), contentType: "application/json"}, benchChatBody},
		{"stream", &benchTransport{body: []byte(benchChatStream(20)), contentType: "text/event-stream"}, stream},
	} {
		for _, on := range []bool{false, true} {
			name := tc.name + "/accounting=off"
			if on {
				name = tc.name + "/accounting=on"
			}
			b.Run(name, func(b *testing.B) { benchRelay(b, benchEngine(b, tc.rt, on), tc.body) })
		}
	}
}

// BenchmarkAccountingObservers is the accounting work alone: one
// finished request (two attempts, usage, priced) through the observers
// the handler wires. It is what accounting=on adds to the request path,
// measured without the rest of the path's noise.
func BenchmarkAccountingObservers(b *testing.B) {
	e := benchEngine(b, &benchTransport{}, true)
	start := time.Now()
	rec := &relay.Record{
		Start: start, Duration: 900 * time.Millisecond, TTFT: 300 * time.Millisecond,
		Key: "bench", Group: "smart", Channel: "bench-up", Model: "gpt-up",
		Inbound: "openai_chat", Outbound: "openai_chat", Stream: true, Status: 200,
		Attempts: []relay.Attempt{
			{Channel: "bench-up", Model: "gpt-up", Status: 429, Error: "rate limited", Duration: 100 * time.Millisecond},
			{Channel: "bench-up", Model: "gpt-up", Status: 200, Duration: 800 * time.Millisecond},
		},
		UsageKnown: true,
	}
	rec.Usage.InputTokens, rec.Usage.OutputTokens, rec.Usage.CacheReadTokens = 900, 20, 100
	b.ReportAllocs()
	for b.Loop() {
		e.Observer.Observe(rec)
	}
}
