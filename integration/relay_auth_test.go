package integration

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// authConfig is sdkConfig plus keys that are restricted, expired and
// disabled.
func authConfig(fake *fakeprovider.Server) string {
	return sdkConfig(fake) +
		"\t\tapi_key narrow sk-client-narrow-1 {\n\t\t\tmodels claude gem\n\t\t}\n" +
		"\t\tapi_key old sk-client-old-1 {\n\t\t\texpires 2020-01-01T00:00:00Z\n\t\t}\n" +
		"\t\tapi_key off sk-client-off-1 {\n\t\t\tdisabled\n\t\t}\n"
}

// rawEndpoint is one client endpoint called with a hand-written body.
type rawEndpoint struct {
	name, path, body string
	header           map[string]string
	// shape is a gjson path that exists in the format's error body.
	shape string
}

var rawEndpoints = []rawEndpoint{
	{"openai chat", "/v1/chat/completions", `{"model":"chat","messages":[{"role":"user","content":"ping"}]}`, nil, "error.type"},
	{"openai responses", "/v1/responses", `{"model":"resp","input":"ping"}`, nil, "error.type"},
	{"anthropic", "/v1/messages", `{"model":"claude","max_tokens":16,"messages":[{"role":"user","content":"ping"}]}`,
		map[string]string{"anthropic-version": "2023-06-01"}, "error.type"},
	{"gemini", "/v1beta/models/gem:generateContent", `{"contents":[{"role":"user","parts":[{"text":"ping"}]}]}`, nil, "error.status"},
}

// TestAuthKeyForms sends the client key in each of the four places SDKs
// use, to each client endpoint.
func TestAuthKeyForms(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, authConfig(fake))
	forms := []struct {
		name   string
		header map[string]string
		query  string
	}{
		{"authorization bearer", map[string]string{"Authorization": "Bearer " + clientKey}, ""},
		{"x-api-key", map[string]string{"x-api-key": clientKey}, ""},
		{"x-goog-api-key", map[string]string{"x-goog-api-key": clientKey}, ""},
		{"query key", nil, "?key=" + clientKey},
	}
	for _, ep := range rawEndpoints {
		for _, f := range forms {
			t.Run(ep.name+"/"+f.name, func(t *testing.T) {
				h := map[string]string{}
				for k, v := range ep.header {
					h[k] = v
				}
				for k, v := range f.header {
					h[k] = v
				}
				r := do(t, "POST", in.BaseURL+ep.path+f.query, h, ep.body)
				if r.Status != 200 {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				// The client's key never travels upstream.
				last, _ := fake.Last()
				for name, vals := range last.Header {
					for _, v := range vals {
						if v == clientKey || v == "Bearer "+clientKey {
							t.Fatalf("the client key reached the upstream in %s", name)
						}
					}
				}
				if last.Query.Get("key") == clientKey {
					t.Fatal("the client key reached the upstream in ?key=")
				}
			})
		}
	}
}

// TestAuthRejections checks that bad, expired and disabled keys get 401
// and a key's model list is enforced, each in the format's own error shape
// as the SDK reads it, and that none of these requests reach the upstream.
func TestAuthRejections(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, authConfig(fake))
	// group is a group each format may call (it is served by a channel of
	// that format, so a permitted call passes through).
	groups := map[clientFormat]string{viaChat: "chat", viaResponses: "resp", viaAnthropic: "claude", viaGemini: "gem"}
	for _, f := range clientFormats {
		cases := []struct {
			name, key, group string
			status           []int
		}{
			{"wrong key", "sk-client-wrong-1", groups[f], []int{401}},
			{"expired key", "sk-client-old-1", groups[f], []int{401}},
			{"disabled key", "sk-client-off-1", groups[f], []int{401}},
			// narrow may use claude and gem only.
			{"group outside the key's models", "sk-client-narrow-1", "chat", []int{403, 404}},
		}
		for _, c := range cases {
			t.Run(string(f)+"/"+c.name, func(t *testing.T) {
				before := fake.Count()
				o := ask(t, in, f, c.key, c.group, false)
				ok := false
				for _, s := range c.status {
					ok = ok || o.Status == s
				}
				if !ok || o.Message == "" || o.Shape == "" {
					t.Fatalf("got status %d, message %q, shape %q; want %v in the format's error shape", o.Status, o.Message, o.Shape, c.status)
				}
				if n := fake.Count() - before; n != 0 {
					t.Fatalf("a rejected request reached the upstream %d times", n)
				}
			})
		}
	}

	t.Run("narrow key may use its groups", func(t *testing.T) {
		for _, c := range []struct {
			f     clientFormat
			group string
		}{{viaAnthropic, "claude"}, {viaGemini, "gem"}} {
			if o := ask(t, in, c.f, "sk-client-narrow-1", c.group, false); o.Status != 200 {
				t.Fatalf("%s %s: %d %s", c.f, c.group, o.Status, o.Message)
			}
		}
	})

	t.Run("missing key", func(t *testing.T) {
		for _, ep := range rawEndpoints {
			r := do(t, "POST", in.BaseURL+ep.path, ep.header, ep.body)
			if r.Status != 401 || !gjson.Get(r.Body, ep.shape).Exists() {
				t.Fatalf("%s without a key: %d %s", ep.name, r.Status, r.Body)
			}
		}
	})
}
