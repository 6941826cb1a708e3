package routing

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Runtime is the state that outlives one config: upstream connection pools
// (one transport per proxy setting, shared by every channel using it) and
// the balancer state. The Caddy app keeps it in a UsagePool so reloads
// keep warm connections, round-robin positions and open breakers.
type Runtime struct {
	mu         sync.Mutex // guards transports; taken at compile time only
	transports map[string]*http.Transport
	balance    *balanceState
}

// NewRuntime returns an empty runtime.
func NewRuntime() *Runtime {
	return &Runtime{transports: map[string]*http.Transport{}, balance: newBalanceState()}
}

// Close drops idle upstream connections.
func (rt *Runtime) Close() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, t := range rt.transports {
		t.CloseIdleConnections()
	}
	rt.transports = map[string]*http.Transport{}
}

// transport returns the shared transport for a proxy URL ("" = direct).
func (rt *Runtime) transport(proxy string) (*http.Transport, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if t, ok := rt.transports[proxy]; ok {
		return t, nil
	}
	t := newTransport()
	if proxy != "" {
		u, err := url.Parse(proxy)
		if err != nil {
			return nil, fmt.Errorf("proxy %q: %v", proxy, err)
		}
		switch u.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			return nil, fmt.Errorf("proxy %q: scheme must be http, https or socks5", proxy)
		}
		t.Proxy = http.ProxyURL(u) // net/http speaks socks5 itself
	}
	rt.transports[proxy] = t
	return t, nil
}

// newTransport is tuned for a gateway: few upstream hosts, many concurrent
// long requests. HTTP/2 is used where the upstream offers it; the header
// timeout is per channel and enforced by the relay, not here.
func newTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   512,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Over HTTP/1.1 every open stream holds one upstream connection
		// and both its buffers for its whole life, so they are small:
		// the write buffer only gathers the request line and headers (a
		// body larger than what is left goes straight to the socket), and
		// the read buffer holds chunk headers and the SSE events of a
		// trickling stream (response header lines longer than it are
		// joined by textproto; reads larger than it, bursts and JSON
		// bodies, bypass it). HTTP/2 has its own.
		ReadBufferSize:  1 << 10,
		WriteBufferSize: 1 << 10,
		// Hosted providers speak HTTP/2, where one connection carries
		// many streams: a connection that died silently (NAT or load
		// balancer dropping it) would hang every stream on it until the
		// OS gives up on TCP. A ping after 30 s without frames finds it
		// within 15 s more.
		HTTP2: &http.HTTP2Config{SendPingTimeout: 30 * time.Second, PingTimeout: 15 * time.Second},
	}
}
