package admin

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/store"
)

// MinPasswordLen is the shortest password PUT /auth/password accepts.
const MinPasswordLen = 8

type loginInput struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// sessionOutput is the answer to a login or password change: the token
// for scripts (the UI uses the cookie set alongside).
type sessionOutput struct {
	Token     string     `json:"token"`
	ExpiresAt time.Time  `json:"expires_at"`
	User      userOutput `json:"user"`
}

type userOutput struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
}

// login checks a username and password, throttled per username and per
// client address, and starts a session.
func (h *Handler) login(c *call) error {
	var in loginInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if in.Username == "" {
		return badField("username", "must not be empty")
	}
	if in.Password == "" {
		return badField("password", "must not be empty")
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	ip := h.clientIP(c.r)
	keys := []throttleKey{userKey(in.Username), ipKey(ip)}
	if d := h.throttle.wait(keys...); d > 0 {
		return tooManyLogins(d)
	}
	user, err := st.Authenticate(c.r.Context(), in.Username, in.Password)
	if errors.Is(err, store.ErrBadCredentials) {
		h.throttle.fail(keys...)
		h.log.Warn("admin login failed", zap.String("username", in.Username), zap.String("client_ip", ip))
		return &apiError{Status: http.StatusUnauthorized, Message: "invalid username or password"}
	}
	if err != nil {
		return err
	}
	h.throttle.succeed(keys[0])
	out, err := h.startSession(c, user)
	if err != nil {
		return err
	}
	h.log.Info("admin login", zap.String("username", user.Username), zap.String("client_ip", ip))
	return c.ok(out)
}

func tooManyLogins(d time.Duration) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, RetryAfter: d,
		Message: "too many failed logins; try again in " + d.Round(time.Second).String()}
}

// startSession creates a session for user and sets the cookie.
func (h *Handler) startSession(c *call, user *store.User) (*sessionOutput, error) {
	st, err := h.store()
	if err != nil {
		return nil, err
	}
	token, sess, err := st.CreateSession(c.r.Context(), user.ID, h.sessionTTL)
	if err != nil {
		return nil, err
	}
	setCookie(c, token, sess.ExpiresAt)
	return &sessionOutput{Token: token, ExpiresAt: sess.ExpiresAt, User: userOutput{ID: user.ID, Username: user.Username}}, nil
}

// logout ends the caller's session.
func (h *Handler) logout(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	if err := st.DeleteSession(c.r.Context(), c.token); err != nil {
		return err
	}
	clearCookie(c)
	return c.noContent()
}

type meOutput struct {
	ID        int       `json:"id"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at"`
}

// me describes the caller.
func (h *Handler) me(c *call) error {
	return c.ok(meOutput{ID: c.sess.UserID, Username: c.sess.Username, ExpiresAt: c.sess.ExpiresAt})
}

type passwordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword replaces the caller's password after checking the
// current one. Every session of the user ends (whoever knew the old
// password is locked out); the caller gets a fresh one.
func (h *Handler) changePassword(c *call) error {
	var in passwordInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if in.CurrentPassword == "" {
		return badField("current_password", "must not be empty")
	}
	if len(in.NewPassword) < MinPasswordLen {
		return badField("new_password", "must be at least 8 characters")
	}
	if len(in.NewPassword) > store.MaxPasswordLen {
		return badField("new_password", "must be at most 72 bytes")
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	// A stolen session must not become a way to guess the password.
	key := userKey(c.sess.Username)
	if d := h.throttle.wait(key); d > 0 {
		return tooManyLogins(d)
	}
	user, err := st.Authenticate(c.r.Context(), c.sess.Username, in.CurrentPassword)
	if errors.Is(err, store.ErrBadCredentials) {
		h.throttle.fail(key)
		return badField("current_password", "is not the current password")
	}
	if err != nil {
		return err
	}
	if err := st.SetPassword(c.r.Context(), user.ID, in.NewPassword); err != nil {
		return err
	}
	h.log.Info("admin password changed", zap.String("username", user.Username))
	out, err := h.startSession(c, user)
	if err != nil {
		return err
	}
	return c.ok(out)
}
