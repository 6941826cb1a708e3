package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/testcaddy"
)

// admPassword is the first-boot admin password of the admin tests.
const admPassword = "correct-horse-battery"

// admCaddyfile is a complete test Caddyfile: the octopus app on a SQLite
// {DB} with octopusLines inside its block, and one site serving both the
// relay and the admin API with adminLines inside octopus_admin's block.
func admCaddyfile(octopusLines, adminLines string) string {
	if octopusLines != "" {
		octopusLines = "\n" + octopusLines
	}
	admin := "octopus_admin"
	if adminLines != "" {
		admin += " {\n" + adminLines + "\n\t}"
	}
	return `{
	{GLOBALS}
	octopus {
		database sqlite {DB}
		admin_password ` + admPassword + `
		price_sync off` + octopusLines + `
	}
}
http://127.0.0.1:{PORT} {
	octopus
	` + admin + `
}
`
}

// admStart runs Caddy with admCaddyfile.
func admStart(t *testing.T, octopusLines, adminLines string) *testcaddy.Instance {
	t.Helper()
	return testcaddy.Start(t, admCaddyfile(octopusLines, adminLines))
}

// admResp is an answer of the admin API.
type admResp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r admResp) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("answer is not a JSON object (%v): %s", err, r.Body)
	}
	return m
}

// List decodes the body as a JSON array of objects.
func (r admResp) List(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(r.Body, &l); err != nil {
		t.Fatalf("answer is not a JSON array (%v): %s", err, r.Body)
	}
	return l
}

// ErrField returns error.message and error.field of an error answer.
func (r admResp) ErrField(t *testing.T) (msg, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an error answer (%v): %s", err, r.Body)
	}
	return e.Error.Message, e.Error.Field
}

// admClient calls the admin API of one instance.
type admClient struct {
	t    *testing.T
	base string
	// token is sent as Authorization: Bearer when set.
	token string
	// header is added to every request.
	header http.Header
	hc     *http.Client
}

func newAdmClient(t *testing.T, base string) *admClient {
	return &admClient{t: t, base: base, header: http.Header{}, hc: &http.Client{Timeout: 30 * time.Second}}
}

// raw sends a request with body as is (nil: none) and contentType.
func (c *admClient) raw(method, path, contentType string, body []byte) admResp {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading: %v", method, path, err)
	}
	return admResp{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// do sends v as JSON (nil: no body).
func (c *admClient) do(method, path string, v any) admResp {
	c.t.Helper()
	if v == nil {
		return c.raw(method, path, "", nil)
	}
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			c.t.Fatal(err)
		}
	}
	return c.raw(method, path, "application/json", b)
}

// must sends like do and fails the test unless the status is want.
func (c *admClient) must(want int, method, path string, v any) admResp {
	c.t.Helper()
	r := c.do(method, path, v)
	if r.Status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// admLogin logs in as admin and returns a client using the Bearer token.
func admLogin(t *testing.T, base string) *admClient {
	t.Helper()
	c := newAdmClient(t, base)
	r := c.must(200, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": admPassword})
	tok, _ := r.JSON(t)["token"].(string)
	if tok == "" {
		t.Fatalf("login answer without token: %s", r.Body)
	}
	c.token = tok
	return c
}

// admUpstream is a tiny OpenAI Chat upstream: it answers chat completions
// with "pong from <name>", lists models, records the keys it saw, and can
// be told to fail.
type admUpstream struct {
	*httptest.Server
	name string

	mu     sync.Mutex
	keys   []string
	bodies []string
	fail   int // answer 500 to the next fail chat requests
}

func newAdmUpstream(t *testing.T, name string) *admUpstream {
	u := &admUpstream{name: name}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *admUpstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.keys = append(u.keys, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	u.bodies = append(u.bodies, string(body))
	failing := u.fail > 0 && r.URL.Path == "/v1/chat/completions"
	if failing {
		u.fail--
	}
	u.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case failing:
		w.WriteHeader(500)
		fmt.Fprint(w, `{"error":{"message":"upstream on fire","type":"server_error"}}`)
	case r.Method == "GET" && r.URL.Path == "/v1/models":
		fmt.Fprint(w, `{"object":"list","data":[{"id":"up-b","object":"model"},{"id":"up-a","object":"model"}]}`)
	case r.Method == "POST" && r.URL.Path == "/v1/chat/completions":
		var req struct {
			Model string `json:"model"`
		}
		_ = json.Unmarshal(body, &req)
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":%q,`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"pong from %s"},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`, req.Model, u.name)
	default:
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":{"message":"no such route","type":"invalid_request_error"}}`)
	}
}

// lastKey is the key of the last request the upstream saw.
func (u *admUpstream) lastKey() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.keys) == 0 {
		return ""
	}
	return u.keys[len(u.keys)-1]
}

// lastBody is the body of the last request the upstream saw.
func (u *admUpstream) lastBody() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.bodies) == 0 {
		return ""
	}
	return u.bodies[len(u.bodies)-1]
}

func (u *admUpstream) failNext(n int) {
	u.mu.Lock()
	u.fail = n
	u.mu.Unlock()
}

// admChat sends a chat completion for model with client key secret to the
// relay at base and returns the status and body.
func admChat(t *testing.T, base, secret, model string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body := `{"model":"` + model + `","messages":[{"role":"user","content":"ping"}]}`
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("relay request: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// admEventually retries check every 50 ms until it returns "" or the
// deadline passes, then fails with its last message.
func admEventually(t *testing.T, within time.Duration, check func() string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		msg := check()
		if msg == "" {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("not within %s: %s", within, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// admChannelBody is a channel for the upstream u.
func admChannelBody(name string, u *admUpstream, keys ...string) map[string]any {
	if len(keys) == 0 {
		keys = []string{"sk-upstream-key-0001"}
	}
	return map[string]any{
		"name": name, "type": "openai_chat", "base_url": u.URL + "/v1",
		"keys": keys, "models": []string{"up-a"},
	}
}

// adminUp reports whether the gateway at base accepts the admin login: a
// login proves the store is open and migrated, which serving HTTP does not.
func adminUp(base string) (bool, error) {
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"`+admPassword+`"}`))
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}
