// Package mock is the fast fake LLM upstream the load benchmark drives: it
// answers OpenAI Chat (`…/chat/completions`) and Anthropic Messages
// (`…/messages`) requests with bodies rendered once at start-up, so the
// upstream costs as little CPU as possible and the measurement is about
// whatever sits in front of it.
package mock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Model is the model name the mock reports in every response.
const Model = "bench-model"

// Config shapes the pre-rendered responses and their timing.
type Config struct {
	// Chunks is the number of text deltas in a streamed response (and of
	// words in a non-streamed one). At least 1.
	Chunks int
	// Latency is slept before the first response byte, to stand in for a
	// provider's time to first token.
	Latency time.Duration
	// ChunkDelay is slept between streamed deltas; zero streams them
	// back-to-back (each still flushed on its own).
	ChunkDelay time.Duration
}

// Server is an http.Handler serving the pre-rendered responses.
type Server struct {
	cfg Config

	chatJSON, msgJSON     []byte
	chatChunks, msgEvents [][]byte
}

// bufPool recycles request-body buffers: bodies are small but arrive at
// thousands per second.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// streamMarker is how the mock recognises a streaming request without
// decoding JSON: clients of the benchmark send compact JSON.
var streamMarker = []byte(`"stream":true`)

// New renders every response body for cfg.
func New(cfg Config) *Server {
	if cfg.Chunks < 1 {
		cfg.Chunks = 1
	}
	s := &Server{cfg: cfg}
	s.render()
	return s
}

// ServeHTTP routes by path suffix, so any base path (`/v1`, none, …) works.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var chat bool
	switch {
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		chat = true
	case strings.HasSuffix(r.URL.Path, "/messages"):
	default:
		http.NotFound(w, r)
		return
	}

	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r.Body, 1<<20))
	stream := bytes.Contains(buf.Bytes(), streamMarker)
	bufPool.Put(buf)
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}

	if !s.sleep(r, s.cfg.Latency) {
		return
	}
	h := w.Header()
	if !stream {
		h.Set("Content-Type", "application/json")
		if chat {
			_, _ = w.Write(s.chatJSON)
		} else {
			_, _ = w.Write(s.msgJSON)
		}
		return
	}
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	events := s.msgEvents
	if chat {
		events = s.chatChunks
	}
	rc := http.NewResponseController(w)
	for i, ev := range events {
		// Pace only the text deltas: the framing events around them come
		// together in real streams too.
		if i > 0 && s.cfg.ChunkDelay > 0 && i < len(events)-1 && !s.sleep(r, s.cfg.ChunkDelay) {
			return
		}
		if _, err := w.Write(ev); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// sleep waits d unless the client goes away first; it reports whether the
// request is still wanted.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// render builds every body once; encoding/json keeps the text escaping
// right without hand-written JSON.
func (s *Server) render() {
	n := s.cfg.Chunks
	words := make([]string, n)
	for i := range words {
		words[i] = "tok "
	}
	text := strings.Join(words, "")
	const created = 1700000000

	s.chatJSON = mustJSON(map[string]any{
		"id": "chatcmpl-bench", "object": "chat.completion", "created": created, "model": Model,
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": text},
		}},
		"usage": map[string]any{"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n},
	})
	s.msgJSON = mustJSON(map[string]any{
		"id": "msg_bench", "type": "message", "role": "assistant", "model": Model,
		"content":     []any{map[string]any{"type": "text", "text": text}},
		"stop_reason": "end_turn", "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 12, "output_tokens": n},
	})

	chunk := func(delta map[string]any, finish any) []byte {
		return sseData(map[string]any{
			"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": created, "model": Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		})
	}
	// Role, n deltas, finish, usage, [DONE]: the shape OpenAI sends with
	// stream_options.include_usage.
	cc := [][]byte{chunk(map[string]any{"role": "assistant", "content": ""}, nil)}
	for range n {
		cc = append(cc, chunk(map[string]any{"content": "tok "}, nil))
	}
	cc = append(cc, chunk(map[string]any{}, "stop"))
	cc = append(cc, sseData(map[string]any{
		"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": created, "model": Model,
		"choices": []any{},
		"usage":   map[string]any{"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n},
	}))
	cc = append(cc, []byte("data: [DONE]\n\n"))
	s.chatChunks = joinFraming(cc, n)

	an := [][]byte{
		sseEvent("message_start", map[string]any{"type": "message_start", "message": map[string]any{
			"id": "msg_bench", "type": "message", "role": "assistant", "model": Model, "content": []any{},
			"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": 12, "output_tokens": 1},
		}}),
		sseEvent("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "text", "text": ""}}),
	}
	for range n {
		an = append(an, sseEvent("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": "tok "}}))
	}
	an = append(an,
		sseEvent("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0}),
		sseEvent("message_delta", map[string]any{"type": "message_delta",
			"delta": map[string]any{"stop_reason": "end_turn", "stop_sequence": nil},
			"usage": map[string]any{"output_tokens": n}}),
		sseEvent("message_stop", map[string]any{"type": "message_stop"}),
	)
	s.msgEvents = joinFraming(an, n)
}

// joinFraming merges the framing events before the first delta and after
// the last one into single writes, leaving n+2 writes: head+delta1,
// delta2…deltaN, tail. That way ChunkDelay paces exactly n deltas, and each
// write is one flush.
func joinFraming(evs [][]byte, n int) [][]byte {
	head := len(evs) - n // framing events before and after the deltas
	var pre int
	for pre = 0; pre < len(evs); pre++ {
		if bytes.Contains(evs[pre], []byte(`"tok `)) {
			break
		}
	}
	post := head - pre
	out := make([][]byte, 0, n+1)
	out = append(out, bytes.Join(evs[:pre+1], nil))
	out = append(out, evs[pre+1:pre+n]...)
	out = append(out, bytes.Join(evs[pre+n:pre+n+post], nil))
	return out
}

func sseData(v any) []byte {
	return append(append([]byte("data: "), mustJSON(v)...), '\n', '\n')
}

func sseEvent(name string, v any) []byte {
	b := append([]byte("event: "+name+"\ndata: "), mustJSON(v)...)
	return append(b, '\n', '\n')
}

// mustJSON encodes values built from maps and strings above; it cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("mock: render: " + err.Error()) // static data: a bug, not input
	}
	return b
}
