package admin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestUIServer(t *testing.T) {
	files := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>app</title>")},
		"assets/app-1a2b.js": {Data: []byte("console.log(1)")},
		"favicon.svg":        {Data: []byte("<svg/>")},
	}
	h := New(Config{UI: files})
	for _, tc := range []struct {
		method, path string
		status       int
		ctype, body  string
		cache        string
	}{
		{"GET", "/", 200, "text/html", "<title>app</title>", "no-cache"},
		{"GET", "/channels/12/edit", 200, "text/html", "<title>app</title>", "no-cache"},
		{"GET", "/index.html", 200, "text/html", "<title>app</title>", "no-cache"},
		{"GET", "/assets/app-1a2b.js", 200, "text/javascript", "console.log(1)", "immutable"},
		{"GET", "/favicon.svg", 200, "image/svg+xml", "<svg/>", ""},
		{"GET", "/../../etc/passwd", 200, "text/html", "<title>app</title>", "no-cache"},
		{"HEAD", "/", 200, "text/html", "", "no-cache"},
		{"POST", "/", 405, "", "", ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		res := rec.Result()
		if res.StatusCode != tc.status || !strings.HasPrefix(res.Header.Get("Content-Type"), tc.ctype) ||
			!strings.Contains(rec.Body.String(), tc.body) || !strings.Contains(res.Header.Get("Cache-Control"), tc.cache) {
			t.Errorf("%s %s: %d %q cache %q body %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"), rec.Body.String())
		}
		if tc.method == "HEAD" && rec.Body.Len() != 0 {
			t.Errorf("HEAD wrote a body")
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if res.Header.Get(k) != want {
				t.Errorf("%s %s: %s = %q", tc.method, tc.path, k, res.Header.Get(k))
			}
		}
	}
}

func TestUIPlaceholder(t *testing.T) {
	rec := httptest.NewRecorder()
	New(Config{}).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "/api/v1/") || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("placeholder: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
}

func TestHandles(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         bool
	}{
		{"GET", "/", true},
		{"GET", "/anything", true},
		{"HEAD", "/x", true},
		{"POST", "/api/v1/channels", true},
		{"DELETE", "/api/v1/channels/1", true},
		{"POST", "/api", true},
		{"POST", "/upload", false},
		{"POST", "/apiary", false},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if got := Handles(r); got != tc.want {
			t.Errorf("Handles(%s %s) = %v", tc.method, tc.path, got)
		}
	}
}

func TestAPIWithoutStore(t *testing.T) {
	// Before the app starts there is no store: the API says so instead of
	// crashing.
	h := New(Config{Backend: nilBackend{}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"username":"a","password":"b"}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "not open") {
		t.Fatalf("login without store: %d %s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("GET", "/api/v1/channels", nil)
	req.Header.Set("Authorization", "Bearer x")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("list without store: %d %s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v2/x", nil))
	if rec.Code != 404 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("unknown API version: %d %s", rec.Code, rec.Body.String())
	}
}
