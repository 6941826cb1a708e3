package relay

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/bench/mock"
)

// flushWriter records what was flushed and signals each flush.
type flushWriter struct {
	*httptest.ResponseRecorder
	mu      sync.Mutex
	flushed bytes.Buffer
	signal  chan struct{}
}

func newFlushWriter() *flushWriter {
	return &flushWriter{ResponseRecorder: httptest.NewRecorder(), signal: make(chan struct{}, 1)}
}

// pipedUpstream answers every upstream call with a 200 event stream whose
// body is what the test writes to pw.
func pipedUpstream() (*io.PipeWriter, http.RoundTripper) {
	pr, pw := io.Pipe()
	return pw, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		_, _ = io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: pr, ContentLength: -1, Request: r}, nil
	})
}

func (w *flushWriter) Flush() {
	w.mu.Lock()
	w.flushed.Reset()
	w.flushed.Write(w.Body.Bytes())
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

func (w *flushWriter) flushedString() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushed.String()
}

// A translated stream may coalesce events into one flush, but must flush
// what it has before it waits for more from the upstream: the upstream
// below holds its second half back until the client saw the first delta.
func TestTranslatedStreamFlushesBeforeWaiting(t *testing.T) {
	pw, rt := pipedUpstream()
	e := newXlateEngine(t, rt)
	w := newFlushWriter()
	sawFirst := make(chan bool, 1)
	go func() {
		_, _ = io.WriteString(pw, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-up\",\"usage\":{\"input_tokens\":3,\"output_tokens\":0}}}\n\n"+
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"+
			"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"first\"}}\n\n")
		// Not a timing assertion: the bound only keeps a broken relay
		// from hanging the test.
		deadline := time.After(10 * time.Second)
		ok := false
	wait:
		for {
			select {
			case <-w.signal:
				if strings.Contains(w.flushedString(), "first") {
					ok = true
					break wait
				}
			case <-deadline:
				break wait
			}
		}
		sawFirst <- ok
		_, _ = io.WriteString(pw, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" second\"}}\n\n"+
			"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"+
			"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n"+
			"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
		pw.Close()
	}()
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(octobenchRequest(true)))
	req.Header.Set("Authorization", "Bearer sk-client-bench-123")
	if !e.ServeHTTP(w, req) || w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if !<-sawFirst {
		t.Fatal("the first delta was not flushed while the relay waited for the upstream")
	}
	body := w.Body.String()
	for _, want := range []string{`"content":"first"`, `"content":" second"`, `"finish_reason":"stop"`, "data: [DONE]"} {
		if !strings.Contains(body, want) {
			t.Fatalf("stream lacks %s:\n%s", want, body)
		}
	}
	if w.flushedString() != body {
		t.Fatal("the end of the stream was not flushed")
	}
}

// A passthrough stream switches between its small buffer (trickle) and a
// pooled large one (bursts); either way the client gets the upstream's
// bytes unchanged, and what arrived is flushed before the relay waits.
func TestPassthroughStreamBurstsAndTrickles(t *testing.T) {
	chunk := func(text string) string {
		return `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-up","choices":[{"index":0,"delta":{"content":"` + text + `"},"finish_reason":null}]}` + "\n\n"
	}
	parts := []string{
		chunk("a"), // trickle: the wait buffer, then the rest
		": " + strings.Repeat("k", waitCopy-4) + "\n\n", // exactly the wait buffer: sent without reading on
		chunk(strings.Repeat("b", 3000)),                // burst: within the pooled buffer
		chunk(strings.Repeat("c", 20000)),               // larger than the pooled buffer
		chunk("d"),                                      // back to a trickle
		chunk("e"),
		"data: [DONE]\n\n",
	}
	pw, rt := pipedUpstream()
	e := newTestEngine(t, rt)
	w := newFlushWriter()
	ok := make(chan bool, 1)
	go func() {
		sent := ""
		for _, p := range parts {
			_, _ = io.WriteString(pw, p)
			sent += p
			// Each part must be flushed before the next is sent. Not a
			// timing assertion: the bound only keeps a broken relay
			// from hanging the test.
			deadline := time.After(10 * time.Second)
			for w.flushedString() != sent {
				select {
				case <-w.signal:
				case <-deadline:
					ok <- false
					pw.Close()
					return
				}
			}
		}
		ok <- true
		pw.Close()
	}()
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"smart","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer sk-client-bench-123")
	if !e.ServeHTTP(w, req) || w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if !<-ok {
		t.Fatalf("a part was not flushed before the relay waited; flushed so far %d bytes", len(w.flushedString()))
	}
	if got, want := w.Body.String(), strings.Join(parts, ""); got != want {
		t.Fatalf("stream changed in passthrough: got %d bytes, want %d", len(got), len(want))
	}
}

// The upstream request body forgets its bytes once sent or closed (net/http
// keeps the request until a stream ends); GetBody, which the transport may
// call before Do returns to send the body again, gives the same bytes.
func TestUpstreamBodyForgetsItsBytes(t *testing.T) {
	for _, how := range []string{"read", "writeto", "close"} {
		u := &upstreamBody{b: []byte(`{"model":"m"}`)}
		var got []byte
		switch how {
		case "read":
			got, _ = io.ReadAll(u)
		case "writeto":
			var sb strings.Builder
			_, _ = u.WriteTo(&sb)
			got = []byte(sb.String())
		case "close":
			_ = u.Close()
			got = []byte(`{"model":"m"}`)
		}
		if string(got) != `{"model":"m"}` || u.b != nil {
			t.Fatalf("%s: got %q, still holding %q", how, got, u.b)
		}
	}
	var resent []byte
	e := newTestEngine(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		first, _ := io.ReadAll(r.Body)
		again, err := r.GetBody() // as the transport does on a dead keep-alive connection
		if err != nil {
			return nil, err
		}
		resent, _ = io.ReadAll(again)
		if !bytes.Equal(first, resent) || r.ContentLength != int64(len(first)) {
			t.Errorf("first %q, again %q, length %d", first, resent, r.ContentLength)
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(chatAnswer)), Request: r}, nil
	}))
	req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(chatBody))
	req.Header.Set("Authorization", "Bearer sk-client-bench-123")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, req)
	if w.Code != 200 || !bytes.Contains(resent, []byte(`"messages"`)) {
		t.Fatalf("status %d, resent body %q", w.Code, resent)
	}
}

// redirectTransport sends every upstream call to base (a test server),
// whatever host the channel names.
type redirectTransport struct {
	base string // scheme://host
	rt   http.RoundTripper
}

func (r *redirectTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u, _ := url.Parse(r.base)
	req.URL.Scheme, req.URL.Host = u.Scheme, u.Host
	return r.rt.RoundTrip(req)
}

// relayPaths are the two ways through the relay the connection tests take:
// same-format passthrough, and translation (Chat in, Anthropic out).
var relayPaths = []struct {
	name   string
	engine func(testing.TB, http.RoundTripper) *Engine
}{{"passthrough", newTestEngine}, {"translated", newXlateEngine}}

// A translated stream reads the upstream body to its end after the last
// event, so an HTTP/1.1 upstream connection goes back to the pool: closed
// unread, net/http drops it and the next request dials again. Passthrough
// streams are copied to the end and are the reference.
func TestTranslatedStreamKeepsUpstreamConnection(t *testing.T) {
	for _, tc := range relayPaths {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(mock.New(mock.Config{Chunks: 20}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			e := tc.engine(t, &redirectTransport{base: srv.URL, rt: tr})
			for i := range 50 {
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(octobenchRequest(true)))
				req.Header.Set("Authorization", "Bearer sk-client-bench-123")
				w := httptest.NewRecorder()
				if !e.ServeHTTP(w, req) || w.Code != 200 || !strings.Contains(w.Body.String(), "data: [DONE]") {
					t.Fatalf("request %d: status %d: %s", i, w.Code, w.Body.String())
				}
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("50 streams one after another opened %d upstream connections, want 1", n)
			}
		})
	}
}

// An upstream that keeps its body open after the last event does not hold
// the client's answer until the idle timeout: the drain after the end is
// bounded.
func TestTranslatedStreamEndDoesNotWaitForUpstreamClose(t *testing.T) {
	body, _ := mockBody(t, "/v1/messages", true)
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(body)
		w.(http.Flusher).Flush()
		select { // hold the body open, as a misbehaving upstream might
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	e := newXlateEngine(t, &redirectTransport{base: srv.URL, rt: tr})
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(octobenchRequest(true)))
		req.Header.Set("Authorization", "Bearer sk-client-bench-123")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		done <- w
	}()
	select {
	case w := <-done:
		if w.Code != 200 || !strings.Contains(w.Body.String(), "data: [DONE]") {
			t.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	case <-time.After(30 * time.Second): // the idle timeout is 5 minutes
		t.Fatal("the answer waited for the upstream to close its body")
	}
}

// countingConn counts the writes made on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// A small upstream request goes out in one write, headers and body
// together: net/http flushes the headers on their own before a body it
// does not know to be in memory, and the upstream then often reads and
// wakes twice. A larger body still reaches the upstream whole.
func TestSmallUpstreamRequestIsOneWrite(t *testing.T) {
	for _, tc := range relayPaths {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(mock.New(mock.Config{Chunks: 3}))
			defer srv.Close()
			var writes atomic.Int64
			var d net.Dialer
			tr := &http.Transport{
				WriteBufferSize: 1 << 10, // as routing's transport
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					c, err := d.DialContext(ctx, network, addr)
					if err != nil {
						return nil, err
					}
					return countingConn{c, &writes}, nil
				},
			}
			defer tr.CloseIdleConnections()
			e := tc.engine(t, &redirectTransport{base: srv.URL, rt: tr})
			for _, stream := range []bool{false, true} {
				writes.Store(0)
				req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(octobenchRequest(stream)))
				req.Header.Set("Authorization", "Bearer sk-client-bench-123")
				w := httptest.NewRecorder()
				if !e.ServeHTTP(w, req) || w.Code != 200 {
					t.Fatalf("stream %v: status %d: %s", stream, w.Code, w.Body.String())
				}
				if n := writes.Load(); n != 1 {
					t.Errorf("stream %v: the upstream request took %d writes, want 1", stream, n)
				}
			}
			// A body past smallBody: the mock checks it is whole JSON.
			long := strings.Repeat("a long prompt ", 200)
			req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"smart","stream":true,"messages":[{"role":"user","content":"`+long+`"}]}`))
			req.Header.Set("Authorization", "Bearer sk-client-bench-123")
			w := httptest.NewRecorder()
			if !e.ServeHTTP(w, req) || w.Code != 200 || !strings.Contains(w.Body.String(), "data: [DONE]") {
				t.Fatalf("long body: status %d: %s", w.Code, w.Body.String())
			}
		})
	}
}

// A small body cut from the client's pooled buffer is copied before the
// transport keeps it: the buffer goes back to its pool, or would be held
// whole by an open stream. A body of its own is sent as it is.
func TestSmallUpstreamBodyCopiesOnlyThePooledBuffer(t *testing.T) {
	buf := []byte(`{"model":"m","stream":true}` + strings.Repeat(" ", 4096))
	b := buf[:27]
	r := newUpstreamBody(b, true)
	copy(buf, `{"model":"x"`) // the pooled buffer is reused
	if got, _ := io.ReadAll(r); string(got) != `{"model":"m","stream":true}` {
		t.Fatalf("pooled body changed with its buffer: %q", got)
	}
	own := []byte(`{"model":"m"}`)
	r = newUpstreamBody(own, false)
	own[10] = 'n'
	if got, _ := io.ReadAll(r); string(got) != `{"model":"n"}` {
		t.Fatalf("a body of its own was copied: %q", got)
	}
}
