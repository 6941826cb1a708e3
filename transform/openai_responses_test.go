package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenAIResponsesDecodeRequestErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", `{"model"`, "request body is not valid JSON"},
		{"no model", `{"input":"x"}`, "model: required"},
		{"no input", `{"model":"m"}`, "input: required"},
		{"input number", `{"model":"m","input":3}`, "input: must be a string or an array of items"},
		{"bad role", `{"model":"m","input":[{"role":"tool","content":"x"}]}`, `input[0].role: unknown role "tool"`},
		{"unknown part", `{"model":"m","input":[{"role":"user","content":"a"},{"role":"user","content":[{"type":"input_video"}]}]}`,
			`input[1].content[0]: unknown part type "input_video"`},
		{"image without source", `{"model":"m","input":[{"role":"user","content":[{"type":"input_image"}]}]}`,
			"input[0].content[0].image_url: image_url or file_id required"},
		{"call without call_id", `{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}`, "input[0].call_id: required"},
		{"call without name", `{"model":"m","input":[{"type":"function_call","call_id":"c","arguments":"{}"}]}`, "input[0].name: required"},
		{"output without call_id", `{"model":"m","input":[{"type":"function_call_output","output":"x"}]}`, "input[0].call_id: required"},
		{"assistant image", `{"model":"m","input":[{"role":"assistant","content":[{"type":"input_image","image_url":"x"}]}]}`,
			`input[0].content[0]: unknown part type "input_image" here`},
		{"bad tool_choice", `{"model":"m","input":"x","tool_choice":"maybe"}`, "tool_choice: must be"},
		{"tool without name", `{"model":"m","input":"x","tools":[{"type":"function"}]}`, "tools[0].name: required"},
		{"bad format", `{"model":"m","input":"x","text":{"format":{"type":"yaml"}}}`, "text.format.type: must be"},
		{"bad max", `{"model":"m","input":"x","max_output_tokens":1.5e3e}`, "not valid JSON"},
		{"max string", `{"model":"m","input":"x","max_output_tokens":"5"}`, "max_output_tokens: must be an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Get(OpenAIResponses).DecodeRequest([]byte(tt.body))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if e.Status != 400 || !strings.Contains(e.Message, tt.want) {
				t.Errorf("status %d message %q, want 400 with %q", e.Status, e.Message, tt.want)
			}
		})
	}
}

func TestOpenAIResponsesDecodeRequestCanonical(t *testing.T) {
	body := `{
	  "model": "smart",
	  "instructions": "Sys",
	  "input": [
	    {"role": "system", "content": [{"type":"input_text","text":"More sys"}]},
	    {"role": "user", "content": "Q1"},
	    {"type": "reasoning", "id": "rs_a", "summary": [], "content": [{"type":"reasoning_text","text":"raw thought"}], "encrypted_content": "octo1.anthropic.SIG"},
	    {"type": "message", "role": "assistant", "id": "msg_a", "content": [{"type":"output_text","text":"A1"}]},
	    {"type": "function_call", "id": "fc_a", "call_id": "c1", "name": "f", "arguments": "[1,2]"},
	    {"type": "function_call", "id": "fc_b", "call_id": "c2", "name": "g", "arguments": "{}"},
	    {"type": "function_call_output", "call_id": "c1", "output": [{"type":"input_text","text":"r1"},{"type":"input_image","image_url":"https://x/i.png"}]},
	    {"type": "function_call_output", "call_id": "c2", "output": "r2"},
	    {"type": "item_reference", "id": "msg_old"},
	    {"role": "developer", "content": "Late sys"},
	    {"role": "user", "content": [{"type":"input_file","file_id":"file-1"},{"type":"input_audio","input_audio":{"data":"UklG","format":"wav"}}]}
	  ],
	  "tools": [{"type":"function","name":"f","description":"F","parameters":{"type":"object"},"strict":false},{"type":"file_search","vector_store_ids":["vs"]}],
	  "tool_choice": {"type":"function","name":"f"},
	  "reasoning": {"effort":"none"},
	  "text": {"format": {"type":"json_object"}},
	  "previous_response_id": "resp_prev",
	  "stream": true
	}`
	req, err := Get(OpenAIResponses).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{
		Model:  "smart",
		System: []Part{{Type: PartText, Text: "Sys"}, {Type: PartText, Text: "More sys"}},
		Messages: []Message{
			{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "Q1"}}},
			{Role: RoleAssistant, Parts: []Part{
				{Type: PartThinking, Text: "raw thought", Signature: "SIG", SignatureFamily: "anthropic", ItemID: "rs_a"},
				{Type: PartText, Text: "A1", ItemID: "msg_a"},
				{Type: PartToolCall, ToolCallID: "c1", ToolName: "f", Arguments: json.RawMessage(`{"raw":"[1,2]"}`), ItemID: "fc_a"},
				{Type: PartToolCall, ToolCallID: "c2", ToolName: "g", Arguments: json.RawMessage(`{}`), ItemID: "fc_b"},
			}},
			{Role: RoleUser, Parts: []Part{
				{Type: PartToolResult, ToolCallID: "c1", ToolName: "f", Content: []Part{{Type: PartText, Text: "r1"}, {Type: PartImage, URL: "https://x/i.png"}}},
				{Type: PartToolResult, ToolCallID: "c2", ToolName: "g", Content: []Part{{Type: PartText, Text: "r2"}}},
			}},
			{Role: RoleSystem, Parts: []Part{{Type: PartText, Text: "Late sys"}}},
			{Role: RoleUser, Parts: []Part{{Type: PartFile, FileID: "file-1"}, {Type: PartAudio, MediaType: "audio/wav", Data: "UklG"}}},
		},
		Tools:          []Tool{{Name: "f", Description: "F", Parameters: json.RawMessage(`{"type":"object"}`), Strict: oaiPtr(false)}},
		ToolChoice:     &ToolChoice{Mode: ToolChoiceTool, Name: "f"},
		Stream:         true,
		Reasoning:      &Reasoning{Effort: "none", Disabled: true},
		ResponseFormat: &ResponseFormat{Type: "json_object"},
		Extra: map[string]json.RawMessage{
			"tools":                json.RawMessage(`[{"type":"file_search","vector_store_ids":["vs"]}]`),
			"previous_response_id": json.RawMessage(`"resp_prev"`),
		},
		SourceFormat: OpenAIResponses,
	}
	if d := cmp.Diff(want, req); d != "" {
		t.Errorf("request (-want +got):\n%s", d)
	}
}

func TestOpenAIResponsesEncodeRequestCrossFormat(t *testing.T) {
	req := oaiCrossRequest()
	req.Messages[1].Parts = append([]Part{{Type: PartThinking, Text: "openai thought", Signature: "gAAAA1", SignatureFamily: "openai", ItemID: "rs_x"}},
		req.Messages[1].Parts...)
	req.Messages = append(req.Messages, Message{Role: RoleAssistant, Parts: []Part{
		{Type: PartText, Text: "It is "}, {Type: PartText, Text: "sunny."}}})
	req.Reasoning.IncludeThoughts = true
	out, err := Get(OpenAIResponses).EncodeRequest(req, EncodeOptions{Model: "gpt-5", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"gpt-5","instructions":"Sys A\n\nSys B","input":[
		{"type":"message","role":"user","content":"Weather?"},
		{"type":"reasoning","summary":[{"type":"summary_text","text":"openai thought"}],"encrypted_content":"gAAAA1"},
		{"type":"function_call","call_id":"toolu_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
		{"type":"function_call_output","call_id":"toolu_1","output":[{"type":"input_text","text":"sunny"},{"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"auto"}]},
		{"type":"message","role":"user","content":[{"type":"input_text","text":"here:"}]},
		{"type":"message","role":"assistant","content":[{"type":"output_text","text":"It is "},{"type":"output_text","text":"sunny."}]}],
		"tools":[{"type":"function","name":"get_weather","description":"d","parameters":{"type":"object"},"strict":false}],
		"tool_choice":"auto","max_output_tokens":16,
		"reasoning":{"effort":"high","summary":"auto"},
		"stream":true,"store":false,"include":["reasoning.encrypted_content"]}`
	oaiAssertJSON(t, out, []byte(want))

	// A model without reasoning gets no reasoning options but keeps sampling.
	out, err = Get(OpenAIResponses).EncodeRequest(oaiCrossRequest(), EncodeOptions{Model: "gpt-4.1"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "reasoning") || strings.Contains(s, "include") || !strings.Contains(s, `"temperature":0.5`) {
		t.Errorf("gpt-4.1 body: %s", s)
	}
}

func TestOpenAIResponsesEncodeRequestErrors(t *testing.T) {
	for _, p := range []Part{{Type: PartAudio, Data: "x"}, {Type: PartFile}, {Type: PartImage}} {
		req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{p}}}}
		_, err := Get(OpenAIResponses).EncodeRequest(req, EncodeOptions{Model: "m"})
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.HasPrefix(e.Message, "messages[0].content[0]: ") {
			t.Errorf("%s: error = %v", p.Type, err)
		}
	}
}

func TestOpenAIResponsesDecodeResponse(t *testing.T) {
	resp, err := Get(OpenAIResponses).DecodeResponse(oaiRead(t, "testdata/openai_responses/response_tools_reasoning.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Response{
		ID: "resp_2", Model: "gpt-5", Created: 1741476600, StopReason: StopToolUse,
		Content: []Part{
			{Type: PartThinking, Text: "**Plan**\n\nCall the tool.\n\nThen answer.", Signature: "gAAAAenc2", SignatureFamily: "openai", ItemID: "rs_2"},
			{Type: PartText, Text: "Checking.", ItemID: "msg_2"},
			{Type: PartToolCall, ToolCallID: "call_2", ToolName: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`), ItemID: "fc_2"},
		},
		Usage: Usage{InputTokens: 120, OutputTokens: 80, CacheReadTokens: 100, ReasoningTokens: 64},
	}
	if d := cmp.Diff(want, resp); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}

	tests := []struct {
		name, body string
		stop       StopReason
		err        string
	}{
		{"content filter", `{"status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[]}`, StopContentFilter, ""},
		{"refusal", `{"status":"completed","output":[{"type":"message","content":[{"type":"refusal","refusal":"no"}]}]}`, StopRefusal, ""},
		{"failed", `{"status":"failed","error":{"code":"server_error","message":"model crashed"},"output":[]}`, "", "model crashed"},
		{"invalid", `[`, "", "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Get(OpenAIResponses).DecodeResponse([]byte(tt.body))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || r.StopReason != tt.stop {
				t.Errorf("stop %v err %v, want %s", r, err, tt.stop)
			}
		})
	}
}

func TestOpenAIResponsesStreamDecoderEvents(t *testing.T) {
	evs := oaiDecodeAll(t, Get(OpenAIResponses), oaiRead(t, "testdata/openai_responses/stream_tools.sse"))
	u := &Usage{InputTokens: 50, OutputTokens: 40, CacheReadTokens: 10, ReasoningTokens: 20}
	want := []Event{
		{Type: EventStart, ID: "resp_s2", Model: "gpt-5"},
		{Type: EventThinking, Text: "Need the"},
		{Type: EventThinking, Text: " weather."},
		{Type: EventSignature, Signature: "gAAAAenc3", SignatureFamily: "openai"},
		{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "call_s2a", ToolName: "get_weather"},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"city":`},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `"Paris"}`},
		{Type: EventToolCallEnd, ToolIndex: 0},
		{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "call_s2b", ToolName: "get_time"},
		{Type: EventToolCallArgs, ToolIndex: 1, Text: `{}`},
		{Type: EventToolCallEnd, ToolIndex: 1},
		{Type: EventUsage, Usage: u},
		{Type: EventFinish, StopReason: StopToolUse, Usage: u},
	}
	if d := cmp.Diff(want, evs); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}

func TestOpenAIResponsesStreamDecoderQuirks(t *testing.T) {
	t.Run("done events without deltas", func(t *testing.T) {
		stream := "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"reasoning\",\"id\":\"rs_1\"}}\n\n" +
			"event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[{\"type\":\"summary_text\",\"text\":\"S\"}]}}\n\n" +
			"event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":1,\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"content\":[{\"type\":\"output_text\",\"text\":\"T\"}]}}\n\n" +
			"event: response.output_item.done\ndata: {\"type\":\"response.output_item.done\",\"output_index\":2,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}\n\n" +
			"event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}\n\n"
		evs := oaiDecodeAll(t, Get(OpenAIResponses), []byte(stream))
		want := []Event{
			{Type: EventStart},
			{Type: EventThinking, Text: "S"},
			{Type: EventText, Text: "T"},
			{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "c", ToolName: "f"},
			{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"a":1}`},
			{Type: EventToolCallEnd, ToolIndex: 0},
			{Type: EventFinish, StopReason: StopMaxTokens},
		}
		if d := cmp.Diff(want, evs); d != "" {
			t.Errorf("events (-want +got):\n%s", d)
		}
	})
	t.Run("deltas without added event are not repeated by done", func(t *testing.T) {
		stream := "data: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_9\",\"delta\":\"Hi\"}\n\n" +
			"data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"message\",\"id\":\"msg_9\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi\"}]}}\n\n" +
			"data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n"
		evs := oaiDecodeAll(t, Get(OpenAIResponses), []byte(stream))
		want := []Event{{Type: EventStart}, {Type: EventText, Text: "Hi"}, {Type: EventFinish, StopReason: StopEndTurn}}
		if d := cmp.Diff(want, evs); d != "" {
			t.Errorf("events (-want +got):\n%s", d)
		}
	})
	t.Run("error event then end of body", func(t *testing.T) {
		stream := "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"delta\":\"x\"}\n\n" +
			"event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow\",\"param\":null}\n\n"
		evs := oaiDecodeAll(t, Get(OpenAIResponses), []byte(stream))
		if len(evs) != 4 || evs[2].Type != EventError || evs[2].Error.Message != "slow" || evs[2].Error.Code != "rate_limit_exceeded" ||
			evs[3].Type != EventFinish || evs[3].StopReason != StopError {
			t.Errorf("events %+v", evs)
		}
	})
	t.Run("failed terminal", func(t *testing.T) {
		evs := oaiDecodeAll(t, Get(OpenAIResponses), oaiRead(t, "testdata/openai_responses/stream_failed.sse"))
		last := evs[len(evs)-1]
		if evs[len(evs)-2].Type != EventError || evs[len(evs)-2].Error.Message != "The model crashed." ||
			last.Type != EventFinish || last.StopReason != StopError {
			t.Errorf("events %+v", evs)
		}
	})
}

func TestOpenAIResponsesStreamEncoderEdges(t *testing.T) {
	oaiDeterministic(t)
	t.Run("close without finish fails the response", func(t *testing.T) {
		var buf strings.Builder
		enc := Get(OpenAIResponses).NewStreamEncoder(&buf, &Request{Model: "m"})
		for _, ev := range []Event{{Type: EventStart}, {Type: EventText, Text: "cut"}} {
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
		evs := oaiReadSSE(t, []byte(buf.String()))
		last := evs[len(evs)-1]
		if last.name != "response.failed" || !strings.Contains(string(last.data), "ended before the response was complete") ||
			strings.Count(buf.String(), "event: response.failed") != 1 {
			t.Errorf("stream:\n%s", buf.String())
		}
	})
	t.Run("redacted thinking and signatures get their own items", func(t *testing.T) {
		evs := []Event{{Type: EventStart}, {Type: EventThinking, Text: "a"},
			{Type: EventSignature, Signature: "S1", SignatureFamily: "anthropic"},
			{Type: EventSignature, Signature: "R", SignatureFamily: "anthropic", Redacted: true},
			{Type: EventThinking, Text: "b"},
			{Type: EventSignature, Signature: "S2", SignatureFamily: "openai"},
			{Type: EventFinish, StopReason: StopEndTurn}}
		out := oaiEncodeAll(t, Get(OpenAIResponses), &Request{}, evs)
		var final []string
		for _, e := range oaiReadSSE(t, out) {
			if e.name == "response.output_item.done" {
				var v struct {
					Item struct {
						Encrypted string `json:"encrypted_content"`
						Summary   []struct{ Text string }
					}
				}
				if err := json.Unmarshal(e.data, &v); err != nil {
					t.Fatal(err)
				}
				s := v.Item.Encrypted
				if len(v.Item.Summary) > 0 {
					s = v.Item.Summary[0].Text + "=" + s
				}
				final = append(final, s)
			}
		}
		if got := strings.Join(final, ","); got != "a=octo1.anthropic.S1,octo1.anthropic.R,b=S2" {
			t.Errorf("reasoning items %s", got)
		}
	})
	t.Run("interleaved calls and empty arguments", func(t *testing.T) {
		evs := []Event{{Type: EventStart},
			{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "a", ToolName: "f"},
			{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "b", ToolName: "g"},
			{Type: EventToolCallArgs, ToolIndex: 1, Text: `{"x":`},
			{Type: EventToolCallArgs, ToolIndex: 0, Text: `{}`},
			{Type: EventToolCallArgs, ToolIndex: 1, Text: `2}`},
			{Type: EventToolCallStart, ToolIndex: 2, ToolCallID: "c", ToolName: "h"},
			{Type: EventFinish, StopReason: StopToolUse}}
		out := oaiEncodeAll(t, Get(OpenAIResponses), &Request{}, evs)
		evsOut := oaiReadSSE(t, out)
		var final struct {
			Response struct {
				Output []struct {
					CallID    string `json:"call_id"`
					Arguments string
				}
			}
		}
		if err := json.Unmarshal(evsOut[len(evsOut)-1].data, &final); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range final.Response.Output {
			got = append(got, o.CallID+o.Arguments)
		}
		if strings.Join(got, " ") != `a{} b{"x":2} c{}` {
			t.Errorf("calls %v", got)
		}
	})
}
