package integration

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// admStaticConfig declares one channel, group and key in the Caddyfile, so
// tests can see them listed read-only beside store objects.
func admStaticConfig(u *admUpstream) string {
	return `		channel static-ch {
			type openai_chat
			base_url ` + u.URL + `/v1
			key sk-static-secret-key-123456
			models up-a
			header X-Api-Key hidden-header-value-99
			timeout 10m
		}
		group static-group {
			channel static-ch up-a
		}
		api_key static-key sk-static-client-key-0001 {
			max_cost 5
		}`
}

// byName finds the listed object called name.
func byName(t *testing.T, list []map[string]any, name string) map[string]any {
	t.Helper()
	for _, o := range list {
		if o["name"] == name {
			return o
		}
	}
	t.Fatalf("no %q in %v", name, list)
	return nil
}

func idPath(kind string, id any) string {
	switch v := id.(type) {
	case float64:
		return fmt.Sprintf("/api/v1/%s/%d", kind, int(v))
	case string:
		return "/api/v1/" + kind + "/" + v
	}
	panic(fmt.Sprintf("id %v", id))
}

// TestAdminChannelCRUD creates, reads, updates and deletes a channel,
// checks that keys never leave in full and that a masked key sent back
// keeps the stored one.
func TestAdminChannelCRUD(t *testing.T) {
	up := newAdmUpstream(t, "crud")
	in := admStart(t, admStaticConfig(up), "")
	c := admLogin(t, in.BaseURL)

	body := admChannelBody("ch-1", up, "sk-proj-first-key-abcd", "sk-proj-second-key-wxyz")
	body["timeout"] = "10m"
	body["idle_timeout"] = 90 // seconds
	body["headers"] = map[string]string{"OpenAI-Organization": "org-1", "X-Api-Key": "header-secret-value-1234"}
	body["client_secret"] = "client-secret-value-5678"
	r := c.must(201, "POST", "/api/v1/channels", body)
	ch := r.JSON(t)
	id, ok := ch["id"].(float64)
	if !ok || id <= 0 {
		t.Fatalf("created channel id %v", ch["id"])
	}
	if ch["source"] != "store" || ch["timeout"] != "10m" || ch["idle_timeout"] != "1m30s" || ch["enabled"] != true {
		t.Fatalf("created channel %s", r.Body)
	}
	if got := fmt.Sprint(ch["keys"]); got != "[sk-…abcd sk-…wxyz]" {
		t.Fatalf("keys shown as %s, want masked", got)
	}
	if strings.Contains(string(r.Body), "first-key") || strings.Contains(string(r.Body), "header-secret") || strings.Contains(string(r.Body), "client-secret-value") {
		t.Fatalf("a secret leaked: %s", r.Body)
	}
	hd := ch["headers"].(map[string]any)
	if hd["OpenAI-Organization"] != "org-1" || hd["X-Api-Key"] != "hea…1234" {
		t.Fatalf("headers %v", hd)
	}
	path := idPath("channels", ch["id"])

	// Listed with the Caddyfile channel, which is marked as such.
	list := c.must(200, "GET", "/api/v1/channels", nil).List(t)
	if len(list) != 2 {
		t.Fatalf("listed %d channels, want 2", len(list))
	}
	st := byName(t, list, "static-ch")
	if st["source"] != "caddyfile" || st["id"] != "caddyfile:static-ch" || fmt.Sprint(st["keys"]) != "[sk-…3456]" || st["timeout"] != "10m" {
		t.Fatalf("static channel %v", st)
	}
	if strings.Contains(fmt.Sprint(list), "hidden-header-value") || strings.Contains(fmt.Sprint(list), "static-secret") {
		t.Fatalf("a Caddyfile secret leaked: %v", list)
	}
	if h, _ := byName(t, list, "ch-1")["health"].(map[string]any); h == nil {
		t.Fatalf("channel listed without health")
	}
	c.must(200, "GET", idPath("channels", "caddyfile:static-ch"), nil)

	// Update: keep the first key by sending its mask, replace the second,
	// keep the masked header and secret, change the rest.
	got := c.must(200, "GET", path, nil).JSON(t)
	got["keys"] = []string{"sk-…abcd", "sk-proj-third-key-9999"}
	got["models"] = []string{"up-a", "up-b"}
	got["enabled"] = false
	got["timeout"] = ""
	r = c.must(200, "PUT", path, got)
	upd := r.JSON(t)
	if fmt.Sprint(upd["keys"]) != "[sk-…abcd sk-…9999]" || upd["enabled"] != false || upd["timeout"] != "" || fmt.Sprint(upd["models"]) != "[up-a up-b]" {
		t.Fatalf("updated channel %s", r.Body)
	}
	// The test call uses the first key: it must be the full stored one.
	c.must(200, "PUT", path, map[string]any{"enabled": true})
	res := c.must(200, "POST", path+"/test", nil).JSON(t)
	if res["ok"] != true || up.lastKey() != "sk-proj-first-key-abcd" {
		t.Fatalf("test call %v used key %q, want the stored first key", res, up.lastKey())
	}
	// A masked key that matches nothing is refused, naming it.
	r = c.do("PUT", path, map[string]any{"keys": []string{"sk-…0000"}})
	if _, field := r.ErrField(t); r.Status != 400 || field != "keys[0]" {
		t.Fatalf("unknown masked key: %d %s", r.Status, r.Body)
	}
	// Rename; the id stays.
	r = c.must(200, "PUT", path, map[string]any{"name": "ch-renamed"})
	if r.JSON(t)["name"] != "ch-renamed" {
		t.Fatalf("rename: %s", r.Body)
	}

	c.must(204, "DELETE", path, nil)
	c.must(404, "GET", path, nil)
	c.must(404, "DELETE", path, nil)
	c.must(404, "GET", "/api/v1/channels/abc", nil)
}

// TestAdminGroupsKeysSettings covers CRUD of groups, API keys (secret shown
// once) and settings.
func TestAdminGroupsKeysSettings(t *testing.T) {
	up := newAdmUpstream(t, "gk")
	in := admStart(t, admStaticConfig(up), "")
	c := admLogin(t, in.BaseURL)
	chA := c.must(201, "POST", "/api/v1/channels", admChannelBody("ch-a", up)).JSON(t)["id"]
	chB := c.must(201, "POST", "/api/v1/channels", admChannelBody("ch-b", up)).JSON(t)["id"]

	// Groups.
	r := c.must(201, "POST", "/api/v1/groups", map[string]any{
		"name": "smart", "mode": "failover",
		"members": []map[string]any{{"channel": "ch-a", "model": "up-a", "priority": 1}, {"channel": "ch-b", "model": "up-a", "priority": 2, "weight": 3}},
	})
	g := r.JSON(t)
	gpath := idPath("groups", g["id"])
	if g["source"] != "store" || g["mode"] != "failover" || len(g["members"].([]any)) != 2 {
		t.Fatalf("created group %s", r.Body)
	}
	m0 := g["members"].([]any)[0].(map[string]any)
	if m0["channel"] != "ch-a" || m0["weight"] != float64(1) {
		t.Fatalf("member 0 %v (weight defaults to 1)", m0)
	}
	list := c.must(200, "GET", "/api/v1/groups", nil).List(t)
	if sg := byName(t, list, "static-group"); sg["source"] != "caddyfile" || sg["id"] != "caddyfile:static-group" || sg["mode"] != "round_robin" {
		t.Fatalf("static group %v", sg)
	}
	r = c.must(200, "PUT", gpath, map[string]any{"mode": "weighted", "members": []map[string]any{{"channel": "ch-b", "model": "up-a", "weight": 2}}})
	if g := r.JSON(t); g["mode"] != "weighted" || len(g["members"].([]any)) != 1 || g["name"] != "smart" {
		t.Fatalf("updated group %s", r.Body)
	}
	// ch-b is in use now; ch-a is not.
	r = c.do("DELETE", idPath("channels", chB), nil)
	if r.Status != 409 || !strings.Contains(string(r.Body), "smart") {
		t.Fatalf("deleting a used channel: %d %s", r.Status, r.Body)
	}
	c.must(204, "DELETE", idPath("channels", chA), nil)

	// API keys.
	r = c.must(201, "POST", "/api/v1/api-keys", map[string]any{"name": "team-a", "models": []string{"smart"}, "max_cost": 12.5, "expires_at": "2031-01-02T03:04:05Z"})
	k := r.JSON(t)
	secret, _ := k["secret"].(string)
	if !strings.HasPrefix(secret, "sk-octo-") || len(secret) < 40 || k["max_cost"] != 12.5 || k["expires_at"] != "2031-01-02T03:04:05Z" || k["enabled"] != true {
		t.Fatalf("created key %s", r.Body)
	}
	kpath := idPath("api-keys", k["id"])
	got := c.must(200, "GET", kpath, nil)
	if strings.Contains(string(got.Body), secret) || got.JSON(t)["secret"] != nil {
		t.Fatalf("the secret is shown again: %s", got.Body)
	}
	r = c.must(200, "PUT", kpath, map[string]any{"max_cost": nil, "enabled": false})
	if k := r.JSON(t); k["max_cost"] != nil || k["enabled"] != false || k["expires_at"] != "2031-01-02T03:04:05Z" {
		t.Fatalf("updated key %s", r.Body)
	}
	keys := c.must(200, "GET", "/api/v1/api-keys", nil).List(t)
	if sk := byName(t, keys, "static-key"); sk["source"] != "caddyfile" || sk["max_cost"] != float64(5) || strings.Contains(fmt.Sprint(sk), "client-key-0001") {
		t.Fatalf("static key %v", sk)
	}
	c.must(204, "DELETE", kpath, nil)
	c.must(404, "GET", kpath, nil)

	// The group goes, then its channel may go.
	c.must(204, "DELETE", gpath, nil)
	c.must(204, "DELETE", idPath("channels", chB), nil)

	// Settings.
	r = c.must(200, "PUT", "/api/v1/settings", map[string]string{"theme": "dark", "currency": "USD"})
	if s := r.JSON(t); s["theme"] != "dark" || s["currency"] != "USD" {
		t.Fatalf("settings %s", r.Body)
	}
	c.must(200, "PUT", "/api/v1/settings/theme", map[string]string{"value": "light"})
	if s := c.must(200, "GET", "/api/v1/settings/theme", nil).JSON(t); s["value"] != "light" {
		t.Fatalf("setting %v", s)
	}
	c.must(204, "DELETE", "/api/v1/settings/theme", nil)
	c.must(404, "GET", "/api/v1/settings/theme", nil)
	c.must(404, "DELETE", "/api/v1/settings/theme", nil)
	if s := c.must(200, "GET", "/api/v1/settings", nil).JSON(t); len(s) != 1 {
		t.Fatalf("settings after delete %v", s)
	}
}

// TestAdminCaddyfileReadOnly refuses changes to Caddyfile objects and store
// objects named like them.
func TestAdminCaddyfileReadOnly(t *testing.T) {
	up := newAdmUpstream(t, "ro")
	in := admStart(t, admStaticConfig(up), "")
	c := admLogin(t, in.BaseURL)
	for _, tc := range []struct{ kind, name string }{
		{"channels", "static-ch"}, {"groups", "static-group"}, {"api-keys", "static-key"},
	} {
		p := idPath(tc.kind, "caddyfile:"+tc.name)
		c.must(200, "GET", p, nil)
		for _, method := range []string{"PUT", "DELETE"} {
			var body any
			if method == "PUT" {
				body = map[string]any{"name": "renamed"}
			}
			r := c.do(method, p, body)
			if msg, _ := r.ErrField(t); r.Status != 409 || !strings.Contains(msg, "Caddyfile") {
				t.Errorf("%s %s: %d %s, want 409 naming the Caddyfile", method, p, r.Status, r.Body)
			}
		}
		c.must(404, "GET", idPath(tc.kind, "caddyfile:missing"), nil)
	}
	// Store objects may not take a Caddyfile name.
	clash := []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/channels", admChannelBody("static-ch", up)},
		{"/api/v1/api-keys", map[string]any{"name": "static-key"}},
	}
	for _, tc := range clash {
		if r := c.do("POST", tc.path, tc.body); r.Status != 409 {
			t.Errorf("POST %s named like a Caddyfile object: %d %s", tc.path, r.Status, r.Body)
		}
	}
	c.must(201, "POST", "/api/v1/channels", admChannelBody("mine", up))
	if r := c.do("POST", "/api/v1/groups", map[string]any{"name": "static-group", "members": []map[string]any{{"channel": "mine", "model": "up-a"}}}); r.Status != 409 {
		t.Errorf("group named like a Caddyfile group: %d %s", r.Status, r.Body)
	}
	r := c.do("POST", "/api/v1/groups", map[string]any{"name": "g", "members": []map[string]any{{"channel": "static-ch", "model": "up-a"}}})
	if _, field := r.ErrField(t); r.Status != 400 || field != "members[0].channel" {
		t.Errorf("store group using a Caddyfile channel: %d %s", r.Status, r.Body)
	}
	// The relay still serves everything.
	if st, body := admChat(t, in.BaseURL, "sk-static-client-key-0001", "static-group"); st != 200 || !strings.Contains(body, "pong from ro") {
		t.Fatalf("relay after refusals: %d %s", st, body)
	}
}

// TestAdminBadInput sends broken requests: each is a 4xx with a message
// and nothing is written.
func TestAdminBadInput(t *testing.T) {
	up := newAdmUpstream(t, "bad")
	in := admStart(t, "", "")
	c := admLogin(t, in.BaseURL)
	c.must(201, "POST", "/api/v1/channels", admChannelBody("taken", up))
	gone := c.must(201, "POST", "/api/v1/channels", admChannelBody("gone", up)).JSON(t)
	c.must(204, "DELETE", idPath("channels", gone["id"]), nil)
	base := up.URL + "/v1"

	cases := []struct {
		name   string
		path   string
		body   string
		status int
		field  string // "" when the error names no field
		msg    string // substring of the message
	}{
		{"malformed", "/api/v1/channels", `{"name": "x",`, 400, "", "malformed JSON"},
		{"not an object", "/api/v1/channels", `["x"]`, 400, "", "JSON object"},
		{"trailing data", "/api/v1/channels", `{"name":"x"} {}`, 400, "", "after the JSON object"},
		{"unknown field", "/api/v1/channels", `{"name":"x","type":"openai_chat","keys":["k"],"colour":"red"}`, 400, "colour", "unknown field"},
		{"wrong type", "/api/v1/channels", `{"name":"x","type":"openai_chat","keys":"sk-1"}`, 400, "keys", "array"},
		{"wrong type nested", "/api/v1/groups", `{"name":"g","members":[{"channel":"taken","model":"up-a","weight":"heavy"}]}`, 400, "members.weight", "integer"},
		{"bad duration", "/api/v1/channels", `{"name":"x","type":"openai_chat","keys":["k"],"timeout":"soon"}`, 400, "timeout", "duration"},
		{"bad time", "/api/v1/api-keys", `{"name":"k","expires_at":"tomorrow"}`, 400, "expires_at", "RFC 3339"},
		{"unknown type", "/api/v1/channels", `{"name":"x","type":"openai","keys":["k"]}`, 400, "type", "openai_chat"},
		{"no keys", "/api/v1/channels", `{"name":"x","type":"openai_chat"}`, 400, "keys", "at least one"},
		{"masked key on create", "/api/v1/channels", `{"name":"x","type":"openai_chat","keys":["sk-…abcd"]}`, 400, "keys[0]", "masked"},
		{"bad base_url", "/api/v1/channels", `{"name":"x","type":"openai_chat","keys":["k"],"base_url":"ftp://h"}`, 400, "base_url", ""},
		{"bad proxy", "/api/v1/channels", `{"name":"x","type":"openai_chat","keys":["k"],"proxy":"gopher://h:70"}`, 400, "proxy", "socks5"},
		{"setting not a string", "/api/v1/settings", `{"theme":5}`, 400, "theme", "string"},
		{"empty name", "/api/v1/channels", `{"name":"","type":"openai_chat","keys":["k"]}`, 400, "name", "empty"},
		{"name clash", "/api/v1/channels", `{"name":"taken","type":"openai_chat","keys":["k"],"base_url":"` + base + `"}`, 409, "", "already exists"},
		{"group without members", "/api/v1/groups", `{"name":"g"}`, 400, "members", "at least one"},
		{"group with unknown channel", "/api/v1/groups", `{"name":"g","members":[{"channel":"nope","model":"m"}]}`, 400, "members[0].channel", "unknown channel"},
		{"group with deleted channel", "/api/v1/groups", `{"name":"g","members":[{"channel":"taken","model":"m"},{"channel":"gone","model":"m"}]}`, 400, "members[1].channel", "unknown channel"},
		{"group bad mode", "/api/v1/groups", `{"name":"g","mode":"fastest","members":[{"channel":"taken","model":"m"}]}`, 400, "mode", "unknown mode"},
		{"key zero max_cost", "/api/v1/api-keys", `{"name":"k","max_cost":0}`, 400, "max_cost", "positive"},
		{"empty body", "/api/v1/api-keys", ``, 400, "", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.raw("POST", tc.path, "application/json", []byte(tc.body))
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			msg, field := r.ErrField(t)
			if field != tc.field || !strings.Contains(msg, tc.msg) {
				t.Fatalf("error %q field %q, want field %q and a message containing %q", msg, field, tc.field, tc.msg)
			}
		})
	}
	t.Run("oversized", func(t *testing.T) {
		big := `{"name":"x","type":"openai_chat","keys":["` + strings.Repeat("k", 1<<20) + `"]}`
		if r := c.raw("POST", "/api/v1/channels", "application/json", []byte(big)); r.Status != 413 {
			t.Fatalf("status %d, want 413: %.200s", r.Status, r.Body)
		}
	})
	t.Run("unknown route and method", func(t *testing.T) {
		if r := c.do("GET", "/api/v1/nothing", nil); r.Status != 404 {
			t.Fatalf("unknown route: %d", r.Status)
		}
		r := c.do("PATCH", "/api/v1/channels", map[string]any{})
		if r.Status != 405 || !strings.Contains(r.Header.Get("Allow"), "POST") {
			t.Fatalf("wrong method: %d Allow=%q", r.Status, r.Header.Get("Allow"))
		}
	})

	// Nothing was half-written.
	chs := c.must(200, "GET", "/api/v1/channels", nil).List(t)
	if len(chs) != 1 || chs[0]["name"] != "taken" {
		t.Fatalf("channels after bad input: %v", chs)
	}
	if gs := c.must(200, "GET", "/api/v1/groups", nil).List(t); len(gs) != 0 {
		t.Fatalf("groups after bad input: %v", gs)
	}
	if ks := c.must(200, "GET", "/api/v1/api-keys", nil).List(t); len(ks) != 0 {
		t.Fatalf("keys after bad input: %v", ks)
	}
}

// TestAdminChannelTypes lists the registry.
func TestAdminChannelTypes(t *testing.T) {
	in := admStart(t, "", "")
	c := admLogin(t, in.BaseURL)
	types := c.must(200, "GET", "/api/v1/channel-types", nil).List(t)
	var names []string
	for _, ty := range types {
		names = append(names, ty["name"].(string))
		if ty["display_name"] == "" || ty["default_base_url"] == "" || ty["key_hint"] == "" {
			t.Errorf("type %v lacks a display name, default base URL or key hint", ty)
		}
	}
	for _, want := range []string{"openai_chat", "openai_responses", "anthropic", "gemini", "antigravity"} {
		if !slices.Contains(names, want) {
			t.Errorf("channel types %v lack %s", names, want)
		}
	}
}

// The options the Caddyfile sets are readable, in force, through the API
// (the panel's Settings page shows them), without secrets.
func TestAdminOptions(t *testing.T) {
	in := admStart(t, "\t\tstats_flush_interval 90s\n\t\tmodel_sync_interval 6h\n\t\tlog_retention 48h", "")
	c := admLogin(t, in.BaseURL)
	got := c.must(200, "GET", "/api/v1/options", nil).JSON(t)
	want := map[string]any{"database": "sqlite", "stats_flush_interval": "1m30s", "price_sync": "off", "model_sync_interval": "6h0m0s", "log_retention": "48h0m0s"}
	if len(got) != len(want) {
		t.Fatalf("options %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("options[%s] = %v, want %v", k, got[k], v)
		}
	}
	// Admin routes need a session.
	r, err := http.Get(in.BaseURL + "/api/v1/options")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a session: %d", r.StatusCode)
	}
}
