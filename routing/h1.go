package routing

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/http/httpguts"
)

// maxResponseHeader bounds an upstream's response header, as net/http's
// MaxResponseHeaderBytes does (1 MiB: an LLM API sends a few hundred bytes).
const maxResponseHeader = 1 << 20

// plainH1 is the transport of plain http:// upstreams reached without a
// proxy — local and self-hosted servers (vLLM, Ollama, llama.cpp, LM
// Studio), where many streams are open at once: HTTP/1.1 with keep-alive,
// run entirely on the caller's goroutine.
//
// Why not net/http's Transport: each HTTP/1.1 connection it holds runs a
// read loop and a write loop goroutine for as long as it lives, and a
// stream holds its connection for the whole stream — two more goroutines,
// their stacks and the channels between them per open stream (about 13 KiB
// of RSS in a 5,000-stream soak). Here the caller writes the request and reads
// the answer itself; an open stream costs its connection, a 1 KiB read
// buffer and a few small objects. Parsing the answer is net/http's
// (http.ReadResponse); cancellation is a deadline set by context.AfterFunc,
// which needs no goroutine until it fires.
//
// What it leaves out, because the relay never uses it: proxies (proxied
// channels use net/http's Transport), TLS (https upstreams go through the
// HTTP/2 transport or net/http's), 100-continue, and compression (it asks
// for none, so there is nothing to decode).
type plainH1 struct {
	pools       sync.Map // host:port → idlePool
	maxIdle     int      // idle connections kept per host
	idleTimeout time.Duration
	sweeping    atomic.Bool // a sweep is scheduled
}

// idlePool is one host's idle connections. A buffered channel: taking and
// returning a connection is one non-blocking channel operation.
type idlePool chan *h1Conn

func newPlainH1() *plainH1 {
	return &plainH1{maxIdle: 512, idleTimeout: idleConnTimeout}
}

// h1Conn is one upstream connection. Its read buffer goes back to a pool
// while the connection is idle (nothing is left in it then).
type h1Conn struct {
	conn       net.Conn
	br         *bufio.Reader
	headerLeft int64 // bytes the response header may still take
	inHeader   bool  // the response header is being read
	idleAt     time.Time
	reused     bool
}

// Read is what the read buffer reads from: the connection, with the
// response header's size limit while the header is being read.
func (c *h1Conn) Read(p []byte) (int, error) {
	if !c.inHeader {
		return c.conn.Read(p)
	}
	if c.headerLeft <= 0 {
		return 0, errHeaderTooLarge
	}
	if int64(len(p)) > c.headerLeft {
		p = p[:c.headerLeft]
	}
	n, err := c.conn.Read(p)
	c.headerLeft -= int64(n)
	return n, err
}

var errHeaderTooLarge = fmt.Errorf("upstream response header larger than %d bytes", maxResponseHeader)

// abort makes every blocked and later read and write fail at once.
func (c *h1Conn) abort() { _ = c.conn.SetDeadline(aLongTimeAgo) }

var aLongTimeAgo = time.Unix(1, 0)

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 1<<10) }}
	// Request line, headers and a small body leave in one write.
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4<<10) }}
)

// errStaleConn marks a failure on a reused connection before the upstream
// sent a byte: the server had closed it while idle, so the request can be
// sent again on a new one.
type errStaleConn struct{ err error }

func (e *errStaleConn) Error() string { return e.err.Error() }
func (e *errStaleConn) Unwrap() error { return e.err }

// RoundTrip sends req over an idle connection to its host, or a new one.
func (t *plainH1) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	if err := checkRequest(req); err != nil {
		closeBody(req)
		return nil, err
	}
	pool := t.pool(addr)
	for retried := false; ; retried = true {
		if err := ctx.Err(); err != nil {
			closeBody(req)
			return nil, err
		}
		c := t.take(pool)
		if c == nil {
			var err error
			if c, err = dial(ctx, addr); err != nil {
				closeBody(req)
				return nil, err
			}
		}
		stop := context.AfterFunc(ctx, c.abort)
		resp, err := c.roundTrip(req)
		if err == nil {
			resp.Body = &h1Body{t: t, pool: pool, c: c, body: resp.Body, stop: stop,
				keep: !resp.Close && !req.Close}
			return resp, nil
		}
		stop()
		c.close()
		var stale *errStaleConn
		canResend := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if retried || !errors.As(err, &stale) || !canResend || ctx.Err() != nil {
			if ctx.Err() != nil {
				// The deadline's own error says nothing; the context's does.
				err = fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			return nil, err
		}
		r2 := *req // as net/http does: the caller's request is not modified
		if req.GetBody != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, err
			}
			r2.Body = body
		}
		req = &r2
	}
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

func dial(ctx context.Context, addr string) (*h1Conn, error) {
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &h1Conn{conn: conn, br: readerPool.Get().(*bufio.Reader)}, nil
}

// roundTrip writes req and reads the answer's header.
func (c *h1Conn) roundTrip(req *http.Request) (*http.Response, error) {
	c.br.Reset(c)
	bw := writerPool.Get().(*bufio.Writer)
	bw.Reset(c.conn)
	err := writeRequest(bw, req)
	bw.Reset(nil)
	writerPool.Put(bw)
	if err != nil {
		// A server may answer and close before reading a whole body
		// (413, 401): its answer is worth more than the write's error.
		if resp, rerr := c.readResponse(req); rerr == nil {
			resp.Close = true
			return resp, nil
		}
		if c.reused {
			return nil, &errStaleConn{err}
		}
		return nil, err
	}
	return c.readResponse(req)
}

// readResponse reads the answer's header; the body is left to the caller.
func (c *h1Conn) readResponse(req *http.Request) (*http.Response, error) {
	c.headerLeft, c.inHeader = maxResponseHeader, true
	for {
		if _, err := c.br.Peek(1); err != nil {
			if c.reused && isConnClosed(err) {
				return nil, &errStaleConn{err}
			}
			return nil, err
		}
		resp, err := http.ReadResponse(c.br, req)
		if err != nil {
			if c.headerLeft <= 0 {
				err = errHeaderTooLarge // what textproto saw was cut short
			}
			return nil, err
		}
		// 1xx answers (other than 101, never asked for) precede the real one.
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			c.reused = false // the server has the request: never send it again
			continue
		}
		// What the header read ahead of the body stays in the buffer.
		c.inHeader = false
		return resp, nil
	}
}

// isConnClosed reports whether err says the server closed the connection.
func isConnClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// reqExclude are the headers writeRequest writes itself or never sends.
var reqExclude = map[string]bool{"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Trailer": true, "Connection": true}

// reqHost is the Host a request is sent with.
func reqHost(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// checkRequest refuses, as net/http's transport does, a request whose Host
// or headers would change its framing on the wire.
func checkRequest(req *http.Request) error {
	host := reqHost(req)
	if !httpguts.ValidHostHeader(host) {
		return fmt.Errorf("invalid Host %q", host)
	}
	for k, vs := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("invalid header name %q", k)
		}
		for _, v := range vs {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("invalid value for header %q", k)
			}
		}
	}
	return nil
}

// writeRequest writes req in HTTP/1.1 and flushes it. The request line,
// the headers and a body that fits the buffer leave in one write.
func writeRequest(w *bufio.Writer, req *http.Request) error {
	_, _ = w.WriteString(req.Method)
	_ = w.WriteByte(' ')
	_, _ = w.WriteString(req.URL.RequestURI())
	_, _ = w.WriteString(" HTTP/1.1\r\nHost: ")
	_, _ = w.WriteString(reqHost(req))
	if _, ok := req.Header["User-Agent"]; !ok {
		_, _ = w.WriteString("\r\nUser-Agent: Go-http-client/1.1")
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	chunked := hasBody && req.ContentLength < 0
	switch {
	case chunked:
		_, _ = w.WriteString("\r\nTransfer-Encoding: chunked")
	case hasBody || req.Method == http.MethodPost || req.Method == http.MethodPut || req.Method == http.MethodPatch:
		_, _ = w.WriteString("\r\nContent-Length: ")
		var nb [20]byte
		_, _ = w.Write(strconv.AppendInt(nb[:0], max(req.ContentLength, 0), 10))
	}
	if req.Close {
		_, _ = w.WriteString("\r\nConnection: close")
	}
	_, _ = w.WriteString("\r\n")
	if err := req.Header.WriteSubset(w, reqExclude); err != nil {
		closeBody(req)
		return err
	}
	_, _ = w.WriteString("\r\n")
	if hasBody {
		var dst io.Writer = w
		if chunked {
			dst = httputil.NewChunkedWriter(w)
		}
		n, err := io.Copy(dst, req.Body)
		_ = req.Body.Close()
		if err != nil {
			return err
		}
		if chunked {
			if err := dst.(io.Closer).Close(); err != nil {
				return err
			}
			_, _ = w.WriteString("\r\n") // no trailers
		} else if n != req.ContentLength {
			return fmt.Errorf("request body was %d bytes, ContentLength %d", n, req.ContentLength)
		}
	} else {
		closeBody(req)
	}
	return w.Flush()
}

// h1Body is an upstream answer's body. At its end (EOF, or Close) the
// connection goes back to the idle pool if the answer was read whole and
// neither side asked to close it; otherwise it is closed.
type h1Body struct {
	t    *plainH1
	pool idlePool
	c    *h1Conn // nil once released
	body io.ReadCloser
	stop func() bool // unregisters the context's abort
	keep bool
	eof  bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.c == nil {
		if b.eof {
			return 0, io.EOF
		}
		return 0, errors.New("read on a closed upstream body")
	}
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.eof = true
		b.release()
	}
	return n, err
}

func (b *h1Body) Close() error {
	if b.c != nil {
		b.release()
	}
	return nil
}

func (b *h1Body) release() {
	c := b.c
	b.c = nil
	// stop is false once the abort ran (or is running): the connection's
	// deadline is then in the past.
	if b.stop() && b.eof && b.keep {
		b.t.put(b.pool, c)
		return
	}
	c.close()
}

func (c *h1Conn) close() {
	_ = c.conn.Close()
	c.putReader()
}

// putReader returns the read buffer to its pool, dropping whatever it
// holds: the connection is idle (nothing is left in it) or being closed.
func (c *h1Conn) putReader() {
	if c.br != nil {
		c.br.Reset(nil)
		readerPool.Put(c.br)
		c.br = nil
	}
}

func (t *plainH1) pool(addr string) idlePool {
	if p, ok := t.pools.Load(addr); ok {
		return p.(idlePool)
	}
	p, _ := t.pools.LoadOrStore(addr, make(idlePool, t.maxIdle))
	return p.(idlePool)
}

// take returns an idle connection that is still open, or nil.
func (t *plainH1) take(p idlePool) *h1Conn {
	for {
		select {
		case c := <-p:
			if !t.usable(c) {
				_ = c.conn.Close()
				continue
			}
			c.br = readerPool.Get().(*bufio.Reader)
			c.reused = true
			return c
		default:
			return nil
		}
	}
}

// usable reports whether an idle connection may still be used: within its
// idle time and not closed by the server.
func (t *plainH1) usable(c *h1Conn) bool {
	return time.Since(c.idleAt) <= t.idleTimeout && alive(c.conn)
}

// put keeps c as idle, or closes it when its host has enough.
func (t *plainH1) put(p idlePool, c *h1Conn) {
	if c.br.Buffered() > 0 {
		// The server sent more than its answer: the connection is out of step.
		c.close()
		return
	}
	c.putReader()
	c.idleAt = time.Now()
	select {
	case p <- c:
	default:
		_ = c.conn.Close()
		return
	}
	if !t.sweeping.Load() && t.sweeping.CompareAndSwap(false, true) {
		time.AfterFunc(t.idleTimeout/3, t.sweep)
	}
}

// sweep closes idle connections past their time or closed by the server,
// and schedules itself again while any are left: an upstream that closed
// an idle connection would otherwise hold its socket until the next
// request to that host.
func (t *plainH1) sweep() {
	if t.sweepPools() > 0 {
		time.AfterFunc(t.idleTimeout/3, t.sweep)
		return
	}
	t.sweeping.Store(false)
	// A connection put back between the count and the store above saw
	// the flag still set and scheduled nothing.
	if t.sweepPools() > 0 && t.sweeping.CompareAndSwap(false, true) {
		time.AfterFunc(t.idleTimeout/3, t.sweep)
	}
}

// sweepPools closes stale idle connections and returns how many are left.
func (t *plainH1) sweepPools() int {
	left := 0
	t.pools.Range(func(_, v any) bool {
		p := v.(idlePool)
		for n := len(p); n > 0; n-- {
			select {
			case c := <-p:
				if !t.usable(c) {
					_ = c.conn.Close()
					continue
				}
				select {
				case p <- c:
					left++
				default:
					_ = c.conn.Close()
				}
			default:
			}
		}
		return true
	})
	return left
}

// CloseIdleConnections closes every idle connection.
func (t *plainH1) CloseIdleConnections() {
	t.pools.Range(func(_, v any) bool {
		p := v.(idlePool)
		for {
			select {
			case c := <-p:
				_ = c.conn.Close()
				continue
			default:
			}
			return true
		}
	})
}
