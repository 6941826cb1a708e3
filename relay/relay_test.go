package relay

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/routing"
)

func TestPassthroughSubstitutesOnlyTheModel(t *testing.T) {
	var got []byte
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		buf := new(strings.Builder)
		_, _ = ioCopy(buf, r.Body)
		got = []byte(buf.String())
		if r.Header.Get("Authorization") != "Bearer sk-up-1" && r.Header.Get("Authorization") != "Bearer sk-up-2" {
			t.Errorf("upstream auth %q", r.Header.Get("Authorization"))
		}
		return (&cannedTransport{body: []byte(chatAnswer), contentType: "application/json"}).RoundTrip(r)
	})
	e := newTestEngine(t, rt)
	body := `{"model":"smart", "messages":[{"role":"user","content":"hi"}],  "x_custom": {"keep": [1,2,3]}}`
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("x-api-key", "sk-client-bench-123")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	want := strings.Replace(body, `"smart"`, `"gpt-up"`, 1)
	if string(got) != want {
		t.Fatalf("upstream body changed beyond the model:\n got %s\nwant %s", got, want)
	}
	if w.Body.String() != chatAnswer {
		t.Fatalf("answer changed: %s", w.Body)
	}
}

func TestClientErrorsUseTheInboundShape(t *testing.T) {
	e := newTestEngine(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Fatal("upstream must not be called")
		return nil, nil
	}))
	cases := []struct {
		name, path, key, body string
		status                int
		check                 string // gjson path that must exist
	}{
		{"openai no key", "/v1/chat/completions", "", `{"model":"smart"}`, 401, "error.message"},
		{"anthropic bad key", "/v1/messages", "nope", `{"model":"smart"}`, 401, "error.type"},
		{"gemini bad key", "/v1beta/models/smart:generateContent", "nope", `{}`, 401, "error.status"},
		{"malformed json", "/v1/chat/completions", "sk-client-bench-123", `{"model":`, 400, "error.message"},
		{"missing model", "/v1/responses", "sk-client-bench-123", `{"input":"x"}`, 400, "error.message"},
		{"unknown model", "/v1/messages", "sk-client-bench-123", `{"model":"nope","max_tokens":5,"messages":[]}`, 404, "error.type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body))
			if c.key != "" {
				req.Header.Set("Authorization", "Bearer "+c.key)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			if !gjson.Get(w.Body.String(), c.check).Exists() {
				t.Fatalf("body lacks %s: %s", c.check, w.Body)
			}
		})
	}
}

func TestOversizedBody(t *testing.T) {
	e := newTestEngine(t, &cannedTransport{body: []byte(chatAnswer), contentType: "application/json"})
	e.MaxBodySize = 100
	req := httptest.NewRequest(http.MethodPost, "/v1/messages", strings.NewReader(`{"model":"smart","messages":[{"role":"user","content":"`+strings.Repeat("x", 200)+`"}]}`))
	req.Header.Set("x-api-key", "sk-client-bench-123")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if w.Code != 413 || gjson.Get(w.Body.String(), "error.type").String() != "request_too_large" {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
}

type recorder struct{ recs []*Record }

func (r *recorder) Observe(rec *Record) { r.recs = append(r.recs, rec) }

func TestPassthroughRecordsUsage(t *testing.T) {
	for _, stream := range []bool{false, true} {
		answer, ct, body := chatAnswer, "application/json", chatBody
		if stream {
			answer = chatStream(3) + "" // usage chunk appended below
			answer = strings.Replace(answer, "data: [DONE]", `data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":6,"total_tokens":906}}`+"\n\ndata: [DONE]", 1)
			ct = "text/event-stream"
			body = strings.Replace(chatBody, `"temperature":0.7`, `"temperature":0.7,"stream":true`, 1)
		}
		e := newTestEngine(t, &cannedTransport{body: []byte(answer), contentType: ct})
		obs := &recorder{}
		e.Observer = obs
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk-client-bench-123")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != 200 || len(obs.recs) != 1 {
			t.Fatalf("stream=%v: status %d, %d records", stream, w.Code, len(obs.recs))
		}
		rec := obs.recs[0]
		if !rec.UsageKnown || rec.Usage.InputTokens != 900 || rec.Usage.OutputTokens != 6 {
			t.Fatalf("stream=%v: usage %+v known=%v", stream, rec.Usage, rec.UsageKnown)
		}
		if rec.Group != "smart" || rec.Channel != "up" || rec.Model != "gpt-up" || rec.Key != "bench" || rec.Status != 200 || len(rec.Attempts) != 1 {
			t.Fatalf("stream=%v: record %+v", stream, rec)
		}
	}
}

func TestCountTokensEstimateForOtherFormats(t *testing.T) {
	e := newTestEngine(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Fatal("an OpenAI channel has no Anthropic token counter: nothing must be sent upstream")
		return nil, nil
	}))
	body := `{"model":"smart","system":"` + strings.Repeat("a", 400) + `","messages":[{"role":"user","content":"` + strings.Repeat("b", 400) + `"}]}`
	req := httptest.NewRequest(http.MethodPost, "/v1/messages/count_tokens", strings.NewReader(body))
	req.Header.Set("x-api-key", "sk-client-bench-123")
	req.Header.Set("anthropic-version", "2023-06-01")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	n := gjson.Get(w.Body.String(), "input_tokens").Int()
	// 800 characters ≈ 200 tokens plus the per-message overhead.
	if w.Code != 200 || n != 204 || w.Header().Get("X-Octopus-Token-Count") != "estimate" {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
}

func TestSpendLimit(t *testing.T) {
	cfg := routing.Config{
		Channels: []routing.ChannelConfig{{Name: "up", Type: "openai_chat", BaseURL: "http://upstream.invalid/v1", Keys: []string{"sk-up-1"}, Models: []string{"gpt-up"}}},
		Groups:   []routing.GroupConfig{{Name: "smart", Members: []routing.MemberConfig{{Channel: "up", Model: "gpt-up"}}}},
		Keys:     []routing.APIKeyConfig{{Name: "capped", Secret: "sk-client-capped", MaxCost: 5}},
	}
	snap, err := routing.Compile(cfg, routing.NewRuntime())
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := snap.Channel("up")
	ch.Client = &http.Client{Transport: &cannedTransport{body: []byte(chatAnswer), contentType: "application/json"}}
	spent := 4.99
	e := &Engine{Snapshot: func() *routing.Snapshot { return snap }, Spent: func(string) float64 { return spent }}
	send := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk-client-capped")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w
	}
	if w := send("/v1/chat/completions", chatBody); w.Code != 200 {
		t.Fatalf("under the limit: %d %s", w.Code, w.Body)
	}
	spent = 5
	w := send("/v1/chat/completions", chatBody)
	if w.Code != 429 || gjson.Get(w.Body.String(), "error.type").Str != "insufficient_quota" || !strings.Contains(w.Body.String(), "spending limit of $5.00") {
		t.Fatalf("openai at the limit: %d %s", w.Code, w.Body)
	}
	w = send("/v1/messages", `{"model":"smart","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
	if w.Code != 402 || gjson.Get(w.Body.String(), "error.type").Str != "billing_error" {
		t.Fatalf("anthropic at the limit: %d %s", w.Code, w.Body)
	}
}
