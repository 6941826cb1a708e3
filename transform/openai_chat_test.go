package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func oaiPtr[T any](v T) *T { return &v }

func TestOpenAIChatDecodeRequestErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", `{"model":`, "request body is not valid JSON"},
		{"not object", `[]`, "request body must be a JSON object"},
		{"no model", `{"messages":[{"role":"user","content":"x"}]}`, "model: required"},
		{"no messages", `{"model":"m"}`, "messages: required"},
		{"messages object", `{"model":"m","messages":{}}`, "messages: must be an array"},
		{"empty messages", `{"model":"m","messages":[]}`, "messages: must contain at least one message"},
		{"no role", `{"model":"m","messages":[{"content":"x"}]}`, "messages[0].role: required"},
		{"bad role", `{"model":"m","messages":[{"role":"bot","content":"x"}]}`, `messages[0].role: unknown role "bot"`},
		{"unknown part", `{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":[{"type":"foo"}]}]}`,
			`messages[2].content[0]: unknown part type "foo"`},
		{"tool without id", `{"model":"m","messages":[{"role":"tool","content":"x"}]}`, "messages[0].tool_call_id: required"},
		{"image without url", `{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}`,
			"messages[0].content[0].image_url.url: required"},
		{"text part without text", `{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}`, "messages[0].content[0].text: required"},
		{"user without content", `{"model":"m","messages":[{"role":"user"}]}`, "messages[0].content: required"},
		{"system image", `{"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]}]}`, "messages[0].content[0]: system and developer messages take text parts only"},
		{"call without name", `{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"arguments":"{}"}}]}]}`,
			"messages[0].tool_calls[0].function.name: required"},
		{"max_tokens string", `{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":"10"}`, "max_tokens: must be an integer"},
		{"temperature string", `{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"}`, "temperature: must be a number"},
		{"stream string", `{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}`, "stream: must be a boolean"},
		{"bad tool_choice", `{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}`, `tool_choice: must be "none", "auto", "required"`},
		{"tool without name", `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{}}]}`,
			"tools[0].function.name: required"},
		{"bad response_format", `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"xml"}}`,
			`response_format.type: must be "text", "json_object" or "json_schema", got "xml"`},
		{"bad stop", `{"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]}`, "stop: must be a string or an array of strings"},
		{"file without data", `{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf"}}]}]}`,
			"messages[0].content[0].file: file_id or file_data required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Get(OpenAIChat).DecodeRequest([]byte(tt.body))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if e.Status != 400 || e.Kind != KindInvalidRequest {
				t.Errorf("status %d kind %s", e.Status, e.Kind)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.want)
			}
		})
	}
}

func TestOpenAIChatDecodeRequestCanonical(t *testing.T) {
	body := `{
	  "model": "smart",
	  "messages": [
	    {"role": "developer", "content": "Be brief."},
	    {"role": "user", "content": [{"type":"text","text":"Hi"},{"type":"image_url","image_url":"https://x/a.png"}]},
	    {"role": "assistant", "content": "Let me check.", "reasoning_content": "thinking",
	     "tool_calls": [{"id":"call_1","type":"function","function":{"name":"f","arguments":""}},
	                    {"id":"call_2","type":"function","function":{"name":"g","arguments":{"a":1}}}]},
	    {"role": "tool", "tool_call_id": "call_1", "content": "r1"},
	    {"role": "tool", "tool_call_id": "call_2", "content": "r2"},
	    {"role": "system", "content": "Now be verbose."},
	    {"role": "assistant", "content": null, "function_call": {"name": "legacy", "arguments": "{\"x\":1}"}},
	    {"role": "function", "name": "legacy", "content": "ok"},
	    {"role": "assistant", "content": null}
	  ],
	  "stream": true, "stream_options": {"include_usage": true},
	  "tools": [{"type":"function","function":{"name":"f","parameters":{"type":"object"}}},
	            {"type":"custom","custom":{"name":"patch"}}],
	  "tool_choice": "required",
	  "reasoning_effort": "none",
	  "response_format": {"type": "json_object"},
	  "top_k": 5,
	  "max_tokens": 10,
	  "max_completion_tokens": 20
	}`
	req, err := Get(OpenAIChat).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{
		Model:  "smart",
		System: []Part{{Type: PartText, Text: "Be brief."}},
		Messages: []Message{
			{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "Hi"}, {Type: PartImage, URL: "https://x/a.png"}}},
			{Role: RoleAssistant, Parts: []Part{
				{Type: PartThinking, Text: "thinking"},
				{Type: PartText, Text: "Let me check."},
				{Type: PartToolCall, ToolCallID: "call_1", ToolName: "f", Arguments: json.RawMessage(`{}`)},
				{Type: PartToolCall, ToolCallID: "call_2", ToolName: "g", Arguments: json.RawMessage(`{"a":1}`)},
			}},
			{Role: RoleUser, Parts: []Part{
				{Type: PartToolResult, ToolCallID: "call_1", ToolName: "f", Content: []Part{{Type: PartText, Text: "r1"}}},
				{Type: PartToolResult, ToolCallID: "call_2", ToolName: "g", Content: []Part{{Type: PartText, Text: "r2"}}},
			}},
			{Role: RoleSystem, Parts: []Part{{Type: PartText, Text: "Now be verbose."}}},
			{Role: RoleAssistant, Parts: []Part{{Type: PartToolCall, ToolCallID: "call_legacy", ToolName: "legacy", Arguments: json.RawMessage(`{"x":1}`)}}},
			{Role: RoleUser, Parts: []Part{{Type: PartToolResult, ToolCallID: "call_legacy", ToolName: "legacy", Content: []Part{{Type: PartText, Text: "ok"}}}}},
		},
		Tools:          []Tool{{Name: "f", Parameters: json.RawMessage(`{"type":"object"}`)}},
		ToolChoice:     &ToolChoice{Mode: ToolChoiceRequired},
		MaxTokens:      oaiPtr(20),
		Stream:         true,
		IncludeUsage:   true,
		Reasoning:      &Reasoning{Effort: "none", Disabled: true},
		ResponseFormat: &ResponseFormat{Type: "json_object"},
		Extra: map[string]json.RawMessage{
			"tools": json.RawMessage(`[{"type":"custom","custom":{"name":"patch"}}]`),
			"top_k": json.RawMessage(`5`),
		},
		SourceFormat: OpenAIChat,
	}
	if d := cmp.Diff(want, req); d != "" {
		t.Errorf("request mismatch (-want +got):\n%s", d)
	}
}

func TestOpenAIChatDecodeRequestSignatures(t *testing.T) {
	body := `{"model":"m","messages":[{"role":"user","content":"x"},
	  {"role":"assistant","content":"a","reasoning":"r",
	   "reasoning_details":[{"type":"reasoning.text","text":"r","signature":"octo1.anthropic.SIG"},{"type":"reasoning.encrypted","data":"REDACTED"}],
	   "tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"},"extra_content":{"google":{"thought_signature":"octo1.gemini.GS"}}}]}]}`
	req, err := Get(OpenAIChat).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []Part{
		{Type: PartThinking, Text: "r", Signature: "SIG", SignatureFamily: "anthropic"},
		{Type: PartRedactedThinking, Signature: "REDACTED", SignatureFamily: "openai"},
		{Type: PartText, Text: "a"},
		{Type: PartToolCall, ToolCallID: "c", ToolName: "f", Arguments: json.RawMessage(`{}`), Signature: "GS", SignatureFamily: "gemini"},
	}
	if d := cmp.Diff(want, req.Messages[1].Parts); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
}

// oaiCrossRequest is a request as another format's decoder would build it.
func oaiCrossRequest() *Request {
	return &Request{
		Model:  "smart",
		System: []Part{{Type: PartText, Text: "Sys A"}, {Type: PartText, Text: "Sys B"}},
		Messages: []Message{
			{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "Weather?"}}},
			{Role: RoleAssistant, Parts: []Part{
				{Type: PartThinking, Text: "claude thought", Signature: "EqQ", SignatureFamily: "anthropic"},
				{Type: PartThinking, Text: "plain thought"},
				{Type: PartRedactedThinking, Signature: "xx", SignatureFamily: "anthropic"},
				{Type: PartToolCall, ToolCallID: "toolu_1", ToolName: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)},
			}},
			{Role: RoleUser, Parts: []Part{
				{Type: PartText, Text: "here:"},
				{Type: PartToolResult, ToolCallID: "toolu_1", Content: []Part{
					{Type: PartText, Text: "sunny"},
					{Type: PartImage, MediaType: "image/png", Data: "AAAA"},
				}},
			}},
		},
		Tools:       []Tool{{Name: "get_weather", Description: "d", Parameters: json.RawMessage(`{"type":"object"}`)}},
		ToolChoice:  &ToolChoice{Mode: ToolChoiceAuto},
		MaxTokens:   oaiPtr(8),
		Temperature: oaiPtr(0.5),
		TopK:        oaiPtr(40),
		Stop:        []string{"a", "b", "c", "d", "e"},
		Reasoning:   &Reasoning{BudgetTokens: oaiPtr(10000)},
		Extra:       map[string]json.RawMessage{"metadata": json.RawMessage(`{"user_id":"u"}`)},
		// Anthropic: Extra must not be copied into an OpenAI body.
		SourceFormat: Anthropic,
	}
}

func TestOpenAIChatEncodeRequestCrossFormat(t *testing.T) {
	tests := []struct {
		model  string
		stream bool
		want   string
	}{
		{"gpt-5", true, `{"model":"gpt-5","messages":[
			{"role":"system","content":"Sys A\n\nSys B"},
			{"role":"user","content":"Weather?"},
			{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
			{"role":"tool","tool_call_id":"toolu_1","content":"sunny"},
			{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"text","text":"here:"}]}],
			"stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":8,
			"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object"}}}],
			"tool_choice":"auto","reasoning_effort":"high"}`},
		{"deepseek-chat", false, `{"model":"deepseek-chat","messages":[
			{"role":"system","content":"Sys A\n\nSys B"},
			{"role":"user","content":"Weather?"},
			{"role":"assistant","content":null,"reasoning_content":"plain thought","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
			{"role":"tool","tool_call_id":"toolu_1","content":"sunny"},
			{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"text","text":"here:"}]}],
			"max_completion_tokens":8,"temperature":0.5,"stop":["a","b","c","d"],
			"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object"}}}],
			"tool_choice":"auto","reasoning_effort":"high"}`},
		{"gpt-4o", false, `{"model":"gpt-4o","messages":[
			{"role":"system","content":"Sys A\n\nSys B"},
			{"role":"user","content":"Weather?"},
			{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
			{"role":"tool","tool_call_id":"toolu_1","content":"sunny"},
			{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"text","text":"here:"}]}],
			"max_completion_tokens":8,"temperature":0.5,"stop":["a","b","c","d"],
			"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object"}}}],
			"tool_choice":"auto"}`},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			out, err := Get(OpenAIChat).EncodeRequest(oaiCrossRequest(), EncodeOptions{Model: tt.model, Stream: tt.stream})
			if err != nil {
				t.Fatal(err)
			}
			oaiAssertJSON(t, out, []byte(tt.want))
		})
	}
}

func TestOpenAIChatEncodeRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		part Part
		want string
	}{
		{"audio url", Part{Type: PartAudio, URL: "https://x/a.wav"}, "messages[0].content[0]: OpenAI Chat Completions takes audio as inline base64 data only"},
		{"file url", Part{Type: PartFile, URL: "https://x/a.pdf"}, "messages[0].content[0]: OpenAI Chat Completions takes files as inline data or file ids"},
		{"empty image", Part{Type: PartImage}, "messages[0].content[0]: image without data or URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{tt.part}}}}
			_, err := Get(OpenAIChat).EncodeRequest(req, EncodeOptions{Model: "m"})
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, tt.want) {
				t.Errorf("error = %v, want 400 containing %q", err, tt.want)
			}
		})
	}
}

func TestOpenAIChatEncodeRequestMedia(t *testing.T) {
	req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{
		{Type: PartText, Text: "look"},
		{Type: PartImage, URL: "https://x/a.png", Detail: "low"},
		{Type: PartAudio, MediaType: "audio/mpeg", Data: "SUQz"},
		{Type: PartFile, MediaType: "application/pdf", Data: "JVBE", FileName: "doc.pdf"},
		{Type: PartFile, FileID: "file-1"},
	}}}}
	out, err := Get(OpenAIChat).EncodeRequest(req, EncodeOptions{Model: "gpt-4o"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"gpt-4o","messages":[{"role":"user","content":[
		{"type":"text","text":"look"},
		{"type":"image_url","image_url":{"url":"https://x/a.png","detail":"low"}},
		{"type":"input_audio","input_audio":{"data":"SUQz","format":"mp3"}},
		{"type":"file","file":{"filename":"doc.pdf","file_data":"data:application/pdf;base64,JVBE"}},
		{"type":"file","file":{"file_id":"file-1"}}]}]}`
	oaiAssertJSON(t, out, []byte(want))
}

func TestOpenAIChatDecodeResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *Response
	}{
		{"openrouter reasoning and gemini signature", `{"id":"gen-1","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"","reasoning":"hmm",
		  "reasoning_details":[{"type":"reasoning.text","text":"hmm","signature":"S1"}],
		  "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"not json"},"extra_content":{"google":{"thought_signature":"GS"}}}]},
		  "finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":4}}}`,
			&Response{ID: "gen-1", Model: "m", Created: 5, StopReason: StopToolUse,
				Content: []Part{
					{Type: PartThinking, Text: "hmm", Signature: "S1", SignatureFamily: "openai"},
					{Type: PartToolCall, ToolCallID: "c1", ToolName: "f", Arguments: json.RawMessage(`{"raw":"not json"}`), Signature: "GS", SignatureFamily: "openai"},
				},
				Usage: Usage{InputTokens: 10, OutputTokens: 5, CacheReadTokens: 4}}},
		{"refusal", `{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't."},"finish_reason":"stop"}]}`,
			&Response{ID: "chatcmpl-1", StopReason: StopRefusal, Content: []Part{{Type: PartText, Text: "I can't."}}}},
		{"content filter", `{"choices":[{"index":0,"message":{"content":"x"},"finish_reason":"content_filter"}]}`,
			&Response{StopReason: StopContentFilter, Content: []Part{{Type: PartText, Text: "x"}}}},
		{"content parts", `{"choices":[{"index":0,"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"stop"}]}`,
			&Response{StopReason: StopEndTurn, Content: []Part{{Type: PartText, Text: "a"}, {Type: PartText, Text: "b"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Get(OpenAIChat).DecodeResponse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestOpenAIChatDecodeResponseErrors(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"invalid", `{`, 502, "not valid JSON"},
		{"no choices", `{"id":"x","choices":[]}`, 502, "no choices"},
		{"error body", `{"error":{"message":"quota exceeded","type":"insufficient_quota","code":"insufficient_quota"}}`, 429, "quota exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Get(OpenAIChat).DecodeResponse([]byte(tt.body))
			var e *Error
			if !errors.As(err, &e) || e.Status != tt.status || !strings.Contains(e.Message, tt.want) {
				t.Errorf("error = %+v, want status %d with %q", err, tt.status, tt.want)
			}
		})
	}
}

func TestOpenAIChatStreamDecoderEvents(t *testing.T) {
	evs := oaiDecodeAll(t, Get(OpenAIChat), oaiRead(t, "testdata/openai_chat/stream_parallel_tools.sse"))
	want := []Event{
		{Type: EventStart, ID: "chatcmpl-X2", Model: "gpt-4o"},
		{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "call_A", ToolName: "get_user_city"},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"us`},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `er_id": "123"}`},
		{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "call_B", ToolName: "get_user_language"},
		{Type: EventToolCallArgs, ToolIndex: 1, Text: `{"user_id": "123"}`},
		{Type: EventToolCallEnd, ToolIndex: 0},
		{Type: EventToolCallEnd, ToolIndex: 1},
		{Type: EventUsage, Usage: &Usage{InputTokens: 104, OutputTokens: 49}},
		{Type: EventFinish, StopReason: StopToolUse, Usage: &Usage{InputTokens: 104, OutputTokens: 49}},
	}
	if d := cmp.Diff(want, evs); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}

func TestOpenAIChatStreamDecoderQuirks(t *testing.T) {
	oaiDeterministic(t)
	chunks := []string{
		// text and finish in one chunk, a reasoning detail with a signature
		`{"id":"a","model":"m","choices":[{"index":0,"delta":{"reasoning_details":[{"type":"reasoning.text","text":"th","signature":"SG"}]}}]}`,
		// every parallel call at index 0, distinguished only by id
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":{"a":1}}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c2","function":{"name":"g","arguments":""}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}`,
		// a second candidate is ignored
		`{"choices":[{"index":1,"delta":{"content":"other"}}]}`,
		`{"choices":[{"index":0,"delta":{"content":"done"},"finish_reason":"stop"}]}`,
	}
	d := Get(OpenAIChat).NewStreamDecoder()
	var evs []Event
	for _, c := range chunks {
		var err error
		var done bool
		evs, done, err = d.Feed(evs, nil, []byte(c))
		if err != nil || done {
			t.Fatalf("Feed(%s) = done %v, err %v", c, done, err)
		}
	}
	evs = d.Close(evs) // the server never sent [DONE]
	evs = d.Close(evs) // a second Close adds nothing
	want := []Event{
		{Type: EventStart, ID: "a", Model: "m"},
		{Type: EventThinking, Text: "th"},
		{Type: EventSignature, Signature: "SG", SignatureFamily: "openai"},
		{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "c1", ToolName: "f"},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"a":1}`},
		{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "c2", ToolName: "g"},
		{Type: EventToolCallArgs, ToolIndex: 1, Text: `{}`},
		{Type: EventText, Text: "done"},
		{Type: EventToolCallEnd, ToolIndex: 0},
		{Type: EventToolCallEnd, ToolIndex: 1},
		{Type: EventFinish, StopReason: StopToolUse},
	}
	if d := cmp.Diff(want, evs); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if _, _, err := Get(OpenAIChat).NewStreamDecoder().Feed(nil, nil, []byte(`{"choices":`)); err == nil {
		t.Error("invalid JSON chunk: no error")
	}
}

func TestOpenAIChatStreamDecoderError(t *testing.T) {
	evs := oaiDecodeAll(t, Get(OpenAIChat), oaiRead(t, "testdata/openai_chat/stream_error.sse"))
	if len(evs) != 4 || evs[2].Type != EventError || evs[3].Type != EventFinish || evs[3].StopReason != StopError {
		t.Fatalf("events %+v", evs)
	}
	if e := evs[2].Error; e.Status != 429 || e.Kind != KindRateLimit || e.Code != "rate_limit_exceeded" || e.Message != "Rate limit reached" {
		t.Errorf("error %+v", e)
	}
}

func TestOpenAIChatStreamEncoderEdges(t *testing.T) {
	oaiDeterministic(t)
	t.Run("close without events", func(t *testing.T) {
		out := oaiEncodeAll(t, Get(OpenAIChat), &Request{Model: "m"}, nil)
		want := "data: {\"id\":\"chatcmpl-test000001\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
			"data: {\"id\":\"chatcmpl-test000001\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n" +
			"data: [DONE]\n\n"
		if string(out) != want {
			t.Errorf("got\n%s\nwant\n%s", out, want)
		}
	})
	t.Run("no include_usage, no usage chunk", func(t *testing.T) {
		evs := []Event{{Type: EventStart}, {Type: EventText, Text: "x"}, {Type: EventFinish, StopReason: StopMaxTokens, Usage: &Usage{InputTokens: 1}}}
		out := string(oaiEncodeAll(t, Get(OpenAIChat), &Request{Model: "m"}, evs))
		if strings.Contains(out, "usage") || !strings.Contains(out, `"finish_reason":"length"`) {
			t.Errorf("stream:\n%s", out)
		}
	})
	t.Run("events after finish ignored, close idempotent", func(t *testing.T) {
		var buf strings.Builder
		enc := Get(OpenAIChat).NewStreamEncoder(&buf, &Request{})
		for _, ev := range []Event{{Type: EventFinish}, {Type: EventText, Text: "late"}} {
			if err := enc.Encode(&ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if strings.Count(buf.String(), "[DONE]") != 1 || strings.Contains(buf.String(), "late") {
			t.Errorf("stream:\n%s", buf.String())
		}
	})
	t.Run("signatures", func(t *testing.T) {
		evs := []Event{{Type: EventStart}, {Type: EventThinking, Text: "t"},
			{Type: EventSignature, Signature: "S", SignatureFamily: "anthropic"},
			{Type: EventSignature, Signature: "R", SignatureFamily: "anthropic", Redacted: true},
			{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "c", ToolName: "f"},
			{Type: EventToolCallEnd, ToolIndex: 0, Signature: "G", SignatureFamily: "gemini"},
			{Type: EventFinish, StopReason: StopToolUse}}
		out := string(oaiEncodeAll(t, Get(OpenAIChat), &Request{}, evs))
		for _, s := range []string{
			`"reasoning_details":[{"type":"reasoning.text","text":"","signature":"octo1.anthropic.S","index":0}]`,
			`"reasoning_details":[{"type":"reasoning.encrypted","data":"octo1.anthropic.R","index":1}]`,
			`"tool_calls":[{"index":0,"extra_content":{"google":{"thought_signature":"octo1.gemini.G"}}}]`,
			`"finish_reason":"tool_calls"`,
		} {
			if !strings.Contains(out, s) {
				t.Errorf("stream lacks %s:\n%s", s, out)
			}
		}
		// Read back, the carriers give every signature its family.
		d := Get(OpenAIChat).NewStreamDecoder()
		var got []Event
		for _, e := range oaiReadSSE(t, []byte(out)) {
			got, _, _ = d.Feed(got, nil, e.data)
		}
		var sigs []string
		for _, e := range got {
			if e.Signature != "" {
				raw, fam := ImportSignature(e.Signature, OpenAIChat)
				sigs = append(sigs, fam+":"+raw)
			}
		}
		if strings.Join(sigs, ",") != "anthropic:S,anthropic:R,gemini:G" {
			t.Errorf("signatures back: %v", sigs)
		}
	})
}

func TestOpenAIChatStreamDecoderFinishError(t *testing.T) {
	d := Get(OpenAIChat).NewStreamDecoder()
	var evs []Event
	for _, c := range []string{
		`{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"error"}]}`,
		`{"error":{"message":"provider died"}}`,
	} {
		evs, _, _ = d.Feed(evs, nil, []byte(c))
	}
	evs = d.Close(evs)
	var types []EventType
	for _, e := range evs {
		types = append(types, e.Type)
	}
	want := []EventType{EventStart, EventText, EventError, EventFinish}
	if d := cmp.Diff(want, types); d != "" || evs[3].StopReason != StopError {
		t.Errorf("events %+v", evs)
	}
}

// A Chat client's max_tokens reaches a Chat upstream as max_tokens (some
// OpenAI-compatible vendors know only that one), while a request that
// came in another format gets max_completion_tokens.
func TestOpenAIChatMaxTokensFieldKept(t *testing.T) {
	for _, tt := range []struct{ field, want, not string }{
		{"max_tokens", `"max_tokens":7`, "max_completion_tokens"},
		{"max_completion_tokens", `"max_completion_tokens":7`, `"max_tokens"`},
	} {
		req, err := Get(OpenAIChat).DecodeRequest([]byte(`{"model":"m","messages":[{"role":"user","content":"x"}],"` + tt.field + `":7}`))
		if err != nil {
			t.Fatal(err)
		}
		if req.Extra != nil {
			t.Errorf("%s: Extra %v, want none", tt.field, req.Extra)
		}
		out, err := Get(OpenAIChat).EncodeRequest(req, EncodeOptions{Model: "m"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), tt.want) || strings.Contains(string(out), tt.not) {
			t.Errorf("%s: encoded %s, want %s and no %s", tt.field, out, tt.want, tt.not)
		}
		req.SourceFormat = Anthropic // as if translated: the Chat field names mean nothing
		out, _ = Get(OpenAIChat).EncodeRequest(req, EncodeOptions{Model: "m"})
		if !strings.Contains(string(out), `"max_completion_tokens":7`) {
			t.Errorf("%s from another format: encoded %s", tt.field, out)
		}
	}
}
