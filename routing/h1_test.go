package routing

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// plainServer starts an http:// test server and returns it with its
// accept counter.
func plainServer(t *testing.T, h http.Handler) (*httptest.Server, *countingListener) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	cl := &countingListener{Listener: srv.Listener}
	srv.Listener = cl
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, cl
}

func post(t *testing.T, ctx context.Context, tr http.RoundTripper, url, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Key", "k1")
	return tr.RoundTrip(req)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return string(b)
}

// Requests arrive as net/http's server parses them, answers of every
// framing come back whole, and one connection carries them all.
func TestPlainH1RequestsShareOneConnection(t *testing.T) {
	srv, cl := plainServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.RequestURI() != "/v1/x?alt=sse" || r.Proto != "HTTP/1.1" ||
			r.Header.Get("X-Api-Key") != "k1" || r.Header.Get("Content-Type") != "application/json" ||
			r.UserAgent() != "Go-http-client/1.1" || r.ContentLength != int64(len(body)) || r.Host == "" {
			t.Errorf("request: %s %s %s headers %v length %d host %q", r.Method, r.URL.RequestURI(), r.Proto, r.Header, r.ContentLength, r.Host)
		}
		switch string(body) {
		case "chunked":
			for i := 0; i < 3; i++ {
				io.WriteString(w, "data: x\n\n")
				w.(http.Flusher).Flush()
			}
		case "empty":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Length", "7")
			io.WriteString(w, `{"a":1}`)
		}
	}))
	tr := newPlainH1()
	defer tr.CloseIdleConnections()
	big := `{"pad":"` + strings.Repeat("x", 64<<10) + `"}`
	want := map[string]string{"json": `{"a":1}`, "chunked": strings.Repeat("data: x\n\n", 3), "empty": "", big: `{"a":1}`}
	for _, body := range []string{"json", "chunked", "empty", big, "json"} {
		resp, err := post(t, context.Background(), tr, srv.URL+"/v1/x?alt=sse", body)
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, resp); got != want[body] {
			t.Fatalf("answer %q, want %q", got, want[body])
		}
	}
	if n := cl.n.Load(); n != 1 {
		t.Errorf("%d connections accepted, want 1", n)
	}
}

// A connection the server closed while idle is not used again: the next
// request goes out on a new one.
func TestPlainH1ServerClosedIdle(t *testing.T) {
	srv, cl := plainServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(w, r.Body)
	}))
	tr := newPlainH1()
	defer tr.CloseIdleConnections()
	for i, body := range []string{"one", "two"} {
		resp, err := post(t, context.Background(), tr, srv.URL, body)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if got := readAll(t, resp); got != body {
			t.Fatalf("answer %q, want %q", got, body)
		}
		srv.CloseClientConnections()
		time.Sleep(50 * time.Millisecond) // let the FIN arrive
	}
	if n := cl.n.Load(); n != 2 {
		t.Errorf("%d connections accepted, want 2", n)
	}
}

// rawServer answers each connection with serve, run on its own goroutine.
func rawServer(t *testing.T, serve func(n int64, c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); serve(n.Add(1), c) }()
		}
	}()
	return "http://" + ln.Addr().String()
}

// readRequest reads one request and its body from br.
func readRequest(br *bufio.Reader) (*http.Request, string, error) {
	req, err := http.ReadRequest(br)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(req.Body)
	return req, string(b), err
}

// The server closing a kept connection just as a request arrives, before
// answering it, is what a reused connection risks; the request is sent
// again, once, on a new connection.
func TestPlainH1RetriesOnceOnReusedConnection(t *testing.T) {
	var seen atomic.Int64
	url := rawServer(t, func(n int64, c net.Conn) {
		br := bufio.NewReader(c)
		for i := 0; ; i++ {
			_, body, err := readRequest(br)
			if err != nil {
				return
			}
			seen.Add(1)
			if n == 1 && i == 1 {
				return // the first connection's second request: closed unanswered
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		}
	})
	tr := newPlainH1()
	defer tr.CloseIdleConnections()
	for _, body := range []string{"first", "second", "third"} {
		resp, err := post(t, context.Background(), tr, url, body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := readAll(t, resp); got != body {
			t.Fatalf("answer %q, want %q", got, body)
		}
	}
	if s := seen.Load(); s != 4 {
		t.Errorf("server read %d requests, want 4 (one sent twice)", s)
	}

	// A new connection that fails is not retried: the request may have
	// been acted on.
	url = rawServer(t, func(n int64, c net.Conn) {
		readRequest(bufio.NewReader(c))
	})
	if _, err := post(t, context.Background(), tr, url, "x"); err == nil {
		t.Fatal("no error from a server that closed without answering")
	}
}

// Cancelling the request's context ends a wait for the header and a read
// of the body at once, and the connection is not kept.
func TestPlainH1Cancel(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv, cl := plainServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // net/http notices the client leaving only after this
		if r.URL.Path == "/stream" {
			io.WriteString(w, "data: 1\n\n")
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	tr := newPlainH1()
	defer tr.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := post(t, ctx, tr, srv.URL+"/wait", "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("header wait ended after %s", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	resp, err := post(t, ctx, tr, srv.URL+"/stream", "x")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, err := resp.Body.Read(buf); err != nil || string(buf[:n]) != "data: 1\n\n" {
		t.Fatalf("first read %q, %v", buf[:n], err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := resp.Body.Read(buf); err == nil {
		t.Fatal("read went on after the context was cancelled")
	}
	resp.Body.Close()

	resp, err = post(t, context.Background(), tr, srv.URL+"/stream", "x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // before its end: the connection is closed, not kept
	if n := cl.n.Load(); n != 3 {
		t.Errorf("%d connections accepted, want 3 (none reused)", n)
	}
	if n := len(tr.pool(strings.TrimPrefix(srv.URL, "http://"))); n != 0 {
		t.Errorf("%d idle connections, want 0", n)
	}
}

// Connection: close, an answer with bytes after its end, and an oversized
// header are not kept; 1xx answers before the real one are skipped.
func TestPlainH1Framing(t *testing.T) {
	url := rawServer(t, func(n int64, c net.Conn) {
		br := bufio.NewReader(c)
		for {
			_, body, err := readRequest(br)
			if err != nil {
				return
			}
			switch body {
			case "close":
				io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
				return
			case "extra":
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE")
			case "hints":
				io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			case "huge":
				io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Big: "+strings.Repeat("b", maxResponseHeader)+"\r\nContent-Length: 2\r\n\r\nok")
			}
		}
	})
	host := strings.TrimPrefix(url, "http://")
	tr := newPlainH1()
	defer tr.CloseIdleConnections()
	for _, body := range []string{"close", "extra", "hints"} {
		resp, err := post(t, context.Background(), tr, url, body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := readAll(t, resp); got != "ok" || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %q", body, resp.StatusCode, got)
		}
		idle, want := len(tr.pool(host)), 0
		if body == "hints" {
			want = 1
		}
		if idle != want {
			t.Errorf("%s: %d idle connections, want %d", body, idle, want)
		}
	}
	if _, err := post(t, context.Background(), tr, url, "huge"); err == nil || !strings.Contains(err.Error(), "header larger") {
		t.Fatalf("oversized header: error %v", err)
	}
}

// Idle connections past their time are closed by the sweep.
func TestPlainH1SweepsIdle(t *testing.T) {
	closed := make(chan struct{})
	url := rawServer(t, func(n int64, c net.Conn) {
		br := bufio.NewReader(c)
		if _, _, err := readRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if _, err := br.ReadByte(); err == io.EOF {
			close(closed)
		}
	})
	tr := newPlainH1()
	tr.idleTimeout = 150 * time.Millisecond
	resp, err := post(t, context.Background(), tr, url, "x")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("idle connection not closed by the sweep")
	}
	deadline := time.Now().Add(5 * time.Second)
	for tr.sweeping.Load() {
		if time.Now().After(deadline) {
			t.Fatal("sweep still scheduled with no idle connection left")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The request is written as net/http would: a body that fits the buffer
// leaves with the headers in one write.
func TestPlainH1WriteRequest(t *testing.T) {
	var out bytes.Buffer
	req, _ := http.NewRequest(http.MethodPost, "http://up.example:8000/v1/chat?x=1", strings.NewReader(`{"a":1}`))
	req.Header.Set("Authorization", "Bearer k")
	w := bufio.NewWriter(&out)
	if err := writeRequest(w, req); err != nil {
		t.Fatal(err)
	}
	want := "POST /v1/chat?x=1 HTTP/1.1\r\nHost: up.example:8000\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 7\r\nAuthorization: Bearer k\r\n\r\n{\"a\":1}"
	if out.String() != want {
		t.Fatalf("wrote\n%q\nwant\n%q", out.String(), want)
	}
	got, err := http.ReadRequest(bufio.NewReader(&out))
	if err != nil || got.Host != "up.example:8000" {
		t.Fatalf("net/http reads it back as %v, %v", got, err)
	}
}

// alive tells an open idle connection from one its server closed or
// wrote to unasked.
func TestAlive(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pair := func() (client, server net.Conn) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		return c, s
	}
	c, s := pair()
	defer c.Close()
	if !alive(c) {
		t.Error("open connection reported closed")
	}
	s.Close()
	time.Sleep(50 * time.Millisecond)
	if alive(c) {
		t.Error("connection closed by the server reported open")
	}
	c2, s2 := pair()
	defer c2.Close()
	defer s2.Close()
	io.WriteString(s2, "HTTP/1.1 200 OK\r\n")
	time.Sleep(50 * time.Millisecond)
	if alive(c2) {
		t.Error("connection with unasked data reported usable")
	}
}

// A server that answers before reading the whole body and closes (here
// net/http's, refusing a large body) is heard: its answer comes back, not
// the write's error.
func TestPlainH1EarlyAnswer(t *testing.T) {
	srv, _ := plainServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
	}))
	tr := newPlainH1()
	defer tr.CloseIdleConnections()
	resp, err := post(t, context.Background(), tr, srv.URL, strings.Repeat("x", 32<<20))
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || got != "too large\n" {
		t.Fatalf("answer %d %q", resp.StatusCode, got)
	}
}

// A header that would change the request's framing is refused before
// anything is sent.
func TestPlainH1RefusesBadHeaders(t *testing.T) {
	srv, cl := plainServer(t, http.NotFoundHandler())
	tr := newPlainH1()
	for _, h := range []http.Header{{"X-A": {"v\r\nX-Injected: 1"}}, {"X-A b": {"v"}}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
		req.Header = h
		if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "invalid") {
			t.Errorf("header %v: error %v", h, err)
		}
	}
	if n := cl.n.Load(); n != 0 {
		t.Errorf("%d connections accepted, want 0", n)
	}
}

// A body of unknown length goes chunked; a request without one says so.
func TestPlainH1WriteRequestFramings(t *testing.T) {
	for _, tc := range []struct {
		method string
		body   io.Reader
		length int64
		want   string
	}{
		{http.MethodPost, io.MultiReader(strings.NewReader("ab"), strings.NewReader("c")), -1, "abc"},
		{http.MethodGet, nil, 0, ""},
		{http.MethodPost, nil, 0, ""},
	} {
		var out bytes.Buffer
		req, _ := http.NewRequest(tc.method, "http://h/p", tc.body)
		req.ContentLength = tc.length
		w := bufio.NewWriter(&out)
		if err := writeRequest(w, req); err != nil {
			t.Fatal(err)
		}
		raw := out.String()
		got, err := http.ReadRequest(bufio.NewReader(&out))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		b, err := io.ReadAll(got.Body)
		if err != nil || string(b) != tc.want {
			t.Errorf("%q: body %q, %v", raw, b, err)
		}
		if tc.method == http.MethodGet && strings.Contains(raw, "Content-Length") {
			t.Errorf("%q: GET without a body has a Content-Length", raw)
		}
		if tc.method == http.MethodPost && tc.body == nil && !strings.Contains(raw, "Content-Length: 0\r\n") {
			t.Errorf("%q: POST without a body lacks Content-Length: 0", raw)
		}
	}
}
