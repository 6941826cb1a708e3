package integration

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/openai/openai-go/v3"
	oaoption "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"google.golang.org/genai"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
)

// clientKey is the gateway key most tests call with.
const clientKey = "sk-client-team-1"

// testTimeout bounds every single client call: generous, because the race
// detector on two cores is slow, and only there to turn a hang into a
// failure rather than to measure anything.
const testTimeout = 20 * time.Second

// gatewayCaddyfile wraps octopus global-option lines into a complete test
// Caddyfile: one site on {PORT} serving the relay.
func gatewayCaddyfile(octopus string) string { return gatewayCaddyfileWith(octopus) }

// gatewayCaddyfileWith is gatewayCaddyfile with extra site directives
// (such as "metrics /metrics") before octopus.
func gatewayCaddyfileWith(octopus string, site ...string) string {
	// Formatted like `caddy fmt`, so the adapter has no warning to log.
	return string(caddyfile.Format([]byte(`{
	{GLOBALS}
	octopus {
		database sqlite {DB}
		price_sync off
` + octopus + `
	}
}
http://127.0.0.1:{PORT} {
	` + strings.Join(site, "\n\t") + `
	octopus
}
`)))
}

// startGateway runs Caddy with the given octopus lines; it stops when the
// test ends, before the fake (which was created first) closes.
func startGateway(t *testing.T, octopus string) *testcaddy.Instance {
	t.Helper()
	return testcaddy.Start(t, gatewayCaddyfile(octopus))
}

// baseURL is the base_url a channel of type typ uses to reach the fake.
func baseURL(fake *fakeprovider.Server, typ string) string {
	if typ == "gemini" {
		return fake.URL() + "/v1beta"
	}
	return fake.URL() + "/v1"
}

// channel renders a channel block. extra lines (e.g. "timeout 300ms") go
// inside the block.
func channel(name, typ, base, key, models string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\t\tchannel %s {\n\t\t\ttype %s\n\t\t\tbase_url %s\n\t\t\tkey %s\n\t\t\tmodels %s\n", name, typ, base, key, models)
	for _, l := range extra {
		fmt.Fprintf(&b, "\t\t\t%s\n", l)
	}
	b.WriteString("\t\t}\n")
	return b.String()
}

// group renders a group block; members are lines such as "channel a gpt-4o
// priority 1".
func group(name, mode string, members ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\t\tgroup %s {\n", name)
	if mode != "" {
		fmt.Fprintf(&b, "\t\t\tmode %s\n", mode)
	}
	for _, m := range members {
		fmt.Fprintf(&b, "\t\t\t%s\n", m)
	}
	b.WriteString("\t\t}\n")
	return b.String()
}

// apiKey renders the default client key line.
func apiKey() string { return "\t\tapi_key team " + clientKey + "\n" }

// ctxT returns a context bounded by testTimeout and cancelled with the test.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// httpClient is a plain client for raw requests, with its own connection
// pool so tests do not share idle connections with each other.
func httpClient() *http.Client {
	return &http.Client{Timeout: testTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func openaiClient(in *testcaddy.Instance, key string, opts ...oaoption.RequestOption) openai.Client {
	base := []oaoption.RequestOption{
		oaoption.WithBaseURL(in.BaseURL + "/v1/"),
		oaoption.WithAPIKey(key),
		oaoption.WithMaxRetries(0),
		oaoption.WithHTTPClient(httpClient()),
	}
	return openai.NewClient(append(base, opts...)...)
}

func anthropicClient(in *testcaddy.Instance, key string, opts ...anoption.RequestOption) anthropic.Client {
	base := []anoption.RequestOption{
		anoption.WithBaseURL(in.BaseURL + "/"),
		anoption.WithAPIKey(key),
		anoption.WithMaxRetries(0),
		anoption.WithHTTPClient(httpClient()),
	}
	return anthropic.NewClient(append(base, opts...)...)
}

func genaiClient(t *testing.T, in *testcaddy.Instance, key string) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:      key,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  httpClient(),
		HTTPOptions: genai.HTTPOptions{BaseURL: in.BaseURL + "/"},
	})
	if err != nil {
		t.Fatalf("genai client: %v", err)
	}
	return c
}

// rawResponse is a raw HTTP answer.
type rawResponse struct {
	Status int
	Header http.Header
	Body   string
}

// do sends a raw request to the gateway.
func do(t *testing.T, method, url string, header map[string]string, body string) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// chatBody is a minimal non-streaming Chat Completions body for model.
func chatBody(model string) string {
	return `{"model":"` + model + `","messages":[{"role":"user","content":"ping"}]}`
}

// chat sends chatBody(model) with the default key and fails the test on
// anything but 200.
func chat(t *testing.T, c *http.Client, in *testcaddy.Instance, model string) {
	t.Helper()
	if err := chatErr(c, in, model); err != nil {
		t.Fatal(err)
	}
}

// chatErr is chat for goroutines other than the test's: it reports
// instead of failing.
func chatErr(c *http.Client, in *testcaddy.Instance, model string) error {
	req, err := http.NewRequest(http.MethodPost, in.BaseURL+"/v1/chat/completions", strings.NewReader(chatBody(model)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+clientKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("chat %s: %v", model, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("chat %s: reading the answer: %v", model, err)
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("chat %s: status %d: %s", model, resp.StatusCode, b)
	}
	return nil
}

// hammer sends n chat requests for model from workers goroutines and fails
// the test if any of them fails.
func hammer(t *testing.T, in *testcaddy.Instance, model string, n, workers int) {
	t.Helper()
	c := httpClient()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := chatErr(c, in, model); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// connCounter is a TCP forwarder in front of an upstream that counts the
// connections opened through it, so a test can see how many upstream
// connections the gateway made.
type connCounter struct {
	ln     net.Listener
	target string
	n      atomic.Int64
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func newConnCounter(t *testing.T, target string) *connCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &connCounter{ln: ln, target: target}
	go c.serve()
	t.Cleanup(c.close)
	return c
}

// URL is the forwarder's http:// address.
func (c *connCounter) URL() string { return "http://" + c.ln.Addr().String() }

// Count is the number of connections accepted so far.
func (c *connCounter) Count() int { return int(c.n.Load()) }

func (c *connCounter) serve() {
	for {
		in, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.n.Add(1)
		out, err := net.Dial("tcp", c.target)
		if err != nil {
			in.Close()
			continue
		}
		if !c.track(in, out) {
			return
		}
		go pipe(in, out)
		go pipe(out, in)
	}
}

func (c *connCounter) track(cs ...net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		for _, x := range cs {
			x.Close()
		}
		return false
	}
	c.conns = append(c.conns, cs...)
	return true
}

// pipe copies one direction and closes both ends when it ends, so the
// other direction ends too.
func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (c *connCounter) close() {
	c.ln.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, x := range c.conns {
		x.Close()
	}
}

// cutUpstream is an upstream that answers every request with 200 and
// event-stream headers, then drops the connection before the first event:
// the fake's CutStreamAfter cannot express "after zero events".
type cutUpstream struct {
	hs   *httptest.Server
	hits atomic.Int64
}

func newCutUpstream(t *testing.T) *cutUpstream {
	t.Helper()
	u := &cutUpstream{}
	u.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drop the connection, no event, no terminator
	}))
	t.Cleanup(u.hs.Close)
	return u
}

// clientFormat is a client-side API, driven through its official SDK.
type clientFormat string

const (
	viaChat      clientFormat = "openai_chat"
	viaResponses clientFormat = "openai_responses"
	viaAnthropic clientFormat = "anthropic"
	viaGemini    clientFormat = "gemini"
)

var clientFormats = []clientFormat{viaChat, viaResponses, viaAnthropic, viaGemini}

// outcome is a format-neutral view of one SDK call.
type outcome struct {
	// Status is 200 on success, else the status the SDK's error carries.
	Status int
	// Text is the answer's text.
	Text string
	// Message and Shape come from the SDK's parsed error: its message, and
	// the field that proves the body was read in the format's own error
	// shape (OpenAI error.type, Anthropic error.type, Google error.status).
	Message, Shape string
	// Err is the raw error, for failure messages.
	Err error
}

// ask sends prompt "ping" for model through f's SDK and returns what the
// SDK made of the answer. Errors that the SDK did not raise as an API
// error (connection problems, broken streams) fail the test.
func ask(t *testing.T, in *testcaddy.Instance, f clientFormat, key, model string, stream bool) outcome {
	t.Helper()
	o, err := askErr(ctxT(t), in, f, key, model, stream)
	if err != nil {
		t.Fatalf("%s %s: %v", f, model, err)
	}
	return o
}

// askErr is ask for goroutines other than the test's.
func askErr(ctx context.Context, in *testcaddy.Instance, f clientFormat, key, model string, stream bool) (outcome, error) {
	return askWith(ctx, httpClient(), in, f, key, model, stream)
}

// askWith is askErr with the SDK's HTTP client given.
func askWith(ctx context.Context, hc *http.Client, in *testcaddy.Instance, f clientFormat, key, model string, stream bool) (outcome, error) {
	var o outcome
	var err error
	switch f {
	case viaChat:
		c := openaiClient(in, key, oaoption.WithHTTPClient(hc))
		p := openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("ping")}}
		if stream {
			s := c.Chat.Completions.NewStreaming(ctx, p)
			var acc openai.ChatCompletionAccumulator
			for s.Next() {
				acc.AddChunk(s.Current())
			}
			if err = s.Err(); err == nil && len(acc.Choices) > 0 {
				o.Text = acc.Choices[0].Message.Content
			}
		} else {
			var r *openai.ChatCompletion
			if r, err = c.Chat.Completions.New(ctx, p); err == nil && len(r.Choices) > 0 {
				o.Text = r.Choices[0].Message.Content
			}
		}
		var ae *openai.Error
		if errors.As(err, &ae) {
			o.Status, o.Message, o.Shape, err = ae.StatusCode, ae.Message, ae.Type, nil
		}
	case viaResponses:
		c := openaiClient(in, key, oaoption.WithHTTPClient(hc))
		p := responses.ResponseNewParams{Model: model, Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("ping")}}
		if stream {
			s := c.Responses.NewStreaming(ctx, p)
			for s.Next() {
				if ev := s.Current(); ev.Type == "response.completed" {
					o.Text = ev.AsResponseCompleted().Response.OutputText()
				}
			}
			err = s.Err()
		} else {
			var r *responses.Response
			if r, err = c.Responses.New(ctx, p); err == nil {
				o.Text = r.OutputText()
			}
		}
		var ae *openai.Error
		if errors.As(err, &ae) {
			o.Status, o.Message, o.Shape, err = ae.StatusCode, ae.Message, ae.Type, nil
		}
	case viaAnthropic:
		c := anthropicClient(in, key, anoption.WithHTTPClient(hc))
		p := anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 64, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("ping"))}}
		var m anthropic.Message
		if stream {
			s := c.Messages.NewStreaming(ctx, p)
			for s.Next() {
				if err = m.Accumulate(s.Current()); err != nil {
					break
				}
			}
			if err == nil {
				err = s.Err()
			}
		} else {
			var r *anthropic.Message
			if r, err = c.Messages.New(ctx, p); err == nil {
				m = *r
			}
		}
		for _, b := range m.Content {
			o.Text += b.Text
		}
		var ae *anthropic.Error
		if errors.As(err, &ae) {
			o.Status, o.Message, o.Shape, err = ae.StatusCode, ae.Message, string(ae.Type()), nil
		}
	case viaGemini:
		c, cerr := genai.NewClient(ctx, &genai.ClientConfig{
			APIKey: key, Backend: genai.BackendGeminiAPI, HTTPClient: hc,
			HTTPOptions: genai.HTTPOptions{BaseURL: in.BaseURL + "/"},
		})
		if cerr != nil {
			return o, cerr
		}
		if stream {
			for r, serr := range c.Models.GenerateContentStream(ctx, model, genai.Text("ping"), nil) {
				if serr != nil {
					err = serr
					break
				}
				o.Text += r.Text()
			}
		} else {
			var r *genai.GenerateContentResponse
			if r, err = c.Models.GenerateContent(ctx, model, genai.Text("ping"), nil); err == nil {
				o.Text = r.Text()
			}
		}
		var ae genai.APIError
		if errors.As(err, &ae) {
			o.Status, o.Message, o.Shape, err = ae.Code, ae.Message, ae.Status, nil
			// Without a parsable body the SDK puts the HTTP status line
			// ("502 Bad Gateway") here; the Google shape has a name.
			if strings.IndexAny(o.Shape, "0123456789") == 0 {
				o.Shape = ""
			}
		}
	default:
		return o, fmt.Errorf("unknown client format %q", f)
	}
	if err != nil {
		return o, err
	}
	if o.Status == 0 {
		o.Status = 200
	}
	return o, nil
}

// dropRetrier retries a request whose connection was dropped before any
// response arrived (EOF, reset or broken pipe while sending or waiting
// for headers),
// the way the official SDKs retry connection errors by default, and
// counts the drops. It never retries once a response has begun, so a
// gateway that fails a request, or cuts a stream, is still seen.
type dropRetrier struct {
	base  http.RoundTripper
	drops atomic.Int64
}

func (d *dropRetrier) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			r = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := d.base.RoundTrip(r)
		// A reload closes every idle pooled connection, and each retry may
		// pick another of them, so allow more tries than the pool holds.
		if err == nil || attempt == 24 || req.Context().Err() != nil || !connDropped(err) {
			return resp, err
		}
		if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
			return resp, err // the body cannot be sent again
		}
		d.drops.Add(1)
	}
}

// connDropped reports whether err is a connection closed or reset by the
// server before it answered.
func connDropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		// The transport closed the connection under a request still being
		// written, having read EOF on it: the server dropped it unanswered.
		errors.Is(err, net.ErrClosed) ||
		// net/http's errServerClosedIdle is unexported.
		strings.Contains(err.Error(), "server closed idle connection")
}
