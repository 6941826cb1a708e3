package routing

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// Runtime is the state that outlives one config: upstream connection pools
// (one transport per proxy setting, shared by every channel using it) and
// the balancer state. The Caddy app keeps it in a UsagePool so reloads
// keep warm connections, round-robin positions and open breakers.
type Runtime struct {
	mu         sync.Mutex // guards transports; taken at compile time only
	transports map[string]transport
	balance    *balanceState
}

// NewRuntime returns an empty runtime.
func NewRuntime() *Runtime {
	return &Runtime{transports: map[string]transport{}, balance: newBalanceState()}
}

// Close drops idle upstream connections.
func (rt *Runtime) Close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, t := range rt.transports {
		t.CloseIdleConnections()
	}
	rt.transports = map[string]transport{}
}

// transport is an upstream RoundTripper with a connection pool.
type transport interface {
	http.RoundTripper
	CloseIdleConnections()
}

// transport returns the shared transport for a proxy URL ("" = direct).
// Proxied channels use net/http's transport alone: http2.Transport does
// not speak to proxies.
func (rt *Runtime) transport(proxy string) (transport, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if t, ok := rt.transports[proxy]; ok {
		return t, nil
	}
	if proxy == "" {
		u := newUpstream(nil)
		rt.transports[proxy] = u
		return u, nil
	}
	u, err := url.Parse(proxy)
	if err != nil {
		return nil, fmt.Errorf("proxy %q: %v", proxy, err)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy %q: scheme must be http, https or socks5", proxy)
	}
	t := newTransport(nil)
	t.Proxy = http.ProxyURL(u) // net/http speaks socks5 itself
	rt.transports[proxy] = t
	return t, nil
}
