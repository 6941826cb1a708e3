package transform

import (
	"strings"
	"testing"
)

// BenchmarkUsageTap is the usage extraction the relay runs on every
// passthrough answer: a JSON body, and a 20-chunk stream fed in the pieces
// an upstream read yields (one event each).
func BenchmarkUsageTap(b *testing.B) {
	chatBody := []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"` +
		strings.Repeat("tok ", 20) + `"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}}`)
	chunk := `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"tok "},"finish_reason":null}],"usage":null}` + "\n\n"
	chatStream := [][]byte{}
	for range 20 {
		chatStream = append(chatStream, []byte(chunk))
	}
	chatStream = append(chatStream,
		[]byte(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32}}`+"\n\n"),
		[]byte("data: [DONE]\n\n"))
	anStream := [][]byte{[]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n")}
	for range 20 {
		anStream = append(anStream, []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tok \"}}\n\n"))
	}
	anStream = append(anStream, []byte("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":20}}\n\n"))

	b.Run("chat-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tap := NewUsageTap(OpenAIChat)
			tap.Body(chatBody)
			if u, ok := tap.Usage(); !ok || u.OutputTokens != 20 {
				b.Fatalf("usage %+v %v", u, ok)
			}
		}
	})
	for _, c := range []struct {
		name   string
		f      Format
		events [][]byte
	}{{"chat-stream", OpenAIChat, chatStream}, {"anthropic-stream", Anthropic, anStream}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tap := NewUsageTap(c.f)
				for _, ev := range c.events {
					_, _ = tap.Write(ev)
				}
				if u, ok := tap.Usage(); !ok || u.OutputTokens != 20 {
					b.Fatalf("usage %+v %v", u, ok)
				}
			}
		})
	}
}
