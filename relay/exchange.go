package relay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/transform"
)

// exchange is one client request on its way through the attempt loop.
type exchange struct {
	e    *Engine
	w    http.ResponseWriter
	r    *http.Request
	ep   endpoint
	snap *routing.Snapshot
	key  *routing.Key
	body []byte
	// bodyBuf holds body; it goes back to its pool when the request is
	// done, unless a stream let go of it (release).
	bodyBuf *bytes.Buffer
	start   time.Time
	rec     *Record

	model  string // model the client asked for
	stream bool
	group  *routing.Group

	// creq is the decoded client request, decoded once on the first
	// attempt that needs translation.
	creq      *transform.Request
	decodeErr error
	inlined   bool // remote media in creq fetched and inlined
	// embedEncoding is the OpenAI encoding_format of an embeddings call
	// translated for a Gemini channel.
	embedEncoding string
	// foreignSigs is set when the body holds a tagged signature.
	foreignSigs bool
	// toolNames maps function names an upstream saw back to the client's
	// (Gemini renames names outside its charset); nil when none changed.
	toolNames map[string]string
	// src is the upstream stream body as the probe reader reads it.
	src readHook
}

// release lets go of the client's request, as received and as decoded,
// once a stream has started: no attempt follows, and a stream can stay
// open for minutes. A large prompt is then no longer held twice per open
// stream. With body capture on, the request log still needs the body.
func (x *exchange) release() {
	x.creq = nil
	if x.rec.Bodies == nil {
		// Not back to the pool: the upstream transport may still be
		// reading the bytes it sends (upstreamBody forgets them once
		// read); the collector frees them after that.
		x.body, x.bodyBuf = nil, nil
	}
}

// smallBody is the largest upstream body sent from a bytes.Reader.
// net/http sends the request line, the headers and such a body in one
// write; for a reader it does not know it flushes the headers on their
// own first, which costs a system call here and often a second read and
// wake-up in the upstream server. With typical headers (250–400 bytes) a
// body this small fits the connection's 1 KiB write buffer beside them;
// a larger one takes two writes either way.
const smallBody = 640

// newUpstreamBody returns the body of an upstream request. A small body is
// sent from a bytes.Reader, which the transport keeps with the request
// until the response ends: an open stream then holds it (at most
// smallBody bytes). pooled says b is the client's own body, cut from a
// pooled buffer that may be far larger; that one is copied, so a stream
// does not keep the whole buffer alive. A larger body forgets its bytes
// once sent (upstreamBody).
func newUpstreamBody(b []byte, pooled bool) io.ReadCloser {
	if len(b) > smallBody {
		return &upstreamBody{b: b}
	}
	if pooled {
		b = bytes.Clone(b)
	}
	return io.NopCloser(bytes.NewReader(b))
}

// upstreamBody is the body of an upstream request. It forgets its bytes
// once they have been read or the transport closed it: net/http keeps the
// request, body included, until the response body is closed, which for a
// stream is when the stream ends.
type upstreamBody struct{ b []byte }

func (u *upstreamBody) Read(p []byte) (int, error) {
	if len(u.b) == 0 {
		u.b = nil
		return 0, io.EOF
	}
	n := copy(p, u.b)
	u.b = u.b[n:]
	return n, nil
}

// WriteTo sends the whole body in one write, as bytes.Reader does.
func (u *upstreamBody) WriteTo(w io.Writer) (int64, error) {
	b := u.b
	u.b = nil
	n, err := w.Write(b)
	return int64(n), err
}

func (u *upstreamBody) Close() error {
	u.b = nil
	return nil
}

// readHook calls before ahead of every read from r. A translated stream
// flushes its client there: once per upstream read, not once per event,
// and never later than the moment it would wait for the upstream.
type readHook struct {
	r      io.Reader
	before func()
}

func (h *readHook) Read(p []byte) (int, error) {
	if h.before != nil {
		h.before()
	}
	return h.r.Read(p)
}

// outcome of one attempt.
type outcome struct {
	// done means the client has its answer (success or an error that is
	// not retried); the loop stops.
	done bool
	// err is the error that made the attempt fail, for the final message.
	err *transform.Error
}

func (x *exchange) fail(e *transform.Error) {
	x.rec.Status, x.rec.Error = e.Status, e.Message
	writeError(x.w, x.ep.format, e)
}

func (x *exchange) serve() {
	if x.ep.format == transform.Gemini {
		x.model, x.stream = x.ep.model, x.ep.stream
		if len(bytes.TrimSpace(x.body)) > 0 && !gjson.ValidBytes(x.body) {
			x.fail(transform.Errorf(400, "request body is not valid JSON"))
			return
		}
	} else {
		if !gjson.ValidBytes(x.body) {
			x.fail(transform.Errorf(400, "request body is not valid JSON"))
			return
		}
		m := gjson.GetBytes(x.body, "model")
		if m.Type != gjson.String || m.Str == "" {
			e := transform.Errorf(400, "model: required (a string naming the model or group to use)")
			e.Param = "model"
			x.fail(e)
			return
		}
		x.model = m.Str
		x.stream = x.ep.op == opGenerate && gjson.GetBytes(x.body, "stream").Bool()
	}
	x.rec.Stream = x.stream
	x.foreignSigs = x.ep.op == opGenerate && transform.HasTaggedSignature(x.body)
	g, ok := x.snap.Resolve(x.model)
	if !ok || !x.key.Allows(g.Name) {
		e := transform.Errorf(404, "model %q does not exist or this API key may not use it; GET /v1/models lists the models you can use", x.model)
		e.Code, e.Param = "model_not_found", "model"
		x.fail(e)
		return
	}
	x.group = g
	x.rec.Group = g.Name

	var last *transform.Error
	it := g.Attempts(x.start)
	for {
		t, ok := it.Next()
		if !ok {
			break
		}
		o := x.try(&it, t)
		if o.done {
			return
		}
		last = o.err
		if x.r.Context().Err() != nil { // client went away
			x.rec.Status = 499
			return
		}
	}
	x.allFailed(&it, last)
}

// allFailed answers when no attempt succeeded.
func (x *exchange) allFailed(it *routing.Attempts, last *transform.Error) {
	if last == nil {
		e := transform.Errorf(503, "no healthy channel for model %q right now: every member is cooling down after failures", x.group.Name)
		e.RetryAfter = it.RetryAfter()
		x.fail(e)
		return
	}
	status := http.StatusBadGateway
	switch {
	case last.Status == 429:
		status = 429
	case last.Status == 501:
		status = 501
	case last.Kind == transform.KindTimeout:
		status = http.StatusGatewayTimeout
	}
	e := transform.Errorf(status, "all attempts for model %q failed; last error from channel %q: %s", x.group.Name, x.rec.Channel, last.Message)
	e.RetryAfter = last.RetryAfter
	x.fail(e)
}

// try makes one upstream attempt.
func (x *exchange) try(it *routing.Attempts, t routing.Try) outcome {
	ch := t.Member.Channel
	began := x.e.now()
	x.rec.Channel, x.rec.Model, x.rec.Outbound = ch.Name, t.Member.Model, ch.Format
	att := Attempt{Channel: ch.Name, Model: t.Member.Model}
	o := x.attempt(it, t, &att)
	att.Duration = x.e.now().Sub(began)
	if o.err != nil && att.Error == "" {
		att.Error = o.err.Message
	}
	x.rec.Attempts = append(x.rec.Attempts, att)
	return o
}

func (x *exchange) passthrough(ch *routing.Channel) bool {
	if ch.Format == x.ep.format {
		// A body carrying reasoning signatures minted by another provider
		// (tagged on their way to this client) goes through the codec,
		// which drops them, instead of passing through untouched.
		return !x.foreignSigs
	}
	// Both OpenAI channel types serve the same /embeddings endpoint.
	return x.ep.op == opEmbeddings && x.ep.format == transform.OpenAIChat && ch.Format == transform.OpenAIResponses
}

// upstreamOp maps the client op to the provider op.
func (x *exchange) upstreamOp() provider.Op {
	switch x.ep.op {
	case opCountTokens:
		return provider.OpCountTokens
	case opEmbeddings:
		return provider.OpEmbeddings
	}
	return provider.OpGenerate
}

// buildBody returns the upstream body for member t.
func (x *exchange) buildBody(ch *routing.Channel, model, project string) ([]byte, *transform.Error) {
	if x.passthrough(ch) {
		if x.ep.format == transform.Gemini || x.model == model {
			return x.body, nil // the Gemini model is in the path
		}
		b, err := sjson.SetBytes(x.body, "model", model)
		if err != nil {
			return nil, transform.Errorf(400, "setting model: %v", err)
		}
		return b, nil
	}
	if x.ep.op == opEmbeddings && x.ep.format == transform.OpenAIChat && ch.Format == transform.Gemini {
		b, enc, err := transform.EmbeddingsRequestToGemini(x.body, model)
		if err != nil {
			return nil, asError(err, 400)
		}
		x.embedEncoding = enc
		return b, nil
	}
	if x.ep.op != opGenerate {
		return nil, transform.Errorf(501, "%s from %s clients to %s channels is not supported", opName(x.ep.op), x.ep.format.DisplayName(), ch.Format.DisplayName())
	}
	in, out := transform.Get(x.ep.format), transform.Get(ch.Format)
	if in == nil || out == nil {
		return nil, transform.Errorf(501, "translation from %s to %s is not available in this build", x.ep.format.DisplayName(), ch.Format.DisplayName())
	}
	if x.creq == nil && x.decodeErr == nil {
		x.creq, x.decodeErr = in.DecodeRequest(x.body)
		if x.decodeErr == nil && x.ep.format == transform.Gemini {
			x.creq.Model, x.creq.Stream, x.creq.StreamArray = x.model, x.stream, x.ep.streamArray
		}
	}
	if x.decodeErr != nil {
		return nil, asError(x.decodeErr, 400)
	}
	if !x.inlined && (ch.Format == transform.Gemini || ch.Format == transform.Antigravity) {
		// These targets want image bytes, not URLs: fetch them once.
		client, limit := x.e.media()
		if err := transform.InlineRemoteMedia(x.r.Context(), x.creq, client, limit); err != nil {
			return nil, asError(err, 400)
		}
		x.inlined = true
	}
	x.toolNames = transform.UpstreamToolNames(ch.Format, x.creq)
	b, err := out.EncodeRequest(x.creq, transform.EncodeOptions{
		Model: model, Project: project, Stream: x.stream,
		AnthropicVersion: ch.Headers.Get("anthropic-version"),
	})
	if err != nil {
		return nil, asError(err, 400)
	}
	return b, nil
}

func opName(o op) string {
	switch o {
	case opCountTokens:
		return "token counting"
	case opEmbeddings:
		return "embeddings"
	}
	return "generation"
}

// asError converts err to a transform.Error with a default status.
func asError(err error, status int) *transform.Error {
	var te *transform.Error
	if errors.As(err, &te) {
		return te
	}
	return transform.Errorf(status, "%v", err)
}

var (
	hdrJSON        = []string{"application/json"}
	hdrEventStream = []string{"text/event-stream"}
)

// forwardedHeaders are client headers a same-format call passes upstream.
var forwardedHeaders = []string{"anthropic-version", "anthropic-beta", "openai-beta"}

// attempt sends the request to one member and handles its answer.
func (x *exchange) attempt(it *routing.Attempts, t routing.Try, att *Attempt) outcome {
	ch := t.Member.Channel
	if x.ep.op == opCountTokens && !x.passthrough(ch) {
		// Only a same-format upstream counts in the client's terms.
		it.Report(t, routing.Skipped, 0)
		return x.countLocally(ch)
	}
	ctx, cancel := context.WithCancel(x.r.Context())
	defer cancel()

	upstreamStream := x.stream && x.ep.op == opGenerate
	u := ch.Type.URL(ch.BaseURL, t.Member.Model, x.upstreamOp(), upstreamStream)
	if upstreamStream && x.ep.streamArray && x.passthrough(ch) {
		u = strings.TrimSuffix(u, "?alt=sse") // the client wants the JSON-array stream
	}
	// The channel timeout covers the wait for the first byte of the body.
	var timedOut atomic.Bool
	timer := time.AfterFunc(ch.Timeout, func() { timedOut.Store(true); cancel() })
	var resp *http.Response
	// OAuth channels get one forced token refresh and retry after a 401.
	for refreshed := false; ; refreshed = true {
		key, project := t.Key, ch.OAuth.Project
		if ch.Type.OAuth && x.e.Tokens != nil {
			tok, proj, err := x.e.Tokens.Token(ctx, ch, t.Key, refreshed)
			if err != nil {
				timer.Stop()
				it.Report(t, routing.AuthFailed, 0)
				return outcome{err: transform.Errorf(502, "channel %q: getting an access token: %v", ch.Name, err)}
			}
			key, project = tok, proj
		}
		body, berr := x.buildBody(ch, t.Member.Model, project)
		if berr != nil {
			timer.Stop()
			it.Report(t, routing.Skipped, 0)
			if berr.Status == 501 {
				return outcome{err: berr}
			}
			// The client's request itself is at fault: answer now.
			x.fail(berr)
			return outcome{done: true}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
		if err != nil {
			timer.Stop()
			it.Report(t, routing.Failure, 0)
			return outcome{err: transform.Errorf(502, "channel %q: %v", ch.Name, err)}
		}
		// The transport may send the body again (a reused connection
		// that turned out dead) through GetBody, which it only calls
		// before Do returns: after that, its copy of the request no
		// longer reaches the bytes.
		// Translated and re-modelled bodies are new slices; a
		// same-model passthrough sends the client's buffer itself.
		pooled := len(body) > 0 && len(x.body) > 0 && &body[0] == &x.body[0]
		again := &upstreamBody{b: body}
		req.Body, req.ContentLength = newUpstreamBody(body, pooled), int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return newUpstreamBody(again.b, pooled), nil }
		x.setHeaders(req.Header, ch, key, upstreamStream)
		resp, err = send(ch.Client, req)
		again.b = nil
		if err != nil {
			timer.Stop()
			if x.r.Context().Err() != nil {
				it.Report(t, routing.Skipped, 0)
				return outcome{done: true} // the client left; nothing to answer
			}
			it.Report(t, routing.Failure, 0)
			if timedOut.Load() {
				return outcome{err: transform.Errorf(504, "channel %q sent no response within %s", ch.Name, ch.Timeout)}
			}
			return outcome{err: transform.Errorf(502, "channel %q: %v", ch.Name, err)}
		}
		if resp.StatusCode == http.StatusUnauthorized && ch.Type.OAuth && x.e.Tokens != nil && !refreshed {
			discard(resp.Body)
			continue
		}
		break
	}
	att.Status = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		timer.Stop()
		return x.upstreamError(it, t, resp)
	}

	if upstreamStream {
		// Wait for the first bytes before committing, so a dead or
		// garbage stream can still fail over.
		x.src = readHook{r: resp.Body}
		br := getProbeReader(&x.src)
		ok := streamStarts(br, x.ep.streamArray && x.passthrough(ch))
		timer.Stop()
		if !ok {
			putProbeReader(br)
			resp.Body.Close()
			if x.r.Context().Err() != nil {
				return outcome{done: true}
			}
			it.Report(t, routing.Failure, 0)
			msg := fmt.Sprintf("channel %q answered 200 but its stream did not start with an event", ch.Name)
			if timedOut.Load() {
				return outcome{err: transform.Errorf(504, "channel %q sent no stream data within %s", ch.Name, ch.Timeout)}
			}
			return outcome{err: transform.Errorf(502, "%s", msg)}
		}
		it.Report(t, routing.Success, 0)
		x.rec.Status = 200
		// Both take over br and return it to its pool.
		if x.passthrough(ch) {
			x.copyStream(ch, resp, br, cancel)
		} else {
			x.translateStream(ch, resp, br, cancel)
		}
		return outcome{done: true}
	}

	data, rerr := readBody(resp, maxUpstreamBody)
	timer.Stop()
	resp.Body.Close()
	if rerr != nil {
		if x.r.Context().Err() != nil {
			return outcome{done: true}
		}
		it.Report(t, routing.Failure, 0)
		if timedOut.Load() {
			return outcome{err: transform.Errorf(504, "channel %q sent no response within %s", ch.Name, ch.Timeout)}
		}
		return outcome{err: transform.Errorf(502, "channel %q: reading the answer: %v", ch.Name, rerr)}
	}
	if !gjson.ValidBytes(data) {
		it.Report(t, routing.Failure, 0)
		return outcome{err: transform.Errorf(502, "channel %q answered 200 with a body that is not JSON", ch.Name)}
	}
	it.Report(t, routing.Success, 0)
	x.rec.Status = 200
	if x.passthrough(ch) {
		x.writePassthrough(resp, data)
	} else {
		x.writeTranslated(ch, data)
	}
	return outcome{done: true}
}

// upstreamError handles a non-2xx upstream answer: retryable statuses go
// to the next member, others go back to the client in its own format.
func (x *exchange) upstreamError(it *routing.Attempts, t routing.Try, resp *http.Response) outcome {
	ch := t.Member.Channel
	data, _ := readLimited(resp.Body, 1<<20)
	resp.Body.Close()
	ue := transform.DecodeError(ch.Format, resp.StatusCode, resp.Header, data)
	ue.Message = fmt.Sprintf("%s (HTTP %d from channel %q)", ue.Message, resp.StatusCode, ch.Name)
	switch s := resp.StatusCode; {
	case s == 429:
		it.Report(t, routing.RateLimited, ue.RetryAfter)
		return outcome{err: ue}
	case s == 408 || s >= 500:
		it.Report(t, routing.Failure, ue.RetryAfter)
		return outcome{err: ue}
	case s == 401 || s == 403:
		it.Report(t, routing.AuthFailed, 0)
	default:
		it.Report(t, routing.Success, 0) // the channel works; the request is at fault
	}
	x.rec.Status, x.rec.Error = resp.StatusCode, ue.Message
	if x.passthrough(ch) {
		// Same format: the client's SDK reads the upstream's own error.
		x.w.Header().Set("Content-Type", "application/json")
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			x.w.Header().Set("Retry-After", ra)
		}
		x.w.WriteHeader(resp.StatusCode)
		_, _ = x.w.Write(data)
		return outcome{done: true}
	}
	writeError(x.w, x.ep.format, ue)
	return outcome{done: true}
}

// send is what Client.Do does for the relay, without the parts a relay
// never uses: channel clients follow no redirects, keep no cookies and set
// no client timeout (attempt has its own), and Do would still copy the
// request's headers for a redirect on every call. Errors are the
// transport's own (Do wraps them in a *url.Error).
func send(c *http.Client, req *http.Request) (*http.Response, error) {
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return rt.RoundTrip(req)
}

// readBody reads a whole upstream answer, sized by its Content-Length when
// it has one, so the buffer is allocated once instead of grown.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	var b bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= limit {
		b.Grow(int(n) + bytes.MinRead) // room for the final read that sees EOF
	}
	return readInto(&b, resp.Body, limit)
}

// readLimited reads r to the end, failing past limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	var b bytes.Buffer
	return readInto(&b, r, limit)
}

func readInto(b *bytes.Buffer, r io.Reader, limit int64) ([]byte, error) {
	n, err := b.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("answer larger than %d bytes", limit)
	}
	return b.Bytes(), nil
}

func (x *exchange) logger() *zap.Logger { return x.e.Logger }

// setHeaders sets the upstream request headers: content negotiation, the
// client headers a same-format call forwards, the channel's own headers,
// and the channel's authentication.
func (x *exchange) setHeaders(h http.Header, ch *routing.Channel, key string, stream bool) {
	// Shared, never modified value slices: no allocation per request.
	h["Content-Type"] = hdrJSON
	if stream {
		h["Accept"] = hdrEventStream
	} else {
		h["Accept"] = hdrJSON
	}
	if x.passthrough(ch) {
		for _, name := range forwardedHeaders {
			if v := x.r.Header.Get(name); v != "" {
				h.Set(name, v)
			}
		}
	}
	for k, v := range ch.Headers {
		h[k] = v
	}
	ch.Type.SetAuth(h, key)
}
