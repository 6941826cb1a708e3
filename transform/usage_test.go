package transform

import "testing"

func TestUsageTap(t *testing.T) {
	cases := []struct {
		name   string
		f      Format
		stream string
		body   string
		want   Usage
	}{
		{name: "chat body", f: OpenAIChat,
			body: `{"choices":[],"usage":{"prompt_tokens":100,"completion_tokens":20,"prompt_tokens_details":{"cached_tokens":40},"completion_tokens_details":{"reasoning_tokens":8}}}`,
			want: Usage{InputTokens: 100, OutputTokens: 20, CacheReadTokens: 40, ReasoningTokens: 8}},
		{name: "chat stream", f: OpenAIChat,
			stream: "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n",
			want:   Usage{InputTokens: 9, OutputTokens: 3}},
		{name: "anthropic stream is cumulative", f: Anthropic,
			stream: "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":30,\"cache_creation_input_tokens\":5,\"output_tokens\":1}}}\n\n" +
				"event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7}}\n\n" +
				"event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":12}}\n\n",
			want: Usage{InputTokens: 45, OutputTokens: 12, CacheReadTokens: 30, CacheWriteTokens: 5}},
		{name: "responses terminal event", f: OpenAIResponses,
			stream: "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":50,\"output_tokens\":70,\"input_tokens_details\":{\"cached_tokens\":10},\"output_tokens_details\":{\"reasoning_tokens\":64}}}}\n\n",
			want:   Usage{InputTokens: 50, OutputTokens: 70, CacheReadTokens: 10, ReasoningTokens: 64}},
		{name: "gemini sse last wins", f: Gemini,
			stream: "data: {\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":1}}\n\ndata: {\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":30,\"thoughtsTokenCount\":15,\"cachedContentTokenCount\":4}}\n\n",
			want:   Usage{InputTokens: 20, OutputTokens: 45, CacheReadTokens: 4, ReasoningTokens: 15}},
		{name: "gemini json array", f: Gemini,
			stream: "[{\"candidates\":[],\n\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2}}\n]",
			want:   Usage{InputTokens: 3, OutputTokens: 2}},
		{name: "antigravity body", f: Antigravity,
			body: `{"response":{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":6}},"traceId":"t"}`,
			want: Usage{InputTokens: 5, OutputTokens: 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tap := NewUsageTap(c.f)
			if c.body != "" {
				tap.Body([]byte(c.body))
			} else {
				// Feed in awkward pieces to cross line boundaries.
				s := []byte(c.stream)
				for len(s) > 0 {
					n := min(7, len(s))
					_, _ = tap.Write(s[:n])
					s = s[n:]
				}
			}
			got, ok := tap.Usage()
			if !ok || got != c.want {
				t.Fatalf("got %+v (%v), want %+v", got, ok, c.want)
			}
		})
	}
}
