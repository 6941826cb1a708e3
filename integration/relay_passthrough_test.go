package integration

import (
	"strings"
	"testing"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// TestPassthroughBodyUntouched sends hand-written bodies with unusual
// spacing, escapes, key order and unknown fields, and checks that the
// upstream receives them byte for byte with only the model replaced (for
// Gemini, only the model in the path), with the channel's credentials.
func TestPassthroughBodyUntouched(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, sdkConfig(fake))
	auth := map[string]string{"Authorization": "Bearer " + clientKey}
	cases := []struct {
		name, path, body string
		header           map[string]string
		// upstream: the expected path, body and credential upstream.
		upPath, upQuery, upBody, upKey string
	}{
		{
			name: "openai chat", path: "/v1/chat/completions",
			body:   `{ "messages" : [{"role":"user","content":"h\u00e9llo <b>&amp;</b> 🐙"}],` + "\n\t" + `"model" : "chat", "temperature":0.5,"x_vendor":{"a":[1,2.50,{"b":null}]}}`,
			upPath: "/v1/chat/completions", upKey: "sk-oa",
			upBody: `{ "messages" : [{"role":"user","content":"h\u00e9llo <b>&amp;</b> 🐙"}],` + "\n\t" + `"model" : "gpt-4o", "temperature":0.5,"x_vendor":{"a":[1,2.50,{"b":null}]}}`,
		},
		{
			name: "openai chat stream", path: "/v1/chat/completions",
			body:   `{"model":"chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"ping"}],"seed":7}`,
			upPath: "/v1/chat/completions", upKey: "sk-oa",
			upBody: `{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"ping"}],"seed":7}`,
		},
		{
			name: "openai responses", path: "/v1/responses",
			body:   `{"input":[{"role":"user","content":[{"type":"input_text","text":"ping"}]}],"model":"resp","metadata":{"k":"v"} }`,
			upPath: "/v1/responses", upKey: "sk-rs",
			upBody: `{"input":[{"role":"user","content":[{"type":"input_text","text":"ping"}]}],"model":"gpt-4o","metadata":{"k":"v"} }`,
		},
		{
			name: "anthropic stream", path: "/v1/messages", header: map[string]string{"anthropic-version": "2023-06-01"},
			body:   `{"model":"claude","max_tokens":32,"stream":true,"system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"ping"}]}`,
			upPath: "/v1/messages", upKey: "sk-ant-an",
			upBody: `{"model":"claude-sonnet-4-5","max_tokens":32,"stream":true,"system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"ping"}]}`,
		},
		{
			name: "gemini", path: "/v1beta/models/gem:generateContent",
			body:   `{"contents":[{"role":"user","parts":[{"text":"ping"}]}], "generationConfig":{"temperature":0.2,"topK":3}}`,
			upPath: "/v1beta/models/gemini-2.5-flash:generateContent", upKey: "AIza-ge",
			upBody: `{"contents":[{"role":"user","parts":[{"text":"ping"}]}], "generationConfig":{"temperature":0.2,"topK":3}}`,
		},
		{
			name: "gemini sse stream", path: "/v1beta/models/gem:streamGenerateContent?alt=sse",
			body:   `{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}`,
			upPath: "/v1beta/models/gemini-2.5-flash:streamGenerateContent", upQuery: "sse", upKey: "AIza-ge",
			upBody: `{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}`,
		},
		{
			name: "gemini array stream", path: "/v1/models/gem:streamGenerateContent",
			body:   `{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}`,
			upPath: "/v1beta/models/gemini-2.5-flash:streamGenerateContent", upQuery: "", upKey: "AIza-ge",
			upBody: `{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			for k, v := range auth {
				h[k] = v
			}
			for k, v := range c.header {
				h[k] = v
			}
			r := do(t, "POST", in.BaseURL+c.path, h, c.body)
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			up, ok := fake.Last()
			if !ok {
				t.Fatal("nothing reached the upstream")
			}
			if string(up.Body) != c.upBody {
				t.Fatalf("upstream body\n got %s\nwant %s", up.Body, c.upBody)
			}
			if up.Path != c.upPath || up.Query.Get("alt") != c.upQuery {
				t.Fatalf("upstream path %s?alt=%s, want %s?alt=%s", up.Path, up.Query.Get("alt"), c.upPath, c.upQuery)
			}
			if up.Key != c.upKey {
				t.Fatalf("upstream credential %q, want the channel's %q", up.Key, c.upKey)
			}
			if strings.Contains(c.name, "array") && !strings.HasPrefix(r.Body, "[") {
				t.Fatalf("a Gemini stream without alt=sse must be a JSON array: %.80s", r.Body)
			}
		})
	}
}
