package transform

import (
	"io"
	"testing"
)

func oaiBenchResponsesRequest(b *testing.B) []byte {
	req, err := Get(OpenAIChat).DecodeRequest(oaiBenchChatRequest())
	if err != nil {
		b.Fatal(err)
	}
	req.SourceFormat = OpenAIResponses
	body, err := Get(OpenAIResponses).EncodeRequest(req, EncodeOptions{Model: "gpt-5", Stream: true})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkOpenAIResponsesDecodeRequest(b *testing.B) {
	body := oaiBenchResponsesRequest(b)
	c := Get(OpenAIResponses)
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

func BenchmarkOpenAIResponsesEncodeRequest(b *testing.B) {
	req, err := Get(OpenAIResponses).DecodeRequest(oaiBenchResponsesRequest(b))
	if err != nil {
		b.Fatal(err)
	}
	c := Get(OpenAIResponses)
	b.ReportAllocs()
	cpu := oaiStartCPU()
	defer cpu.report(b)
	for b.Loop() {
		if _, err := c.EncodeRequest(req, EncodeOptions{Model: "gpt-5", Stream: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAIResponsesEncodeResponse(b *testing.B) {
	resp := oaiSampleResponse()
	req := &Request{Model: "smart"}
	c := Get(OpenAIResponses)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeResponse(resp, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenAIResponsesStreamDecode measures one text delta event.
func BenchmarkOpenAIResponsesStreamDecode(b *testing.B) {
	name := []byte("response.output_text.delta")
	data := []byte(`{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b","output_index":1,"content_index":0,"delta":" the lazy dog","logprobs":[],"obfuscation":"x1y2"}`)
	d := Get(OpenAIResponses).NewStreamDecoder()
	evs := make([]Event, 0, 4)
	evs, _, _ = d.Feed(evs[:0], name, data) // past EventStart
	b.ReportAllocs()
	for b.Loop() {
		var err error
		evs, _, err = d.Feed(evs[:0], name, data)
		if err != nil || len(evs) != 1 {
			b.Fatal(err, evs)
		}
	}
}

// BenchmarkOpenAIResponsesStreamEncode measures one text event.
func BenchmarkOpenAIResponsesStreamEncode(b *testing.B) {
	enc := Get(OpenAIResponses).NewStreamEncoder(io.Discard, &Request{Model: "smart"})
	if err := enc.Encode(&Event{Type: EventStart, Model: "gpt-5"}); err != nil {
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
