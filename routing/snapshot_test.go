package routing

import (
	"strings"
	"testing"
	"time"
)

func testConfig() Config {
	return Config{
		Channels: []ChannelConfig{
			{Name: "oa", Type: "openai_chat", Keys: []string{"sk-1"}, Models: []string{"gpt-4o", "gpt-4o-mini"}},
			{Name: "an", Type: "anthropic", Keys: []string{"sk-ant-1"}, Models: []string{"claude", "gpt-4o"}},
		},
		Groups: []GroupConfig{{Name: "smart", Mode: "failover", Members: []MemberConfig{{Channel: "an", Model: "claude", Priority: 1}, {Channel: "oa", Model: "gpt-4o", Priority: 2}}}},
		Keys: []APIKeyConfig{
			{Name: "all", Secret: "sk-client-all"},
			{Name: "limited", Secret: "sk-client-limited", Models: []string{"smart"}, Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
	}
}

func TestCompileAndLookups(t *testing.T) {
	s, err := Compile(testConfig(), NewRuntime())
	if err != nil {
		t.Fatal(err)
	}
	k, ok := s.Authenticate("sk-client-limited")
	if !ok || k.Name != "limited" {
		t.Fatalf("auth: %v %v", k, ok)
	}
	if _, ok := s.Authenticate("sk-client-limite"); ok {
		t.Fatal("a wrong secret authenticated")
	}
	if _, ok := s.Authenticate(""); ok {
		t.Fatal("an empty secret authenticated")
	}
	if !k.Allows("smart") || k.Allows("gpt-4o-mini") {
		t.Fatal("models list not enforced")
	}
	if k.Expired(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)) || !k.Expired(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("expiry wrong")
	}
	if g, ok := s.Resolve("smart"); !ok || len(g.Members) != 2 {
		t.Fatal("group not resolved")
	}
	// Served by exactly one channel: passes straight through.
	if g, ok := s.Resolve("gpt-4o-mini"); !ok || g.Members[0].Channel.Name != "oa" {
		t.Fatal("direct model not resolved")
	}
	// Served by two channels: ambiguous, so no direct route.
	if _, ok := s.Resolve("gpt-4o"); ok {
		t.Fatal("a model served by two channels must not resolve directly")
	}
	all, _ := s.Authenticate("sk-client-all")
	if got := s.Models(all); len(got) != 1 || got[0] != "smart" {
		t.Fatalf("models %v", got)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"unknown type", func(c *Config) { c.Channels[0].Type = "openai" }, `channel "oa": unknown type "openai"`},
		{"no keys", func(c *Config) { c.Channels[0].Keys = nil }, `channel "oa": at least one key is required`},
		{"empty key", func(c *Config) { c.Channels[0].Keys = []string{" "} }, `channel "oa": key 1 is empty`},
		{"bad base", func(c *Config) { c.Channels[0].BaseURL = "api.openai.com" }, `must start with http://`},
		{"bad proxy", func(c *Config) { c.Channels[0].Proxy = "ftp://x" }, `scheme must be http, https or socks5`},
		{"unknown member", func(c *Config) { c.Groups[0].Members[0].Channel = "zz" }, `group "smart": unknown channel "zz"`},
		{"bad mode", func(c *Config) { c.Groups[0].Mode = "fastest" }, `unknown mode "fastest"`},
		{"short secret", func(c *Config) { c.Keys[0].Secret = "abc" }, `at least 8 characters`},
		{"same secret", func(c *Config) { c.Keys[1].Secret = c.Keys[0].Secret }, `same secret as api_key "all"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig()
			tc.mutate(&c)
			_, err := Compile(c, NewRuntime())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestMergeNamesBothPlaces(t *testing.T) {
	var c Config
	if err := c.Merge(testConfig(), FromCaddyfile); err != nil {
		t.Fatal(err)
	}
	err := c.Merge(Config{Groups: []GroupConfig{{Name: "smart"}}}, FromStore)
	if err == nil || err.Error() != `group "smart" is defined both in the Caddyfile and in the store` {
		t.Fatalf("got %v", err)
	}
}

func TestRuntimeSharesTransports(t *testing.T) {
	rt := NewRuntime()
	a, _ := Compile(testConfig(), rt)
	b, _ := Compile(testConfig(), rt)
	ca, _ := a.Channel("oa")
	cb, _ := b.Channel("oa")
	if ca.Client.Transport != cb.Client.Transport {
		t.Fatal("a recompiled snapshot must reuse the upstream connection pool")
	}
}
