package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/octopuscaddy/octopus/internal/sse"
)

// Fuzz targets for the OpenAI decoders. Each checks that nothing panics,
// that errors are *Error, and that whatever decodes re-encodes to valid
// JSON (requests, responses) or to a well-formed event sequence (streams).

func oaiAddSeeds(f *testing.F, dir, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, pattern))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
}

func oaiFuzzRequest(t *testing.T, c Codec, body []byte) {
	req, err := c.DecodeRequest(body)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 {
			t.Fatalf("DecodeRequest error %v is not a 400 *Error", err)
		}
		return
	}
	for _, target := range []Format{OpenAIChat, OpenAIResponses} {
		out, err := Get(target).EncodeRequest(req, EncodeOptions{Model: "m", Stream: true})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("EncodeRequest(%s) error %v is not an *Error", target, err)
			}
			continue
		}
		if !json.Valid(out) {
			t.Fatalf("EncodeRequest(%s) wrote invalid JSON: %s", target, out)
		}
	}
}

func oaiFuzzResponse(t *testing.T, c Codec, body []byte) {
	resp, err := c.DecodeResponse(body)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("DecodeResponse error %v is not an *Error", err)
		}
		return
	}
	for _, target := range []Format{OpenAIChat, OpenAIResponses} {
		out, err := Get(target).EncodeResponse(resp, &Request{Model: "m"})
		if err != nil || !json.Valid(out) {
			t.Fatalf("EncodeResponse(%s) = %s, %v", target, out, err)
		}
	}
}

// oaiFuzzStream decodes stream as SSE, checks the canonical event invariants,
// and re-encodes the events in both OpenAI formats.
func oaiFuzzStream(t *testing.T, c Codec, stream []byte) {
	d := c.NewStreamDecoder()
	r := sse.NewReader(bytes.NewReader(stream))
	var evs []Event
	for {
		name, data, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, sse.ErrEventTooLarge) {
				t.Fatalf("sse: %v", err)
			}
			break
		}
		var done bool
		evs, done, err = d.Feed(evs, name, data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Feed error %v is not an *Error", err)
			}
			continue // the relay would stop here; carry on to stress Close
		}
		if done {
			break
		}
	}
	evs = d.Close(evs)
	oaiCheckEvents(t, evs)
	var a Accumulator
	for i := range evs {
		a.Add(&evs[i])
	}
	a.Response()
	for _, target := range []Format{OpenAIChat, OpenAIResponses} {
		var buf bytes.Buffer
		enc := Get(target).NewStreamEncoder(&buf, &Request{Model: "m", IncludeUsage: true})
		for i := range evs {
			if err := enc.Encode(&evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		out := sse.NewReader(&buf)
		for {
			_, data, err := out.Next()
			if err != nil {
				break
			}
			if !json.Valid(data) && string(data) != "[DONE]" {
				t.Fatalf("%s encoder wrote invalid data: %s", target, data)
			}
		}
	}
}

// oaiCheckEvents enforces the StreamDecoder contract: EventStart
// first, exactly one EventFinish, last; tool indexes dense and in order of
// first appearance; arguments and ends only for started calls.
func oaiCheckEvents(t *testing.T, evs []Event) {
	t.Helper()
	if len(evs) < 2 || evs[0].Type != EventStart || evs[len(evs)-1].Type != EventFinish {
		t.Fatalf("stream must start with EventStart and end with EventFinish: %+v", evs)
	}
	started := 0
	for i, ev := range evs {
		if ev.Type == EventStart && i > 0 {
			t.Fatalf("second EventStart at %d", i)
		}
		if ev.Type == EventFinish && i != len(evs)-1 {
			t.Fatalf("EventFinish at %d of %d", i, len(evs))
		}
		switch ev.Type {
		case EventToolCallStart:
			if ev.ToolIndex != started {
				t.Fatalf("tool index %d, want %d", ev.ToolIndex, started)
			}
			started++
		case EventToolCallArgs, EventToolCallEnd:
			if ev.ToolIndex < 0 || ev.ToolIndex >= started {
				t.Fatalf("event for unknown tool %d", ev.ToolIndex)
			}
		case EventError:
			if ev.Error == nil {
				t.Fatal("EventError without Error")
			}
		}
	}
}

func FuzzOpenAIChatDecodeRequest(f *testing.F) {
	oaiAddSeeds(f, "openai_chat", "request_*.json")
	f.Add([]byte(`{"model":"m","messages":[{"role":"tool","tool_call_id":"x","content":[{"type":"image_url","image_url":"data:;base64,"}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { oaiFuzzRequest(t, Get(OpenAIChat), body) })
}

func FuzzOpenAIChatDecodeResponse(f *testing.F) {
	oaiAddSeeds(f, "openai_chat", "response_*.json")
	f.Fuzz(func(t *testing.T, body []byte) { oaiFuzzResponse(t, Get(OpenAIChat), body) })
}

func FuzzOpenAIChatStreamDecoder(f *testing.F) {
	oaiAddSeeds(f, "openai_chat", "stream_*.sse")
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"x\"}}]}}]}\n\n"))
	f.Fuzz(func(t *testing.T, stream []byte) { oaiFuzzStream(t, Get(OpenAIChat), stream) })
}
