package transform

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	anthropic "github.com/anthropics/anthropic-sdk-go/v2"
)

// Ground truth: what this codec writes for Anthropic clients must read
// back through the official Go SDK's types the way a real answer would.

// anSDKAccumulate parses an encoded stream into SDK events and folds them
// with Message.Accumulate. It fails on an error event.
func anSDKAccumulate(t *testing.T, stream []byte) anthropic.Message {
	t.Helper()
	var msg anthropic.Message
	events := anReadSSE(t, stream)
	if len(events) == 0 || events[0].name != "message_start" || events[len(events)-1].name != "message_stop" {
		t.Fatalf("stream must run from message_start to message_stop:\n%s", stream)
	}
	for _, e := range events {
		var ev anthropic.MessageStreamEventUnion
		if err := json.Unmarshal([]byte(e.data), &ev); err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		if ev.Type != e.name {
			t.Fatalf("event name %q carries type %q", e.name, ev.Type)
		}
		if err := msg.Accumulate(ev); err != nil {
			t.Fatalf("accumulate %s: %v\n%s", e.name, err, stream)
		}
	}
	return msg
}

func TestAnthropicSDKResponse(t *testing.T) {
	resp := &Response{
		ID: "chatcmpl-123", Model: "gpt-x",
		Content: []Part{
			{Type: PartThinking, Text: "think", Signature: "gsig", SignatureFamily: "gemini"},
			{Type: PartText, Text: "Calling."},
			{Type: PartToolCall, ToolCallID: "call_1", ToolName: "f", Arguments: json.RawMessage(`{"a":[1,2]}`), Signature: "fcsig", SignatureFamily: "gemini"},
			{Type: PartToolCall, ToolCallID: "call_2", ToolName: "g", Arguments: json.RawMessage(`"{\"b\":true}"`)},
		},
		StopReason: StopEndTurn,
		Usage:      Usage{InputTokens: 1000, CacheReadTokens: 600, CacheWriteTokens: 100, OutputTokens: 80, ReasoningTokens: 30},
	}
	out, err := Get(Anthropic).EncodeResponse(resp, &Request{Model: "group"})
	if err != nil {
		t.Fatal(err)
	}
	var msg anthropic.Message
	if err := json.Unmarshal(out, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.StopReason != anthropic.StopReasonToolUse {
		t.Errorf("stop reason %q (tool calls present)", msg.StopReason)
	}
	if msg.Usage.InputTokens != 300 || msg.Usage.CacheReadInputTokens != 600 || msg.Usage.CacheCreationInputTokens != 100 ||
		msg.Usage.OutputTokens != 80 || msg.Usage.OutputTokensDetails.ThinkingTokens != 30 {
		t.Errorf("usage %+v", msg.Usage)
	}
	if len(msg.ID) < 5 || msg.ID[:4] != "msg_" || msg.Model != "gpt-x" {
		t.Errorf("id %q model %q", msg.ID, msg.Model)
	}
	var types []string
	for _, b := range msg.Content {
		types = append(types, b.Type)
	}
	want := []string{"thinking", "text", "tool_use", "thinking", "tool_use"}
	if len(types) != len(want) {
		t.Fatalf("blocks %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("blocks %v, want %v", types, want)
		}
	}
	if msg.Content[0].Signature != "octo1.gemini.gsig" || msg.Content[3].Signature != "octo1.gemini.fcsig" || msg.Content[3].Thinking != "" {
		t.Errorf("exported signatures: %+v / %+v", msg.Content[0], msg.Content[3])
	}
	if string(msg.Content[2].Input) != `{"a":[1,2]}` || string(msg.Content[4].Input) != `{"b":true}` {
		t.Errorf("inputs %s %s", msg.Content[2].Input, msg.Content[4].Input)
	}

	// The client sends the answer back: the signature returns to its call.
	var params []anthropic.ContentBlockParamUnion
	for _, b := range msg.Content {
		params = append(params, b.ToParam())
	}
	body, err := json.Marshal(anthropic.MessageNewParams{Model: "m", MaxTokens: 10, Messages: []anthropic.MessageParam{
		anthropic.NewUserMessage(anthropic.NewTextBlock("q")), anthropic.NewAssistantMessage(params...)}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := Get(Anthropic).DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	parts := req.Messages[1].Parts
	if len(parts) != 4 || parts[2].Signature != "fcsig" || parts[2].SignatureFamily != "gemini" || parts[0].Signature != "gsig" {
		t.Errorf("round trip parts: %+v", parts)
	}
}

func TestAnthropicSDKRequestShape(t *testing.T) {
	// A body built for 2026-10-21 must survive the SDK's own request type
	// unchanged: every field and block shape is one the SDK knows.
	body, err := os.ReadFile("testdata/anthropic/request_full.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := Get(Anthropic).DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Get(Anthropic).EncodeRequest(req, EncodeOptions{Model: "claude-sonnet-4-5", AnthropicVersion: AnthropicVersion20261021})
	if err != nil {
		t.Fatal(err)
	}
	var params anthropic.MessageNewParams
	if err := json.Unmarshal(out, &params); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	anJSONEqual(t, "SDK round trip", again, out)
}

func TestAnthropicSDKStream(t *testing.T) {
	cases := []struct {
		name       string
		events     []Event
		wantStop   anthropic.StopReason
		wantBlocks []string
		wantInputs map[int]string // content index -> input JSON
		wantIn     int64
		wantOut    int64
	}{
		{
			name: "text",
			events: []Event{
				{Type: EventStart, ID: "chatcmpl-1", Model: "gpt"},
				{Type: EventText, Text: "Hel"}, {Type: EventText, Text: "lo"},
				{Type: EventUsage, Usage: &Usage{InputTokens: 12, OutputTokens: 3}},
				{Type: EventFinish, StopReason: StopMaxTokens},
			},
			wantStop: anthropic.StopReasonMaxTokens, wantBlocks: []string{"text"}, wantIn: 12, wantOut: 3,
		},
		{
			name: "thinking then parallel tool calls interleaved (CC style)",
			events: []Event{
				{Type: EventStart},
				{Type: EventUsage, Usage: &Usage{InputTokens: 50, CacheReadTokens: 20}},
				{Type: EventThinking, Text: "plan"},
				{Type: EventSignature, Signature: "sig", SignatureFamily: "anthropic"},
				{Type: EventText, Text: "Two calls."},
				{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "call_a", ToolName: "f"},
				{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"x":`},
				{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "call_b", ToolName: "g"},
				{Type: EventToolCallArgs, ToolIndex: 1, Text: `{"y":`},
				{Type: EventToolCallArgs, ToolIndex: 0, Text: `1}`},
				{Type: EventToolCallArgs, ToolIndex: 1, Text: `2}`},
				{Type: EventToolCallEnd, ToolIndex: 0},
				{Type: EventToolCallEnd, ToolIndex: 1},
				{Type: EventFinish, StopReason: StopEndTurn, Usage: &Usage{InputTokens: 50, CacheReadTokens: 20, OutputTokens: 40}},
			},
			wantStop: anthropic.StopReasonToolUse, wantBlocks: []string{"thinking", "text", "tool_use", "tool_use"},
			wantInputs: map[int]string{2: `{"x":1}`, 3: `{"y":2}`}, wantIn: 30, wantOut: 40,
		},
		{
			name: "gemini signatures and whole calls",
			events: []Event{
				{Type: EventStart, Model: "gemini-3"},
				{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "", ToolName: "f"},
				{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"q":"a"}`},
				{Type: EventToolCallEnd, ToolIndex: 0, Signature: "gs", SignatureFamily: "gemini"},
				{Type: EventSignature, Signature: "Emw", SignatureFamily: "anthropic", Redacted: true},
				{Type: EventFinish, StopReason: StopEndTurn},
			},
			wantStop: anthropic.StopReasonToolUse, wantBlocks: []string{"tool_use", "thinking", "redacted_thinking"},
			wantInputs: map[int]string{0: `{"q":"a"}`},
		},
		{
			name:     "no finish: Close ends the stream",
			events:   []Event{{Type: EventStart}, {Type: EventText, Text: "partial"}},
			wantStop: anthropic.StopReasonEndTurn, wantBlocks: []string{"text"},
		},
		{
			name:     "nothing at all",
			events:   nil,
			wantStop: anthropic.StopReasonEndTurn,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			enc := Get(Anthropic).NewStreamEncoder(&out, &Request{Model: "group"})
			for i := range c.events {
				if err := enc.Encode(&c.events[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := enc.Close(); err != nil {
				t.Fatal(err)
			}
			n := out.Len()
			if err := enc.Close(); err != nil || out.Len() != n {
				t.Fatalf("second Close wrote again (err %v)", err)
			}
			msg := anSDKAccumulate(t, out.Bytes())
			if msg.StopReason != c.wantStop {
				t.Errorf("stop %q, want %q", msg.StopReason, c.wantStop)
			}
			if len(msg.Content) != len(c.wantBlocks) {
				t.Fatalf("blocks %d, want %v\n%s", len(msg.Content), c.wantBlocks, out.Bytes())
			}
			for i, typ := range c.wantBlocks {
				if msg.Content[i].Type != typ {
					t.Errorf("block %d: %s, want %s", i, msg.Content[i].Type, typ)
				}
			}
			for i, in := range c.wantInputs {
				if string(msg.Content[i].Input) != in {
					t.Errorf("input %d: %s, want %s", i, msg.Content[i].Input, in)
				}
			}
			if msg.Usage.InputTokens != c.wantIn || msg.Usage.OutputTokens != c.wantOut {
				t.Errorf("usage %+v", msg.Usage)
			}
		})
	}
}

func TestAnthropicSDKStreamSignatures(t *testing.T) {
	var out bytes.Buffer
	enc := Get(Anthropic).NewStreamEncoder(&out, &Request{Model: "m"})
	for _, ev := range []Event{
		{Type: EventStart},
		{Type: EventThinking, Text: "a"},
		{Type: EventThinking, Text: "b"},
		{Type: EventSignature, Signature: "S", SignatureFamily: "openai"},
		{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "c", ToolName: "f"},
		{Type: EventToolCallEnd, ToolIndex: 0},
		{Type: EventFinish, StopReason: StopToolUse},
	} {
		if err := enc.Encode(&ev); err != nil {
			t.Fatal(err)
		}
	}
	msg := anSDKAccumulate(t, out.Bytes())
	if msg.Content[0].Thinking != "ab" || msg.Content[0].Signature != "octo1.openai.S" {
		t.Errorf("thinking block %+v", msg.Content[0])
	}
	// Exactly one signature_delta, right before the thinking block's stop.
	events := anReadSSE(t, out.Bytes())
	sigs := 0
	for i, e := range events {
		if bytes.Contains([]byte(e.data), []byte("signature_delta")) {
			sigs++
			if events[i+1].name != "content_block_stop" {
				t.Errorf("signature_delta not right before stop")
			}
		}
	}
	if sigs != 1 {
		t.Errorf("%d signature_delta events", sigs)
	}
	if string(msg.Content[1].Input) != "{}" {
		t.Errorf("input %s", msg.Content[1].Input)
	}
}

func TestAnthropicSDKStreamFromAnthropicUpstream(t *testing.T) {
	in, err := os.ReadFile("testdata/anthropic/stream_tool_use.sse")
	if err != nil {
		t.Fatal(err)
	}
	msg := anSDKAccumulate(t, anTranscode(t, in, &Request{Model: "m"}))
	if msg.StopReason != anthropic.StopReasonToolUse || len(msg.Content) != 4 ||
		string(msg.Content[2].Input) != `{"location": "San Francisco"}` || string(msg.Content[3].Input) != "{}" {
		t.Errorf("%+v", msg)
	}
	if msg.Usage.InputTokens != 587 || msg.Usage.CacheReadInputTokens != 13 || msg.Usage.OutputTokens != 226 {
		t.Errorf("usage %+v", msg.Usage)
	}
	if msg.Content[0].Signature != "EqQBCkYIsig" {
		t.Errorf("signature %q", msg.Content[0].Signature)
	}
}
