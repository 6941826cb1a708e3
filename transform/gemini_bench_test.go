package transform

import (
	"encoding/json"
	"io"
	"testing"
)

// request_bench.json is a typical ~4.7 KB agent turn: system prompt, seven
// contents with parallel function calls and results, three tools.

func BenchmarkGeminiDecodeRequest(b *testing.B) {
	body := gemFixture(b, "gemini/request_bench.json")
	c := Get(Gemini)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := c.DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeminiEncodeRequest(b *testing.B) {
	req, err := Get(Gemini).DecodeRequest(gemFixture(b, "gemini/request_bench.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		f     Format
		model string
	}{
		{"gemini", Gemini, "gemini-3-pro-preview"},
		{"antigravity_gemini", Antigravity, "gemini-3-flash"},
		{"antigravity_claude", Antigravity, "claude-sonnet-4-5-thinking"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			c := Get(tt.f)
			opts := EncodeOptions{Model: tt.model, Project: "p"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EncodeRequest(req, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGeminiDecodeEncodeRequest is the relay's request path for a
// Gemini client and a Gemini-family upstream (target: < 25 µs).
func BenchmarkGeminiDecodeEncodeRequest(b *testing.B) {
	body := gemFixture(b, "gemini/request_bench.json")
	for _, tt := range []struct {
		name  string
		f     Format
		model string
	}{
		{"to_gemini", Gemini, "gemini-3-pro-preview"},
		{"to_antigravity", Antigravity, "gemini-3-flash"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			opts := EncodeOptions{Model: tt.model, Project: "p"}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req, err := Get(Gemini).DecodeRequest(body)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Get(tt.f).EncodeRequest(req, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGeminiDecodeResponse(b *testing.B) {
	body := gemFixture(b, "gemini/response_text.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Get(Gemini).DecodeResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeminiEncodeResponse(b *testing.B) {
	resp := &Response{
		ID: "r1", Model: "gemini-2.5-pro",
		Content: []Part{
			{Type: PartThinking, Text: "The user wants the weather; I should call the tool for both cities."},
			{Type: PartText, Text: "Let me check the forecast for Paris and Rome for your dates.", Signature: "CiQBsig==", SignatureFamily: "gemini"},
			{Type: PartToolCall, ToolCallID: "fc_1", ToolName: "get_weather", Arguments: json.RawMessage(`{"city":"Paris","from":"2026-12-03"}`)},
		},
		StopReason: StopToolUse,
		Usage:      Usage{InputTokens: 1200, OutputTokens: 80, ReasoningTokens: 30},
	}
	req := &Request{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Get(Gemini).EncodeResponse(resp, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGeminiStreamDecode measures one typical text chunk.
func BenchmarkGeminiStreamDecode(b *testing.B) {
	for _, tt := range []struct {
		name string
		f    Format
		data []byte
	}{
		{"gemini_text", Gemini, []byte(`{"candidates":[{"content":{"role":"model","parts":[{"text":" the forecast for Paris shows light rain"}]},"index":0}],"usageMetadata":{"promptTokenCount":1200,"candidatesTokenCount":12,"totalTokenCount":1212},"modelVersion":"gemini-2.5-flash","responseId":"abc"}`)},
		{"gemini_call", Gemini, []byte(`{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"c1","name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"CiQBsig=="}]},"index":0}],"modelVersion":"gemini-3-pro-preview","responseId":"abc"}`)},
		{"antigravity_text", Antigravity, []byte(`{"response":{"candidates":[{"content":{"role":"model","parts":[{"text":" the forecast for Paris shows light rain"}]}}],"modelVersion":"gemini-3-flash","responseId":"abc"},"traceId":"t"}`)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			d := Get(tt.f).NewStreamDecoder()
			evs := make([]Event, 0, 8)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				evs, _, err = d.Feed(evs[:0], nil, tt.data)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGeminiStreamEncode measures one text event and one whole
// function call (start, args, end).
func BenchmarkGeminiStreamEncode(b *testing.B) {
	b.Run("text", func(b *testing.B) {
		enc := Get(Gemini).NewStreamEncoder(io.Discard, &Request{Model: "m"})
		enc.Encode(&Event{Type: EventStart, ID: "r1", Model: "gemini-2.5-flash"})
		ev := &Event{Type: EventText, Text: " the forecast for Paris shows light rain"}
		b.ReportAllocs()
		for b.Loop() {
			if err := enc.Encode(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("call", func(b *testing.B) {
		enc := Get(Gemini).NewStreamEncoder(io.Discard, &Request{Model: "m"})
		enc.Encode(&Event{Type: EventStart, ID: "r1", Model: "gemini-2.5-flash"})
		evs := []Event{
			{Type: EventToolCallStart, ToolCallID: "c1", ToolName: "get_weather"},
			{Type: EventToolCallArgs, Text: `{"city":`},
			{Type: EventToolCallArgs, Text: `"Paris"}`},
			{Type: EventToolCallEnd, Signature: "CiQBsig==", SignatureFamily: "gemini"},
		}
		b.ReportAllocs()
		for b.Loop() {
			for i := range evs {
				if err := enc.Encode(&evs[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func BenchmarkCleanSchema(b *testing.B) {
	plain := json.RawMessage(`{"type":"object","properties":{"city":{"type":"string","description":"City name"},"from":{"type":"string"},"to":{"type":"string"}},"required":["city","from","to"]}`)
	refs := json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"addr":{"$ref":"#/$defs/Addr"},"n":{"anyOf":[{"type":"integer"},{"type":"null"}]}},"$defs":{"Addr":{"type":"object","properties":{"city":{"type":"string","minLength":1}},"additionalProperties":false}}}`)
	for _, tt := range []struct {
		name   string
		schema json.RawMessage
		target SchemaTarget
	}{
		{"gemini_plain", plain, SchemaGemini},
		{"gemini_refs", refs, SchemaGemini},
		{"claude_refs", refs, SchemaAntigravityClaude},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				CleanSchema(tt.schema, tt.target)
			}
		})
	}
}
