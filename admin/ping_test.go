package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/routing"
)

func TestPingPerFormat(t *testing.T) {
	cases := []struct {
		typ, prefix, path string
		answer            string
		// fields are gjson paths that must hold in the request body
		fields map[string]string
		reply  string
	}{
		{"openai_chat", "/v1", "/v1/chat/completions",
			`{"choices":[{"message":{"role":"assistant","content":"pong"}}]}`,
			map[string]string{"model": "m", "max_tokens": "16", "messages.0.content": "ping"}, "pong"},
		{"openai_responses", "/v1", "/v1/responses",
			`{"output":[{"type":"reasoning","summary":[]},{"type":"message","content":[{"type":"output_text","text":"po"},{"type":"output_text","text":"ng"}]}]}`,
			map[string]string{"model": "m", "max_output_tokens": "16", "input": "ping"}, "pong"},
		{"anthropic", "/v1", "/v1/messages",
			`{"content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"pong"}]}`,
			map[string]string{"model": "m", "max_tokens": "16", "messages.0.role": "user"}, "pong"},
		{"gemini", "/v1beta", "/v1beta/models/m:generateContent",
			`{"candidates":[{"content":{"parts":[{"text":"thinking","thought":true},{"text":"pong"}]}}]}`,
			map[string]string{"contents.0.parts.0.text": "ping", "generationConfig.maxOutputTokens": "16"}, "pong"},
		{"antigravity", "", "/v1internal:generateContent",
			`{"response":{"candidates":[{"content":{"parts":[{"text":"pong"}]}}]}}`,
			map[string]string{"model": "m", "project": "proj-1", "request.contents.0.parts.0.text": "ping"}, "pong"},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) {
				if r.URL.Path != tc.path {
					w.WriteHeader(404)
					fmt.Fprint(w, `{"error":{"message":"wrong path `+r.URL.Path+`"}}`)
					return
				}
				fmt.Fprint(w, tc.answer)
			})
			u := testChannel(t, tc.typ, f.URL+tc.prefix, "ya29.token", func(c *routing.ChannelConfig) { c.Project = "proj-1" })
			out := Ping(context.Background(), u.ch, u.key, new(antigravity.Tokens), "m")
			if !out.OK || out.Status != 200 || out.Reply != tc.reply || out.Model != "m" {
				t.Fatalf("ping = %+v", out)
			}
			body := f.requests()[0].body
			for path, want := range tc.fields {
				if got := gjson.Get(body, path).String(); got != want {
					t.Errorf("request %s = %q, want %q (body %s)", path, got, want, body)
				}
			}
		})
	}
}

func TestPingRetriesWithMaxCompletionTokens(t *testing.T) {
	f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, body string) {
		if gjson.Get(body, "max_tokens").Exists() {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."}}`)
			return
		}
		fmt.Fprint(w, `{"choices":[{"message":{"content":"ok"}}]}`)
	})
	u := testChannel(t, "openai_chat", f.URL, "sk", nil)
	out := Ping(context.Background(), u.ch, u.key, nil, "o3")
	reqs := f.requests()
	if !out.OK || len(reqs) != 2 || gjson.Get(reqs[1].body, "max_completion_tokens").Int() != 16 {
		t.Fatalf("ping = %+v after %d requests", out, len(reqs))
	}
}

func TestPingReportsFailures(t *testing.T) {
	f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		w.WriteHeader(429)
		fmt.Fprint(w, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)
	})
	u := testChannel(t, "anthropic", f.URL, "sk-ant", nil)
	out := Ping(context.Background(), u.ch, u.key, nil, "claude")
	if out.OK || out.Status != 429 || out.Error != "slow down" {
		t.Fatalf("ping = %+v", out)
	}

	// Nobody listening.
	u = testChannel(t, "openai_chat", "http://127.0.0.1:1", "sk", nil)
	out = Ping(context.Background(), u.ch, u.key, nil, "m")
	if out.OK || out.Status != 0 || !strings.Contains(out.Error, "127.0.0.1:1") {
		t.Fatalf("ping to a closed port = %+v", out)
	}

	// A refresh token whose refresh fails.
	tok := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`)
	})
	u = testChannel(t, "antigravity", "http://127.0.0.1:1", "1//refresh", func(c *routing.ChannelConfig) { c.TokenURL = tok.URL })
	out = Ping(context.Background(), u.ch, u.key, new(antigravity.Tokens), "m")
	if out.OK || !strings.Contains(out.Error, "revoked") {
		t.Fatalf("ping with a dead refresh token = %+v", out)
	}
}

func TestReplyTextIsCut(t *testing.T) {
	long := strings.Repeat("é", 300)
	got := replyText("openai_chat", []byte(`{"choices":[{"message":{"content":"`+long+`"}}]}`))
	if r := []rune(got); len(r) != 201 || !strings.HasSuffix(got, "…") {
		t.Fatalf("reply of %d runes: %q", len(r), got)
	}
}
