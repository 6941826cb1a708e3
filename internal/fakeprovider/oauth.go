package fakeprovider

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// oauthState is the fake Google OAuth token endpoint's state; guarded by
// Server.mu.
type oauthState struct {
	clientID, clientSecret string
	refreshTokens          map[string]bool
	lifetime               int
	refreshes              int
	seq                    int
	tokens                 map[string]accessToken
}

type accessToken struct {
	owner   string // refresh token that minted it, or the token itself
	expires time.Time
	never   bool // added with AddAccessToken
}

func newOAuthState() oauthState {
	return oauthState{
		clientID:      DefaultClientID,
		clientSecret:  DefaultClientSecret,
		refreshTokens: map[string]bool{DefaultRefreshToken: true},
		lifetime:      DefaultTokenLifetime,
		tokens:        map[string]accessToken{},
	}
}

// SetOAuthClient sets the client id and secret the token endpoint expects.
func (s *Server) SetOAuthClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.clientID, s.oauth.clientSecret = id, secret
}

// AddRefreshToken makes the token endpoint accept rt (DefaultRefreshToken
// is accepted from the start).
func (s *Server) AddRefreshToken(rt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.refreshTokens[rt] = true
}

// RevokeRefreshToken makes the token endpoint answer rt with invalid_grant.
func (s *Server) RevokeRefreshToken(rt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.oauth.refreshTokens, rt)
}

// SetTokenLifetime sets expires_in (seconds) of tokens issued from now on;
// issued tokens really stop working after it.
func (s *Server) SetTokenLifetime(seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.lifetime = seconds
}

// AddAccessToken makes Antigravity accept tok until ExpireTokens.
func (s *Server) AddAccessToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.tokens[tok] = accessToken{owner: tok, never: true}
}

// ExpireTokens invalidates every access token issued or added so far, so
// Antigravity answers 401 until a new token is fetched.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.tokens = map[string]accessToken{}
}

// Refreshes returns how many tokens the token endpoint has issued.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.refreshes
}

// IssuedTokens returns the access tokens issued by the token endpoint that
// are still valid.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	now := time.Now()
	for tok, at := range s.oauth.tokens {
		if !at.never && now.Before(at.expires) {
			out = append(out, tok)
		}
	}
	return out
}

// tokenOwner maps an access token to the credential faults are keyed by,
// even when it has expired.
func (s *Server) tokenOwner(tok string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.oauth.tokens[tok]; ok {
		return at.owner
	}
	return tok
}

func (s *Server) tokenValid(tok string) bool {
	if tok == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.oauth.tokens[tok]
	return ok && (at.never || time.Now().Before(at.expires))
}

// tokenResponse is Google's token endpoint answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
}

// serveToken is POST /token: the refresh_token grant of Google's endpoint.
func (s *Server) serveToken(x *exchange) {
	form, err := url.ParseQuery(string(x.body))
	if err != nil {
		x.fail(&apiError{status: 400, typ: "invalid_request", msg: "Invalid request body"})
		return
	}
	if gt := form.Get("grant_type"); gt != "refresh_token" {
		if gt == "" {
			x.fail(&apiError{status: 400, typ: "unsupported_grant_type", msg: "Invalid grant_type: "})
			return
		}
		x.fail(&apiError{status: 400, typ: "unsupported_grant_type", msg: "Invalid grant_type: " + gt})
		return
	}
	s.mu.Lock()
	clientOK := form.Get("client_id") == s.oauth.clientID && form.Get("client_secret") == s.oauth.clientSecret
	idOK := form.Get("client_id") == s.oauth.clientID
	rt := form.Get("refresh_token")
	rtOK := s.oauth.refreshTokens[rt]
	s.mu.Unlock()
	switch {
	case form.Get("client_id") == "":
		x.fail(&apiError{status: 400, typ: "invalid_request", msg: "Missing required parameter: client_id"})
		return
	case !idOK:
		x.fail(&apiError{status: 401, typ: "invalid_client", msg: "The OAuth client was not found."})
		return
	case !clientOK:
		x.fail(&apiError{status: 401, typ: "invalid_client", msg: "Unauthorized"})
		return
	case rt == "":
		x.fail(&apiError{status: 400, typ: "invalid_request", msg: "Missing required parameter: refresh_token"})
		return
	case !rtOK:
		x.fail(&apiError{status: 400, typ: "invalid_grant", msg: "Bad Request"})
		return
	}
	s.mu.Lock()
	s.oauth.refreshes++
	s.oauth.seq++
	tok := fmt.Sprintf("ya29.fake-%d-%d", s.oauth.seq, s.seq.Add(1))
	life := s.oauth.lifetime
	s.oauth.tokens[tok] = accessToken{owner: rt, expires: time.Now().Add(time.Duration(life) * time.Second)}
	s.mu.Unlock()
	x.w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	x.writeBody(http.StatusOK, "application/json; charset=utf-8", marshal(tokenResponse{
		AccessToken: tok,
		ExpiresIn:   life,
		Scope:       "https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
		TokenType:   "Bearer",
	}))
}
