package transform

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestGeminiDecodeRequestErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not json", `{"contents": [`, "request body is not valid JSON"},
		{"not object", `[1,2]`, "request body must be a JSON object"},
		{"no contents", `{"generationConfig": {}}`, "contents: required"},
		{"contents not array", `{"contents": {}}`, "contents: must be an array"},
		{"empty contents", `{"contents": []}`, "contents: must hold at least one content"},
		{"bad role", `{"contents": [{"role": "system", "parts": [{"text": "x"}]}]}`, `contents[0].role: unknown role "system"`},
		{"parts not array", `{"contents": [{"role": "user", "parts": {"text": "x"}}]}`, "contents[0].parts: must be an array"},
		{"part not object", `{"contents": [{"role": "user", "parts": ["x"]}]}`, "contents[0].parts[0]: must be an object"},
		{"call in user turn", `{"contents": [{"role": "user", "parts": [{"functionCall": {"name": "f"}}]}]}`, "contents[0].parts[0].functionCall: only allowed in model contents"},
		{"call without name", `{"contents": [{"role": "model", "parts": [{"functionCall": {"args": {}}}]}]}`, "contents[0].parts[0].functionCall.name: required"},
		{"response in model turn", `{"contents": [{"role": "model", "parts": [{"functionResponse": {"name": "f"}}]}]}`, "functionResponse: only allowed in user contents"},
		{"inline without data", `{"contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png"}}]}]}`, "contents[0].parts[0].inlineData.data: required"},
		{"file without uri", `{"contents": [{"role": "user", "parts": [{"fileData": {"mimeType": "image/png"}}]}]}`, "fileData.fileUri: required"},
		{"system non-text", `{"contents": [{"parts": [{"text": "x"}]}], "systemInstruction": {"parts": [{"inlineData": {"data": "x"}}]}}`, "systemInstruction.parts[0]: only text parts"},
		{"tool without name", `{"contents": [{"parts": [{"text": "x"}]}], "tools": [{"functionDeclarations": [{"description": "d"}]}]}`, "tools[0].functionDeclarations[0].name: required"},
		{"tools not array", `{"contents": [{"parts": [{"text": "x"}]}], "tools": {}}`, "tools: must be an array"},
	}
	for _, f := range []Format{Gemini, Antigravity} {
		for _, tt := range tests {
			t.Run(string(f)+"/"+tt.name, func(t *testing.T) {
				body := tt.body
				if f == Antigravity && strings.HasPrefix(body, "{\"") {
					body = `{"model": "m", "request": ` + body + `}`
				}
				_, err := Get(f).DecodeRequest([]byte(body))
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want *Error", err)
				}
				if e.Status != 400 || !strings.Contains(e.Message, tt.want) {
					t.Fatalf("err = %d %q, want 400 containing %q", e.Status, e.Message, tt.want)
				}
			})
		}
	}
}

func TestAntigravityDecodeRequestEnvelope(t *testing.T) {
	_, err := Get(Antigravity).DecodeRequest([]byte(`{"model": "m"}`))
	if err == nil || !strings.Contains(err.Error(), "request: required") {
		t.Fatalf("err = %v", err)
	}
	req, err := Get(Antigravity).DecodeRequest([]byte(`{"project": "p", "model": "gemini-2.5-flash", "request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "sessionId": "-42"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "gemini-2.5-flash" || req.SourceFormat != Antigravity || string(req.Extra["sessionId"]) != `"-42"` {
		t.Fatalf("req = %+v", req)
	}
}

func TestGeminiDecodeRequestFields(t *testing.T) {
	body := `{
	  "systemInstruction": "Be brief.",
	  "contents": [{"parts": [{"text": "hi"}]}],
	  "generationConfig": {"maxOutputTokens": 100, "temperature": 0.5, "topP": 0.9, "topK": 40.0,
	    "stopSequences": ["a", "b"], "candidateCount": 2, "seed": -3, "presencePenalty": 0.1, "frequencyPenalty": 0.2,
	    "responseMimeType": "application/json", "thinkingConfig": {"thinkingBudget": 0},
	    "responseModalities": ["TEXT", "IMAGE"]},
	  "toolConfig": {"functionCallingConfig": {"mode": "ANY"}, "retrievalConfig": {"languageCode": "en"}},
	  "safetySettings": [],
	  "model": "models/gemini-2.5-pro"
	}`
	req, err := Get(Gemini).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(req.System) != 1 || req.System[0].Text != "Be brief." {
		t.Errorf("System = %+v", req.System)
	}
	if req.Model != "gemini-2.5-pro" {
		t.Errorf("Model = %q", req.Model)
	}
	if *req.MaxTokens != 100 || *req.Temperature != 0.5 || *req.TopP != 0.9 || *req.TopK != 40 ||
		*req.N != 2 || *req.Seed != -3 || *req.PresencePenalty != 0.1 || *req.FrequencyPenalty != 0.2 {
		t.Errorf("sampling fields wrong: %+v", req)
	}
	if !reflect.DeepEqual(req.Stop, []string{"a", "b"}) {
		t.Errorf("Stop = %v", req.Stop)
	}
	if req.ResponseFormat == nil || req.ResponseFormat.Type != "json_object" {
		t.Errorf("ResponseFormat = %+v", req.ResponseFormat)
	}
	if req.Reasoning == nil || !req.Reasoning.Disabled || *req.Reasoning.BudgetTokens != 0 {
		t.Errorf("Reasoning = %+v", req.Reasoning)
	}
	if req.ToolChoice == nil || req.ToolChoice.Mode != ToolChoiceRequired {
		t.Errorf("ToolChoice = %+v", req.ToolChoice)
	}
	wantExtra := map[string]string{
		"generationConfig": `{"responseModalities":["TEXT", "IMAGE"]}`,
		"toolConfig":       `{"retrievalConfig":{"languageCode": "en"}}`,
		"safetySettings":   `[]`,
	}
	if len(req.Extra) != len(wantExtra) {
		t.Errorf("Extra = %v", req.Extra)
	}
	for k, v := range wantExtra {
		if string(req.Extra[k]) != v {
			t.Errorf("Extra[%s] = %s, want %s", k, req.Extra[k], v)
		}
	}
}

func TestGeminiDecodeToolChoiceAndThinking(t *testing.T) {
	tests := []struct {
		cfg        string
		wantChoice *ToolChoice
		wantReason *Reasoning
	}{
		{`"toolConfig": {"functionCallingConfig": {"mode": "NONE"}}`, &ToolChoice{Mode: ToolChoiceNone}, nil},
		{`"toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}`, &ToolChoice{Mode: ToolChoiceAuto}, nil},
		{`"toolConfig": {"functionCallingConfig": {"mode": "VALIDATED"}}`, &ToolChoice{Mode: ToolChoiceAuto}, nil},
		{`"toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}}`, &ToolChoice{Mode: ToolChoiceTool, Name: "f"}, nil},
		{`"toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f", "g"]}}`, &ToolChoice{Mode: ToolChoiceRequired}, nil},
		{`"generationConfig": {"thinkingConfig": {"thinkingLevel": "HIGH", "includeThoughts": true}}`, nil, &Reasoning{Effort: "high", IncludeThoughts: true}},
		{`"generation_config": {"thinking_config": {"thinking_budget": -1}}`, nil, &Reasoning{BudgetTokens: gemPtr(-1)}},
		{`"generationConfig": {"thinkingConfig": {"thinkingBudget": 2048}}`, nil, &Reasoning{BudgetTokens: gemPtr(2048)}},
	}
	for _, tt := range tests {
		req, err := Get(Gemini).DecodeRequest([]byte(`{"contents": [{"parts": [{"text": "x"}]}], ` + tt.cfg + `}`))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(req.ToolChoice, tt.wantChoice) {
			t.Errorf("%s: ToolChoice = %+v, want %+v", tt.cfg, req.ToolChoice, tt.wantChoice)
		}
		if !reflect.DeepEqual(req.Reasoning, tt.wantReason) {
			t.Errorf("%s: Reasoning = %+v, want %+v", tt.cfg, req.Reasoning, tt.wantReason)
		}
	}
}

func gemPtr[T any](v T) *T { return &v }

// Function calls without ids get positional ids; responses without ids are
// matched to the calls of the preceding model turn by name and order.
func TestGeminiDecodeCallMatching(t *testing.T) {
	body := `{"contents": [
	  {"role": "user", "parts": [{"text": "go"}]},
	  {"role": "model", "parts": [
	    {"functionCall": {"name": "a", "args": {"n": 1}}},
	    {"functionCall": {"name": "b"}},
	    {"functionCall": {"name": "a", "args": "{\"n\": 2}"}},
	    {"functionCall": {"id": "given", "name": "c", "args": "not json"}}
	  ]},
	  {"role": "user", "parts": [
	    {"functionResponse": {"name": "a", "response": {"result": "one"}}},
	    {"functionResponse": {"name": "a", "response": {"output": "two"}}},
	    {"functionResponse": {"id": "given", "response": {"error": "boom"}}},
	    {"functionResponse": {"name": "b", "response": {"x": 1, "y": 2}}},
	    {"functionResponse": {"name": "zzz", "response": {}}}
	  ]}
	]}`
	req, err := Get(Gemini).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	calls := req.Messages[1].Parts
	wantCalls := []struct{ id, name, args string }{
		{"call_1_0", "a", `{"n": 1}`},
		{"call_1_1", "b", `{}`},
		{"call_1_2", "a", `{"n": 2}`},
		{"given", "c", `{"raw":"not json"}`},
	}
	for i, w := range wantCalls {
		p := calls[i]
		if p.Type != PartToolCall || p.ToolCallID != w.id || p.ToolName != w.name || string(p.Arguments) != w.args {
			t.Errorf("call %d = %s %s %s, want %+v", i, p.ToolCallID, p.ToolName, p.Arguments, w)
		}
	}
	results := req.Messages[2].Parts
	wantResults := []struct {
		id, name, text string
		isErr          bool
	}{
		{"call_1_0", "a", "one", false},
		{"call_1_2", "a", "two", false},
		{"given", "c", "boom", true},
		{"call_1_1", "b", `{"x": 1, "y": 2}`, false},
		{"call_2_4", "zzz", `{}`, false},
	}
	for i, w := range wantResults {
		p := results[i]
		if p.Type != PartToolResult || p.ToolCallID != w.id || p.ToolName != w.name || p.IsError != w.isErr ||
			len(p.Content) != 1 || p.Content[0].Text != w.text {
			t.Errorf("result %d = %+v, want %+v", i, p, w)
		}
	}
}

// Streaming splits thoughts and text into many parts and may put the
// signature on an empty part; the decoder joins them back.
func TestGeminiDecodeJoinsStreamedParts(t *testing.T) {
	foreign := base64.StdEncoding.EncodeToString([]byte("octo1.anthropic.EqQBsig"))
	body := `{"contents": [
	  {"role": "user", "parts": [{"text": "a"}, {"text": "b"}, {"text": "", "thoughtSignature": "ignored"}]},
	  {"role": "model", "parts": [
	    {"text": "think ", "thought": true}, {"text": "more", "thought": true},
	    {"text": "", "thought": true, "thoughtSignature": "` + foreign + `"},
	    {"text": "Hello "}, {"text": "world"}, {"thoughtSignature": "CiQBtextsig"},
	    {"functionCall": {"name": "f"}, "thoughtSignature": "CiQBcallsig"},
	    {"text": "", "thoughtSignature": "CiQBlonely"}
	  ]}
	]}`
	req, err := Get(Gemini).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Messages[0].Parts; len(got) != 2 || got[0].Text != "a" || got[1].Text != "b" {
		t.Errorf("user parts = %+v (user text must not be joined; bare signatures dropped)", got)
	}
	got := req.Messages[1].Parts
	want := []Part{
		{Type: PartThinking, Text: "think more", Signature: "EqQBsig", SignatureFamily: "anthropic"},
		{Type: PartText, Text: "Hello world", Signature: "CiQBtextsig", SignatureFamily: "gemini"},
		{Type: PartToolCall, ToolCallID: "call_1_6", ToolName: "f", Arguments: []byte("{}"), Signature: "CiQBcallsig", SignatureFamily: "gemini"},
		{Type: PartThinking, Signature: "CiQBlonely", SignatureFamily: "gemini"},
	}
	if len(got) != len(want) {
		t.Fatalf("model parts = %+v", got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Type != w.Type || g.Text != w.Text || g.Signature != w.Signature || g.SignatureFamily != w.SignatureFamily ||
			g.ToolCallID != w.ToolCallID || g.ToolName != w.ToolName || string(g.Arguments) != string(w.Arguments) {
			t.Errorf("part %d = %+v\nwant %+v", i, g, w)
		}
	}
}

func TestGeminiDecodeMediaAndTools(t *testing.T) {
	body := `{"contents": [{"role": "user", "parts": [
	    {"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}},
	    {"inline_data": {"mime_type": "application/pdf", "data": "JVBERi0="}},
	    {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/a.jpg"}},
	    {"functionResponse": {"name": "shot", "response": {"result": "see image"},
	      "parts": [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]}}
	  ]}],
	  "tools": [
	    {"functionDeclarations": [{"name": "f", "parameters": {"type": "OBJECT", "properties": {"a": {"type": "STRING", "nullable": true}}}}]},
	    {"googleSearch": {}, "codeExecution": {}},
	    {"function_declarations": [{"name": "g", "parameters_json_schema": {"type": "object"}}], "url_context": {}}
	  ]}`
	req, err := Get(Gemini).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	p := req.Messages[0].Parts
	if p[0].Type != PartAudio || p[1].Type != PartFile || p[2].Type != PartImage || p[2].URL != "https://example.com/a.jpg" {
		t.Errorf("media parts = %+v", p[:3])
	}
	if r := p[3]; r.Type != PartToolResult || len(r.Content) != 2 || r.Content[0].Text != "see image" ||
		r.Content[1].Type != PartImage || r.Content[1].Data != "iVBORw0KGgo=" {
		t.Errorf("tool result = %+v", r)
	}
	if len(req.Tools) != 2 || req.Tools[0].Name != "f" || req.Tools[1].Name != "g" {
		t.Fatalf("Tools = %+v", req.Tools)
	}
	gemJSONEqual(t, req.Tools[0].Parameters, []byte(`{"type":"object","properties":{"a":{"type":["string","null"]}}}`))
	gemJSONEqual(t, req.Extra["tools"], []byte(`[{"googleSearch":{},"codeExecution":{}},{"url_context":{}}]`))
}
