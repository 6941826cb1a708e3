package transform

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"google.golang.org/genai"
)

func TestGeminiStreamDecoderEdgeCases(t *testing.T) {
	tests := []struct {
		name   string
		f      Format
		chunks []string
		want   string
	}{
		{"id-less calls and array framing", Gemini, []string{
			`[{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":1}}}]}}],"responseId":"r"}`,
			`,{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"}}]},"finishReason":"MAX_TOKENS"}]}`,
			`]`,
		}, "start id=r model=\ncall_start 0 ID f\ncall_args 0 {\"a\":1}\ncall_end 0 :\ncall_start 1 ID f\ncall_args 1 {}\ncall_end 1 :\nfinish tool_use in=0 out=0 cache=0 reasoning=0\n"},
		{"blocked prompt", Gemini, []string{
			`{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":7}}`,
		}, "start id= model=\nusage in=7 out=0 cache=0 reasoning=0\nfinish content_filter in=7 out=0 cache=0 reasoning=0\n"},
		{"in-stream error", Antigravity, []string{
			`{"response":{"candidates":[{"content":{"parts":[{"text":"par"}]}}],"usageMetadata":{"promptTokenCount":3}}}`,
			`{"error":{"code":503,"message":"No capacity available","status":"UNAVAILABLE"}}`,
			`{"response":{"candidates":[{"content":{"parts":[{"text":"ignored"}]}}]}}`,
		}, "start id= model=\ntext par\nusage in=3 out=0 cache=0 reasoning=0\nerror No capacity available\nfinish error in=3 out=0 cache=0 reasoning=0\n"},
		{"empty stream", Gemini, nil,
			"start id= model=\nerror upstream Gemini ended the stream without sending anything\nfinish error in=0 out=0 cache=0 reasoning=0\n"},
		{"usage after finish, last wins", Gemini, []string{
			`{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1}}`,
			``,
			`{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":4,"thoughtsTokenCount":2,"cachedContentTokenCount":1}}`,
		}, "start id= model=\ntext a\nusage in=5 out=1 cache=0 reasoning=0\nusage in=5 out=6 cache=1 reasoning=2\nfinish end_turn in=5 out=6 cache=1 reasoning=2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Get(tt.f).NewStreamDecoder()
			var evs []Event
			sawDone := false
			for _, c := range tt.chunks {
				var err error
				var done bool
				evs, done, err = d.Feed(evs, nil, []byte(c))
				if err != nil {
					t.Fatal(err)
				}
				if done && !sawDone && !strings.Contains(c, "error") {
					t.Fatalf("done after %s", c)
				}
				sawDone = sawDone || done
			}
			evs = d.Close(evs)
			evs = d.Close(evs) // a second Close adds nothing
			ids := map[string]bool{}
			for i := range evs {
				if evs[i].Type == EventToolCallStart {
					if ids[evs[i].ToolCallID] || !strings.HasPrefix(evs[i].ToolCallID, "call_") {
						t.Errorf("tool call id %q not unique/synthesized", evs[i].ToolCallID)
					}
					ids[evs[i].ToolCallID] = true
					evs[i].ToolCallID = "ID"
				}
			}
			if got := gemEventString(evs); got != tt.want {
				t.Errorf("events:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	// Garbage is a protocol error.
	if _, _, err := Get(Gemini).NewStreamDecoder().Feed(nil, nil, []byte(`{"candidates":`)); err == nil {
		t.Error("invalid chunk accepted")
	}
}

// The encoded stream, read chunk by chunk with the genai SDK's types.
func TestGeminiStreamEncoderGenai(t *testing.T) {
	gemQuietSDK(t)
	u := &Usage{InputTokens: 10, OutputTokens: 7, ReasoningTokens: 3, CacheReadTokens: 4}
	evs := []Event{
		{Type: EventStart, ID: "msg_1", Model: "claude-x"},
		{Type: EventThinking, Text: "hmm"},
		{Type: EventSignature, Signature: "EqQB", SignatureFamily: "anthropic"},
		{Type: EventText, Text: "Hel"},
		{Type: EventText, Text: ""},
		{Type: EventText, Text: "lo"},
		// Interleaved argument fragments of two calls, as OpenAI Chat may send.
		{Type: EventToolCallStart, ToolIndex: 0, ToolCallID: "call_0", ToolName: "a"},
		{Type: EventToolCallStart, ToolIndex: 1, ToolCallID: "call_1", ToolName: "b"},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"x":`},
		{Type: EventToolCallArgs, ToolIndex: 1, Text: `{"y":`},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `1}`},
		{Type: EventToolCallArgs, ToolIndex: 1, Text: `"z"}`},
		{Type: EventToolCallEnd, ToolIndex: 1},
		{Type: EventToolCallEnd, ToolIndex: 0, Signature: "GSIG", SignatureFamily: "gemini"},
		{Type: EventUsage, Usage: &Usage{InputTokens: 10}},
		{Type: EventFinish, StopReason: StopToolUse, Usage: u},
	}
	for _, array := range []bool{false, true} {
		for _, f := range []Format{Gemini, Antigravity} {
			out := gemEncodeStream(t, f, &Request{StreamArray: array}, evs)
			var chunks []json.RawMessage
			if array {
				if err := json.Unmarshal(out, &chunks); err != nil {
					t.Fatalf("array form is not a JSON array: %v\n%s", err, out)
				}
			} else {
				for _, d := range gemSSEData(t, out) {
					chunks = append(chunks, d)
				}
			}
			var text, thoughts strings.Builder
			var calls []*genai.FunctionCall
			var sigs []string
			var last genai.GenerateContentResponse
			for _, c := range chunks {
				if f == Antigravity {
					c = json.RawMessage(gjson.GetBytes(c, "response").Raw)
				}
				var g genai.GenerateContentResponse
				if err := json.Unmarshal(c, &g); err != nil {
					t.Fatalf("genai cannot read chunk %s: %v", c, err)
				}
				if g.ResponseID != "msg_1" || g.ModelVersion != "claude-x" {
					t.Errorf("chunk ids = %q %q", g.ResponseID, g.ModelVersion)
				}
				text.WriteString(g.Text())
				calls = append(calls, g.FunctionCalls()...)
				if g.Candidates[0].Content != nil {
					for _, p := range g.Candidates[0].Content.Parts {
						if p.Thought && p.Text != "" {
							thoughts.WriteString(p.Text)
						}
						if len(p.ThoughtSignature) > 0 {
							// As it was on the wire.
							sigs = append(sigs, base64.StdEncoding.EncodeToString(p.ThoughtSignature))
						}
					}
				}
				last = g
			}
			name := map[bool]string{false: "sse", true: "array"}[array] + "/" + string(f)
			if text.String() != "Hello" || thoughts.String() != "hmm" {
				t.Errorf("%s: text %q thoughts %q", name, text.String(), thoughts.String())
			}
			if len(calls) != 2 || calls[0].Name != "b" || !reflect.DeepEqual(calls[0].Args, map[string]any{"y": "z"}) ||
				calls[1].Name != "a" || !reflect.DeepEqual(calls[1].Args, map[string]any{"x": float64(1)}) || calls[1].ID != "call_0" {
				t.Errorf("%s: calls = %+v", name, calls)
			}
			wantSigs := []string{gemExportSignature("EqQB", "anthropic", f), gemExportSignature("GSIG", "gemini", f)}
			if !reflect.DeepEqual(sigs, wantSigs) {
				t.Errorf("%s: signatures = %q, want %q", name, sigs, wantSigs)
			}
			lc := last.Candidates[0]
			if lc.FinishReason != genai.FinishReasonStop || last.UsageMetadata == nil ||
				last.UsageMetadata.PromptTokenCount != 10 || last.UsageMetadata.CandidatesTokenCount != 4 ||
				last.UsageMetadata.ThoughtsTokenCount != 3 || last.UsageMetadata.CachedContentTokenCount != 4 {
				t.Errorf("%s: last chunk = %+v usage %+v", name, lc, last.UsageMetadata)
			}
		}
	}
}

func TestGeminiStreamEncoderEndings(t *testing.T) {
	// Close without EventFinish still ends the stream: pending calls are
	// flushed, then a finish chunk (OTHER), then the array's bracket.
	var buf bytes.Buffer
	enc := Get(Gemini).NewStreamEncoder(&buf, &Request{StreamArray: true, Model: "m"})
	for _, ev := range []Event{
		{Type: EventStart},
		{Type: EventText, Text: "partial"},
		{Type: EventToolCallStart, ToolIndex: 0, ToolName: "f"},
		{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"a":`},
	} {
		if err := enc.Encode(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	var chunks []genai.GenerateContentResponse
	if err := json.Unmarshal(buf.Bytes(), &chunks); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, buf.Bytes())
	}
	if len(chunks) != 3 || chunks[1].FunctionCalls()[0].Args["raw"] != `{"a":` ||
		chunks[2].Candidates[0].FinishReason != genai.FinishReasonOther || chunks[0].ModelVersion != "m" {
		t.Errorf("chunks = %s", buf.Bytes())
	}

	// An in-stream error is written as a Google error object; the finish
	// that follows only closes the stream.
	for _, array := range []bool{false, true} {
		buf.Reset()
		enc = Get(Gemini).NewStreamEncoder(&buf, &Request{StreamArray: array})
		for _, ev := range []Event{
			{Type: EventStart, ID: "x"},
			{Type: EventText, Text: "a"},
			{Type: EventError, Error: &Error{Status: 429, Message: "slow down"}},
			{Type: EventFinish, StopReason: StopError},
			{Type: EventText, Text: "after the end"},
		} {
			if err := enc.Encode(&ev); err != nil {
				t.Fatal(err)
			}
		}
		enc.Close()
		var elems []string
		if array {
			var raw []json.RawMessage
			if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
				t.Fatalf("not a JSON array: %v\n%s", err, buf.Bytes())
			}
			for _, r := range raw {
				elems = append(elems, string(r))
			}
		} else {
			for _, d := range gemSSEData(t, buf.Bytes()) {
				elems = append(elems, string(d))
			}
		}
		if len(elems) != 2 || gjson.Get(elems[1], "error.code").Int() != 429 ||
			gjson.Get(elems[1], "error.status").String() != "RESOURCE_EXHAUSTED" || strings.Contains(buf.String(), "after the end") {
			t.Errorf("array=%v: %s", array, buf.Bytes())
		}
	}

	// An empty array stream is still valid JSON.
	buf.Reset()
	enc = Get(Gemini).NewStreamEncoder(&buf, &Request{StreamArray: true})
	enc.Encode(&Event{Type: EventError, Error: &Error{Status: 500, Message: "x"}})
	enc.Encode(&Event{Type: EventFinish, StopReason: StopError})
	if !json.Valid(buf.Bytes()) {
		t.Errorf("not valid JSON: %s", buf.Bytes())
	}
}

// Stream in, canonical events, stream out, and the client's next request
// decodes the streamed parts back into the blocks they came from.
func TestGeminiStreamRoundTripThroughClientHistory(t *testing.T) {
	evs := gemDecodeStream(t, Antigravity, gemFixture(t, "antigravity/stream_claude.sse"))
	out := gemEncodeStream(t, Gemini, &Request{}, evs)
	// The client keeps every streamed part and sends them back.
	var parts []json.RawMessage
	for _, d := range gemSSEData(t, out) {
		gjson.GetBytes(d, "candidates.0.content.parts").ForEach(func(_, p gjson.Result) bool {
			parts = append(parts, json.RawMessage(p.Raw))
			return true
		})
	}
	model, _ := json.Marshal(parts)
	body := `{"contents":[{"role":"user","parts":[{"text":"weather?"}]},{"role":"model","parts":` + string(model) +
		`},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny"}}}]}]}`
	req, err := Get(Gemini).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got := gemDescribeParts(req.Messages[1].Parts)
	want := `thinking:I should call the tool.[antigravity:EqQBclaudesig]| text:Let me check.| call:toolu_01 get_weather {"city":"Oslo"}|`
	if got != want {
		t.Fatalf("history = %s\nwant %s", got, want)
	}
	// And Claude behind Antigravity gets its signed thinking back first.
	enc, err := Get(Antigravity).EncodeRequest(req, EncodeOptions{Model: "claude-sonnet-4-5-thinking"})
	if err != nil {
		t.Fatal(err)
	}
	gemJSONEqual(t, []byte(gjson.GetBytes(enc, "request.contents.1").Raw), []byte(`{"role":"model","parts":[
	  {"text":"I should call the tool.","thought":true,"thoughtSignature":"EqQBclaudesig"},
	  {"text":"Let me check."},
	  {"functionCall":{"id":"toolu_01","name":"get_weather","args":{"city":"Oslo"}},"thoughtSignature":"EqQBclaudesig"}]}`))
	gemJSONEqual(t, []byte(gjson.GetBytes(enc, "request.contents.2").Raw), []byte(`{"role":"user","parts":[
	  {"functionResponse":{"id":"toolu_01","name":"get_weather","response":{"result":"sunny"}}}]}`))
}
