package fakeprovider_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

func tokenForm(rt, id, secret string) string {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {id}, "client_secret": {secret}}.Encode()
}

var formHeader = []string{"Content-Type", "application/x-www-form-urlencoded"}

func TestTokenEndpoint(t *testing.T) {
	s := fp.New(t)
	cases := []struct {
		name, body string
		status     int
		errCode    string
	}{
		{"wrong grant", "grant_type=password&client_id=" + fp.DefaultClientID, 400, "unsupported_grant_type"},
		{"wrong client", tokenForm(fp.DefaultRefreshToken, "other", fp.DefaultClientSecret), 401, "invalid_client"},
		{"wrong secret", tokenForm(fp.DefaultRefreshToken, fp.DefaultClientID, "nope"), 401, "invalid_client"},
		{"unknown refresh token", tokenForm("1//other", fp.DefaultClientID, fp.DefaultClientSecret), 400, "invalid_grant"},
	}
	for _, tc := range cases {
		r := do(t, s, "POST", "/token", tc.body, formHeader...)
		if r.status != tc.status || gjson.Get(r.body, "error").String() != tc.errCode {
			t.Fatalf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	if s.Refreshes() != 0 {
		t.Fatal("failed refreshes counted")
	}
	r := do(t, s, "POST", "/token", tokenForm(fp.DefaultRefreshToken, fp.DefaultClientID, fp.DefaultClientSecret), formHeader...)
	tok := gjson.Get(r.body, "access_token").String()
	if r.status != 200 || !strings.HasPrefix(tok, "ya29.") || gjson.Get(r.body, "expires_in").Int() != fp.DefaultTokenLifetime || gjson.Get(r.body, "token_type").String() != "Bearer" {
		t.Fatalf("token answer %d %s", r.status, r.body)
	}
	if s.Refreshes() != 1 || len(s.IssuedTokens()) != 1 {
		t.Fatalf("refreshes %d issued %v", s.Refreshes(), s.IssuedTokens())
	}

	// The token works on Antigravity, and requests are keyed by the
	// refresh token that minted it.
	auth := []string{"Authorization", "Bearer " + tok}
	r = do(t, s, "POST", "/v1internal:loadCodeAssist", `{"metadata":{"ideType":"ANTIGRAVITY"}}`, auth...)
	if r.status != 200 || gjson.Get(r.body, "cloudaicompanionProject").String() != fp.DefaultProject {
		t.Fatalf("loadCodeAssist %d %s", r.status, r.body)
	}
	// Two rejected and one good token request, then loadCodeAssist.
	if s.CountFor(fp.DefaultRefreshToken) != 4 {
		t.Fatalf("CountFor(refresh) = %d", s.CountFor(fp.DefaultRefreshToken))
	}
	r = do(t, s, "POST", "/v1internal:fetchAvailableModels", `{}`, auth...)
	if r.status != 200 || !gjson.Get(r.body, "models.gemini-2\\.5-flash.displayName").Exists() {
		t.Fatalf("fetchAvailableModels %d %s", r.status, r.body)
	}

	// Faults keyed by the refresh token reach Antigravity calls; Only keeps
	// the token endpoint working.
	s.Fail(fp.DefaultRefreshToken, fp.Fault{Status: 503, Only: "/v1internal", Times: 1})
	if r := do(t, s, "POST", "/token", tokenForm(fp.DefaultRefreshToken, fp.DefaultClientID, fp.DefaultClientSecret), formHeader...); r.status != 200 {
		t.Fatalf("token endpoint hit by Only fault: %d", r.status)
	}
	if r := do(t, s, "POST", "/v1internal:loadCodeAssist", `{}`, auth...); r.status != 503 {
		t.Fatalf("fault not applied: %d", r.status)
	}

	s.ExpireTokens()
	r = do(t, s, "POST", "/v1internal:loadCodeAssist", `{}`, auth...)
	if r.status != 401 || gjson.Get(r.body, "error.status").String() != "UNAUTHENTICATED" {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}

	// Tokens really expire after their lifetime.
	s.SetTokenLifetime(0)
	r = do(t, s, "POST", "/token", tokenForm(fp.DefaultRefreshToken, fp.DefaultClientID, fp.DefaultClientSecret), formHeader...)
	if gjson.Get(r.body, "expires_in").Int() != 0 {
		t.Fatalf("lifetime not applied: %s", r.body)
	}
	if r := do(t, s, "POST", "/v1internal:loadCodeAssist", `{}`, "Authorization", "Bearer "+gjson.Get(r.body, "access_token").String()); r.status != 401 {
		t.Fatalf("token past its lifetime accepted: %d", r.status)
	}

	// Custom client and refresh token.
	s.SetOAuthClient("id2", "secret2")
	s.AddRefreshToken("1//mine")
	if r := do(t, s, "POST", "/token", tokenForm("1//mine", "id2", "secret2"), formHeader...); r.status != 200 {
		t.Fatalf("custom client: %d %s", r.status, r.body)
	}
}

func TestStartOutsideTests(t *testing.T) {
	s, err := fp.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r := do(t, s, "POST", ccPath, ccOK, hOpenAI...); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if r := do(t, s, "GET", "/nowhere", "", hOpenAI...); r.status != 404 || gjson.Get(r.body, "error.message").String() == "" {
		t.Fatalf("unknown route %d %s", r.status, r.body)
	}
	if r := do(t, s, "GET", ccPath, "", hOpenAI...); r.status != 405 {
		t.Fatalf("wrong method %d", r.status)
	}
}
