package fakeprovider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// maxBody bounds request bodies (Anthropic's Messages limit is 32 MB).
const maxBody = 64 << 20

// exchange is one request being answered.
type exchange struct {
	s         *Server
	w         *statusWriter
	r         *http.Request
	f         Format
	rec       *Request
	body      []byte
	fault     Fault
	faulted   bool
	delay     time.Duration // between stream events
	events    int
	geArray   bool // Gemini stream without alt=sse: a JSON array
	requestID string
	// anVersion is the anthropic-version header of Anthropic requests.
	anVersion string
}

// statusWriter remembers the status so the request log can show it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// handle runs the steps every route shares: record, fault injection,
// authentication, then the format's handler h.
func (s *Server) handle(rw http.ResponseWriter, r *http.Request, f Format, method string, h func(*exchange)) {
	w := &statusWriter{ResponseWriter: rw}
	x := &exchange{s: s, w: w, r: r, f: f, requestID: fmt.Sprintf("req_fake%06d", s.seq.Add(1))}
	x.geArray = (f == Gemini || f == Antigravity) && strings.HasSuffix(r.URL.Path, ":streamGenerateContent") && r.URL.Query().Get("alt") != "sse"
	body, readErr := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxBody))
	x.body = body
	x.rec = &Request{
		Time:   time.Now(),
		Format: f,
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   body,
	}
	s.record(x.rec)
	defer func() {
		s.update(x.rec, func(q *Request) { q.Status = w.status })
	}()

	var tooBig *http.MaxBytesError
	if errors.As(readErr, &tooBig) {
		x.fail(&apiError{status: http.StatusRequestEntityTooLarge, msg: "Request exceeds the maximum allowed number of bytes."})
		return
	}
	if h == nil {
		x.fail(&apiError{status: http.StatusNotFound, msg: notFoundMessage(f, r), code: "unknown_url"})
		return
	}
	if r.Method != method {
		x.fail(&apiError{status: http.StatusMethodNotAllowed, msg: fmt.Sprintf("Method %s is not allowed on %s.", r.Method, r.URL.Path)})
		return
	}

	key, token := x.credential()
	model := x.modelName()
	stream := x.wantsStream()
	s.update(x.rec, func(q *Request) { q.Key, q.AccessToken, q.Model, q.Stream = key, token, model, stream })

	s.mu.Lock()
	x.delay = s.eventDelay
	s.mu.Unlock()
	if ft, release, ok := s.takeFault(key, model, r.URL.Path); ok {
		x.fault, x.faulted = ft, true
		s.update(x.rec, func(q *Request) { q.Faulted = true })
		if ft.EventDelay > 0 {
			x.delay = ft.EventDelay
		}
		if ft.HangBeforeHeaders {
			select {
			case <-r.Context().Done():
				x.markCancelled()
				return
			case <-release:
			}
		}
		if !x.sleep(ft.Delay) {
			return
		}
		if ft.Status != 0 {
			if ft.RetryAfter != "" {
				w.Header().Set("Retry-After", ft.RetryAfter)
			}
			if ft.Body != "" {
				x.writeBody(ft.Status, "application/json", []byte(ft.Body))
				return
			}
			x.fail(&apiError{status: ft.Status, msg: faultMessage(f, ft.Status), code: faultCode(f, ft.Status)})
			return
		}
		if ft.Garbage {
			x.writeGarbage(stream)
			return
		}
	}

	if e := x.authenticate(key, token); e != nil {
		x.fail(e)
		return
	}
	h(x)
}

func faultCode(f Format, status int) string {
	if (f == OpenAIChat || f == OpenAIResponses) && status == http.StatusTooManyRequests {
		return "rate_limit_exceeded"
	}
	return ""
}

func notFoundMessage(f Format, r *http.Request) string {
	switch f {
	case Gemini, Antigravity:
		return fmt.Sprintf("The requested URL %s was not found on this server.", r.URL.Path)
	}
	return fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)
}

// modelName finds the model for logs and model faults without validating.
func (x *exchange) modelName() string {
	if x.f == Gemini {
		p := x.r.URL.Path
		if i := strings.Index(p, "/models/"); i >= 0 {
			m := p[i+len("/models/"):]
			if j := strings.IndexByte(m, ':'); j >= 0 {
				m = m[:j]
			}
			return m
		}
		return ""
	}
	if x.f == OAuth || len(x.body) == 0 || !gjson.ValidBytes(x.body) {
		return ""
	}
	return gjson.GetBytes(x.body, "model").String()
}

// wantsStream tells from the request alone whether the answer is a stream.
func (x *exchange) wantsStream() bool {
	p := x.r.URL.Path
	if strings.HasSuffix(p, ":streamGenerateContent") {
		return true
	}
	if x.f == OpenAIChat || x.f == OpenAIResponses || x.f == Anthropic {
		return gjson.GetBytes(x.body, "stream").Bool()
	}
	return false
}

func (x *exchange) markCancelled() {
	x.s.update(x.rec, func(q *Request) { q.Cancelled = true })
}

// sleep waits d unless the client goes away first; it reports whether the
// client is still there.
func (x *exchange) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.r.Context().Done():
		x.markCancelled()
		return false
	}
}

// writeBody writes a complete answer, honouring CutStreamAfter by sending
// only the first half of the body before dropping the connection.
func (x *exchange) writeBody(status int, contentType string, body []byte) {
	h := x.w.Header()
	h.Set("Content-Type", contentType)
	x.setRequestIDHeader()
	if x.fault.CutStreamAfter > 0 {
		x.w.WriteHeader(status)
		_, _ = x.w.Write(body[:len(body)/2])
		x.w.Flush()
		panic(http.ErrAbortHandler)
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	x.w.WriteHeader(status)
	_, _ = x.w.Write(body)
}

func (x *exchange) setRequestIDHeader() {
	h := x.w.Header()
	switch x.f {
	case Anthropic:
		h.Set("request-id", x.requestID)
	case OpenAIChat, OpenAIResponses:
		h.Set("x-request-id", x.requestID)
	}
}

func (x *exchange) writeJSON(v any) {
	x.writeBody(http.StatusOK, "application/json", layoutBody(x.f, marshal(v)))
}

const garbage = "<html><body><h1>502 Bad Gateway</h1>upstream sent garbage</body></html>"

func (x *exchange) writeGarbage(stream bool) {
	if stream {
		x.w.Header().Set("Content-Type", "text/event-stream")
		x.w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(x.w, "data: "+garbage+"\n\n")
		return
	}
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(x.w, garbage)
}

// marshal encodes v compactly without HTML escaping, as the real APIs do.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own typed values are encoded here; a failure is a bug in
		// the fake, reported in the body so the test sees it.
		return []byte(fmt.Sprintf(`{"fakeprovider_error":%q}`, err.Error()))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// credential returns the key used for faults and logs and, for
// Antigravity, the bearer token.
func (x *exchange) credential() (key, token string) {
	switch x.f {
	case OpenAIChat, OpenAIResponses:
		return bearer(x.r), ""
	case Anthropic:
		if k := x.r.Header.Get("x-api-key"); k != "" {
			return k, ""
		}
		return bearer(x.r), ""
	case Gemini:
		if k := x.r.Header.Get("x-goog-api-key"); k != "" {
			return k, ""
		}
		return x.r.URL.Query().Get("key"), ""
	case Antigravity:
		tok := bearer(x.r)
		return x.s.tokenOwner(tok), tok
	case OAuth:
		form, _ := url.ParseQuery(string(x.body))
		return form.Get("refresh_token"), ""
	}
	return "", ""
}

// authenticate checks the credential the way each API does, with its own
// error status and message.
func (x *exchange) authenticate(key, token string) *apiError {
	switch x.f {
	case OpenAIChat, OpenAIResponses:
		if key == "" {
			return &apiError{status: 401, msg: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys."}
		}
		if !x.s.keyValid(key) {
			return &apiError{status: 401, msg: fmt.Sprintf("Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.", maskKey(key)), code: "invalid_api_key"}
		}
	case Anthropic:
		if key == "" {
			return &apiError{status: 401, msg: "x-api-key header is required"}
		}
		if !x.s.keyValid(key) {
			return &apiError{status: 401, msg: "invalid x-api-key"}
		}
		v := x.r.Header.Get("anthropic-version")
		switch v {
		case "":
			return badRequest("anthropic-version: header is required")
		case "2023-06-01", "2026-10-21":
			x.anVersion = v
		default:
			return badRequest("anthropic-version: invalid version %q", v)
		}
	case Gemini:
		if key == "" {
			return &apiError{status: 403, msg: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."}
		}
		if !x.s.keyValid(key) {
			// Google answers a bad key with 400, not 401.
			return &apiError{status: 400, msg: "API key not valid. Please pass a valid API key.", reason: "API_KEY_INVALID"}
		}
	case Antigravity:
		if !x.s.tokenValid(token) {
			return &apiError{status: 401, msg: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."}
		}
	}
	return nil
}

// maskKey hides the middle of a key the way OpenAI's 401 message does.
func maskKey(k string) string {
	if len(k) <= 8 {
		return k
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}
