package transform

import (
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// oaiCPUTimer reports the process CPU time per operation next to the wall
// time, as "cpu-ns/op": on a busy machine (parallel builds, other tests)
// wall time mostly measures waiting for a core, CPU time does not.
type oaiCPUTimer struct{ start time.Duration }

func oaiStartCPU() oaiCPUTimer { return oaiCPUTimer{start: oaiProcessCPU()} }

func (c oaiCPUTimer) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(oaiProcessCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}

func oaiProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// oaiBenchChatRequest is a typical ~4 KB Chat Completions request: a system
// prompt, a short tool loop and two tool declarations.
func oaiBenchChatRequest() []byte {
	para := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 12)
	return []byte(`{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"temperature":0.3,"max_completion_tokens":2048,
"messages":[
{"role":"system","content":"You are a helpful assistant for a travel agency. ` + para + `"},
{"role":"user","content":"Plan a trip to Paris. ` + para + `"},
{"role":"assistant","content":"Let me check the weather first.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"days\":3}"}}]},
{"role":"tool","tool_call_id":"call_1","content":"{\"forecast\":[{\"day\":1,\"temp_c\":21,\"sky\":\"sunny\"},{\"day\":2,\"temp_c\":19,\"sky\":\"cloudy\"},{\"day\":3,\"temp_c\":23,\"sky\":\"sunny\"}]}"},
{"role":"assistant","content":"The weather looks good. ` + para + `"},
{"role":"user","content":[{"type":"text","text":"Great, now find hotels near the Louvre. ` + para + `"}]}
],
"tools":[
{"type":"function","function":{"name":"get_weather","description":"Get the weather forecast for a city.","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"days":{"type":"integer","minimum":1,"maximum":14}},"required":["city"]}}},
{"type":"function","function":{"name":"find_hotels","description":"Search hotels near a landmark.","parameters":{"type":"object","properties":{"landmark":{"type":"string"},"max_price":{"type":"number"},"stars":{"type":"array","items":{"type":"integer"}}},"required":["landmark"]}}}
],
"tool_choice":"auto"}`)
}

func BenchmarkOpenAIChatDecodeRequest(b *testing.B) {
	body := oaiBenchChatRequest()
	c := Get(OpenAIChat)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := oaiStartCPU()
	defer cpu.report(b)
	for b.Loop() {
		if _, err := c.DecodeRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAIChatEncodeRequest(b *testing.B) {
	req, err := Get(OpenAIChat).DecodeRequest(oaiBenchChatRequest())
	if err != nil {
		b.Fatal(err)
	}
	c := Get(OpenAIChat)
	b.ReportAllocs()
	cpu := oaiStartCPU()
	defer cpu.report(b)
	for b.Loop() {
		if _, err := c.EncodeRequest(req, EncodeOptions{Model: "gpt-4.1", Stream: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenAIChatToResponsesRequest is the whole request path of a
// translated call: decode a 4 KB Chat Completions body, encode it for a
// Responses upstream.
func BenchmarkOpenAIChatToResponsesRequest(b *testing.B) {
	body := oaiBenchChatRequest()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := oaiStartCPU()
	defer cpu.report(b)
	for b.Loop() {
		req, err := Get(OpenAIChat).DecodeRequest(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Get(OpenAIResponses).EncodeRequest(req, EncodeOptions{Model: "gpt-5", Stream: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAIChatEncodeResponse(b *testing.B) {
	resp := oaiSampleResponse()
	req := &Request{Model: "smart"}
	c := Get(OpenAIChat)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeResponse(resp, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenAIChatStreamDecode measures one typical text chunk.
func BenchmarkOpenAIChatStreamDecode(b *testing.B) {
	chunk := []byte(`{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1754716412,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" the lazy dog"},"logprobs":null,"finish_reason":null}],"usage":null}`)
	d := Get(OpenAIChat).NewStreamDecoder()
	evs := make([]Event, 0, 4)
	evs, _, _ = d.Feed(evs[:0], nil, chunk) // past EventStart
	b.ReportAllocs()
	for b.Loop() {
		var err error
		evs, _, err = d.Feed(evs[:0], nil, chunk)
		if err != nil || len(evs) != 1 {
			b.Fatal(err, evs)
		}
	}
}

// BenchmarkOpenAIChatStreamEncode measures one text event.
func BenchmarkOpenAIChatStreamEncode(b *testing.B) {
	enc := Get(OpenAIChat).NewStreamEncoder(io.Discard, &Request{Model: "smart", IncludeUsage: true})
	if err := enc.Encode(&Event{Type: EventStart, ID: "msg_1", Model: "claude-sonnet-4-5"}); err != nil {
		b.Fatal(err)
	}
	ev := &Event{Type: EventText, Text: " the lazy dog"}
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAccumulator measures one text event into the accumulator.
func BenchmarkAccumulator(b *testing.B) {
	var a Accumulator
	ev := &Event{Type: EventText, Text: " the lazy dog"}
	b.ReportAllocs()
	for b.Loop() {
		a.Add(ev)
	}
}
