package relay

import (
	"net/http"
	"sync/atomic"
)

// Body capture for the request log. It is off unless Engine.BodyLimit
// holds a positive cap; off, a request pays one nil check and one atomic
// load. On, the request body (already in memory) is referenced, cut to the
// cap, and the answer is copied as it is written to the client, by a tee
// that keeps at most the cap and never holds a write back. The Observer
// must copy what it keeps: the request body's buffer is reused once the
// observers return.

// Bodies are the request and response bodies of one request, each cut to
// the capture limit.
type Bodies struct {
	// Request is the client's request body as received (up to the cap).
	// It aliases the relay's buffer: valid only during Observe.
	Request []byte
	// Response is what the client was sent (up to the cap): the answer,
	// streamed or not, passed through or translated, or the error.
	Response []byte
	// RequestTruncated and ResponseTruncated are set when a body was
	// longer than the cap and cut.
	RequestTruncated, ResponseTruncated bool

	max int
}

// newBodies starts a capture when limit holds a positive cap.
func newBodies(limit *atomic.Int64, body []byte) *Bodies {
	if limit == nil {
		return nil
	}
	n := limit.Load()
	if n <= 0 {
		return nil
	}
	b := &Bodies{max: int(min(n, 1<<30))}
	b.Request = body
	if len(body) > b.max {
		b.Request, b.RequestTruncated = body[:b.max], true
	}
	return b
}

// keep appends the part of p that still fits under the cap.
func (b *Bodies) keep(p []byte) {
	room := b.max - len(b.Response)
	if len(p) > room {
		p, b.ResponseTruncated = p[:room], true
	}
	if len(p) == 0 {
		return
	}
	if b.Response == nil {
		// Most answers are small; grow from there, never past the cap.
		b.Response = make([]byte, 0, min(b.max, max(len(p), 4<<10)))
	}
	b.Response = append(b.Response, p...)
}

// captureWriter tees what the relay writes to the client into Bodies.
// Unwrap lets http.ResponseController reach the real writer's Flush.
type captureWriter struct {
	http.ResponseWriter
	b *Bodies
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.b.keep(p)
	return c.ResponseWriter.Write(p)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// capture turns on body capture for x when the engine asks for it.
func (e *Engine) capture(x *exchange) {
	if b := newBodies(e.BodyLimit, x.body); b != nil {
		x.rec.Bodies = b
		x.w = &captureWriter{ResponseWriter: x.w, b: b}
	}
}
