// Package relay serves the client-facing LLM endpoints: it authenticates
// the client key, resolves the model to a group, walks the balancer's
// attempts, and either passes the body straight through (same format) or
// translates it (transform), streaming answers event by event.
package relay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/transform"
)

// DefaultMaxBodySize bounds a client request body (Anthropic's own limit).
const DefaultMaxBodySize = 32 << 20

// maxUpstreamBody bounds a non-streaming upstream answer held in memory.
const maxUpstreamBody = 64 << 20

// Engine is the relay. It is safe for concurrent use; everything it reads
// per request comes from the snapshot, loaded once per request.
type Engine struct {
	// Snapshot returns the live routing snapshot.
	Snapshot func() *routing.Snapshot
	// Logger is the handler's logger.
	Logger *zap.Logger
	// MaxBodySize bounds client bodies; DefaultMaxBodySize when zero.
	MaxBodySize int64
	// Tokens resolves the bearer token for an OAuth channel key
	// (Antigravity); nil means keys are used as given.
	Tokens TokenSource
	// Observer receives one record per finished request; may be nil.
	Observer Observer
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Spent returns what a client key has spent so far in USD, for its
	// max_cost limit; nil means limits are not enforced.
	Spent func(key string) float64
	// Media fetches image and file URLs for targets that need the bytes
	// (Gemini, Antigravity); transform.NewMediaClient, which refuses
	// non-public addresses, when nil.
	Media *http.Client
	// MediaMaxBytes bounds one fetched media file; 20 MiB when zero.
	MediaMaxBytes int64
	// BodyLimit, when it holds a positive number, records the request and
	// response bodies in Record.Bodies, each cut to that many bytes (see
	// capture.go); nil or zero: off.
	BodyLimit *atomic.Int64
}

var defaultMedia = sync.OnceValue(func() *http.Client { return transform.NewMediaClient(30 * time.Second) })

func (e *Engine) media() (*http.Client, int64) {
	c, n := e.Media, e.MediaMaxBytes
	if c == nil {
		c = defaultMedia()
	}
	if n <= 0 {
		n = 20 << 20
	}
	return c, n
}

// TokenSource turns an OAuth channel key into an access token.
type TokenSource interface {
	// Token returns the access token and project for key of channel ch.
	// force asks for a refresh even if the cached token looks valid (after
	// the upstream answered 401).
	Token(ctx context.Context, ch *routing.Channel, key string, force bool) (token, project string, err error)
}

// Observer receives finished requests (usage accounting, logs, metrics).
type Observer interface {
	Observe(rec *Record)
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Handles reports whether r is a relay endpoint.
func Handles(r *http.Request) bool { return match(r).op != opNone }

// ServeHTTP serves r if it is a relay endpoint and reports whether it did;
// other requests are left for the next handler.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) bool {
	ep := match(r)
	if ep.op == opNone {
		return false
	}
	inFlight.Add(1)
	defer inFlight.Add(-1)
	start := e.now()
	snap := e.Snapshot()
	key, ok := snap.Authenticate(clientKey(r))
	if !ok {
		msg := "missing API key: send it as Authorization: Bearer <key>, x-api-key, x-goog-api-key or ?key="
		if clientKey(r) != "" {
			msg = "invalid API key"
		}
		writeError(w, ep.format, &transform.Error{Status: 401, Kind: transform.KindAuthentication, Message: msg, Code: "invalid_api_key"})
		return true
	}
	if key.Disabled {
		writeError(w, ep.format, transform.Errorf(401, "API key %q is disabled", key.Name))
		return true
	}
	if key.Expired(start) {
		writeError(w, ep.format, transform.Errorf(401, "API key %q expired at %s", key.Name, key.Expires.UTC().Format(time.RFC3339)))
		return true
	}
	if key.MaxCost > 0 && e.Spent != nil && ep.op == opGenerate {
		if spent := e.Spent(key.Name); spent >= key.MaxCost {
			writeError(w, ep.format, spendLimitError(ep.format, key, spent))
			return true
		}
	}
	switch ep.op {
	case opListModels:
		e.listModels(w, ep, snap, key)
		return true
	case opGetModel:
		e.getModel(w, ep, snap, key)
		return true
	}

	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	limit := e.MaxBodySize
	if limit <= 0 {
		limit = DefaultMaxBodySize
	}
	var err error
	if n := r.ContentLength; n > 0 && n <= limit {
		// Read into exactly the body's size: one allocation (ReadFrom
		// grows in steps, and wants bytes.MinRead of spare room even
		// for the last read). The server cuts the body at its length.
		buf.Grow(int(n))
		b := buf.AvailableBuffer()[:n]
		if _, err = io.ReadFull(r.Body, b); err == nil {
			buf.Write(b)
		}
	} else {
		_, err = buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, ep.format, transform.Errorf(413, "request body larger than %d bytes; send a smaller request or raise max_body_size", limit))
		} else {
			writeError(w, ep.format, transform.Errorf(400, "reading request body: %v", err))
		}
		putBody(buf)
		return true
	}
	x := &exchange{
		e: e, w: w, r: r, ep: ep, snap: snap, key: key, body: buf.Bytes(), bodyBuf: buf, start: start,
		rec: &Record{Key: key.Name, Inbound: ep.format, Start: start},
	}
	e.capture(x)
	x.serve()
	x.rec.Duration = e.now().Sub(start)
	if e.Observer != nil {
		e.Observer.Observe(x.rec) // before the body buffer is reused: capture aliases it
	}
	if x.bodyBuf != nil {
		putBody(x.bodyBuf)
	}
	return true
}

// putBody returns a request body buffer to its pool.
func putBody(buf *bytes.Buffer) {
	if buf.Cap() <= 4<<20 { // don't keep huge image bodies alive
		bufPool.Put(buf)
	}
}

// writeError answers with e in format f's error shape.
func writeError(w http.ResponseWriter, f transform.Format, e *transform.Error) {
	status, body := transform.EncodeError(f, e)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		secs := int(e.RetryAfter.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		h.Set("Retry-After", itoa(secs))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// discard drains and closes an upstream body so its connection is reused.
func discard(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}

// spendLimitError is the answer once a key reached its max_cost: 402
// billing_error for Anthropic clients, 429 (OpenAI insufficient_quota,
// Google RESOURCE_EXHAUSTED) for the others, which is what their SDKs
// expect for an exhausted budget.
func spendLimitError(f transform.Format, key *routing.Key, spent float64) *transform.Error {
	status, kind, code := 429, transform.KindBilling, "insufficient_quota"
	if f == transform.Anthropic {
		status = 402
	}
	return &transform.Error{Status: status, Kind: kind, Code: code,
		Message: fmt.Sprintf("API key %q reached its spending limit of $%.2f (spent $%.2f); raise max_cost or use another key", key.Name, key.MaxCost, spent)}
}
