package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octopuscaddy/octopus/internal/sse"
)

// Golden tests: fixtures in testdata/anthropic are decoded and re-encoded
// and compared semantically with <name>.want.<ext> when it exists, or with
// the fixture itself (a normalized fixture must survive unchanged).

func anGoldenFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "anthropic", pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.Contains(filepath.Base(f), ".want.") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures match %s", pattern)
	}
	return out
}

// anWant returns the expected output for fixture f.
func anWant(t *testing.T, f string) []byte {
	t.Helper()
	ext := filepath.Ext(f)
	if b, err := os.ReadFile(strings.TrimSuffix(f, ext) + ".want" + ext); err == nil {
		return b
	}
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// anJSONEqual compares two JSON texts ignoring key order and whitespace.
func anJSONEqual(t *testing.T, label string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: output is not JSON: %v\n%s", label, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: expected value is not JSON: %v", label, err)
	}
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Errorf("%s mismatch\n got: %s\nwant: %s", label, gi, wi)
	}
}

func TestAnthropicGoldenRequests(t *testing.T) {
	c := Get(Anthropic)
	for _, f := range anGoldenFiles(t, "request_*.json") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			req, err := c.DecodeRequest(body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			out, err := c.EncodeRequest(req, EncodeOptions{Model: req.Model, Stream: req.Stream})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			anJSONEqual(t, "request", out, anWant(t, f))
		})
	}
}

func TestAnthropicGoldenResponses(t *testing.T) {
	c := Get(Anthropic)
	for _, f := range anGoldenFiles(t, "response_*.json") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.DecodeResponse(body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			out, err := c.EncodeResponse(resp, &Request{Model: "client-model"})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			anJSONEqual(t, "response", out, anWant(t, f))
		})
	}
}

type anSSEEvent struct{ name, data string }

func anReadSSE(t *testing.T, b []byte) []anSSEEvent {
	t.Helper()
	r := sse.NewReader(bytes.NewReader(b))
	var out []anSSEEvent
	for {
		ev, data, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, anSSEEvent{string(ev), string(data)})
	}
}

// anTranscode runs an Anthropic upstream stream through the decoder and
// an Anthropic client encoder, one SSE event at a time as the relay does.
func anTranscode(t testing.TB, in []byte, req *Request) []byte {
	c := Get(Anthropic)
	dec := c.NewStreamDecoder()
	var out bytes.Buffer
	enc := c.NewStreamEncoder(&out, req)
	r := sse.NewReader(bytes.NewReader(in))
	var evs []Event
	for {
		name, data, err := r.Next()
		if err != nil {
			break
		}
		var done bool
		evs, done, err = dec.Feed(evs[:0], name, data)
		if err != nil {
			t.Fatalf("feed: %v", err)
		}
		for i := range evs {
			if err := enc.Encode(&evs[i]); err != nil {
				t.Fatalf("encode: %v", err)
			}
		}
		if done {
			break
		}
	}
	for _, ev := range dec.Close(nil) {
		if err := enc.Encode(&ev); err != nil {
			t.Fatalf("encode: %v", err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestAnthropicGoldenStreams(t *testing.T) {
	for _, f := range anGoldenFiles(t, "stream_*.sse") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := anReadSSE(t, anTranscode(t, in, &Request{Model: "client-model"}))
			want := anReadSSE(t, anWant(t, f))
			for i := 0; i < max(len(got), len(want)); i++ {
				if i >= len(got) || i >= len(want) {
					t.Fatalf("event count: got %d, want %d (first difference at %d)", len(got), len(want), i)
				}
				if got[i].name != want[i].name {
					t.Fatalf("event %d: name %q, want %q", i, got[i].name, want[i].name)
				}
				anJSONEqual(t, "event "+got[i].name, []byte(got[i].data), []byte(want[i].data))
			}
		})
	}
}
