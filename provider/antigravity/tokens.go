// Package antigravity keeps the OAuth access tokens and Cloud Code projects
// of Antigravity channels: a "ya29." access token is used as given; a
// "1//" refresh token is exchanged at the channel's token URL and refreshed
// five minutes before it expires, one refresh at a time per token, with
// concurrent requests waiting for that one refresh. The project comes from
// the channel's config or is discovered once with loadCodeAssist.
package antigravity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/routing"
)

// DefaultTokenURL is Google's OAuth token endpoint.
const DefaultTokenURL = "https://oauth2.googleapis.com/token"

// refreshMargin is how long before expiry a token is refreshed.
const refreshMargin = 5 * time.Minute

// Tokens caches access tokens and projects per (channel, key). It is safe
// for concurrent use and meant to outlive config reloads.
type Tokens struct {
	entries sync.Map // entryKey → *entry
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Refreshes counts token endpoint calls (for tests and metrics).
	Refreshes atomic.Int64
}

type entryKey struct{ channel, key string }

type entry struct {
	cur atomic.Pointer[token] // read without locking on the request path
	mu  sync.Mutex            // one refresh or discovery at a time
	// project is discovered once per key.
	project atomic.Pointer[string]
}

type token struct {
	access string
	expiry time.Time // zero: unknown (an access token given as is)
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// IsAccessToken reports whether key is an OAuth access token rather than a
// refresh token.
func IsAccessToken(key string) bool { return strings.HasPrefix(key, "ya29.") }

// Token returns a valid access token and the project for key of channel
// ch. force refreshes even a token that looks valid (after a 401).
func (t *Tokens) Token(ctx context.Context, ch *routing.Channel, key string, force bool) (string, string, error) {
	v, _ := t.entries.LoadOrStore(entryKey{ch.Name, key}, &entry{})
	e := v.(*entry)
	tok, err := t.access(ctx, e, ch, key, force)
	if err != nil {
		return "", "", err
	}
	proj, err := t.project(ctx, e, ch, tok)
	if err != nil {
		return "", "", err
	}
	return tok, proj, nil
}

func (t *Tokens) access(ctx context.Context, e *entry, ch *routing.Channel, key string, force bool) (string, error) {
	if IsAccessToken(key) {
		if force {
			return "", fmt.Errorf("the access token was refused and cannot be refreshed; configure a refresh token (1//…) instead")
		}
		return key, nil
	}
	stale := e.cur.Load()
	if !force && stale != nil && t.now().Add(refreshMargin).Before(stale.expiry) {
		return stale.access, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// Another request may have refreshed while this one waited.
	if cur := e.cur.Load(); cur != nil && cur != stale && t.now().Add(refreshMargin).Before(cur.expiry) {
		return cur.access, nil
	}
	tok, err := t.refresh(ctx, ch, key)
	if err != nil {
		return "", err
	}
	e.cur.Store(tok)
	return tok.access, nil
}

// refresh exchanges a refresh token for an access token.
func (t *Tokens) refresh(ctx context.Context, ch *routing.Channel, refreshToken string) (*token, error) {
	t.Refreshes.Add(1)
	tokenURL := ch.OAuth.TokenURL
	if tokenURL == "" {
		tokenURL = DefaultTokenURL
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {ch.OAuth.ClientID},
		"client_secret": {ch.OAuth.ClientSecret},
	}
	// Refreshes are not cancelled with the request that triggered them:
	// other requests wait for the same refresh.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := ch.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("token refresh: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		msg := gjson.GetBytes(body, "error_description").String()
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		return nil, fmt.Errorf("token refresh: HTTP %d from %s: %s", resp.StatusCode, tokenURL, msg)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.AccessToken == "" {
		return nil, fmt.Errorf("token refresh: no access_token in the answer of %s", tokenURL)
	}
	if out.ExpiresIn <= 0 {
		out.ExpiresIn = 3600
	}
	return &token{access: out.AccessToken, expiry: t.now().Add(time.Duration(out.ExpiresIn) * time.Second)}, nil
}

// project returns the channel's project, discovering it once per key.
func (t *Tokens) project(ctx context.Context, e *entry, ch *routing.Channel, access string) (string, error) {
	if ch.OAuth.Project != "" {
		return ch.OAuth.Project, nil
	}
	if p := e.project.Load(); p != nil {
		return *p, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.project.Load(); p != nil {
		return *p, nil
	}
	p, err := discoverProject(ctx, ch, access)
	if err != nil {
		return "", err
	}
	e.project.Store(&p)
	return p, nil
}

// discoverProject asks loadCodeAssist for the account's Cloud Code project.
func discoverProject(ctx context.Context, ch *routing.Channel, access string) (string, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	body := `{"metadata":{"ideType":"ANTIGRAVITY","platform":"PLATFORM_UNSPECIFIED","pluginType":"GEMINI"}}`
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, ch.BaseURL+"/v1internal:loadCodeAssist", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := ch.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("loadCodeAssist: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("loadCodeAssist: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(data)))
	}
	r := gjson.ParseBytes(data)
	for _, path := range []string{"cloudaicompanionProject.id", "cloudaicompanionProject", "projectId", "project"} {
		if v := r.Get(path); v.Type == gjson.String && v.Str != "" {
			return v.Str, nil
		}
	}
	return "", fmt.Errorf("loadCodeAssist returned no project for this account; set `project` on the channel")
}

// Forget drops the cached tokens of channels that no longer exist.
func (t *Tokens) Forget(keep func(channel string) bool) {
	t.entries.Range(func(k, _ any) bool {
		if !keep(k.(entryKey).channel) {
			t.entries.Delete(k)
		}
		return true
	})
}
