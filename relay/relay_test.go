package relay

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
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
