package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/store"
)

// CookieName is the session cookie.
const CookieName = "octopus_session"

// CSRFHeader is the header a cookie-authenticated write may carry instead
// of a JSON body. Browsers only let a page send it to its own origin (or
// after a CORS preflight the API never grants), so its presence proves the
// request came from the UI itself.
const CSRFHeader = "X-Octopus-Request"

// crossOrigin rejects browser requests from other sites by their
// Sec-Fetch-Site or Origin header; requests without them (scripts) pass.
var crossOrigin = http.NewCrossOriginProtection()

// errNoSession is the answer to a request without a live session.
var errNoSession = &apiError{Status: http.StatusUnauthorized, Message: "log in first: send the session cookie or Authorization: Bearer <token> from POST " + APIPrefix + "auth/login"}

// sessionToken returns the token of r, from Authorization: Bearer (scripts)
// or the cookie (the UI).
func sessionToken(r *http.Request) (token string, viaCookie bool) {
	// Another scheme (Basic from a basic_auth in front of the panel) is
	// not ours: fall back to the cookie.
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok), false
	}
	if ck, err := r.Cookie(CookieName); err == nil {
		return ck.Value, true
	}
	return "", false
}

// authenticate finds the caller's session and slides its expiry.
func (h *Handler) authenticate(c *call) error {
	token, viaCookie := sessionToken(c.r)
	if token == "" {
		return errNoSession
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	sess, err := st.GetSession(c.r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		if viaCookie {
			clearCookie(c)
		}
		return &apiError{Status: http.StatusUnauthorized, Message: "the session has expired or was ended; log in again"}
	}
	if err != nil {
		return err
	}
	c.sess, c.token, c.viaCookie = sess, token, viaCookie
	// Slide the expiry, but write at most once per half TTL so a busy UI
	// does not turn every read into a database write.
	now := h.now()
	if sess.ExpiresAt.Sub(now) < h.sessionTTL/2 {
		exp := now.Add(h.sessionTTL)
		// A failed touch only means the session is not extended this
		// time; the request itself is authenticated.
		if err := st.TouchSession(c.r.Context(), sess.ID, exp); err == nil {
			sess.ExpiresAt = exp.UTC()
			if viaCookie {
				setCookie(c, token, exp)
			}
		}
	}
	return nil
}

// checkCSRF refuses state-changing requests that a foreign page could
// have made with the victim's cookie. A Bearer token is never sent by the
// browser on its own, so such requests are safe; cookie-authenticated (and
// anonymous: login) writes must come from this origin and carry either a
// JSON content type or CSRFHeader, neither of which a plain cross-site
// form can send.
func checkCSRF(c *call) error {
	switch c.r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if c.sess != nil && !c.viaCookie {
		return nil
	}
	if err := crossOrigin.Check(c.r); err != nil {
		return &apiError{Status: http.StatusForbidden, Message: "cross-origin request refused"}
	}
	if c.sess != nil && !isJSON(c.r) && c.r.Header.Get(CSRFHeader) == "" {
		return &apiError{Status: http.StatusForbidden, Message: "cookie-authenticated writes need Content-Type: application/json or the " + CSRFHeader + " header (CSRF protection)"}
	}
	return nil
}

// setCookie sends the session cookie: HttpOnly so scripts cannot read it,
// SameSite=Strict so other sites cannot send it, Secure over HTTPS.
func setCookie(c *call, token string, expires time.Time) {
	http.SetCookie(c.w, &http.Cookie{
		Name:     CookieName,
		Value:    token,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		Secure:   isHTTPS(c.r),
		SameSite: http.SameSiteStrictMode,
	})
}

// clearCookie deletes the session cookie.
func clearCookie(c *call) {
	http.SetCookie(c.w, &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   isHTTPS(c.r),
		SameSite: http.SameSiteStrictMode,
	})
}

func isHTTPS(r *http.Request) bool { return r.TLS != nil }
