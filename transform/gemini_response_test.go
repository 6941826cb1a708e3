package transform

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"google.golang.org/genai"
)

func TestGeminiDecodeResponse(t *testing.T) {
	tests := []struct {
		name    string
		f       Format
		body    string
		stop    StopReason
		usage   Usage
		content string // compact description of the parts
	}{
		{"text", Gemini, string(gemFixture(t, "gemini/response_text.json")), StopEndTurn,
			Usage{InputTokens: 20, OutputTokens: 45, CacheReadTokens: 8, ReasoningTokens: 15},
			"thinking:The user wants a number.| text:The answer is 42.[gemini:CiQBwcsig==]|"},
		{"tools", Gemini, string(gemFixture(t, "gemini/response_tools.json")), StopToolUse,
			Usage{InputTokens: 50, OutputTokens: 12},
			`call:fc_a get_weather {"city": "Paris"}[gemini:CiQBcallsig==]| call:fc_b get_weather {"city": "Rome"}|`},
		{"blocked prompt", Gemini, string(gemFixture(t, "gemini/response_blocked.json")), StopContentFilter,
			Usage{InputTokens: 9}, ""},
		{"claude via antigravity", Antigravity, string(gemFixture(t, "antigravity/response_claude.json")), StopMaxTokens,
			Usage{InputTokens: 12, OutputTokens: 12, ReasoningTokens: 5},
			"thinking:Plan the reply.[antigravity:EqQBresp]| text:Hello!|"},
		{"safety", Gemini, `{"candidates":[{"content":{"parts":[{"text":"Par"}]},"finishReason":"SAFETY"}]}`, StopContentFilter, Usage{}, "text:Par|"},
		{"total only", Gemini, `{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":9,"toolUsePromptTokenCount":1}}`,
			StopEndTurn, Usage{InputTokens: 6, OutputTokens: 3}, "text:x|"},
		{"json array form", Gemini, `[{"candidates":[{"content":{"parts":[{"text":"a"}]}}]},{"candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":2}}]`,
			StopMaxTokens, Usage{InputTokens: 1, OutputTokens: 2}, "text:ab|"},
		{"code execution", Gemini, `{"candidates":[{"content":{"parts":[{"executableCode":{"language":"PYTHON","code":"1+1"}},{"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"2"}}]}}]}`,
			StopEndTurn, Usage{}, "text:\n```python\n1+1\n```\n\n```\n2\n```\n|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Get(tt.f).DecodeResponse([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StopReason != tt.stop {
				t.Errorf("StopReason = %s, want %s", resp.StopReason, tt.stop)
			}
			if resp.Usage != tt.usage {
				t.Errorf("Usage = %+v, want %+v", resp.Usage, tt.usage)
			}
			if got := gemDescribeParts(resp.Content); got != tt.content {
				t.Errorf("Content = %q\nwant %q", got, tt.content)
			}
			if resp.Created == 0 {
				t.Error("Created not set")
			}
		})
	}
}

func gemDescribeParts(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.Type {
		case PartToolCall:
			b.WriteString("call:" + p.ToolCallID + " " + p.ToolName + " " + string(p.Arguments))
		default:
			b.WriteString(string(p.Type) + ":" + p.Text)
		}
		if p.Signature != "" {
			b.WriteString("[" + p.SignatureFamily + ":" + p.Signature + "]")
		}
		b.WriteString("|")
		if len(parts) > 1 {
			b.WriteString(" ")
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

func TestGeminiDecodeResponseIDsAndErrors(t *testing.T) {
	body := `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"}},{"functionCall":{"name":"f","args":{"a":1}}}]},"finishReason":"STOP"}]}`
	resp, err := Get(Gemini).DecodeResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	a, b := resp.Content[0], resp.Content[1]
	if !strings.HasPrefix(a.ToolCallID, "call_") || a.ToolCallID == b.ToolCallID || string(a.Arguments) != "{}" {
		t.Errorf("synthesized ids: %q %q args %s", a.ToolCallID, b.ToolCallID, a.Arguments)
	}

	for _, tt := range []struct {
		f      Format
		body   string
		status int
		msg    string
	}{
		{Gemini, `{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}`, 429, "Quota exceeded"},
		{Antigravity, `{"error":{"code":400,"message":"{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad signature\"}}","status":"INVALID_ARGUMENT"}}`, 400, "bad signature"},
		{Gemini, `not json`, 502, "not valid JSON"},
		{Gemini, `"str"`, 502, "not a JSON object"},
		{Gemini, `[]`, 502, "no response"},
	} {
		_, err := Get(tt.f).DecodeResponse([]byte(tt.body))
		var e *Error
		if !errors.As(err, &e) || e.Status != tt.status || !strings.Contains(e.Message, tt.msg) {
			t.Errorf("%s: err = %v, want %d %q", tt.body, err, tt.status, tt.msg)
		}
	}
}

// What a Gemini SDK sees of an encoded answer: the ground truth is the
// genai package's own types.
func TestGeminiEncodeResponseGenai(t *testing.T) {
	gemQuietSDK(t)
	resp := &Response{
		ID: "r1", Model: "claude-sonnet-4-5",
		Content: []Part{
			{Type: PartThinking, Text: "let me think", Signature: "EqQBsig", SignatureFamily: "anthropic"},
			{Type: PartText, Text: "Calling "},
			{Type: PartText, Text: "now."},
			{Type: PartRedactedThinking, Signature: "opaque", SignatureFamily: "anthropic"},
			{Type: PartToolCall, ToolCallID: "toolu_1", ToolName: "get_weather", Arguments: json.RawMessage(`{"city":"Paris","days":2}`)},
			{Type: PartToolCall, ToolCallID: "toolu_2", ToolName: "noop", Arguments: json.RawMessage(`broken`)},
		},
		StopReason: StopToolUse,
		Usage:      Usage{InputTokens: 100, OutputTokens: 50, CacheReadTokens: 30, ReasoningTokens: 20},
	}
	for _, f := range []Format{Gemini, Antigravity} {
		out, err := Get(f).EncodeResponse(resp, &Request{})
		if err != nil {
			t.Fatal(err)
		}
		if f == Antigravity {
			out = []byte(gjson.GetBytes(out, "response").Raw)
		}
		var g genai.GenerateContentResponse
		if err := json.Unmarshal(out, &g); err != nil {
			t.Fatalf("%s: genai cannot read the answer: %v\n%s", f, err, out)
		}
		if got := g.Text(); got != "Calling now." {
			t.Errorf("%s: Text() = %q", f, got)
		}
		calls := g.FunctionCalls()
		if len(calls) != 2 || calls[0].Name != "get_weather" || calls[0].ID != "toolu_1" ||
			!reflect.DeepEqual(calls[0].Args, map[string]any{"city": "Paris", "days": float64(2)}) ||
			!reflect.DeepEqual(calls[1].Args, map[string]any{"raw": "broken"}) {
			t.Errorf("%s: FunctionCalls() = %+v", f, calls)
		}
		c := g.Candidates[0]
		if c.FinishReason != genai.FinishReasonStop {
			t.Errorf("%s: FinishReason = %s", f, c.FinishReason)
		}
		th := c.Content.Parts[0]
		if !th.Thought || th.Text != "let me think" {
			t.Errorf("%s: thought part = %+v", f, th)
		}
		// A foreign signature reaches the SDK as valid bytes that carry
		// its family, and comes back through the decoder intact.
		if want := ExportSignature("EqQBsig", "anthropic", f); string(th.ThoughtSignature) != want {
			t.Errorf("%s: ThoughtSignature = %q, want %q", f, th.ThoughtSignature, want)
		}
		u := g.UsageMetadata
		if u.PromptTokenCount != 100 || u.CandidatesTokenCount != 30 || u.ThoughtsTokenCount != 20 ||
			u.CachedContentTokenCount != 30 || u.TotalTokenCount != 150 {
			t.Errorf("%s: usage = %+v", f, u)
		}
		if g.ResponseID != "r1" || g.ModelVersion != "claude-sonnet-4-5" {
			t.Errorf("%s: ids = %q %q", f, g.ResponseID, g.ModelVersion)
		}
	}
}

// A signature exported to a Gemini client and sent back decodes to the
// original signature and family.
func TestGeminiSignatureRoundTrip(t *testing.T) {
	for _, fam := range []string{"anthropic", "openai", "antigravity", "gemini"} {
		sig := "EqQBAbc+/=="
		exported := gemExportSignature(sig, fam, Gemini)
		raw, gotFam := gemImportSignature(exported, Gemini)
		if raw != sig || gotFam != fam {
			t.Errorf("%s: round trip gave %q %q", fam, raw, gotFam)
		}
	}
	// A native signature that happens to be base64 of something else.
	if raw, fam := gemImportSignature("CiQBAAAA", Gemini); raw != "CiQBAAAA" || fam != "gemini" {
		t.Errorf("native: %q %q", raw, fam)
	}
}

func TestGeminiEncodeResponseEdgeCases(t *testing.T) {
	// Content filter with nothing produced: no content, SAFETY.
	out, _ := Get(Gemini).EncodeResponse(&Response{StopReason: StopContentFilter}, &Request{Model: "m"})
	gemJSONEqual(t, gemMask(t, out, "responseId"), []byte(`{"candidates":[{"finishReason":"SAFETY","index":0}],
	  "usageMetadata":{"promptTokenCount":0,"candidatesTokenCount":0,"totalTokenCount":0},"modelVersion":"m","responseId":"MASKED"}`))
	for stop, want := range map[StopReason]string{
		StopEndTurn: "STOP", StopSequence: "STOP", StopToolUse: "STOP", StopMaxTokens: "MAX_TOKENS",
		StopContextWindow: "MAX_TOKENS", StopRefusal: "SAFETY", StopError: "OTHER", StopPause: "STOP",
	} {
		out, _ := Get(Gemini).EncodeResponse(&Response{StopReason: stop, Content: []Part{gemText("x")}}, nil)
		if got := gjson.GetBytes(out, "candidates.0.finishReason").String(); got != want {
			t.Errorf("%s → %s, want %s", stop, got, want)
		}
	}
	// Images pass as inline data.
	out, _ = Get(Gemini).EncodeResponse(&Response{Content: []Part{{Type: PartImage, MediaType: "image/png", Data: "iVBOR"}}}, nil)
	if got := gjson.GetBytes(out, "candidates.0.content.parts.0.inlineData.mimeType").String(); got != "image/png" {
		t.Errorf("image part: %s", out)
	}
}
