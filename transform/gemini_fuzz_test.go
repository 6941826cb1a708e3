package transform

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// gemFuzzSeeds adds every Gemini/Antigravity fixture with the given suffix.
func gemFuzzSeeds(f *testing.F, suffix string) {
	for _, dir := range []string{"gemini", "antigravity"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"+suffix))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

func FuzzGeminiDecodeRequest(f *testing.F) {
	gemFuzzSeeds(f, ".json")
	f.Add([]byte(`{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f"}}]},{"parts":[{"functionResponse":{"name":"f"}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, src := range []Format{Gemini, Antigravity} {
			req, err := Get(src).DecodeRequest(body)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error is %T, want *Error", err)
				}
				continue
			}
			for _, tgt := range []struct {
				f     Format
				model string
			}{{Gemini, "gemini-3-pro-preview"}, {Antigravity, "claude-sonnet-4-5"}, {Antigravity, "gemini-2.5-flash"}} {
				out, err := Get(tgt.f).EncodeRequest(req, EncodeOptions{Model: tgt.model})
				if err != nil {
					if _, ok := err.(*Error); !ok {
						t.Fatalf("encode error is %T", err)
					}
					continue
				}
				if !json.Valid(out) {
					t.Fatalf("%s encoder wrote invalid JSON: %s", tgt.f, out)
				}
			}
		}
	})
}

func FuzzGeminiDecodeResponse(f *testing.F) {
	gemFuzzSeeds(f, ".json")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, up := range []Format{Gemini, Antigravity} {
			resp, err := Get(up).DecodeResponse(body)
			if err != nil {
				continue
			}
			for _, client := range []Format{Gemini, Antigravity} {
				out, err := Get(client).EncodeResponse(resp, &Request{})
				if err != nil || !json.Valid(out) {
					t.Fatalf("encode: %v %s", err, out)
				}
			}
		}
	})
}

// FuzzGeminiStreamDecoder feeds each line as one chunk and checks the
// event contract: start first, one finish last, dense tool ordinals, and a
// client stream that stays valid.
func FuzzGeminiStreamDecoder(f *testing.F) {
	gemFuzzSeeds(f, ".sse")
	f.Fuzz(func(t *testing.T, stream []byte) {
		for _, up := range []Format{Gemini, Antigravity} {
			d := Get(up).NewStreamDecoder()
			var evs []Event
			for _, line := range bytes.Split(stream, []byte("\n")) {
				line = bytes.TrimPrefix(line, []byte("data: "))
				var err error
				var done bool
				evs, done, err = d.Feed(evs, nil, line)
				if err != nil || done {
					break
				}
			}
			evs = d.Close(evs)
			if len(evs) < 2 || evs[0].Type != EventStart || evs[len(evs)-1].Type != EventFinish {
				t.Fatalf("bad event sequence: %s", gemEventString(evs))
			}
			next := 0
			for i, ev := range evs {
				if ev.Type == EventFinish && i != len(evs)-1 {
					t.Fatalf("finish before the end: %s", gemEventString(evs))
				}
				if ev.Type == EventToolCallStart {
					if ev.ToolIndex != next {
						t.Fatalf("tool index %d, want %d", ev.ToolIndex, next)
					}
					next++
				}
			}
			var buf bytes.Buffer
			enc := Get(Gemini).NewStreamEncoder(&buf, &Request{StreamArray: true})
			for i := range evs {
				if err := enc.Encode(&evs[i]); err != nil {
					t.Fatal(err)
				}
			}
			enc.Close()
			if !json.Valid(buf.Bytes()) {
				t.Fatalf("array stream is not valid JSON: %s", buf.Bytes())
			}
		}
	})
}

func FuzzCleanSchema(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"anyOf":[{"type":"string"},{"type":"null"}]}}}`))
	f.Add([]byte(`{"allOf":[{"properties":{"x":{"const":1}}}],"oneOf":[{"type":"integer"},{"type":"string"}]}`))
	f.Add([]byte(`{"type":"OBJECT","properties":{"a":{"type":"STRING","nullable":true}}}`))
	f.Fuzz(func(t *testing.T, schema []byte) {
		if !json.Valid(schema) {
			return
		}
		for _, target := range []SchemaTarget{SchemaGemini, SchemaAntigravity, SchemaAntigravityClaude, SchemaAntigravityResponse} {
			if out := CleanSchema(schema, target); !json.Valid(out) {
				t.Fatalf("target %d: invalid output %s", target, out)
			}
		}
		if out := SchemaFromOpenAPI(schema); !json.Valid(out) {
			t.Fatalf("SchemaFromOpenAPI: invalid output %s", out)
		}
	})
}
