package transform

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// anBenchRequest is a typical ~4 KB agent chat request: a system prompt,
// a few turns of text, one tool round trip and two tool declarations.
var anBenchRequest = func() []byte {
	para := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 10)
	req := map[string]any{
		"model":      "claude-sonnet-4-5",
		"max_tokens": 4096,
		"system":     []any{map[string]any{"type": "text", "text": "You are a helpful assistant. " + para, "cache_control": map[string]any{"type": "ephemeral"}}},
		"messages": []any{
			map[string]any{"role": "user", "content": "Summarise this: " + para},
			map[string]any{"role": "assistant", "content": []any{map[string]any{"type": "text", "text": "Summary: " + para}}},
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Now check the weather in Paris. " + para}}},
			map[string]any{"role": "assistant", "content": []any{
				map[string]any{"type": "text", "text": "Checking."},
				map[string]any{"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": map[string]any{"city": "Paris", "unit": "celsius"}},
			}},
			map[string]any{"role": "user", "content": []any{
				map[string]any{"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": `{"temp_c":21,"sky":"clear","wind_kph":9}`},
				map[string]any{"type": "text", "text": "And tomorrow? " + para},
			}},
		},
		"tools": []any{
			map[string]any{"name": "get_weather", "description": "Get the current weather for a city. " + para,
				"input_schema": json.RawMessage(`{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}`)},
			map[string]any{"name": "get_forecast", "description": "Get the forecast for a city and day.",
				"input_schema": json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"day":{"type":"string","format":"date"}},"required":["city","day"]}`)},
		},
		"temperature": 0.7,
		"stream":      true,
	}
	b, _ := json.Marshal(req)
	return b
}()

func BenchmarkAnthropicDecodeRequest(b *testing.B) {
	c := Get(Anthropic)
	b.SetBytes(int64(len(anBenchRequest)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecodeRequest(anBenchRequest); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnthropicEncodeRequest(b *testing.B) {
	c := Get(Anthropic)
	req, err := c.DecodeRequest(anBenchRequest)
	if err != nil {
		b.Fatal(err)
	}
	opts := EncodeOptions{Model: "claude-sonnet-4-5", Stream: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeRequest(req, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnthropicDecodeEncodeRequest is the per-request translation
// cost on the relay's path (target: < 25 µs for a 4 KB request).
func BenchmarkAnthropicDecodeEncodeRequest(b *testing.B) {
	c := Get(Anthropic)
	opts := EncodeOptions{Model: "claude-sonnet-4-5", Stream: true}
	b.SetBytes(int64(len(anBenchRequest)))
	b.ReportAllocs()
	for b.Loop() {
		req, err := c.DecodeRequest(anBenchRequest)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.EncodeRequest(req, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnthropicEncodeResponse(b *testing.B) {
	c := Get(Anthropic)
	resp := &Response{ID: "msg_01", Model: "claude-sonnet-4-5", StopReason: StopToolUse,
		Content: []Part{
			{Type: PartThinking, Text: strings.Repeat("thinking ", 40), Signature: strings.Repeat("EqQB", 50), SignatureFamily: "anthropic"},
			{Type: PartText, Text: strings.Repeat("Here is the answer. ", 20)},
			{Type: PartToolCall, ToolCallID: "toolu_01", ToolName: "get_weather", Arguments: json.RawMessage(`{"city":"Paris","unit":"celsius"}`)},
		},
		Usage: Usage{InputTokens: 1200, CacheReadTokens: 800, OutputTokens: 300}}
	req := &Request{Model: "group"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeResponse(resp, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnthropicDecodeResponse(b *testing.B) {
	c := Get(Anthropic)
	body := []byte(`{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"` +
		strings.Repeat("Here is the answer. ", 20) + `"},{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":400,"cache_read_input_tokens":800,"cache_creation_input_tokens":0,"output_tokens":300}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecodeResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnthropicStreamDecodeEvent measures one text delta event, the
// bulk of every stream.
func BenchmarkAnthropicStreamDecodeEvent(b *testing.B) {
	d := Get(Anthropic).NewStreamDecoder()
	evs, _, _ := d.Feed(nil, []byte("content_block_start"), []byte(`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`))
	name := []byte("content_block_delta")
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello there, how are you"}}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if evs, _, err = d.Feed(evs[:0], name, data); err != nil || len(evs) != 1 {
			b.Fatal(err, evs)
		}
	}
}

// BenchmarkAnthropicStreamEncodeEvent measures writing one text delta.
func BenchmarkAnthropicStreamEncodeEvent(b *testing.B) {
	enc := Get(Anthropic).NewStreamEncoder(io.Discard, &Request{Model: "m"})
	enc.Encode(&Event{Type: EventStart, ID: "msg_1"})
	ev := &Event{Type: EventText, Text: "Hello there, how are you"}
	enc.Encode(ev)
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnthropicStreamEncodeToolArgs measures one input_json_delta.
func BenchmarkAnthropicStreamEncodeToolArgs(b *testing.B) {
	enc := Get(Anthropic).NewStreamEncoder(io.Discard, &Request{Model: "m"})
	enc.Encode(&Event{Type: EventStart})
	enc.Encode(&Event{Type: EventToolCallStart, ToolCallID: "toolu_1", ToolName: "f"})
	ev := &Event{Type: EventToolCallArgs, Text: `{"city": "Par`}
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}
