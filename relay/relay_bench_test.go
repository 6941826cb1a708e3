package relay

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/bench/mock"
	"github.com/octopuscaddy/octopus/routing"
)

// cannedTransport answers every upstream call from memory, so benchmarks
// measure the gateway's own work and not the loopback network.
type cannedTransport struct {
	body        []byte
	contentType string
}

func (c *cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {c.contentType}},
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: r,
	}, nil
}

// chatBody is a typical ~4 KB chat request.
var chatBody = func() string {
	var sb strings.Builder
	sb.WriteString(`{"model":"smart","messages":[{"role":"system","content":"You are a helpful assistant."}`)
	for i := 0; i < 12; i++ {
		sb.WriteString(`,{"role":"user","content":"` + strings.Repeat("Tell me about the weather in Paris. ", 8) + `"}`)
	}
	sb.WriteString(`],"temperature":0.7}`)
	return sb.String()
}()

const chatAnswer = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-up","choices":[{"index":0,"message":{"role":"assistant","content":"Sunny, 21 degrees."},"finish_reason":"stop"}],"usage":{"prompt_tokens":900,"completion_tokens":6,"total_tokens":906}}`

func chatStream(chunks int) string {
	var sb strings.Builder
	for i := 0; i < chunks; i++ {
		sb.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-up","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}` + "\n\n")
	}
	sb.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-up","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
	return sb.String()
}

func benchServe(b *testing.B, e *Engine, body string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk-client-bench-123")
		w := httptest.NewRecorder()
		if !e.ServeHTTP(w, req) || w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkPassthroughChat is the whole same-format request path: auth,
// body read, model lookup, balancer pick, model substitution, upstream
// call (in memory) and answer.
func BenchmarkPassthroughChat(b *testing.B) {
	e := newTestEngine(b, &cannedTransport{body: []byte(chatAnswer), contentType: "application/json"})
	benchServe(b, e, chatBody)
}

// BenchmarkPassthroughChatStream is the same with a 20-chunk stream.
func BenchmarkPassthroughChatStream(b *testing.B) {
	e := newTestEngine(b, &cannedTransport{body: []byte(chatStream(20)), contentType: "text/event-stream"})
	body := strings.Replace(chatBody, `"temperature":0.7`, `"temperature":0.7,"stream":true`, 1)
	benchServe(b, e, body)
}

func BenchmarkAuthenticate(b *testing.B) {
	e := newTestEngine(b, &cannedTransport{})
	snap := e.Snapshot()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := snap.Authenticate("sk-client-bench-123"); !ok {
			b.Fatal("auth failed")
		}
	}
}

func BenchmarkResolveAndPick(b *testing.B) {
	e := newTestEngine(b, &cannedTransport{})
	snap := e.Snapshot()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		g, ok := snap.Resolve("smart")
		if !ok {
			b.Fatal("no group")
		}
		it := g.Attempts(time.Now())
		t, ok := it.Next()
		if !ok {
			b.Fatal("no attempt")
		}
		it.Report(t, routing.Success, 0)
	}
}

// mockBody renders the load benchmark's mock answer for path, so these
// benchmarks see the same upstream bytes octobench does.
func mockBody(b testing.TB, path string, stream bool) ([]byte, string) {
	body := `{"model":"bench-model","messages":[{"role":"user","content":"Say hello."}],"max_tokens":64`
	if stream {
		body += `,"stream":true`
	}
	w := httptest.NewRecorder()
	mock.New(mock.Config{Chunks: 20}).ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body+"}")))
	if w.Code != 200 {
		b.Fatalf("mock: %d", w.Code)
	}
	return w.Body.Bytes(), w.Header().Get("Content-Type")
}

// newXlateEngine is newTestEngine with an Anthropic channel behind the
// group "smart": OpenAI Chat in, Anthropic out.
func newXlateEngine(t testing.TB, rt http.RoundTripper) *Engine {
	t.Helper()
	cfg := routing.Config{
		Channels: []routing.ChannelConfig{{Name: "ant", Type: "anthropic", BaseURL: "http://upstream.invalid/v1", Keys: []string{"sk-up-1"}, Models: []string{"claude-up"}}},
		Groups:   []routing.GroupConfig{{Name: "smart", Members: []routing.MemberConfig{{Channel: "ant", Model: "claude-up"}}}},
		Keys:     []routing.APIKeyConfig{{Name: "bench", Secret: "sk-client-bench-123"}},
	}
	snap, err := routing.Compile(cfg, routing.NewRuntime())
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := snap.Channel("ant")
	ch.Client = &http.Client{Transport: rt}
	return &Engine{Snapshot: func() *routing.Snapshot { return snap }, Logger: zap.NewNop()}
}

// octobenchRequest is the request octobench sends.
func octobenchRequest(stream bool) string {
	b := `{"model":"smart","messages":[{"role":"user","content":"Say hello."}],"max_tokens":64`
	if stream {
		b += `,"stream":true,"stream_options":{"include_usage":true}`
	}
	return b + "}"
}

// BenchmarkOctobench* are the four gateway rows of octobench, minus the
// network: the mock's own answers come from memory.
func BenchmarkOctobenchPassJSON(b *testing.B) {
	body, ct := mockBody(b, "/v1/chat/completions", false)
	benchServe(b, newTestEngine(b, &cannedTransport{body: body, contentType: ct}), octobenchRequest(false))
}

func BenchmarkOctobenchPassStream(b *testing.B) {
	body, ct := mockBody(b, "/v1/chat/completions", true)
	benchServe(b, newTestEngine(b, &cannedTransport{body: body, contentType: ct}), octobenchRequest(true))
}

func BenchmarkOctobenchXlateJSON(b *testing.B) {
	body, ct := mockBody(b, "/v1/messages", false)
	benchServe(b, newXlateEngine(b, &cannedTransport{body: body, contentType: ct}), octobenchRequest(false))
}

func BenchmarkOctobenchXlateStream(b *testing.B) {
	body, ct := mockBody(b, "/v1/messages", true)
	benchServe(b, newXlateEngine(b, &cannedTransport{body: body, contentType: ct}), octobenchRequest(true))
}

// trickleBody hands out one SSE event per Read, as a model's stream
// arrives: every read is followed by a flush and a wait.
type trickleBody struct{ events [][]byte }

func (t *trickleBody) Read(p []byte) (int, error) {
	if len(t.events) == 0 {
		return 0, io.EOF
	}
	n := copy(p, t.events[0])
	if t.events[0] = t.events[0][n:]; len(t.events[0]) == 0 {
		t.events = t.events[1:]
	}
	return n, nil
}

func (t *trickleBody) Close() error { return nil }

// trickleTransport answers with body, one event per read.
type trickleTransport struct{ body []byte }

func (c *trickleTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	r.Body.Close()
	var evs [][]byte
	for rest := c.body; len(rest) > 0; {
		i := bytes.Index(rest, []byte("\n\n"))
		if i < 0 {
			i = len(rest) - 2
		}
		evs = append(evs, rest[:i+2])
		rest = rest[i+2:]
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: &trickleBody{events: evs}, ContentLength: -1, Request: r}, nil
}

// BenchmarkXlateStreamTrickle is BenchmarkOctobenchXlateStream with the
// upstream's events arriving one per read, as from a model: what a
// translated stream allocates per event while it is open.
func BenchmarkXlateStreamTrickle(b *testing.B) {
	body, _ := mockBody(b, "/v1/messages", true)
	benchServe(b, newXlateEngine(b, &trickleTransport{body: body}), octobenchRequest(true))
}

// BenchmarkPassStreamTrickle is BenchmarkOctobenchPassStream with the
// upstream's events arriving one per read: the passthrough counterpart of
// BenchmarkXlateStreamTrickle.
func BenchmarkPassStreamTrickle(b *testing.B) {
	body, _ := mockBody(b, "/v1/chat/completions", true)
	benchServe(b, newTestEngine(b, &trickleTransport{body: body}), octobenchRequest(true))
}
