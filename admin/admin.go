// Package admin is the admin REST API of the gateway (the `octopus_admin`
// directive): login and sessions, channel types, CRUD of channels, groups,
// API keys and settings, upstream model discovery and channel tests, plus
// the embedded web UI. It is plain net/http; the Caddy module in the root
// package only wires it to the octopus app.
//
// Every route lives under /api/v1/ and answers JSON. Errors are
// {"error": {"message": "...", "field": "..."}} with 400 for bad input, 401
// without a session, 403 for a refused cross-site write, 404, 409 for
// conflicts (name clashes, objects from the Caddyfile, objects in use),
// 413 for bodies over 1 MiB and 429 while logins are throttled.
package admin

import (
	"context"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// Backend is what the API needs from the octopus app. *octopus.App
// implements it.
type Backend interface {
	// Store returns the open store, or nil before the app started.
	Store() *store.Store
	// StaticConfig returns the Caddyfile's definitions, secrets resolved.
	StaticConfig() routing.Config
	// Snapshot returns the live routing snapshot.
	Snapshot() *routing.Snapshot
	// Runtime returns the state shared across reloads (breakers).
	Runtime() *routing.Runtime
	// Tokens returns the Antigravity token cache.
	Tokens() *antigravity.Tokens
	// Changed announces a change of the store: it rebuilds the snapshot
	// and bumps the shared config version for other instances.
	Changed(ctx context.Context) error
	// RequestLogs returns the request log writer, for the live log
	// stream; nil when request logging is not running.
	RequestLogs() *reqlog.Writer
	// UnflushedStats returns the usage counted in memory but not yet
	// flushed to the store (usage.Counters.Snapshot), so the stats
	// routes can add it to the stored totals.
	UnflushedStats() []store.StatsDelta
}

// DefaultSessionTTL is how long a session lasts without use.
const DefaultSessionTTL = 24 * time.Hour

// Config configures a Handler.
type Config struct {
	// Backend is the octopus app. Required.
	Backend Backend
	// SessionTTL is how long a session lasts without use; every use
	// extends it (sliding expiry). DefaultSessionTTL when zero.
	SessionTTL time.Duration
	// Logger receives audit lines (logins, changes) and internal errors.
	Logger *zap.Logger
	// UI holds the web UI's static files (index.html at its root). A
	// placeholder page is served when nil.
	UI fs.FS
	// ClientIP returns the client's address for login throttling; the
	// host of RemoteAddr when nil. Behind a reverse proxy, pass Caddy's
	// client_ip (which honours trusted_proxies).
	ClientIP func(*http.Request) string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Handler serves the admin API and the UI. It is safe for concurrent use.
type Handler struct {
	b          Backend
	log        *zap.Logger
	sessionTTL time.Duration
	clientIP   func(*http.Request) string
	now        func() time.Time
	throttle   *throttle
	ui         *uiServer
	routes     []route
}

// New returns a handler for cfg.
func New(cfg Config) *Handler {
	h := &Handler{
		b:          cfg.Backend,
		log:        cfg.Logger,
		sessionTTL: cfg.SessionTTL,
		clientIP:   cfg.ClientIP,
		now:        cfg.Now,
	}
	if h.log == nil {
		h.log = zap.NewNop()
	}
	if h.sessionTTL <= 0 {
		h.sessionTTL = DefaultSessionTTL
	}
	if h.clientIP == nil {
		h.clientIP = remoteHost
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.throttle = newThrottle(h.now)
	h.ui = newUIServer(cfg.UI)
	h.routes = h.buildRoutes()
	return h
}

// APIPrefix is the path prefix of every API route.
const APIPrefix = "/api/v1/"

// Handles reports whether h serves r: every path under /api/, and GET or
// HEAD requests elsewhere (the UI). Other requests are left for the next
// handler so the directive can share a site.
func Handles(r *http.Request) bool {
	return isAPI(r.URL.Path) || r.Method == http.MethodGet || r.Method == http.MethodHead
}

func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// ServeHTTP serves the API under /api/ and the UI elsewhere.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if isAPI(r.URL.Path) {
		h.serveAPI(w, r)
		return
	}
	h.ui.ServeHTTP(w, r)
}

// securityHeaders are sent with every answer, API and UI alike: the UI
// loads only its own files, is never framed and leaks no referrer.
func securityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
}

// remoteHost is the host part of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// store returns the open store or an error answer when the app has not
// started (it opens the database in Start).
func (h *Handler) store() (*store.Store, error) {
	s := h.b.Store()
	if s == nil {
		return nil, &apiError{Status: http.StatusServiceUnavailable, Message: "the store is not open yet"}
	}
	return s, nil
}

// changed runs Backend.Changed after a write. It must not be cut short by
// a client that hangs up after the write committed, so it runs detached
// from the request with its own deadline.
func (h *Handler) changed(r *http.Request) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	if err := h.b.Changed(ctx); err != nil {
		// The store changed but this instance did not pick it up; the
		// config poller retries, so report rather than hide it.
		h.log.Error("applying a config change", zap.Error(err))
		return &apiError{Status: http.StatusInternalServerError, Message: "saved, but applying the change failed: " + err.Error()}
	}
	return nil
}
