package admin

import (
	"reflect"
	"testing"
)

func TestRouteMatching(t *testing.T) {
	h := New(Config{})
	for _, tc := range []struct {
		method, path string
		wantSegs     string // the matched pattern, "" for none
		param        string
		allowed      []string
	}{
		{"GET", "channels", "channels", "", nil},
		{"POST", "channels", "channels", "", nil},
		{"POST", "channels/fetch-models", "channels/fetch-models", "", nil},
		{"GET", "channels/12", "channels/{}", "12", nil},
		{"GET", "channels/caddyfile:openai%2Fmain", "channels/{}", "caddyfile:openai/main", nil},
		{"POST", "channels/7/test", "channels/{}/test", "7", nil},
		{"GET", "groups/caddyfile:a%20b", "groups/{}", "caddyfile:a b", nil},
		{"PATCH", "channels/12", "", "", []string{"GET", "PUT", "DELETE"}},
		{"GET", "channels/fetch-models", "channels/{}", "fetch-models", nil},
		{"GET", "channels/", "", "", nil},
		{"GET", "channels/1/2", "", "", nil},
		{"GET", "channels/%zz", "", "", nil},
		{"GET", "nothing", "", "", nil},
		{"PUT", "auth/login", "", "", []string{"POST"}},
	} {
		rt, param, allowed, ok := h.match(tc.method, tc.path)
		got := ""
		if ok {
			got = joinSegs(rt.segs)
		}
		if got != tc.wantSegs || param != tc.param || !reflect.DeepEqual(allowed, tc.allowed) {
			t.Errorf("%s %s: matched %q param %q allowed %v; want %q %q %v", tc.method, tc.path, got, param, allowed, tc.wantSegs, tc.param, tc.allowed)
		}
	}
}

func joinSegs(segs []string) string {
	s := ""
	for i, p := range segs {
		if i > 0 {
			s += "/"
		}
		s += p
	}
	return s
}

// Only login and the key view (which checks the client key itself) are
// reachable without a session.
func TestOnlyLoginIsPublic(t *testing.T) {
	for _, rt := range New(Config{}).routes {
		p := joinSegs(rt.segs)
		if rt.public != (p == "auth/login" || p == "key/info" || p == "key/usage") {
			t.Errorf("%s %s public=%v", rt.method, joinSegs(rt.segs), rt.public)
		}
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in     string
		n      int
		static string
		ok     bool
	}{
		{"12", 12, "", true},
		{"caddyfile:openai", 0, "openai", true},
		{"caddyfile:", 0, "", false},
		{"0", 0, "", false},
		{"-3", 0, "", false},
		{"abc", 0, "", false},
	} {
		id, err := parseID("channel", tc.in)
		if (err == nil) != tc.ok || id.n != tc.n || id.static != tc.static {
			t.Errorf("parseID(%q) = %+v, %v", tc.in, id, err)
		}
		if err != nil && err.(*apiError).Status != 404 {
			t.Errorf("parseID(%q): status %d, want 404", tc.in, err.(*apiError).Status)
		}
	}
}
