package fakeprovider

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a fake LLM upstream speaking all five wire formats on one
// loopback port. All methods are safe for concurrent use.
type Server struct {
	hs *httptest.Server

	// seq numbers responses so ids are unique within one server.
	seq atomic.Int64

	// inflight counts running handlers. It is a plain counter rather than a
	// WaitGroup because Wait may run while new requests arrive.
	inflight atomic.Int64

	mu         sync.Mutex
	keys       map[string]bool
	revoked    map[string]bool
	strictKeys bool
	faults     map[string]*faultState // by API key (or refresh token)
	modelFault map[string]*faultState // by model name
	release    chan struct{}
	records    []*Request
	eventDelay time.Duration
	models     map[Format][]string
	project    string
	oauth      oauthState
}

// New starts a server on 127.0.0.1 for the test and closes it when the
// test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := newServer()
	s.hs = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// Start starts a server outside of a test. Call Close when done.
func Start() (*Server, error) {
	s := newServer()
	s.hs = httptest.NewServer(s)
	return s, nil
}

func newServer() *Server {
	return &Server{
		keys:       map[string]bool{},
		revoked:    map[string]bool{},
		faults:     map[string]*faultState{},
		modelFault: map[string]*faultState{},
		release:    make(chan struct{}),
		models:     defaultModels(),
		project:    DefaultProject,
		oauth:      newOAuthState(),
	}
}

// URL is the server's base URL, e.g. "http://127.0.0.1:41234". Channels use
// URL()+"/v1" (OpenAI, Anthropic), URL()+"/v1beta" (Gemini), URL()
// (Antigravity) and URL()+"/token" (OAuth token endpoint).
func (s *Server) URL() string { return s.hs.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// Close releases hung requests and shuts the server down.
func (s *Server) Close() {
	s.Release()
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// AddKey accepts k as an API key (for every format but Antigravity, which
// takes OAuth access tokens).
func (s *Server) AddKey(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k] = true
	delete(s.revoked, k)
}

// RevokeKey makes k unknown: requests with it get the format's 401 (Gemini:
// 400 API_KEY_INVALID, as the real API answers).
func (s *Server) RevokeKey(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, k)
	s.revoked[k] = true
}

// RequireKeys turns off the default acceptance of keys by prefix, so only
// keys added with AddKey are accepted.
func (s *Server) RequireKeys() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.strictKeys = true
}

// defaultKeyPrefixes are accepted without AddKey unless RequireKeys was
// called: the shapes of OpenAI, Anthropic and Google keys, and "fake-".
var defaultKeyPrefixes = []string{"sk-", "fake-", "AIza"}

func (s *Server) keyValid(k string) bool {
	if k == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revoked[k] {
		return false
	}
	if s.keys[k] {
		return true
	}
	if s.strictKeys {
		return false
	}
	for _, p := range defaultKeyPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// SetEventDelay makes every stream wait d between events.
func (s *Server) SetEventDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eventDelay = d
}

// SetModels replaces the model list served for f (OpenAI Chat and Responses
// share the OpenAI list; Anthropic, Gemini and Antigravity have their own).
func (s *Server) SetModels(f Format, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == OpenAIResponses {
		f = OpenAIChat
	}
	s.models[f] = append([]string(nil), ids...)
}

func (s *Server) modelList(f Format) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == OpenAIResponses {
		f = OpenAIChat
	}
	return append([]string(nil), s.models[f]...)
}

func defaultModels() map[Format][]string {
	return map[Format][]string{
		OpenAIChat:  {"gpt-4o", "gpt-4o-mini", "gpt-5", "text-embedding-3-small"},
		Anthropic:   {"claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5"},
		Gemini:      {"gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview", "text-embedding-004"},
		Antigravity: {"gemini-2.5-flash", "gemini-3-pro-high", "claude-sonnet-4-5", "claude-sonnet-4-5-thinking"},
	}
}

// SetProject sets the Cloud Code project that loadCodeAssist reports and
// Antigravity requests must name (default DefaultProject).
func (s *Server) SetProject(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.project = p
}

func (s *Server) currentProject() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.project
}

// Wait blocks until no request is being handled, or timeout passes; it
// reports whether the server went idle. Use it before asserting on
// Cancelled, since the server notices a client going away asynchronously.
func (s *Server) Wait(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for s.inflight.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// ServeHTTP routes a request to the format that owns its path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)

	p := r.URL.Path
	switch {
	case p == "/v1/chat/completions":
		s.handle(w, r, OpenAIChat, http.MethodPost, s.serveChat)
	case p == "/v1/embeddings":
		s.handle(w, r, OpenAIChat, http.MethodPost, s.serveEmbeddings)
	case p == "/v1/responses":
		s.handle(w, r, OpenAIResponses, http.MethodPost, s.serveResponses)
	case p == "/v1/messages":
		s.handle(w, r, Anthropic, http.MethodPost, s.serveMessages)
	case p == "/v1/messages/count_tokens":
		s.handle(w, r, Anthropic, http.MethodPost, s.serveCountTokensAnthropic)
	case p == "/v1/models" || strings.HasPrefix(p, "/v1/models/") && !strings.Contains(p, ":"):
		// One path, two shapes: Anthropic clients always send
		// anthropic-version, OpenAI clients never do.
		if r.Header.Get("anthropic-version") != "" {
			s.handle(w, r, Anthropic, http.MethodGet, s.serveModelsAnthropic)
		} else {
			s.handle(w, r, OpenAIChat, http.MethodGet, s.serveModelsOpenAI)
		}
	case p == "/v1beta/models" || strings.HasPrefix(p, "/v1beta/models/") && !strings.Contains(p, ":"):
		s.handle(w, r, Gemini, http.MethodGet, s.serveModelsGemini)
	case strings.HasPrefix(p, "/v1beta/models/") || strings.HasPrefix(p, "/v1/models/"):
		s.handle(w, r, Gemini, http.MethodPost, s.serveGemini)
	case strings.HasPrefix(p, "/v1internal:"):
		s.handle(w, r, Antigravity, http.MethodPost, s.serveAntigravity)
	case p == "/token":
		s.handle(w, r, OAuth, http.MethodPost, s.serveToken)
	default:
		s.handle(w, r, formatForPath(p), "", nil)
	}
}

// formatForPath guesses whose 404 an unknown path should get.
func formatForPath(p string) Format {
	switch {
	case strings.HasPrefix(p, "/v1beta/"):
		return Gemini
	case strings.HasPrefix(p, "/v1internal"):
		return Antigravity
	}
	return OpenAIChat
}
