package integration

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAdminLogin covers logging in with the first-boot password, the
// cookie's attributes, the Bearer and cookie paths, logout, and refusals.
func TestAdminLogin(t *testing.T) {
	in := admStart(t, "", "")
	anon := newAdmClient(t, in.BaseURL)

	if r := anon.do("GET", "/api/v1/channels", nil); r.Status != 401 {
		t.Fatalf("no session: status %d, want 401: %s", r.Status, r.Body)
	}
	r := anon.do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong-password"})
	if r.Status != 401 {
		t.Fatalf("wrong password: status %d, want 401: %s", r.Status, r.Body)
	}
	if msg, _ := r.ErrField(t); msg != "invalid username or password" {
		t.Fatalf("wrong password message %q", msg)
	}
	if r := anon.do("POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": admPassword}); r.Status != 401 {
		t.Fatalf("unknown user: status %d, want 401", r.Status)
	}

	r = anon.must(200, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": admPassword})
	body := r.JSON(t)
	token, _ := body["token"].(string)
	if len(token) < 32 {
		t.Fatalf("token %q too short", token)
	}
	exp, err := time.Parse(time.RFC3339, body["expires_at"].(string))
	if err != nil || exp.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("expires_at %v (%v), want about 24h ahead", body["expires_at"], err)
	}
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "octopus_session" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != token || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure {
		t.Fatalf("session cookie %+v: want the token, HttpOnly, SameSite=Strict, not Secure over plain HTTP", cookie)
	}

	// Bearer.
	bearer := newAdmClient(t, in.BaseURL)
	bearer.token = token
	me := bearer.must(200, "GET", "/api/v1/auth/me", nil).JSON(t)
	if me["username"] != "admin" {
		t.Fatalf("me = %v", me)
	}
	// Cookie.
	browser := newAdmClient(t, in.BaseURL)
	browser.header.Set("Cookie", "octopus_session="+token)
	browser.must(200, "GET", "/api/v1/auth/me", nil)
	// A bogus token.
	bogus := newAdmClient(t, in.BaseURL)
	bogus.token = "not-a-session"
	if r := bogus.do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("bogus token: status %d", r.Status)
	}

	// Logout ends the session for both ways of sending it.
	r = bearer.must(204, "POST", "/api/v1/auth/logout", nil)
	if r := bearer.do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("after logout: status %d, want 401", r.Status)
	}
	if r := browser.do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("cookie after logout: status %d, want 401", r.Status)
	}
}

// TestAdminLoginThrottle locks a username out after repeated failures,
// even for the right password, and says when to come back.
func TestAdminLoginThrottle(t *testing.T) {
	in := admStart(t, "", "")
	c := newAdmClient(t, in.BaseURL)
	for i := range 5 {
		r := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "guess-" + strconv.Itoa(i)})
		if r.Status != 401 {
			t.Fatalf("failure %d: status %d, want 401: %s", i+1, r.Status, r.Body)
		}
	}
	r := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": admPassword})
	if r.Status != 429 {
		t.Fatalf("after 5 failures: status %d, want 429: %s", r.Status, r.Body)
	}
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 15*60 {
		t.Fatalf("Retry-After %q, want 1..900 seconds", r.Header.Get("Retry-After"))
	}
	if msg, _ := r.ErrField(t); !strings.Contains(msg, "too many failed logins") {
		t.Fatalf("429 message %q", msg)
	}
	// Another username from the same address is not locked (yet).
	if r := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "someone", "password": "x"}); r.Status != 401 {
		t.Fatalf("other username: status %d, want 401", r.Status)
	}
}

// TestAdminSessionExpiry uses a short session_ttl: a session in use
// lives on past it, an unused one ends.
func TestAdminSessionExpiry(t *testing.T) {
	in := admStart(t, "", "\t\tsession_ttl 2s")
	c := admLogin(t, in.BaseURL)
	for start := time.Now(); time.Since(start) < 3*time.Second; time.Sleep(400 * time.Millisecond) {
		c.must(200, "GET", "/api/v1/auth/me", nil)
	}
	time.Sleep(2500 * time.Millisecond)
	r := c.do("GET", "/api/v1/auth/me", nil)
	if r.Status != 401 {
		t.Fatalf("after the TTL: status %d, want 401: %s", r.Status, r.Body)
	}
	if msg, _ := r.ErrField(t); !strings.Contains(msg, "expired") {
		t.Fatalf("message %q does not say the session expired", msg)
	}
}

// TestAdminPasswordChange checks the current password, refuses short new
// ones, ends old sessions and hands the caller a new one.
func TestAdminPasswordChange(t *testing.T) {
	in := admStart(t, "", "")
	c := admLogin(t, in.BaseURL)
	other := admLogin(t, in.BaseURL) // a second session of the same user

	r := c.do("PUT", "/api/v1/auth/password", map[string]string{"current_password": "nope-nope", "new_password": "a-new-password"})
	if _, field := r.ErrField(t); r.Status != 400 || field != "current_password" {
		t.Fatalf("wrong current password: %d %s", r.Status, r.Body)
	}
	r = c.do("PUT", "/api/v1/auth/password", map[string]string{"current_password": admPassword, "new_password": "short"})
	if _, field := r.ErrField(t); r.Status != 400 || field != "new_password" {
		t.Fatalf("short new password: %d %s", r.Status, r.Body)
	}
	r = c.must(200, "PUT", "/api/v1/auth/password", map[string]string{"current_password": admPassword, "new_password": "a-new-password"})
	newToken, _ := r.JSON(t)["token"].(string)
	if newToken == "" || newToken == c.token {
		t.Fatalf("password change answered no fresh token: %s", r.Body)
	}
	if r := c.do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("old session after password change: %d, want 401", r.Status)
	}
	if r := other.do("GET", "/api/v1/auth/me", nil); r.Status != 401 {
		t.Fatalf("other session after password change: %d, want 401", r.Status)
	}
	c.token = newToken
	c.must(200, "GET", "/api/v1/auth/me", nil)

	anon := newAdmClient(t, in.BaseURL)
	if r := anon.do("POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": admPassword}); r.Status != 401 {
		t.Fatalf("old password still works: %d", r.Status)
	}
	anon.must(200, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "a-new-password"})
}

// TestAdminCSRF refuses cookie-authenticated writes that a foreign page
// could forge, and lets Bearer scripts and the UI through.
func TestAdminCSRF(t *testing.T) {
	up := newAdmUpstream(t, "csrf")
	in := admStart(t, "", "")
	token := admLogin(t, in.BaseURL).token
	browser := newAdmClient(t, in.BaseURL)
	browser.header.Set("Cookie", "octopus_session="+token)
	body := `{"name":"c1","type":"openai_chat","base_url":"` + up.URL + `/v1","keys":["sk-upstream-key-0001"]}`

	// A form post: cookie, text/plain body, no custom header.
	if r := browser.raw("POST", "/api/v1/channels", "text/plain", []byte(body)); r.Status != 403 {
		t.Fatalf("cookie write with text/plain: %d, want 403: %s", r.Status, r.Body)
	}
	// A body-less cookie write without the header.
	if r := browser.raw("POST", "/api/v1/auth/logout", "", nil); r.Status != 403 {
		t.Fatalf("cookie logout without header: %d, want 403", r.Status)
	}
	// A cross-site browser request, even with JSON.
	browser.header.Set("Sec-Fetch-Site", "cross-site")
	if r := browser.raw("POST", "/api/v1/channels", "application/json", []byte(body)); r.Status != 403 {
		t.Fatalf("cross-site JSON write: %d, want 403: %s", r.Status, r.Body)
	}
	browser.header.Set("Sec-Fetch-Site", "same-origin")
	r := browser.raw("POST", "/api/v1/channels", "application/json", []byte(body))
	if r.Status != 201 {
		t.Fatalf("same-origin JSON write: %d, want 201: %s", r.Status, r.Body)
	}
	id := int(r.JSON(t)["id"].(float64))
	// The custom header stands in for the JSON type on body-less writes.
	browser.header.Set("X-Octopus-Request", "1")
	if r := browser.raw("DELETE", "/api/v1/channels/"+strconv.Itoa(id), "", nil); r.Status != 204 {
		t.Fatalf("cookie delete with header: %d, want 204: %s", r.Status, r.Body)
	}
	// Nothing was written by the refused requests.
	if l := admLogin(t, in.BaseURL).must(200, "GET", "/api/v1/channels", nil).List(t); len(l) != 0 {
		t.Fatalf("channels after CSRF refusals: %v", l)
	}
	// Bearer requests are not CSRF-prone; a wrong type is a 415.
	script := newAdmClient(t, in.BaseURL)
	script.token = token
	if r := script.raw("POST", "/api/v1/channels", "text/plain", []byte(body)); r.Status != 415 {
		t.Fatalf("Bearer write with text/plain: %d, want 415: %s", r.Status, r.Body)
	}
}
