package transform

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func gemEncode(t *testing.T, f Format, req *Request, model string) []byte {
	t.Helper()
	out, err := Get(f).EncodeRequest(req, EncodeOptions{Model: model, Project: "proj"})
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	if f == Antigravity {
		return []byte(gjson.GetBytes(out, "request").Raw)
	}
	return out
}

func gemText(s string) Part { return Part{Type: PartText, Text: s} }

func gemResult(id, text string) Part {
	return Part{Type: PartToolResult, ToolCallID: id, Content: []Part{gemText(text)}}
}

// A conversation as an OpenAI Chat client sends it: results carry only
// ids, the history opens with the assistant, a system note sits in the
// middle, one call has no result and one result has no call.
func TestGeminiEncodeConversationRepairs(t *testing.T) {
	req := &Request{
		System: []Part{gemText("sys one"), gemText("sys two")},
		Messages: []Message{
			{Role: RoleAssistant, Parts: []Part{gemText("Hi, how can I help?")}},
			{Role: RoleUser, Parts: []Part{
				gemText("Look at these"),
				{Type: PartImage, URL: "https://example.com/cat.png"},
				{Type: PartImage, URL: "data:image/jpeg;base64,/9j/AAAA"},
			}},
			{Role: RoleAssistant, Parts: []Part{
				gemText("Calling tools."),
				{Type: PartToolCall, ToolCallID: "call_a", ToolName: "mcp/search files", Arguments: json.RawMessage(`{"q":"x"}`)},
				{Type: PartToolCall, ToolCallID: "call_b", ToolName: "9lives", Arguments: json.RawMessage(`not-json`)},
			}},
			{Role: RoleUser, Parts: []Part{gemResult("zzz", "orphan"), gemResult("call_a", `{"hits": 3}`)}},
			{Role: RoleSystem, Parts: []Part{gemText("Be careful.")}},
			{Role: RoleUser, Parts: []Part{gemText("thanks")}},
		},
	}
	out := gemEncode(t, Gemini, req, "gemini-2.5-flash")
	checks := map[string]string{
		"systemInstruction.parts.#":                    "2",
		"systemInstruction.role":                       "",
		"contents.#":                                   "5",
		"contents.0.role":                              "user",
		"contents.0.parts.0.text":                      ".",
		"contents.1.role":                              "model",
		"contents.1.parts.0.text":                      "Hi, how can I help?",
		"contents.2.parts.1.fileData.fileUri":          "https://example.com/cat.png",
		"contents.2.parts.1.fileData.mimeType":         "image/png",
		"contents.2.parts.2.inlineData.mimeType":       "image/jpeg",
		"contents.2.parts.2.inlineData.data":           "/9j/AAAA",
		"contents.3.parts.1.functionCall.name":         "mcp_search_files",
		"contents.3.parts.1.thoughtSignature":          gemSkipSignature,
		"contents.3.parts.2.functionCall.name":         "_9lives",
		"contents.3.parts.2.functionCall.args.raw":     "not-json",
		"contents.3.parts.2.thoughtSignature":          "",
		"contents.4.parts.#":                           "5",
		"contents.4.parts.0.functionResponse.id":       "call_a",
		"contents.4.parts.0.functionResponse.name":     "mcp_search_files",
		"contents.4.parts.0.functionResponse.response": `{"hits": 3}`,
		"contents.4.parts.1.functionResponse.id":       "call_b",
		"contents.4.parts.1.functionResponse.name":     "_9lives",
		"contents.4.parts.1.functionResponse.response": `{"error":"No result was provided for this call."}`,
		"contents.4.parts.2.text":                      "Result of tool call zzz:\n{\"result\":\"orphan\"}",
		"contents.4.parts.3.text":                      "<system>\nBe careful.\n</system>",
		"contents.4.parts.4.text":                      "thanks",
	}
	for path, want := range checks {
		if got := gjson.GetBytes(out, path); got.String() != want && got.Raw != want {
			t.Errorf("%s = %s, want %s", path, got.Raw, want)
		}
	}
	if strings.Contains(string(out), `"thought"`) {
		t.Errorf("no thought parts expected: %s", out)
	}
}

func TestGeminiEncodeSignatures(t *testing.T) {
	req := &Request{Messages: []Message{
		{Role: RoleUser, Parts: []Part{gemText("q")}},
		// An Anthropic client kept Gemini's function-call signature on its
		// thinking block: it goes back onto the first call.
		{Role: RoleAssistant, Parts: []Part{
			{Type: PartThinking, Text: "hmm", Signature: "GEMSIG", SignatureFamily: "gemini"},
			{Type: PartToolCall, ToolCallID: "c1", ToolName: "f", Arguments: json.RawMessage(`{}`)},
			{Type: PartToolCall, ToolCallID: "c2", ToolName: "f", Arguments: json.RawMessage(`{}`)},
		}},
		{Role: RoleUser, Parts: []Part{gemResult("c1", "1"), gemResult("c2", "2")}},
		// Foreign signatures are never forwarded.
		{Role: RoleAssistant, Parts: []Part{
			{Type: PartThinking, Text: "claude thoughts", Signature: "EqQB", SignatureFamily: "anthropic"},
			{Type: PartToolCall, ToolCallID: "c3", ToolName: "f", Arguments: json.RawMessage(`{}`), Signature: "gAAAA", SignatureFamily: "openai"},
		}},
		{Role: RoleUser, Parts: []Part{gemResult("c3", "3")}},
		// Own signatures stay on their part.
		{Role: RoleAssistant, Parts: []Part{
			{Type: PartToolCall, ToolCallID: "c4", ToolName: "f", Arguments: json.RawMessage(`{}`), Signature: "OWN", SignatureFamily: "gemini"},
			{Type: PartText, Text: "done", Signature: "TXT", SignatureFamily: "gemini"},
			{Type: PartThinking, Signature: "CARRIER", SignatureFamily: "gemini"},
			{Type: PartText, Text: ""},
		}},
		{Role: RoleUser, Parts: []Part{gemResult("c4", "4")}},
	}}
	out := gemEncode(t, Gemini, req, "gemini-3-pro-preview")
	checks := map[string]string{
		"contents.1.parts.#":                  "2",
		"contents.1.parts.0.thoughtSignature": "GEMSIG",
		"contents.1.parts.1.thoughtSignature": "",
		"contents.3.parts.#":                  "1",
		"contents.3.parts.0.thoughtSignature": gemSkipSignature,
		"contents.5.parts.#":                  "3",
		"contents.5.parts.0.thoughtSignature": "OWN",
		"contents.5.parts.1.thoughtSignature": "TXT",
		"contents.5.parts.2.text":             "",
		"contents.5.parts.2.thought":          "true",
		"contents.5.parts.2.thoughtSignature": "CARRIER",
	}
	for path, want := range checks {
		if got := gjson.GetBytes(out, path).String(); got != want {
			t.Errorf("%s = %q, want %q\n%s", path, got, want, out)
		}
	}
}

func TestAntigravityEncodeClaude(t *testing.T) {
	req := &Request{
		Messages: []Message{
			{Role: RoleUser, Parts: []Part{gemText("q")}},
			{Role: RoleAssistant, Parts: []Part{
				gemText("Let me look."),
				{Type: PartThinking, Text: "plan", Signature: "CLAUDESIG", SignatureFamily: "antigravity"},
				{Type: PartThinking, Text: "unsigned"},
				{Type: PartToolCall, ToolCallID: "toolu_1", ToolName: "f", Arguments: json.RawMessage(`{"a":1}`)},
				{Type: PartToolCall, ToolCallID: "toolu_2", ToolName: "g", Arguments: json.RawMessage(`{}`)},
				{Type: PartThinking, Signature: "EMPTY", SignatureFamily: "antigravity"},
			}},
			{Role: RoleUser, Parts: []Part{gemResult("toolu_1", "1"), gemResult("toolu_2", "2")}},
		},
		Tools: []Tool{
			{Name: "f", Parameters: json.RawMessage(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"a":{"type":"integer","minimum":0}},"additionalProperties":false}`)},
			{Name: "g"},
		},
		Temperature:  gemPtr(1.5),
		Seed:         gemPtr(int64(4)),
		MaxTokens:    gemPtr(1000),
		Reasoning:    &Reasoning{BudgetTokens: gemPtr(4000)},
		Extra:        map[string]json.RawMessage{"tools": json.RawMessage(`[{"googleSearch":{}}]`)},
		SourceFormat: Gemini,
	}
	full, err := Get(Antigravity).EncodeRequest(req, EncodeOptions{Model: "claude-sonnet-4-5-thinking", Project: "proj"})
	if err != nil {
		t.Fatal(err)
	}
	out := []byte(gjson.GetBytes(full, "request").Raw)
	checks := map[string]string{
		"contents.1.parts.#":                                  "4",
		"contents.1.parts.0.text":                             "plan",
		"contents.1.parts.0.thought":                          "true",
		"contents.1.parts.0.thoughtSignature":                 "CLAUDESIG",
		"contents.1.parts.1.text":                             "Let me look.",
		"contents.1.parts.2.thoughtSignature":                 "CLAUDESIG",
		"contents.1.parts.3.thoughtSignature":                 "CLAUDESIG",
		"tools.#":                                             "1",
		"tools.0.functionDeclarations.0.parametersJsonSchema": `{"type":"object","properties":{"a":{"type":"integer","description":"minimum: 0"}}}`,
		"tools.0.functionDeclarations.1.parametersJsonSchema": `{"type":"object","properties":{"reason":{"type":"string","description":"Brief explanation of why you are calling this tool"}},"required":["reason"]}`,
		"toolConfig.functionCallingConfig.mode":               "VALIDATED",
		"generationConfig.temperature":                        "",
		"generationConfig.seed":                               "",
		"generationConfig.maxOutputTokens":                    "5000",
		"generationConfig.thinkingConfig":                     `{"includeThoughts":true,"thinkingBudget":4000}`,
		"systemInstruction":                                   "",
		"safetySettings":                                      "",
	}
	for path, want := range checks {
		if got := gjson.GetBytes(out, path); got.String() != want && got.Raw != want {
			t.Errorf("%s = %s, want %s", path, got.Raw, want)
		}
	}
	env := map[string]string{"project": "proj", "model": "claude-sonnet-4-5-thinking", "userAgent": "antigravity", "requestType": "agent"}
	for k, want := range env {
		if got := gjson.GetBytes(full, k).String(); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if sid := gjson.GetBytes(out, "sessionId").String(); !strings.HasPrefix(sid, "-") {
		t.Errorf("sessionId = %q", sid)
	}
}

func TestGeminiEncodeThinking(t *testing.T) {
	tests := []struct {
		model string
		r     *Reasoning
		want  string // generationConfig.thinkingConfig raw, "" for none
	}{
		{"gemini-2.5-flash", nil, ""},
		{"gemini-2.5-flash", &Reasoning{Effort: "high"}, `{"includeThoughts":true,"thinkingBudget":24576}`},
		{"gemini-2.5-flash", &Reasoning{Effort: "xhigh"}, `{"includeThoughts":true,"thinkingBudget":24576}`},
		{"gemini-2.5-pro", &Reasoning{Effort: "xhigh"}, `{"includeThoughts":true,"thinkingBudget":32768}`},
		{"gemini-2.5-flash", &Reasoning{Effort: "none"}, `{"thinkingBudget":0}`},
		{"gemini-2.5-pro", &Reasoning{Disabled: true}, `{"thinkingBudget":128}`},
		{"gemini-2.5-flash", &Reasoning{BudgetTokens: gemPtr(-1)}, `{"includeThoughts":true,"thinkingBudget":-1}`},
		{"gemini-2.5-flash", &Reasoning{Adaptive: true}, `{"includeThoughts":true,"thinkingBudget":-1}`},
		{"gemini-2.5-flash", &Reasoning{IncludeThoughts: true}, `{"includeThoughts":true}`},
		{"gemini-3-pro-preview", &Reasoning{Effort: "medium"}, `{"includeThoughts":true,"thinkingLevel":"high"}`},
		{"gemini-3.1-pro", &Reasoning{Effort: "medium"}, `{"includeThoughts":true,"thinkingLevel":"medium"}`},
		{"gemini-3-pro-preview", &Reasoning{Effort: "minimal"}, `{"includeThoughts":true,"thinkingLevel":"low"}`},
		{"gemini-3-flash-preview", &Reasoning{Effort: "minimal"}, `{"includeThoughts":true,"thinkingLevel":"minimal"}`},
		{"gemini-3-flash-preview", &Reasoning{Effort: "none"}, `{"thinkingLevel":"minimal"}`},
		{"gemini-3-pro-preview", &Reasoning{BudgetTokens: gemPtr(2000)}, `{"includeThoughts":true,"thinkingLevel":"low"}`},
		{"gemini-3-pro-preview", &Reasoning{BudgetTokens: gemPtr(-1)}, `{"includeThoughts":true}`},
		{"gemini-3-pro-high", &Reasoning{Effort: "xhigh"}, `{"includeThoughts":true,"thinkingLevel":"high"}`},
	}
	for _, tt := range tests {
		req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{gemText("x")}}}, Reasoning: tt.r}
		out := gemEncode(t, Gemini, req, tt.model)
		if got := gjson.GetBytes(out, "generationConfig.thinkingConfig").Raw; got != tt.want {
			t.Errorf("%s %+v: thinkingConfig = %s, want %s", tt.model, tt.r, got, tt.want)
		}
	}
}

func TestGeminiEncodeToolChoice(t *testing.T) {
	tests := []struct {
		tc   *ToolChoice
		want string
	}{
		{nil, ``},
		{&ToolChoice{Mode: ToolChoiceAuto}, `{"functionCallingConfig":{"mode":"AUTO"}}`},
		{&ToolChoice{Mode: ToolChoiceNone}, `{"functionCallingConfig":{"mode":"NONE"}}`},
		{&ToolChoice{Mode: ToolChoiceRequired}, `{"functionCallingConfig":{"mode":"ANY"}}`},
		{&ToolChoice{Mode: ToolChoiceTool, Name: "my tool"}, `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["my_tool"]}}`},
	}
	for _, tt := range tests {
		req := &Request{
			Messages:   []Message{{Role: RoleUser, Parts: []Part{gemText("x")}}},
			Tools:      []Tool{{Name: "my tool"}, {Name: "my tool", Description: "duplicate"}},
			ToolChoice: tt.tc,
		}
		out := gemEncode(t, Gemini, req, "gemini-2.5-flash")
		if got := gjson.GetBytes(out, "toolConfig").Raw; got != tt.want {
			t.Errorf("%+v: toolConfig = %s, want %s", tt.tc, got, tt.want)
		}
		if got := gjson.GetBytes(out, "tools").Raw; got != `[{"functionDeclarations":[{"name":"my_tool"}]}]` {
			t.Errorf("tools = %s", got)
		}
	}
	// Without declarations there is no functionCallingConfig to send.
	req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{gemText("x")}}}, ToolChoice: &ToolChoice{Mode: ToolChoiceRequired}}
	if out := gemEncode(t, Gemini, req, "gemini-2.5-flash"); gjson.GetBytes(out, "toolConfig").Exists() {
		t.Errorf("toolConfig without tools: %s", out)
	}
}

// Extra is only copied for requests that came from a Gemini-format client,
// and then only the fields Gemini knows.
func TestGeminiEncodeExtraPassthrough(t *testing.T) {
	extra := map[string]json.RawMessage{
		"safetySettings":   json.RawMessage(`[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]`),
		"cached_content":   json.RawMessage(`"cachedContents/1"`),
		"tools":            json.RawMessage(`[{"googleSearch":{}},{"type":"web_search"}]`),
		"generationConfig": json.RawMessage(`{"responseModalities":["TEXT"]}`),
		"logprobs":         json.RawMessage(`true`),
	}
	base := func(src Format) *Request {
		return &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{gemText("x")}}}, Extra: extra, SourceFormat: src}
	}
	out := gemEncode(t, Gemini, base(Gemini), "gemini-2.5-flash")
	gemJSONEqual(t, out, []byte(`{"contents":[{"role":"user","parts":[{"text":"x"}]}],
	  "tools":[{"googleSearch":{}}],
	  "generationConfig":{"responseModalities":["TEXT"]},
	  "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],
	  "cachedContent":"cachedContents/1"}`))
	out = gemEncode(t, Gemini, base(OpenAIChat), "gemini-2.5-flash")
	gemJSONEqual(t, out, []byte(`{"contents":[{"role":"user","parts":[{"text":"x"}]}]}`))
	out = gemEncode(t, Antigravity, base(Gemini), "gemini-2.5-flash")
	if gjson.GetBytes(out, "safetySettings").Exists() || gjson.GetBytes(out, "cachedContent").Exists() {
		t.Errorf("Antigravity got Gemini-API-only fields: %s", out)
	}
}

func TestGeminiEncodeEdgeCases(t *testing.T) {
	// Only a system prompt: it becomes the user turn.
	out := gemEncode(t, Gemini, &Request{System: []Part{gemText("Say hi")}}, "gemini-2.5-flash")
	gemJSONEqual(t, out, []byte(`{"contents":[{"role":"user","parts":[{"text":"Say hi"}]}]}`))

	// Nothing at all.
	_, err := Get(Gemini).EncodeRequest(&Request{}, EncodeOptions{Model: "m"})
	if e, ok := err.(*Error); !ok || e.Status != 400 {
		t.Errorf("empty request: err = %v", err)
	}

	// A file id of another provider cannot be expressed.
	req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{{Type: PartFile, FileID: "file-abc"}}}}}
	_, err = Get(Gemini).EncodeRequest(req, EncodeOptions{Model: "m"})
	if e, ok := err.(*Error); !ok || e.Status != 400 || !strings.Contains(e.Message, "file-abc") {
		t.Errorf("foreign file id: err = %v", err)
	}

	// Stop sequences are capped at five; structured output schemas cleaned.
	req = &Request{
		Messages: []Message{{Role: RoleUser, Parts: []Part{gemText("x")}}},
		Stop:     []string{"1", "2", "3", "4", "5", "6"},
		ResponseFormat: &ResponseFormat{Type: "json_schema", Name: "n", Schema: json.RawMessage(
			`{"$schema":"x","type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"string","const":"k"}}}`)},
		MaxTokens: gemPtr(10), TopK: gemPtr(3), N: gemPtr(1), PresencePenalty: gemPtr(0.5), FrequencyPenalty: gemPtr(-0.5),
	}
	out = gemEncode(t, Gemini, req, "gemini-2.5-flash")
	gemJSONEqual(t, []byte(gjson.GetBytes(out, "generationConfig").Raw), []byte(`{
	  "topK":3,"candidateCount":1,"maxOutputTokens":10,"stopSequences":["1","2","3","4","5"],
	  "presencePenalty":0.5,"frequencyPenalty":-0.5,
	  "responseMimeType":"application/json",
	  "responseJsonSchema":{"type":"object","properties":{"a":{"type":"string","enum":["k"]}}}}`))
}

func TestGeminiNilInputs(t *testing.T) {
	for _, f := range []Format{Gemini, Antigravity} {
		if _, err := Get(f).EncodeRequest(nil, EncodeOptions{}); err == nil {
			t.Errorf("%s: nil request accepted", f)
		}
		out, err := Get(f).EncodeResponse(nil, nil)
		if err != nil || !json.Valid(out) {
			t.Errorf("%s: nil response: %v %s", f, err, out)
		}
		enc := Get(f).NewStreamEncoder(io.Discard, nil)
		if err := enc.Encode(&Event{Type: EventError}); err != nil {
			t.Error(err)
		}
		if err := enc.Close(); err != nil {
			t.Error(err)
		}
	}
}
