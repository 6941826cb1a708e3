package fakeprovider

import (
	"net/http"
	"net/url"
	"time"
)

// Request is one recorded request, as received.
type Request struct {
	Time   time.Time
	Format Format
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Key is the credential the request was made with: the API key, the
	// refresh token for token requests, and for Antigravity the refresh
	// token that minted the access token (or the access token itself when
	// it was added with AddAccessToken).
	Key string
	// AccessToken is the bearer token of Antigravity requests.
	AccessToken string
	// Model is the model named by the body or the Gemini path.
	Model string
	// Stream reports whether the request asked for a stream.
	Stream bool
	// Status is the HTTP status the fake answered with (0 when the
	// connection was cut before headers).
	Status int
	// Faulted reports whether an injected fault shaped the answer.
	Faulted bool
	// Cancelled reports whether the client went away before the answer was
	// complete (detected while hanging, delaying or streaming).
	Cancelled bool
}

// Requests returns copies of all recorded requests, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.records))
	for i, r := range s.records {
		out[i] = *r
	}
	return out
}

// RequestsFor returns the recorded requests made with key.
func (s *Server) RequestsFor(key string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.records {
		if r.Key == key {
			out = append(out, *r)
		}
	}
	return out
}

// Last returns the most recent request, and false when there is none.
func (s *Server) Last() (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) == 0 {
		return Request{}, false
	}
	return *s.records[len(s.records)-1], true
}

// Count returns the number of recorded requests.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// CountFor returns the number of recorded requests made with key.
func (s *Server) CountFor(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.records {
		if r.Key == key {
			n++
		}
	}
	return n
}

// CountModel returns the number of recorded requests for model.
func (s *Server) CountModel(model string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.records {
		if r.Model == model {
			n++
		}
	}
	return n
}

// Cancelled returns the number of requests whose client went away before
// the answer was complete. See Wait.
func (s *Server) Cancelled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.records {
		if r.Cancelled {
			n++
		}
	}
	return n
}

// Reset forgets recorded requests and injected faults. Keys, tokens and
// other configuration stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = nil
	s.faults = map[string]*faultState{}
	s.modelFault = map[string]*faultState{}
}

func (s *Server) record(r *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, r)
}

// update changes a recorded request under the lock, since tests may read
// records while a handler is still running.
func (s *Server) update(r *Request, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(r)
}
