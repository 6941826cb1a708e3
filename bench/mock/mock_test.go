package mock

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestNonStreaming(t *testing.T) {
	srv := httptest.NewServer(New(Config{Chunks: 3}))
	defer srv.Close()
	tests := []struct {
		path, field, want string
	}{
		{"/v1/chat/completions", "choices.0.message.content", "tok tok tok "},
		{"/v1/messages", "content.0.text", "tok tok tok "},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp := post(t, srv.URL+tc.path, `{"model":"m"}`)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			var v map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
				t.Fatal(err)
			}
			got := lookup(v, strings.Split(tc.field, "."))
			if got != tc.want {
				t.Fatalf("%s = %v, want %q", tc.field, got, tc.want)
			}
		})
	}
}

// lookup walks maps and slices ("0" indexes a slice) for the test's
// assertions.
func lookup(v any, path []string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			if len(x) == 0 {
				return nil
			}
			v = x[0]
		default:
			return nil
		}
	}
	return v
}

func TestStreaming(t *testing.T) {
	srv := httptest.NewServer(New(Config{Chunks: 4}))
	defer srv.Close()
	tests := []struct {
		path      string
		wantDelta string // substring counted once per text delta
		wantLast  string
		wantTotal int // data lines
	}{
		{"/v1/chat/completions", `"content":"tok "`, "data: [DONE]", 4 + 4},
		{"/v1/messages", `"text_delta"`, `data: {"type":"message_stop"}`, 4 + 5},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp := post(t, srv.URL+tc.path, `{"model":"m","stream":true}`)
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("content type %q", ct)
			}
			var deltas, data int
			var last string
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				data++
				last = line
				if strings.Contains(line, tc.wantDelta) {
					deltas++
				}
				if line != "data: [DONE]" && !json.Valid([]byte(line[6:])) {
					t.Fatalf("invalid JSON: %s", line)
				}
			}
			if deltas != 4 || data != tc.wantTotal || last != tc.wantLast {
				t.Fatalf("deltas %d data %d last %q", deltas, data, last)
			}
		})
	}
}

func TestChunkDelayPacesDeltas(t *testing.T) {
	srv := httptest.NewServer(New(Config{Chunks: 5, ChunkDelay: 20 * time.Millisecond}))
	defer srv.Close()
	start := time.Now()
	resp := post(t, srv.URL+"/v1/chat/completions", `{"stream":true}`)
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	// Four gaps between five deltas.
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("stream took %v, want at least 80ms", d)
	}
}

func TestRejects(t *testing.T) {
	srv := httptest.NewServer(New(Config{}))
	defer srv.Close()
	if resp := post(t, srv.URL+"/v1/embeddings", `{}`); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path: %d", resp.StatusCode)
	}
	resp, err := http.Get(srv.URL + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
}
