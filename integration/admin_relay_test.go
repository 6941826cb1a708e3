package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAdminChangeServesAtOnce creates a channel, group and key through the
// API; the relay serves them within a second, and stops when the key is
// disabled.
func TestAdminChangeServesAtOnce(t *testing.T) {
	up := newAdmUpstream(t, "fresh")
	in := admStart(t, "", "")
	c := admLogin(t, in.BaseURL)

	start := time.Now()
	c.must(201, "POST", "/api/v1/channels", admChannelBody("fresh-ch", up))
	c.must(201, "POST", "/api/v1/groups", map[string]any{"name": "fresh-model", "members": []map[string]any{{"channel": "fresh-ch", "model": "up-a"}}})
	key := c.must(201, "POST", "/api/v1/api-keys", map[string]any{"name": "fresh-key", "models": []string{"fresh-model"}}).JSON(t)
	secret := key["secret"].(string)
	took := admEventually(t, time.Second, func() string {
		st, body := admChat(t, in.BaseURL, secret, "fresh-model")
		if st != 200 || !strings.Contains(body, "pong from fresh") {
			return fmt.Sprintf("relay answered %d %s", st, body)
		}
		return ""
	})
	t.Logf("served %s after the first write (%s after the last)", time.Since(start), took)
	if !strings.Contains(up.lastBody(), `"model":"up-a"`) {
		t.Fatalf("upstream got %s, want the member's model", up.lastBody())
	}
	// The key may use only its group.
	if st, _ := admChat(t, in.BaseURL, secret, "up-a"); st == 200 {
		t.Fatalf("key restricted to fresh-model could call up-a")
	}

	c.must(200, "PUT", idPath("api-keys", key["id"]), map[string]any{"enabled": false})
	admEventually(t, time.Second, func() string {
		if st, _ := admChat(t, in.BaseURL, secret, "fresh-model"); st == 200 {
			return "a disabled key still works"
		}
		return ""
	})
}

// TestAdminChannelHealth shows breaker state in channel listings.
func TestAdminChannelHealth(t *testing.T) {
	up := newAdmUpstream(t, "health")
	in := admStart(t, "", "")
	c := admLogin(t, in.BaseURL)
	ch := c.must(201, "POST", "/api/v1/channels", admChannelBody("hc", up, "sk-health-key-000001")).JSON(t)
	c.must(201, "POST", "/api/v1/groups", map[string]any{"name": "hg", "members": []map[string]any{{"channel": "hc", "model": "up-a"}}})
	secret := c.must(201, "POST", "/api/v1/api-keys", map[string]any{"name": "hk"}).JSON(t)["secret"].(string)

	health := func() map[string]any {
		return c.must(200, "GET", idPath("channels", ch["id"]), nil).JSON(t)["health"].(map[string]any)
	}
	if st, body := admChat(t, in.BaseURL, secret, "hg"); st != 200 {
		t.Fatalf("relay: %d %s", st, body)
	}
	h := health()
	if h["status"] != "healthy" {
		t.Fatalf("health after a success: %v", h)
	}
	var found bool
	for _, b := range h["breakers"].([]any) {
		b := b.(map[string]any)
		if b["model"] == "up-a" && b["key"] == "sk-…0001" && b["state"] == "closed" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no closed breaker for (sk-…0001, up-a) in %v", h)
	}

	// Three failures in a row open the breaker.
	up.failNext(3)
	for range 3 {
		admChat(t, in.BaseURL, secret, "hg")
	}
	h = health()
	if h["status"] == "healthy" {
		t.Fatalf("health after 3 failures: %v", h)
	}
	var open bool
	for _, b := range h["breakers"].([]any) {
		b := b.(map[string]any)
		if b["model"] == "up-a" && b["state"] == "open" && b["failures"].(float64) >= 3 && b["open_until"] != nil && b["last_failure"] != nil {
			open = true
		}
	}
	if !open {
		t.Fatalf("no open breaker with failures after 3 failures: %v", h)
	}
}

// TestAdminFetchModelsAndTest lists upstream models of saved and unsaved
// channels and runs a channel test.
func TestAdminFetchModelsAndTest(t *testing.T) {
	up := newAdmUpstream(t, "models")
	in := admStart(t, admStaticConfig(up), "")
	c := admLogin(t, in.BaseURL)
	ch := c.must(201, "POST", "/api/v1/channels", admChannelBody("fm", up, "sk-fetch-models-key-1")).JSON(t)

	r := c.must(200, "POST", idPath("channels", ch["id"])+"/fetch-models", nil)
	if got := fmt.Sprint(r.JSON(t)["models"]); got != "[up-a up-b]" || up.lastKey() != "sk-fetch-models-key-1" {
		t.Fatalf("saved channel models %s (key %q)", got, up.lastKey())
	}
	// Caddyfile channels too.
	c.must(200, "POST", idPath("channels", "caddyfile:static-ch")+"/fetch-models", nil)
	if up.lastKey() != "sk-static-secret-key-123456" {
		t.Fatalf("static channel fetch used key %q", up.lastKey())
	}
	// An unsaved form, with a fresh key.
	form := map[string]any{"type": "openai_chat", "base_url": up.URL + "/v1", "keys": []string{"sk-typed-in-the-form"}}
	r = c.must(200, "POST", "/api/v1/channels/fetch-models", form)
	if fmt.Sprint(r.JSON(t)["models"]) != "[up-a up-b]" || up.lastKey() != "sk-typed-in-the-form" {
		t.Fatalf("unsaved channel models %s key %q", r.Body, up.lastKey())
	}
	// The edit form of a saved channel sends its id and the masked key.
	form = map[string]any{"id": ch["id"], "type": "openai_chat", "base_url": up.URL + "/v1", "keys": []string{"sk-…ey-1"}}
	c.must(200, "POST", "/api/v1/channels/fetch-models", form)
	if up.lastKey() != "sk-fetch-models-key-1" {
		t.Fatalf("masked key in the form resolved to %q", up.lastKey())
	}
	// Without the id, a masked key cannot be resolved.
	delete(form, "id")
	if r := c.do("POST", "/api/v1/channels/fetch-models", form); r.Status != 400 {
		t.Fatalf("masked key without id: %d %s", r.Status, r.Body)
	}
	// An upstream error is reported as such.
	form = map[string]any{"type": "anthropic", "base_url": up.URL + "/nowhere", "keys": []string{"sk-ant-x"}}
	r = c.do("POST", "/api/v1/channels/fetch-models", form)
	if msg, _ := r.ErrField(t); r.Status != 502 || !strings.Contains(msg, "404") || !strings.Contains(msg, "no such route") {
		t.Fatalf("failing upstream: %d %s", r.Status, r.Body)
	}

	// Channel test.
	res := c.must(200, "POST", idPath("channels", ch["id"])+"/test", nil).JSON(t)
	if res["ok"] != true || res["status"] != float64(200) || res["model"] != "up-a" || !strings.Contains(res["reply"].(string), "pong from models") {
		t.Fatalf("test result %v", res)
	}
	if _, ok := res["latency_ms"].(float64); !ok {
		t.Fatalf("test result without latency: %v", res)
	}
	if b := up.lastBody(); !strings.Contains(b, `"max_tokens":16`) || !strings.Contains(b, "ping") {
		t.Fatalf("test request body %s", b)
	}
	up.failNext(1)
	res = c.must(200, "POST", idPath("channels", ch["id"])+"/test", map[string]string{"model": "up-b"}).JSON(t)
	if res["ok"] != false || res["status"] != float64(500) || res["error"] != "upstream on fire" || res["model"] != "up-b" {
		t.Fatalf("failing test result %v", res)
	}
}

// TestAdminUI serves the placeholder page with security headers, and
// leaves relay paths to the relay.
func TestAdminUI(t *testing.T) {
	in := admStart(t, "", "")
	for _, path := range []string{"/", "/channels/12", "/index.html"} {
		resp, err := http.Get(in.BaseURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, h.Get("Content-Type"))
		}
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if h.Get(k) != want {
				t.Errorf("GET %s: %s = %q, want %q", path, k, h.Get(k), want)
			}
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, h.Get("Content-Security-Policy"))
		}
	}
	// The relay's model list is not the UI's.
	resp, err := http.Get(in.BaseURL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("GET /v1/models without a key: %d, want the relay's 401", resp.StatusCode)
	}
	// API errors carry the headers too and are JSON.
	r := newAdmClient(t, in.BaseURL).do("GET", "/api/v1/channels", nil)
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("API headers %v", r.Header)
	}
}
