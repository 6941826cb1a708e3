package transform

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func accTestRun(evs []Event) *Accumulator {
	var a Accumulator // the zero value is usable
	for i := range evs {
		a.Add(&evs[i])
	}
	return &a
}

func TestAccumulatorRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		resp *Response
	}{
		{"every part kind", oaiSampleResponse()},
		{"text only", &Response{ID: "x", Model: "m", Content: []Part{{Type: PartText, Text: "hello"}},
			StopReason: StopEndTurn, Usage: Usage{InputTokens: 1, OutputTokens: 2}}},
		{"redacted and signature-only thinking", &Response{
			Content: []Part{
				{Type: PartRedactedThinking, Signature: "R", SignatureFamily: "anthropic"},
				{Type: PartThinking, Signature: "S", SignatureFamily: "gemini"},
				{Type: PartThinking, Text: "t2"},
				{Type: PartText, Text: "a"},
				{Type: PartToolCall, ToolCallID: "c", ToolName: "f", Arguments: json.RawMessage(`{"k":[1]}`)},
				{Type: PartText, Text: "b"},
			},
			StopReason: StopToolUse, StopSequence: ""}},
		{"stop sequence", &Response{Content: []Part{{Type: PartText, Text: "x"}}, StopReason: StopSequence, StopSequence: "END"}},
		{"empty", &Response{StopReason: StopMaxTokens}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// ResponseEvents merges nothing, so the accumulator must rebuild
			// exactly the parts (adjacent text parts aside: the sample has
			// two, which a stream cannot tell apart).
			want := *tt.resp
			want.Content = accMergeText(want.Content)
			want.Created = 0 // events carry no timestamp
			a := accTestRun(ResponseEvents(tt.resp))
			if a.Err() != nil {
				t.Fatal(a.Err())
			}
			if d := cmp.Diff(&want, a.Response()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func accMergeText(parts []Part) []Part {
	var out []Part
	for _, p := range parts {
		if n := len(out); n > 0 && p.Type == PartText && out[n-1].Type == PartText {
			out[n-1].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

func TestResponseEventsShape(t *testing.T) {
	evs := ResponseEvents(&Response{ID: "i", Model: "m", Content: []Part{
		{Type: PartToolCall, ToolCallID: "a", ToolName: "f"},
		{Type: PartText, Text: ""},
		{Type: PartToolCall, ToolCallID: "b", ToolName: "g", Arguments: json.RawMessage(`{"x":1}`), Signature: "G", SignatureFamily: "gemini"},
	}})
	want := []Event{
		{Type: EventStart, ID: "i", Model: "m"},
		{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "a", ToolName: "f"},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: "{}"},
		{Type: EventToolCallEnd, ToolIndex: 0},
		{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "b", ToolName: "g"},
		{Type: EventToolCallArgs, ToolIndex: 1, Text: `{"x":1}`},
		{Type: EventToolCallEnd, ToolIndex: 1, Signature: "G", SignatureFamily: "gemini"},
		{Type: EventUsage, Usage: &Usage{}},
		{Type: EventFinish, StopReason: StopEndTurn, Usage: &Usage{}},
	}
	if d := cmp.Diff(want, evs); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestAccumulatorFromStreams(t *testing.T) {
	t.Run("chat parallel tools", func(t *testing.T) {
		a := accTestRun(oaiDecodeAll(t, Get(OpenAIChat), oaiRead(t, "testdata/openai_chat/stream_parallel_tools.sse")))
		want := &Response{ID: "chatcmpl-X2", Model: "gpt-4o", StopReason: StopToolUse,
			Content: []Part{
				{Type: PartToolCall, ToolCallID: "call_A", ToolName: "get_user_city", Arguments: json.RawMessage(`{"user_id": "123"}`)},
				{Type: PartToolCall, ToolCallID: "call_B", ToolName: "get_user_language", Arguments: json.RawMessage(`{"user_id": "123"}`)},
			},
			Usage: Usage{InputTokens: 104, OutputTokens: 49}}
		if d := cmp.Diff(want, a.Response()); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("responses reasoning and calls", func(t *testing.T) {
		a := accTestRun(oaiDecodeAll(t, Get(OpenAIResponses), oaiRead(t, "testdata/openai_responses/stream_tools.sse")))
		got := a.Response()
		if len(got.Content) != 3 || got.Content[0].Text != "Need the weather." || got.Content[0].Signature != "gAAAAenc3" ||
			string(got.Content[2].Arguments) != "{}" || got.StopReason != StopToolUse || got.Usage.ReasoningTokens != 20 {
			t.Errorf("response %+v", got)
		}
	})
}

func TestAccumulatorEdges(t *testing.T) {
	t.Run("arguments normalised", func(t *testing.T) {
		a := accTestRun([]Event{
			{Type: EventStart},
			{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "a", ToolName: "f"},
			{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "b", ToolName: "g"},
			{Type: EventToolCallArgs, ToolIndex: 1, Text: "not "},
			{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"a"`},
			{Type: EventToolCallArgs, ToolIndex: 1, Text: "json"},
			{Type: EventToolCallArgs, ToolIndex: 0, Text: `:1}`},
			{Type: EventToolCallArgs, ToolIndex: 7, Text: "unknown call: ignored"},
			{Type: EventToolCallEnd, ToolIndex: 0},
			// call 1 never ends: Response closes it
		})
		got := a.Response()
		if string(got.Content[0].Arguments) != `{"a":1}` || string(got.Content[1].Arguments) != `{"raw":"not json"}` ||
			got.StopReason != StopToolUse {
			t.Errorf("response %+v", got)
		}
	})
	t.Run("broken tool indexes are ignored", func(t *testing.T) {
		a := accTestRun([]Event{{Type: EventToolCallStart, ToolIndex: -1}, {Type: EventToolCallStart, ToolIndex: 1 << 30},
			{Type: EventToolCallArgs, ToolIndex: -3}, {Type: EventToolCallEnd, ToolIndex: 99}})
		if got := a.Response(); len(got.Content) != 0 || len(a.calls) != 0 {
			t.Errorf("response %+v", got)
		}
		out := oaiEncodeAll(t, Get(OpenAIResponses), &Request{}, []Event{{Type: EventToolCallStart, ToolIndex: -1}, {Type: EventFinish}})
		if !strings.Contains(string(out), "response.completed") {
			t.Errorf("stream %s", out)
		}
	})
	t.Run("error", func(t *testing.T) {
		a := accTestRun([]Event{{Type: EventStart}, {Type: EventText, Text: "x"},
			{Type: EventError, Error: &Error{Status: 500, Message: "boom"}}})
		if a.Err() == nil || a.Err().Message != "boom" || a.Response().StopReason != StopError {
			t.Errorf("err %v stop %s", a.Err(), a.Response().StopReason)
		}
	})
	t.Run("events after finish ignored", func(t *testing.T) {
		a := accTestRun([]Event{{Type: EventText, Text: "x"}, {Type: EventFinish, StopReason: StopMaxTokens},
			{Type: EventText, Text: "late"}})
		got := a.Response()
		if len(got.Content) != 1 || got.Content[0].Text != "x" || got.StopReason != StopMaxTokens {
			t.Errorf("response %+v", got)
		}
	})
	t.Run("text split by thinking", func(t *testing.T) {
		a := accTestRun([]Event{{Type: EventThinking, Text: "a"}, {Type: EventThinking, Text: "b"},
			{Type: EventText, Text: "c"}, {Type: EventThinking, Text: "d"}, {Type: EventText, Text: "e"}, {Type: EventText, Text: "f"}})
		want := []Part{{Type: PartThinking, Text: "ab"}, {Type: PartText, Text: "c"}, {Type: PartThinking, Text: "d"}, {Type: PartText, Text: "ef"}}
		if d := cmp.Diff(want, a.Response().Content); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

// TestCrossFormatThroughAccumulator serves a non-streaming Responses client
// from a Chat Completions stream and a streaming Chat Completions client
// from a Responses answer.
func TestCrossFormatThroughAccumulator(t *testing.T) {
	oaiDeterministic(t)
	a := accTestRun(oaiDecodeAll(t, Get(OpenAIChat), oaiRead(t, "testdata/openai_chat/stream_reasoning.sse")))
	body, err := Get(OpenAIResponses).EncodeResponse(a.Response(), &Request{Model: "smart"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Get(OpenAIResponses).DecodeResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Content) != 2 || back.Content[0].Text != "Thinking..." || back.Content[1].Text != "4" ||
		back.Usage.ReasoningTokens != 6 || back.StopReason != StopEndTurn {
		t.Errorf("response %+v", back)
	}

	resp, err := Get(OpenAIResponses).DecodeResponse(oaiRead(t, "testdata/openai_responses/response_tools_reasoning.json"))
	if err != nil {
		t.Fatal(err)
	}
	stream := oaiEncodeAll(t, Get(OpenAIChat), &Request{Model: "smart", IncludeUsage: true}, ResponseEvents(resp))
	again := accTestRun(oaiDecodeAll(t, Get(OpenAIChat), stream)).Response()
	if len(again.Content) != 3 || again.Content[2].ToolCallID != "call_2" || again.StopReason != StopToolUse ||
		again.Usage != resp.Usage || again.Content[0].Signature != "gAAAAenc2" {
		t.Errorf("response %+v", again)
	}
}
