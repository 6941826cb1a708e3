package octopus

import (
	"embed"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/octopuscaddy/octopus/admin"
	"github.com/octopuscaddy/octopus/relay"
)

// uiFiles is the built web UI, embedded so `xcaddy build` needs no npm.
//
//go:embed ui/dist
var uiFiles embed.FS

func init() {
	caddy.RegisterModule(AdminHandler{})
	httpcaddyfile.RegisterHandlerDirective("octopus_admin", parseAdminHandler)
	// Like `octopus`: before reverse_proxy, after auth and rate limits, so
	// a basic_auth or an IP filter can guard the panel. This init runs
	// before caddyfile.go's (file order), so octopus_admin lands just
	// before octopus; ServeHTTP hands relay paths on for that reason.
	httpcaddyfile.RegisterDirectiveOrder("octopus_admin", httpcaddyfile.Before, "reverse_proxy")
}

// AdminHandler is the `octopus_admin` HTTP handler: the admin REST API
// under /api/v1/ and the embedded web UI for GET requests to other paths.
// Other requests go to the next handler.
type AdminHandler struct {
	// SessionTTL is how long a login lasts without use; each use extends
	// it. Default 24h.
	SessionTTL caddy.Duration `json:"session_ttl,omitempty"`

	api *admin.Handler
}

// CaddyModule returns the Caddy module information.
func (AdminHandler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.octopus_admin",
		New: func() caddy.Module { return new(AdminHandler) },
	}
}

// Provision binds the handler to the octopus app.
func (h *AdminHandler) Provision(ctx caddy.Context) error {
	appIface, err := ctx.App("octopus")
	if err != nil {
		return fmt.Errorf("loading octopus app: %v", err)
	}
	ui, err := fs.Sub(uiFiles, "ui/dist")
	if err != nil {
		return fmt.Errorf("embedded UI: %v", err)
	}
	h.api = admin.New(admin.Config{
		Backend:    appIface.(*App),
		SessionTTL: time.Duration(h.SessionTTL),
		Logger:     ctx.Logger(),
		UI:         ui,
		ClientIP:   clientIP,
	})
	return nil
}

// clientIP is Caddy's idea of the client address, which honours the
// server's trusted_proxies; the connection's address otherwise.
func clientIP(r *http.Request) string {
	if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && ip != "" {
		return ip
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// ServeHTTP serves the API and the UI and passes other requests on,
// including the relay's endpoints, so `octopus` and `octopus_admin` can
// share a site in either order.
func (h *AdminHandler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if !admin.Handles(r) || relay.Handles(r) {
		return next.ServeHTTP(w, r)
	}
	h.api.ServeHTTP(w, r)
	return nil
}

// parseAdminHandler parses the `octopus_admin` directive:
//
//	octopus_admin {
//		session_ttl <duration>
//	}
func parseAdminHandler(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(AdminHandler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens.
func (h *AdminHandler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "session_ttl":
			dur, err := parseDurationArg(d)
			if err != nil {
				return err
			}
			if dur <= 0 {
				return d.Errf("session_ttl must be positive")
			}
			h.SessionTTL = dur
		default:
			return d.Errf("unrecognized octopus_admin subdirective %q", d.Val())
		}
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*AdminHandler)(nil)
	_ caddyhttp.MiddlewareHandler = (*AdminHandler)(nil)
	_ caddyfile.Unmarshaler       = (*AdminHandler)(nil)
	_ admin.Backend               = (*App)(nil)
)
