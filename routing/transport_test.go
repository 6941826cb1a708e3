package routing

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the connections a test server accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// tlsServer starts an HTTPS test server (HTTP/2 offered when h2) and
// returns it, its accept counter and a client TLS config trusting it.
func tlsServer(t *testing.T, h2 bool, maxStreams uint32, h http.Handler) (*httptest.Server, *countingListener, *tls.Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	cl := &countingListener{Listener: srv.Listener}
	srv.Listener = cl
	srv.EnableHTTP2 = h2
	if maxStreams > 0 {
		srv.Config.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: int(maxStreams)}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, cl, &tls.Config{RootCAs: pool}
}

// A burst larger than one HTTP/2 connection's stream limit opens only the
// connections it needs: net/http's transport alone dials once per request
// that finds every connection full, and throws most of them away.
func TestUpstreamHTTP2BurstSharesDials(t *testing.T) {
	const limit, burst = 100, 300 // 100 is also what a client assumes before the server's SETTINGS
	var arrived sync.WaitGroup
	arrived.Add(burst)
	release := make(chan struct{})
	_, cl, tlsConf := tlsServer(t, true, limit, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			t.Errorf("request over %s, want HTTP/2", r.Proto)
		}
		arrived.Done()
		<-release // every request stays open until all have arrived
		_, _ = io.WriteString(w, "ok")
	}))
	srvURL := "https://" + cl.Addr().String()
	u := newUpstream(tlsConf)
	defer u.CloseIdleConnections()
	go func() { arrived.Wait(); close(release) }()
	var wg sync.WaitGroup
	errs := make(chan error, burst)
	for range burst {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, srvURL, nil)
			resp, err := u.RoundTrip(req)
			if err != nil {
				errs <- err
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("burst did not complete: requests wait for a stream slot instead of a new connection")
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// 300 streams at 100 per connection need 3; one more is allowed for a
	// connection dialled while the others' SETTINGS were in flight.
	if n := cl.n.Load(); n > burst/limit+1 {
		t.Errorf("%d connections for %d streams at %d per connection, want at most %d", n, burst, limit, burst/limit+1)
	}
}

// An https upstream without HTTP/2 is spoken to over HTTP/1.1, and only the
// first request pays for finding that out.
func TestUpstreamHTTPSWithoutHTTP2(t *testing.T) {
	_, cl, tlsConf := tlsServer(t, false, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(body)
	}))
	srvURL := "https://" + cl.Addr().String()
	u := newUpstream(tlsConf)
	defer u.CloseIdleConnections()
	for i, want := range []int64{2, 2, 2} { // h2 attempt + HTTP/1.1, then the kept connection
		req, _ := http.NewRequest(http.MethodPost, srvURL, strings.NewReader("hello"))
		resp, err := u.RoundTrip(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 1 || string(body) != "hello" {
			t.Fatalf("request %d: %s %q, want HTTP/1.1 echoing the body", i, resp.Proto, body)
		}
		if n := cl.n.Load(); n != want {
			t.Fatalf("after request %d: %d connections, want %d", i, n, want)
		}
	}
}

// Plain http:// upstreams go straight to HTTP/1.1.
func TestUpstreamPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	defer srv.Close()
	u := newUpstream(nil)
	defer u.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := u.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "HTTP/1.1" {
		t.Fatalf("server saw %q", body)
	}
}
