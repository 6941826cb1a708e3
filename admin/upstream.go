package admin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/routing"
)

// maxUpstreamAnswer bounds one upstream answer read by the API (a model
// list page or a test reply).
const maxUpstreamAnswer = 8 << 20

// TokenSource turns an OAuth channel key into an access token and project
// (*antigravity.Tokens).
type TokenSource interface {
	Token(ctx context.Context, ch *routing.Channel, key string, force bool) (token, project string, err error)
}

// upstream is a channel ready for a direct call from the API: the model
// list and the channel test. It uses the channel's first key.
type upstream struct {
	ch     *routing.Channel
	key    string
	tokens *antigravity.Tokens
	// close releases what an ad-hoc compile created.
	close func()
}

// liveUpstream returns the channel as the relay serves it (its connection
// pool, proxy and the shared Antigravity token cache).
func (h *Handler) liveUpstream(cfg routing.ChannelConfig) (*upstream, error) {
	if snap := h.b.Snapshot(); snap != nil {
		if ch, ok := snap.Channel(cfg.Name); ok && len(ch.Keys) > 0 {
			return &upstream{ch: ch, key: ch.Keys[0], tokens: h.b.Tokens(), close: func() {}}, nil
		}
	}
	return compileUpstream(cfg)
}

// compileUpstream compiles a channel that is not (or not yet) served, on
// a throwaway runtime and token cache so the live state stays untouched.
func compileUpstream(cfg routing.ChannelConfig) (*upstream, error) {
	if cfg.Name == "" {
		cfg.Name = "unsaved"
	}
	cfg.Models = nil // no direct groups, hence no breakers
	rt := routing.NewRuntime()
	snap, err := routing.Compile(routing.Config{Channels: []routing.ChannelConfig{cfg}}, rt)
	if err != nil {
		rt.Close()
		return nil, &apiError{Status: http.StatusBadRequest, Message: err.Error()}
	}
	ch, _ := snap.Channel(cfg.Name)
	return &upstream{ch: ch, key: ch.Keys[0], tokens: new(antigravity.Tokens), close: rt.Close}, nil
}

// tokenSource returns the token cache as an interface, nil when there is
// none (a nil pointer in an interface would not compare equal to nil).
func (u *upstream) tokenSource() TokenSource {
	if u.tokens == nil {
		return nil
	}
	return u.tokens
}

// upstreamAnswer is one upstream HTTP exchange.
type upstreamAnswer struct {
	status int
	body   []byte
}

// do sends one request with the channel's headers and authentication.
func (u *upstream) do(ctx context.Context, method, url, token string, body []byte) (*upstreamAnswer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range u.ch.Headers {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	u.ch.Type.SetAuth(req.Header, token)
	resp, err := u.ch.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %v", err)
	}
	if len(data) > maxUpstreamAnswer {
		return nil, fmt.Errorf("the answer is larger than %d bytes", maxUpstreamAnswer)
	}
	return &upstreamAnswer{status: resp.StatusCode, body: data}, nil
}

// errorMessage extracts the message of an upstream error answer: every
// supported API puts it at error.message; otherwise the body's start.
func errorMessage(body []byte) string {
	r := gjson.ParseBytes(body)
	for _, p := range []string{"error.message", "error", "message"} {
		if v := r.Get(p); v.Type == gjson.String && v.Str != "" {
			return v.Str
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// upstreamFailure is a 502 about a failed upstream call.
func upstreamFailure(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadGateway, Message: fmt.Sprintf(format, args...)}
}
