package transform

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/octopuscaddy/octopus/internal/sse"
)

func anAddSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "anthropic", pattern))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
}

// FuzzAnthropicDecodeRequest: any body either fails with a 400 or decodes
// into a request that encodes (for both API versions) into valid JSON.
func FuzzAnthropicDecodeRequest(f *testing.F) {
	anAddSeeds(f, "request_*.json")
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a.b","name":"f","input":"x"}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"zz"}]}]}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"system","content":"s"}],"thinking":{"type":"enabled","budget_tokens":-5},"max_tokens":-1}`))
	c := Get(Anthropic)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := c.DecodeRequest(body)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Status != 400 {
				t.Fatalf("decode error must be a 400 *Error: %v", err)
			}
			return
		}
		for _, v := range []string{"", AnthropicVersion20261021} {
			out, err := c.EncodeRequest(req, EncodeOptions{Model: "claude-opus-4-6", AnthropicVersion: v, Stream: true})
			if err != nil {
				if e, ok := err.(*Error); !ok || e.Status != 400 {
					t.Fatalf("encode error must be a 400 *Error: %v", err)
				}
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON body: %s", out)
			}
		}
	})
}

// FuzzAnthropicDecodeResponse: any upstream body decodes or fails cleanly,
// and a decoded answer encodes into valid JSON.
func FuzzAnthropicDecodeResponse(f *testing.F) {
	anAddSeeds(f, "response_*.json")
	c := Get(Anthropic)
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := c.DecodeResponse(body)
		if err != nil {
			return
		}
		out, err := c.EncodeResponse(resp, &Request{Model: "m"})
		if err != nil || !json.Valid(out) {
			t.Fatalf("encode: %v %s", err, out)
		}
	})
}

// FuzzAnthropicStream: any upstream stream yields EventStart first and
// exactly one EventFinish last, and re-encoding it for an Anthropic client
// gives well-formed events ending with message_stop or error.
func FuzzAnthropicStream(f *testing.F) {
	anAddSeeds(f, "stream_*.sse")
	f.Add([]byte("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":99999999999,\"content_block\":{\"type\":\"tool_use\"}}\n\n"))
	c := Get(Anthropic)
	f.Fuzz(func(t *testing.T, stream []byte) {
		dec := c.NewStreamDecoder()
		var out bytes.Buffer
		enc := c.NewStreamEncoder(&out, &Request{Model: "m"})
		r := sse.NewReader(bytes.NewReader(stream))
		var all []Event
		var evs []Event
		for {
			name, data, err := r.Next()
			if err != nil {
				break
			}
			var done bool
			evs, done, err = dec.Feed(evs[:0], name, data)
			if err != nil {
				break
			}
			all = append(all, evs...)
			if done {
				break
			}
		}
		all = dec.Close(all)
		if len(all) == 0 || all[0].Type != EventStart || all[len(all)-1].Type != EventFinish {
			t.Fatalf("bad event sequence %+v", all)
		}
		for i := range all[:len(all)-1] {
			if all[i].Type == EventFinish {
				t.Fatalf("EventFinish before the end")
			}
		}
		for i := range all {
			if err := enc.Encode(&all[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		rd := sse.NewReader(&out)
		last := ""
		for {
			name, data, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil || !json.Valid(data) {
				t.Fatalf("bad output event %s %s: %v", name, data, err)
			}
			last = string(name)
		}
		if last != "message_stop" && last != "error" {
			t.Fatalf("stream ends with %q", last)
		}
	})
}
