package fakeprovider

import (
	"strings"
	"time"
)

// Fault describes how to fail requests. Zero fields do nothing, so a Fault
// with only Delay set answers normally, just late.
type Fault struct {
	// Status, when non-zero, answers with this HTTP status and the format's
	// error body for it (e.g. 429, 500, 503, 529).
	Status int
	// RetryAfter is sent as the Retry-After header with Status. For Google
	// formats a RetryInfo detail with the same delay is added to the body.
	RetryAfter string
	// Body replaces the error body sent with Status.
	Body string
	// Times is how many requests the fault applies to; 0 means all.
	Times int
	// Only restricts the fault to requests whose path contains it (e.g.
	// ":streamGenerateContent" or "/token").
	Only string
	// HangBeforeHeaders blocks the request before anything is written,
	// until the client goes away, Release is called or the server closes.
	// After a Release the request goes on (with Status etc. if set).
	HangBeforeHeaders bool
	// Delay waits before answering.
	Delay time.Duration
	// EventDelay waits between stream events (overrides SetEventDelay).
	EventDelay time.Duration
	// CutStreamAfter closes the connection abruptly after this many stream
	// events (for non-stream answers: after the first half of the body),
	// without the format's terminator.
	CutStreamAfter int
	// StreamErrorAfter sends the format's in-stream error after this many
	// stream events and ends the stream there: Chat a data line with an
	// "error" object, Responses an "error" event, Anthropic an "error" event
	// (overloaded_error), Gemini/Antigravity a data line with a Google error.
	StreamErrorAfter int
	// Garbage answers 200 with a body that is not JSON (or, on streams, a
	// data line that is not JSON).
	Garbage bool
}

type faultState struct {
	f    Fault
	used int
}

// Fail injects f into requests made with key (an API key, a refresh token
// for Antigravity channels and the token endpoint, or an access token added
// with AddAccessToken). A later Fail for the same key replaces it.
func (s *Server) Fail(key string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[key] = &faultState{f: f}
}

// FailModel injects f into requests for model, whatever the key.
func (s *Server) FailModel(model string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modelFault[model] = &faultState{f: f}
}

// Clear removes the fault for key (and a model fault of that name).
func (s *Server) Clear(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, key)
	delete(s.modelFault, key)
}

// Release lets every request held by HangBeforeHeaders go on.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.release)
	s.release = make(chan struct{})
}

// takeFault returns the fault that applies to a request and consumes one of
// its Times; the key's fault wins over the model's.
func (s *Server) takeFault(key, model, path string) (Fault, chan struct{}, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cands []*faultState
	if fs := s.faults[key]; key != "" && fs != nil {
		cands = append(cands, fs)
	}
	if fs := s.modelFault[model]; model != "" && fs != nil {
		cands = append(cands, fs)
	}
	for _, fs := range cands {
		if fs.f.Only != "" && !strings.Contains(path, fs.f.Only) {
			continue
		}
		if fs.f.Times > 0 && fs.used >= fs.f.Times {
			continue
		}
		fs.used++
		return fs.f, s.release, true
	}
	return Fault{}, s.release, false
}
