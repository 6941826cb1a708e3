package octopus

import (
	"fmt"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"

	"github.com/octopuscaddy/octopus/metrics"
	"github.com/octopuscaddy/octopus/relay"
)

// Handler is the `octopus` HTTP handler: the client-facing LLM endpoints
// (OpenAI Chat and Responses, Anthropic Messages, Gemini, model lists,
// embeddings). Requests to other paths go to the next handler, so the
// directive can share a site with other routes.
type Handler struct {
	// MaxBodySize bounds a client request body in bytes. Default 32 MiB.
	MaxBodySize int64 `json:"max_body_size,omitempty"`

	engine *relay.Engine
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.octopus",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision binds the handler to the octopus app.
func (h *Handler) Provision(ctx caddy.Context) error {
	appIface, err := ctx.App("octopus")
	if err != nil {
		return fmt.Errorf("loading octopus app: %v", err)
	}
	app := appIface.(*App)
	// Collectors are package-level and registered into every config's
	// registry, so their values carry over reloads.
	if err := metrics.Register(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("registering metrics: %v", err)
	}
	metrics.SetBreakerSource(metrics.BalancerBreakers(app.Runtime().Balancer()))
	h.engine = &relay.Engine{
		Snapshot:    app.Snapshot,
		Logger:      ctx.Logger(),
		MaxBodySize: h.MaxBodySize,
		Tokens:      app.shared.tokens,
		Observer:    relay.Observers{app.Usage(), app.Spend(), &metrics.Observer{Cost: app.cost}, requestLogObserver{app.reqlog}},
		Spent:       app.Spend().Spent,
		BodyLimit:   app.bodyLimit,
	}
	return nil
}

// ServeHTTP serves relay endpoints and passes other requests on.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if h.engine.ServeHTTP(w, r) {
		return nil
	}
	return next.ServeHTTP(w, r)
}

// parseSize reads a byte size such as 32MB or 1GiB.
func parseSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, err
	}
	if n == 0 || n > 1<<40 {
		return 0, fmt.Errorf("size %q out of range", s)
	}
	return int64(n), nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
