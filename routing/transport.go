package routing

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

const (
	dialTimeout      = 10 * time.Second
	handshakeTimeout = 10 * time.Second
	idleConnTimeout  = 90 * time.Second
	// Hosted providers speak HTTP/2, where one connection carries many
	// streams: a connection that died silently (NAT or load balancer
	// dropping it) would hang every stream on it until the OS gives up on
	// TCP. A ping after 30 s without frames finds it within 15 s more.
	pingAfter   = 30 * time.Second
	pingTimeout = 15 * time.Second
)

var dialer = &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}

// newTransport is tuned for a gateway: few upstream hosts, many concurrent
// long requests. HTTP/2 is used where the upstream offers it; the header
// timeout is per channel and enforced by the relay, not here.
func newTransport(tlsConf *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   512,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   handshakeTimeout,
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
		HTTP2:           &http.HTTP2Config{SendPingTimeout: pingAfter, PingTimeout: pingTimeout},
	}
}

// upstream is the transport of channels reached without a proxy. HTTPS
// hosts that speak HTTP/2 — every hosted provider — go through an
// http2.Transport; https hosts whose TLS handshake did not choose h2
// through an http.Transport; plain http:// hosts through plainH1.
//
// Why not http.Transport alone: when its HTTP/2 connections to a host are
// all at the server's stream limit, every request that arrives before a
// new connection is ready dials and handshakes one of its own, and all but
// one of those connections are closed again unused (net/http's
// "Turns out we don't need this c"). A burst of 5,000 streams against a
// server allowing 250 streams per connection opened 855 connections, of
// which 21 stayed: CPU and garbage on the gateway, and connection
// churn a provider may rate-limit. http2.Transport's pool dials one
// connection per host at a time and lets the waiting requests share it.
//
// http2.Transport.RoundTrip is marked deprecated in favour of net/http's
// in golang.org/x/net v0.62 (the version used); built with Go 1.27 it
// wraps net/http's transport (and whatever pool that has). Until then it
// is the public API whose pool does not race dials.
type upstream struct {
	plain *plainH1
	h1    *http.Transport
	h2    *http2.Transport
	// notH2 holds the hosts (URL.Host) whose handshake chose HTTP/1.1; it
	// is read on every https request, written once per such host.
	notH2 sync.Map
}

// errNotH2 is what the HTTP/2 dialer returns for a host that did not
// choose h2; the request then goes through h1.
type errNotH2 struct{ proto string }

func (e *errNotH2) Error() string {
	return "upstream chose protocol " + e.proto + ", not h2"
}

func newUpstream(tlsConf *tls.Config) *upstream {
	u := &upstream{plain: newPlainH1(), h1: newTransport(tlsConf)}
	u.h2 = &http2.Transport{
		TLSClientConfig: tlsConf,
		DialTLSContext:  u.dialH2,
		IdleConnTimeout: idleConnTimeout,
		ReadIdleTimeout: pingAfter,
		PingTimeout:     pingTimeout,
	}
	return u
}

// dialH2 dials a TLS connection offering both protocols, as net/http does,
// so a server without HTTP/2 answers with HTTP/1.1 instead of failing the
// handshake; such a host is then sent to h1 (one wasted handshake per host
// and process).
func (u *upstream) dialH2(ctx context.Context, network, addr string, cfg *tls.Config) (net.Conn, error) {
	cfg = cfg.Clone()
	cfg.NextProtos = []string{http2.NextProtoTLS, "http/1.1"}
	raw, err := dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c := tls.Client(raw, cfg)
	hctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	if err := c.HandshakeContext(hctx); err != nil {
		raw.Close()
		return nil, err
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != http2.NextProtoTLS {
		c.Close()
		if p == "" {
			p = "HTTP/1.1 (no ALPN)"
		}
		return nil, &errNotH2{proto: p}
	}
	return c, nil
}

func (u *upstream) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.Scheme {
	case "http":
		return u.plain.RoundTrip(req)
	case "https": // HTTP/2 where the host offers it, below
	default:
		return u.h1.RoundTrip(req) // for its error
	}
	if _, ok := u.notH2.Load(req.URL.Host); ok {
		return u.h1.RoundTrip(req)
	}
	resp, err := u.h2.RoundTrip(req)
	var nh *errNotH2
	if err != nil && errors.As(err, &nh) {
		u.notH2.Store(req.URL.Host, struct{}{})
		// The request never left: the connection was refused before a
		// frame was written, so its body is unread.
		return u.h1.RoundTrip(req)
	}
	return resp, err
}

// CloseIdleConnections closes every transport's idle connections.
func (u *upstream) CloseIdleConnections() {
	u.plain.CloseIdleConnections()
	u.h1.CloseIdleConnections()
	u.h2.CloseIdleConnections()
}
