package antigravity

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/routing"
)

// fakeGoogle is a loopback token endpoint and loadCodeAssist.
type fakeGoogle struct {
	srv       *httptest.Server
	refreshes atomic.Int64
	loads     atomic.Int64
	release   chan struct{} // when set, token answers wait for it
	expiresIn int
}

func newFakeGoogle(t *testing.T) *fakeGoogle {
	f := &fakeGoogle{expiresIn: 3599}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("refresh_token") != "1//good" ||
			r.Form.Get("client_id") != "cid" || r.Form.Get("client_secret") != "csecret" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Bad Request"}`)
			return
		}
		if f.release != nil {
			<-f.release
		}
		n := f.refreshes.Add(1)
		fmt.Fprintf(w, `{"access_token":"ya29.token-%d","expires_in":%d,"token_type":"Bearer"}`, n, f.expiresIn)
	})
	mux.HandleFunc("POST /v1internal:loadCodeAssist", func(w http.ResponseWriter, r *http.Request) {
		f.loads.Add(1)
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, `{"cloudaicompanionProject":"discovered-proj","currentTier":{"id":"free-tier"}}`)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGoogle) channel(project string) *routing.Channel {
	return &routing.Channel{
		Name: "ag", BaseURL: f.srv.URL, Client: f.srv.Client(),
		OAuth: routing.OAuth{TokenURL: f.srv.URL + "/token", ClientID: "cid", ClientSecret: "csecret", Project: project},
	}
}

func TestAccessTokenUsedAsGiven(t *testing.T) {
	f := newFakeGoogle(t)
	var tk Tokens
	tok, proj, err := tk.Token(context.Background(), f.channel("p1"), "ya29.given", false)
	if err != nil || tok != "ya29.given" || proj != "p1" {
		t.Fatalf("got %q %q %v", tok, proj, err)
	}
	if f.refreshes.Load() != 0 {
		t.Fatal("an access token must not be refreshed")
	}
	if _, _, err := tk.Token(context.Background(), f.channel("p1"), "ya29.given", true); err == nil {
		t.Fatal("a refused access token cannot be refreshed: want an error")
	}
}

func TestRefreshOnceForConcurrentRequests(t *testing.T) {
	f := newFakeGoogle(t)
	f.release = make(chan struct{})
	var tk Tokens
	ch := f.channel("p1")
	var wg sync.WaitGroup
	toks := make([]string, 16)
	errs := make([]error, 16)
	for i := range toks {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			toks[i], _, errs[i] = tk.Token(context.Background(), ch, "1//good", false)
		}(i)
	}
	time.Sleep(50 * time.Millisecond) // let them all queue on the refresh
	close(f.release)
	wg.Wait()
	for i := range toks {
		if errs[i] != nil || toks[i] != "ya29.token-1" {
			t.Fatalf("request %d got %q %v", i, toks[i], errs[i])
		}
	}
	if n := f.refreshes.Load(); n != 1 {
		t.Fatalf("%d refreshes for concurrent requests, want 1", n)
	}
}

func TestRefreshFiveMinutesBeforeExpiry(t *testing.T) {
	f := newFakeGoogle(t)
	now := time.Unix(1_800_000_000, 0)
	tk := Tokens{Now: func() time.Time { return now }}
	ch := f.channel("p1")
	get := func() string {
		tok, _, err := tk.Token(context.Background(), ch, "1//good", false)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if got := get(); got != "ya29.token-1" {
		t.Fatalf("first token %q", got)
	}
	now = now.Add(54 * time.Minute) // 5m59s left: still valid
	if got := get(); got != "ya29.token-1" {
		t.Fatalf("refreshed too early: %q", got)
	}
	now = now.Add(time.Minute) // 4m59s left: refresh
	if got := get(); got != "ya29.token-2" {
		t.Fatalf("not refreshed 5 minutes before expiry: %q", got)
	}
	// A forced refresh (after a 401) always calls the endpoint.
	if tok, _, _ := tk.Token(context.Background(), ch, "1//good", true); tok != "ya29.token-3" {
		t.Fatalf("forced refresh gave %q", tok)
	}
}

func TestBadRefreshTokenSaysWhy(t *testing.T) {
	f := newFakeGoogle(t)
	var tk Tokens
	_, _, err := tk.Token(context.Background(), f.channel("p1"), "1//revoked", false)
	if err == nil || !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "Bad Request") {
		t.Fatalf("want a clear refresh error, got %v", err)
	}
}

func TestProjectDiscoveredOnce(t *testing.T) {
	f := newFakeGoogle(t)
	var tk Tokens
	ch := f.channel("")
	for i := 0; i < 3; i++ {
		_, proj, err := tk.Token(context.Background(), ch, "1//good", false)
		if err != nil || proj != "discovered-proj" {
			t.Fatalf("got %q %v", proj, err)
		}
	}
	if n := f.loads.Load(); n != 1 {
		t.Fatalf("loadCodeAssist called %d times, want 1", n)
	}
}
