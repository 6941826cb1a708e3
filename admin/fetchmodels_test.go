package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/routing"
)

// fakeUpstream records requests and answers with a handler.
type fakeUpstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                string
}

func newFakeUpstream(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body string)) *fakeUpstream {
	f := &fakeUpstream{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		answer(w, r, string(b))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeUpstream) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// testChannel compiles a channel of typ at base.
func testChannel(t *testing.T, typ, base, key string, extra func(*routing.ChannelConfig)) *upstream {
	t.Helper()
	cfg := routing.ChannelConfig{Name: "c", Type: typ, BaseURL: base, Keys: []string{key}}
	if extra != nil {
		extra(&cfg)
	}
	u, err := compileUpstream(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.close)
	return u
}

func TestFetchModelsPerFormat(t *testing.T) {
	pages := func(r *http.Request, param string, answers map[string]string) string {
		return answers[r.URL.Query().Get(param)]
	}
	cases := []struct {
		name, typ, key string
		prefix         string // base URL path
		answer         func(w http.ResponseWriter, r *http.Request, body string)
		want           []string
		check          func(t *testing.T, reqs []recorded)
	}{
		{
			name: "openai", typ: "openai_chat", key: "sk-openai", prefix: "/v1",
			answer: func(w http.ResponseWriter, r *http.Request, _ string) {
				fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-4o"},{"id":"gpt-4o-mini"},{"id":"gpt-4o"}]}`)
			},
			want: []string{"gpt-4o", "gpt-4o-mini"},
			check: func(t *testing.T, reqs []recorded) {
				if len(reqs) != 1 || reqs[0].method != "GET" || reqs[0].path != "/v1/models" || reqs[0].header.Get("Authorization") != "Bearer sk-openai" {
					t.Fatalf("requests %+v", reqs)
				}
			},
		},
		{
			name: "anthropic pages", typ: "anthropic", key: "sk-ant-x", prefix: "/v1",
			answer: func(w http.ResponseWriter, r *http.Request, _ string) {
				fmt.Fprint(w, pages(r, "after_id", map[string]string{
					"":         `{"data":[{"id":"claude-b"},{"id":"claude-a"}],"has_more":true,"last_id":"claude-a"}`,
					"claude-a": `{"data":[{"id":"claude-c"}],"has_more":false,"last_id":"claude-c"}`,
				}))
			},
			want: []string{"claude-a", "claude-b", "claude-c"},
			check: func(t *testing.T, reqs []recorded) {
				if len(reqs) != 2 || reqs[1].query != "after_id=claude-a&limit=1000" {
					t.Fatalf("requests %+v", reqs)
				}
				h := reqs[0].header
				if h.Get("x-api-key") != "sk-ant-x" || h.Get("anthropic-version") == "" || h.Get("Authorization") != "" {
					t.Fatalf("anthropic auth headers %v", h)
				}
			},
		},
		{
			name: "gemini pages", typ: "gemini", key: "AIza-key", prefix: "/v1beta",
			answer: func(w http.ResponseWriter, r *http.Request, _ string) {
				fmt.Fprint(w, pages(r, "pageToken", map[string]string{
					"":   `{"models":[{"name":"models/gemini-2.5-pro"}],"nextPageToken":"p2"}`,
					"p2": `{"models":[{"name":"models/gemini-2.5-flash"},{"name":"models/text-embedding-004"}]}`,
				}))
			},
			want: []string{"gemini-2.5-flash", "gemini-2.5-pro", "text-embedding-004"},
			check: func(t *testing.T, reqs []recorded) {
				if len(reqs) != 2 || reqs[0].path != "/v1beta/models" || reqs[1].query != "pageSize=1000&pageToken=p2" || reqs[0].header.Get("x-goog-api-key") != "AIza-key" {
					t.Fatalf("requests %+v", reqs)
				}
			},
		},
		{
			name: "antigravity", typ: "antigravity", key: "ya29.access", prefix: "",
			answer: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/v1internal:loadCodeAssist" {
					fmt.Fprint(w, `{"cloudaicompanionProject":"proj-7"}`)
					return
				}
				fmt.Fprint(w, `{"models":{"gemini-3-pro-high":{"displayName":"G"},"claude-sonnet-4-5":{}}}`)
			},
			want: []string{"claude-sonnet-4-5", "gemini-3-pro-high"},
			check: func(t *testing.T, reqs []recorded) {
				last := reqs[len(reqs)-1]
				if last.method != "POST" || last.path != "/v1internal:fetchAvailableModels" || last.header.Get("Authorization") != "Bearer ya29.access" {
					t.Fatalf("request %+v", last)
				}
				var b map[string]string
				if json.Unmarshal([]byte(last.body), &b) != nil || b["project"] != "proj-7" {
					t.Fatalf("body %s, want the discovered project", last.body)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeUpstream(t, tc.answer)
			u := testChannel(t, tc.typ, f.URL+tc.prefix, tc.key, nil)
			got, err := FetchModels(context.Background(), u.ch, u.key, new(antigravity.Tokens))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("models %v, want %v", got, tc.want)
			}
			tc.check(t, f.requests())
		})
	}
}

func TestFetchModelsErrors(t *testing.T) {
	t.Run("upstream error", func(t *testing.T) {
		f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`)
		})
		u := testChannel(t, "openai_chat", f.URL, "sk-bad", nil)
		_, err := FetchModels(context.Background(), u.ch, u.key, nil)
		ae, ok := err.(*apiError)
		if !ok || ae.Status != 502 || !strings.Contains(ae.Message, "HTTP 401") || !strings.Contains(ae.Message, "Incorrect API key") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) { fmt.Fprint(w, "<html>") })
		u := testChannel(t, "openai_chat", f.URL, "sk", nil)
		if _, err := FetchModels(context.Background(), u.ch, u.key, nil); err == nil || !strings.Contains(err.Error(), "JSON") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("endless pages", func(t *testing.T) {
		n := 0
		f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			n++
			fmt.Fprintf(w, `{"models":[{"name":"models/m%d"}],"nextPageToken":"t%d"}`, n, n)
		})
		u := testChannel(t, "gemini", f.URL, "AIza", nil)
		if _, err := FetchModels(context.Background(), u.ch, u.key, nil); err == nil || !strings.Contains(err.Error(), "pages") {
			t.Fatalf("err = %v", err)
		}
		if len(f.requests()) != maxModelPages {
			t.Fatalf("%d requests, want %d", len(f.requests()), maxModelPages)
		}
	})
	t.Run("repeated cursor stops", func(t *testing.T) {
		f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) {
			fmt.Fprint(w, `{"data":[{"id":"m"}],"has_more":true,"last_id":"m"}`)
		})
		u := testChannel(t, "anthropic", f.URL, "sk-ant", nil)
		got, err := FetchModels(context.Background(), u.ch, u.key, nil)
		if err != nil || !reflect.DeepEqual(got, []string{"m"}) || len(f.requests()) != 2 {
			t.Fatalf("got %v, %v after %d requests", got, err, len(f.requests()))
		}
	})
	t.Run("oauth without tokens", func(t *testing.T) {
		u := testChannel(t, "antigravity", "http://127.0.0.1:1", "ya29.x", nil)
		if _, err := FetchModels(context.Background(), u.ch, u.key, nil); err == nil {
			t.Fatal("no error without a token source")
		}
	})
}

func TestFetchModelsSendsChannelHeaders(t *testing.T) {
	f := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request, _ string) { fmt.Fprint(w, `{"data":[]}`) })
	u := testChannel(t, "openai_chat", f.URL, "sk", func(c *routing.ChannelConfig) {
		c.Headers = map[string]string{"OpenAI-Organization": "org-9"}
	})
	got, err := FetchModels(context.Background(), u.ch, u.key, nil)
	if err != nil || len(got) != 0 || got == nil {
		t.Fatalf("got %#v, %v; want an empty, non-nil list", got, err)
	}
	if h := f.requests()[0].header.Get("OpenAI-Organization"); h != "org-9" {
		t.Fatalf("channel header not sent: %q", h)
	}
}
