package relay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octopuscaddy/octopus/internal/bufpool"
	"github.com/octopuscaddy/octopus/internal/sse"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/transform"
)

// waitCopy is what a passthrough stream waits for the upstream with: an
// open stream spends nearly all its life blocked in that read, and what
// arrives is buffered by the upstream connection anyway. A read that
// fills it is followed at once by one into a pooled buffer (bufpool),
// which takes the rest of what arrived, so an event still goes out in one
// write and one flush.
const waitCopy = 64

// endsUnit reports whether p ends where a client could use it: an SSE line
// or a JSON element. A full wait buffer that does is sent as it is, not
// held back for a read that may wait for the next event.
func endsUnit(p []byte) bool {
	switch p[len(p)-1] {
	case '\n', '}', ']':
		return true
	}
	return false
}

// idleTimer cancels the upstream call when a stream stays silent too long.
type idleTimer struct {
	t       *time.Timer
	d       time.Duration
	expired atomic.Bool
}

func newIdleTimer(d time.Duration, cancel context.CancelFunc) *idleTimer {
	it := &idleTimer{d: d}
	it.t = time.AfterFunc(d, func() {
		it.expired.Store(true)
		cancel()
	})
	return it
}

func (it *idleTimer) reset()                 { it.t.Reset(it.d) }
func (it *idleTimer) within(d time.Duration) { it.t.Reset(d) }
func (it *idleTimer) stop()                  { it.t.Stop() }
func (it *idleTimer) fired() bool            { return it.expired.Load() }

func setStreamHeaders(h http.Header, contentType string) {
	// One backing array for the three values (Set makes one each); each
	// slice is capped so an Add by a later handler cannot spill into the
	// next. Not shared between requests: a handler may edit values in
	// place.
	vals := []string{contentType, "no-cache", "no"}
	h["Content-Type"] = vals[0:1:1]
	h["Cache-Control"] = vals[1:2:2]
	h["X-Accel-Buffering"] = vals[2:3:3]
	delete(h, "Content-Length")
}

// copyStream copies an upstream stream of the client's own format, byte for
// byte, flushing after every read so events reach the client as they come.
// It returns br, the probe reader, to its pool once its bytes are out.
func (x *exchange) copyStream(ch *routing.Channel, resp *http.Response, br *bufio.Reader, cancel context.CancelFunc) {
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		ct = "text/event-stream"
	}
	setStreamHeaders(x.w.Header(), ct)
	x.w.WriteHeader(http.StatusOK)
	idle := newIdleTimer(ch.IdleTimeout, cancel)
	defer idle.stop()
	tap := transform.NewUsageTap(ch.Format)
	defer func() { x.rec.Usage, x.rec.UsageKnown = tap.Usage() }()
	rc := http.NewResponseController(x.w)
	// What the probe read ahead goes first; then the body is read
	// directly, so an open stream holds no probe buffer.
	pending, _ := br.Peek(br.Buffered())
	x.rec.TTFT = x.e.now().Sub(x.start)
	_, _ = tap.Write(pending)
	_, werr := x.w.Write(pending)
	putProbeReader(br)
	if werr != nil {
		return // client gone; the deferred cancel stops upstream
	}
	_ = rc.Flush()
	x.release()
	wait := make([]byte, waitCopy)
	for {
		n, err := resp.Body.Read(wait)
		buf := wait[:n]
		var big *[]byte
		if err == nil && n == len(wait) && !endsUnit(buf) {
			big = bufpool.Get()
			copy(*big, buf)
			var m int
			m, err = resp.Body.Read((*big)[n:])
			buf = (*big)[:n+m]
		}
		if len(buf) > 0 {
			idle.reset()
			_, _ = tap.Write(buf)
			_, werr := x.w.Write(buf)
			if werr == nil {
				_ = rc.Flush()
			}
			if big != nil {
				bufpool.Put(big)
			}
			if werr != nil {
				return // client gone; the deferred cancel stops upstream
			}
		}
		if err != nil {
			if err != io.EOF && x.r.Context().Err() == nil {
				msg := "upstream stream broke: " + err.Error()
				if idle.fired() {
					msg = "upstream stream was silent for longer than " + ch.IdleTimeout.String()
				}
				x.rec.Error = msg
				_, _ = x.w.Write(streamErrorTail(x.ep.format, msg))
				_ = rc.Flush()
			}
			return
		}
	}
}

// streamErrorTail is what a broken stream ends with in the client's
// format, so its SDK raises an error instead of taking a cut answer as
// complete. Gemini streams have no error event; they just end.
func streamErrorTail(f transform.Format, msg string) []byte {
	m, _ := json.Marshal(msg)
	switch f {
	case transform.Anthropic:
		return []byte("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":" + string(m) + "}}\n\n")
	case transform.OpenAIResponses:
		return []byte("event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":" + string(m) + ",\"param\":null}\n\n")
	case transform.OpenAIChat:
		return []byte("data: {\"error\":{\"message\":" + string(m) + ",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n")
	}
	return nil
}

// outPool holds the buffers translated streams encode into between
// flushes.
var outPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pendingOut is what a translated stream has encoded and not yet sent. It
// takes a pooled buffer on the first write after a flush and gives it back
// with the flush, so a stream waiting on its upstream holds none.
type pendingOut struct{ b *bytes.Buffer }

func (p *pendingOut) Write(q []byte) (int, error) {
	if p.b == nil {
		p.b = outPool.Get().(*bytes.Buffer)
	}
	return p.b.Write(q)
}

// AvailableBuffer lends the buffer's free space, so the stream encoders
// build their bytes in it and keep none of their own.
func (p *pendingOut) AvailableBuffer() []byte {
	if p.b == nil {
		p.b = outPool.Get().(*bytes.Buffer)
	}
	return p.b.AvailableBuffer()
}

// put gives the buffer back, emptied.
func (p *pendingOut) put() {
	if p.b == nil {
		return
	}
	if p.b.Cap() <= 64<<10 {
		p.b.Reset()
		outPool.Put(p.b)
	}
	p.b = nil
}

// eventsPool holds the canonical events of one upstream event, which live
// only from the decoder's Feed to the encoder.
var eventsPool = sync.Pool{New: func() any { s := make([]transform.Event, 0, 8); return &s }}

// translateStream converts an upstream stream into the client's format
// event by event. Events are encoded into a buffer that goes to the client
// in one write and one flush whenever the relay is about to read from the
// upstream again: everything one upstream read brought leaves together,
// and nothing waits on the upstream unsent.
//
// An open stream spends its life waiting on the upstream, so what it holds
// while it waits is kept small: the SSE reader waits on a 64-byte buffer
// (what arrived is read through a pooled one), the encoded output and the canonical events
// are pooled between reads, the decoder drops its scratch block, and the
// client's request, decoded and encoded, is let go once the stream has
// started (release).
func (x *exchange) translateStream(ch *routing.Channel, resp *http.Response, br *bufio.Reader, cancel context.CancelFunc) {
	defer resp.Body.Close()
	ct := "text/event-stream"
	if x.creq.StreamArray {
		ct = "application/json"
	}
	setStreamHeaders(x.w.Header(), ct)
	x.w.WriteHeader(http.StatusOK)
	// The probe reader is large so it can look far into the stream's
	// start; from here on the stream holds only a copy of what it read
	// ahead, and the probe reader goes back.
	ahead, _ := br.Peek(br.Buffered())
	rd := sse.NewReaderBuffered(ahead, &x.src)
	putProbeReader(br)
	defer rd.Release()
	var out pendingOut
	defer out.put()
	dec := transform.Get(ch.Format).NewStreamDecoder()
	idler, _ := dec.(transform.StreamIdler)
	enc := transform.Get(x.ep.format).NewStreamEncoder(&out, x.creq)
	x.release()
	idle := newIdleTimer(ch.IdleTimeout, cancel)
	defer idle.stop()
	first, ended := true, false
	rc := http.NewResponseController(x.w)
	gone := false // a write to the client failed
	send := func() {
		if idler != nil {
			idler.Idle()
		}
		if out.b == nil || gone {
			return
		}
		_, err := x.w.Write(out.b.Bytes())
		out.put()
		if err == nil {
			err = rc.Flush()
		}
		if err != nil {
			gone = true
			cancel() // the client left: stop reading the upstream
		}
	}
	x.src.before = send
	defer func() { x.src.before = nil }()
	emit := func(evs []transform.Event) bool {
		transform.RestoreEventToolNames(x.toolNames, evs)
		for i := range evs {
			ev := &evs[i]
			if ev.Usage != nil {
				x.rec.Usage, x.rec.UsageKnown = *ev.Usage, true
			}
			if ev.Type == transform.EventError && ev.Error != nil {
				x.rec.Error = ev.Error.Message
			}
			if err := enc.Encode(ev); err != nil {
				return false
			}
		}
		if len(evs) > 0 && first {
			x.rec.TTFT = x.e.now().Sub(x.start)
			first = false
		}
		return true
	}
	for {
		name, data, err := rd.Next()
		if gone {
			return
		}
		if err != nil {
			if err != io.EOF && x.r.Context().Err() == nil {
				msg := "upstream stream broke: " + err.Error()
				if idle.fired() {
					msg = "upstream stream was silent for longer than " + ch.IdleTimeout.String()
				}
				emit([]transform.Event{{Type: transform.EventError, Error: transform.Errorf(502, "%s", msg)}})
			}
			break
		}
		idle.reset()
		evp := eventsPool.Get().(*[]transform.Event)
		evs, done, derr := dec.Feed((*evp)[:0], name, data)
		ok := emit(evs)
		clear(evs) // pooled events must not keep strings alive
		*evp = evs[:0]
		eventsPool.Put(evp)
		if !ok {
			return
		}
		if derr != nil {
			emit([]transform.Event{{Type: transform.EventError, Error: asError(derr, 502)}})
			break
		}
		if done {
			ended = true
			break
		}
	}
	emit(dec.Close(nil))
	_ = enc.Close()
	send()
	if ended && !gone {
		idle.within(drainWait)
		drainEnd(resp.Body)
	}
}

// drainWait and drainMax bound what a translated stream waits for and
// reads after its last event.
const (
	drainWait = 100 * time.Millisecond
	drainMax  = 4 << 10
)

// drainEnd reads the upstream body to its end after the stream's last
// event (message_stop, [DONE]): what follows on the wire is only HTTP/1.1's
// last chunk or HTTP/2's END_STREAM, usually already on its way. net/http
// drops an HTTP/1.1 connection whose body is closed before its end, so
// without this most translated streams cost the next request a new
// upstream connection (a dial, and on HTTPS a handshake).
func drainEnd(body io.Reader) {
	_, _ = io.CopyN(io.Discard, body, drainMax)
}

// writePassthrough sends a same-format non-streaming answer as it came.
func (x *exchange) writePassthrough(resp *http.Response, data []byte) {
	h := x.w.Header()
	for _, name := range []string{"x-request-id", "request-id", "openai-processing-ms"} {
		if v := resp.Header.Get(name); v != "" {
			h.Set(name, v)
		}
	}
	x.rec.TTFT = x.e.now().Sub(x.start)
	tap := transform.NewUsageTap(x.ep.format)
	tap.Body(data)
	x.rec.Usage, x.rec.UsageKnown = tap.Usage()
	writeAnswer(x.w, data)
}

// writeAnswer sends a complete JSON answer. It is not flushed early (nor
// given a Content-Length of its own): a keep-alive client that had the
// whole answer before this handler returned could send its next request on
// a connection that a graceful reload closes as soon as the handler is
// done; net/http sets the length of small answers once the handler returns.
func writeAnswer(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// writeTranslated converts a non-streaming answer to the client's format.
func (x *exchange) writeTranslated(ch *routing.Channel, data []byte) {
	if x.ep.op == opEmbeddings {
		out, err := transform.EmbeddingsResponseFromGemini(data, x.model, x.embedEncoding)
		if err != nil {
			x.fail(asError(err, 502))
			return
		}
		writeAnswer(x.w, out)
		return
	}
	resp, err := transform.Get(ch.Format).DecodeResponse(data)
	if err != nil {
		x.fail(transform.Errorf(502, "channel %q answered with a body that could not be read: %v", ch.Name, err))
		return
	}
	x.rec.Usage, x.rec.UsageKnown = resp.Usage, !resp.Usage.IsZero()
	transform.RestoreToolNames(x.toolNames, resp)
	out, err := transform.Get(x.ep.format).EncodeResponse(resp, x.creq)
	if err != nil {
		x.fail(asError(err, 502))
		return
	}
	x.rec.TTFT = x.e.now().Sub(x.start)
	writeAnswer(x.w, out)
}
