package transform

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func anDecode(t *testing.T, body string) *Request {
	t.Helper()
	req, err := Get(Anthropic).DecodeRequest([]byte(body))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return req
}

func anEncode(t *testing.T, req *Request, opts EncodeOptions) gjson.Result {
	t.Helper()
	if opts.Model == "" {
		opts.Model = "claude-sonnet-4-5"
	}
	out, err := Get(Anthropic).EncodeRequest(req, opts)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !json.Valid(out) {
		t.Fatalf("encoded body is not valid JSON: %s", out)
	}
	return gjson.ParseBytes(out)
}

func anPtr[T any](v T) *T { return &v }

func TestAnthropicDecodeRequestFull(t *testing.T) {
	body, err := os.ReadFile("testdata/anthropic/request_full.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := Get(Anthropic).DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "claude-sonnet-4-5" || *req.MaxTokens != 16000 || !req.Stream || req.User != "user-123" {
		t.Errorf("top level: %+v", req)
	}
	if len(req.System) != 1 || req.System[0].Text != "You are terse." || string(req.System[0].CacheControl) != `{"type": "ephemeral"}` {
		t.Errorf("system: %+v", req.System)
	}
	if len(req.Messages) != 3 {
		t.Fatalf("messages: %d", len(req.Messages))
	}
	u := req.Messages[0].Parts
	if len(u) != 4 || u[1].Type != PartImage || u[1].MediaType != "image/png" || u[2].URL != "https://example.com/a.jpg" ||
		u[3].Type != PartFile || u[3].MediaType != "application/pdf" || u[3].FileName != "spec.pdf" {
		t.Errorf("user parts: %+v", u)
	}
	a := req.Messages[1].Parts
	if a[0].Type != PartThinking || a[0].Signature != "EqQBCkYIARgCKkBsig" || a[0].SignatureFamily != "anthropic" {
		t.Errorf("thinking: %+v", a[0])
	}
	if a[2].Type != PartToolCall || a[2].ToolCallID != "toolu_01A" || gjson.GetBytes(a[2].Arguments, "city").Str != "Paris" {
		t.Errorf("tool call: %+v", a[2])
	}
	r := req.Messages[2].Parts[0]
	if r.Type != PartToolResult || r.ToolCallID != "toolu_01A" || r.ToolName != "get_weather" || r.Content[0].Text != `{"temp_c":21}` || len(r.Content) != 1 {
		t.Errorf("tool result: %+v", r)
	}
	if len(req.Tools) != 1 || req.Tools[0].Name != "get_weather" || !gjson.ValidBytes(req.Tools[0].Parameters) || req.Tools[0].CacheControl == nil {
		t.Errorf("tools: %+v", req.Tools)
	}
	if req.ToolChoice.Mode != ToolChoiceAuto || req.ParallelToolCalls == nil || *req.ParallelToolCalls {
		t.Errorf("tool choice: %+v %v", req.ToolChoice, req.ParallelToolCalls)
	}
	if req.Reasoning == nil || *req.Reasoning.BudgetTokens != 8000 || !req.Reasoning.IncludeThoughts {
		t.Errorf("reasoning: %+v", req.Reasoning)
	}
	if *req.TopP != 0.99 || len(req.Stop) != 1 || req.Stop[0] != "###" {
		t.Errorf("sampling: %v %v", req.TopP, req.Stop)
	}
}

func TestAnthropicDecodeRequestDetails(t *testing.T) {
	t.Run("system messages of 2026-10-21", func(t *testing.T) {
		req := anDecode(t, `{"messages":[{"role":"system","content":"lead"},{"role":"user","content":"hi"},
			{"role":"system","content":[{"type":"text","text":"mid"}]}],"system":"top","model":"m"}`)
		if len(req.System) != 2 || req.System[0].Text != "top" || req.System[1].Text != "lead" {
			t.Errorf("system: %+v", req.System)
		}
		if len(req.Messages) != 2 || req.Messages[1].Role != RoleSystem || req.Messages[1].Parts[0].Text != "mid" {
			t.Errorf("messages: %+v", req.Messages)
		}
	})
	t.Run("tool input forms", func(t *testing.T) {
		req := anDecode(t, `{"model":"m","messages":[{"role":"assistant","content":[
			{"type":"tool_use","id":"a","name":"f","input":"{\"x\":1}"},
			{"type":"tool_use","id":"b","name":"f"},
			{"type":"tool_use","id":"c","name":"f","input":"not json"},
			{"type":"tool_use","id":"d","name":"f","input":[1,2]}]}]}`)
		want := []string{`{"x":1}`, `{}`, `{"raw":"not json"}`, `{"raw":"[1,2]"}`}
		for i, w := range want {
			if got := string(req.Messages[0].Parts[i].Arguments); got != w {
				t.Errorf("input %d: %s, want %s", i, got, w)
			}
		}
	})
	t.Run("signatures from clients", func(t *testing.T) {
		req := anDecode(t, `{"model":"m","messages":[{"role":"assistant","content":[
			{"type":"thinking","thinking":"t","signature":"octo1.gemini.abc"},
			{"type":"text","text":"x"},
			{"type":"thinking","thinking":"","signature":"octo1.gemini.textsig"},
			{"type":"tool_use","id":"a","name":"f","input":{}},
			{"type":"thinking","thinking":"","signature":"octo1.antigravity.callsig"},
			{"type":"redacted_thinking","data":"EmwK"},
			{"type":"thinking","thinking":"","signature":"EqQomitted"}]}]}`)
		p := req.Messages[0].Parts
		if len(p) != 5 {
			t.Fatalf("parts: %+v", p)
		}
		if p[0].Signature != "abc" || p[0].SignatureFamily != "gemini" {
			t.Errorf("thinking: %+v", p[0])
		}
		if p[1].Signature != "textsig" || p[1].SignatureFamily != "gemini" {
			t.Errorf("text part signature: %+v", p[1])
		}
		if p[2].Signature != "callsig" || p[2].SignatureFamily != "antigravity" {
			t.Errorf("tool call signature: %+v", p[2])
		}
		if p[3].Type != PartRedactedThinking || p[3].Signature != "EmwK" || p[3].SignatureFamily != "anthropic" {
			t.Errorf("redacted: %+v", p[3])
		}
		// An Anthropic signature-only block (display omitted) stays thinking.
		if p[4].Type != PartThinking || p[4].Signature != "EqQomitted" {
			t.Errorf("omitted thinking: %+v", p[4])
		}
	})
	t.Run("documents and images", func(t *testing.T) {
		req := anDecode(t, `{"model":"m","messages":[{"role":"user","content":[
			{"type":"document","source":{"type":"text","media_type":"text/plain","data":"hello"}},
			{"type":"document","source":{"type":"url","url":"https://x/a.pdf"}},
			{"type":"image","source":{"type":"file","file_id":"file_1"}},
			{"type":"tool_result","tool_use_id":"t","is_error":true,"content":[{"type":"text","text":"boom"},{"type":"image","source":{"type":"base64","media_type":"image/gif","data":"R0lG"}}]},
			{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]}`)
		p := req.Messages[0].Parts
		if len(p) != 4 {
			t.Fatalf("parts: %+v", p)
		}
		if p[0].MediaType != "text/plain" || anDecodeBase64Text(p[0].Data) != "hello" {
			t.Errorf("text doc: %+v", p[0])
		}
		if p[1].URL != "https://x/a.pdf" || p[2].FileID != "file_1" {
			t.Errorf("refs: %+v %+v", p[1], p[2])
		}
		if !p[3].IsError || len(p[3].Content) != 2 || p[3].Content[1].MediaType != "image/gif" {
			t.Errorf("tool result: %+v", p[3])
		}
	})
	t.Run("reasoning knobs", func(t *testing.T) {
		cases := []struct {
			body string
			want Reasoning
		}{
			{`"thinking":{"type":"disabled"}`, Reasoning{Disabled: true}},
			{`"thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"max"}`, Reasoning{Adaptive: true, Effort: "xhigh"}},
			{`"output_config":{"effort":"low"}`, Reasoning{Effort: "low"}},
		}
		for _, c := range cases {
			req := anDecode(t, `{"model":"m","messages":[],`+c.body+`}`)
			if req.Reasoning == nil || *req.Reasoning != c.want {
				t.Errorf("%s: %+v", c.body, req.Reasoning)
			}
		}
	})
	t.Run("extra fields kept raw", func(t *testing.T) {
		req := anDecode(t, `{"model":"m","messages":[],"service_tier":"auto","container":{"id":"c"},"temperature":null}`)
		if string(req.Extra["service_tier"]) != `"auto"` || string(req.Extra["container"]) != `{"id":"c"}` || req.Temperature != nil {
			t.Errorf("extra: %v temp %v", req.Extra, req.Temperature)
		}
	})
}

func TestAnthropicDecodeRequestErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"model":"m","messages":[`, "not valid JSON"},
		{`[1]`, "must be a JSON object"},
		{`{"messages":[]}`, "model: required"},
		{`{"model":"m"}`, "messages: required"},
		{`{"model":"m","messages":null}`, "messages: required"},
		{`{"model":"m","messages":{}}`, "messages: must be an array"},
		{`{"model":"m","messages":[{"role":"tool","content":"x"}]}`, `messages[0].role: must be "user", "assistant" or "system"`},
		{`{"model":"m","messages":[{"role":"user"}]}`, "messages[0].content: required"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"foo"}]}]}`, `messages[0].content[1]: unknown content block type "foo"`},
		{`{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","name":"f"}]}]}`, "messages[0].content[0].id: required"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"tool_result"}]}]}`, "messages[0].content[0].tool_use_id: required"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"ftp"}}]}]}`, `messages[0].content[0].source.type: must be`},
		{`{"model":"m","messages":[],"max_tokens":"10"}`, "max_tokens: must be an integer"},
		{`{"model":"m","messages":[],"max_tokens":1.5}`, "max_tokens: must be an integer"},
		{`{"model":"m","messages":[],"temperature":"hot"}`, "temperature: must be a number"},
		{`{"model":"m","messages":[],"tool_choice":{"type":"tool"}}`, "tool_choice.name: required"},
		{`{"model":"m","messages":[],"thinking":{"type":"enabled"}}`, "thinking.budget_tokens: must be an integer"},
		{`{"model":"m","messages":[],"tools":[{"description":"x"}]}`, "tools[0].name: required"},
		{`{"model":"m","messages":[],"system":[{"type":"image"}]}`, "system[0]: only text blocks"},
		{`{"model":"m","messages":[],"output_config":{"format":{"type":"json_object"}}}`, "output_config.format.type"},
		{`{"model":"m","messages":[],"stream":"yes"}`, "stream: must be a boolean"},
	}
	for _, c := range cases {
		_, err := Get(Anthropic).DecodeRequest([]byte(c.body))
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s: got %v, want 400 containing %q", c.body, err, c.want)
		}
	}
}

// anToolLoop is a conversation inside a tool loop: the assistant's last
// turn called a tool and the user answered it.
func anToolLoop(thinking []Part) []Message {
	asst := append(append([]Part(nil), thinking...), Part{Type: PartToolCall, ToolCallID: "call_1", ToolName: "f", Arguments: json.RawMessage(`{"a":1}`)})
	return []Message{
		{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "go"}}},
		{Role: RoleAssistant, Parts: asst},
		{Role: RoleUser, Parts: []Part{{Type: PartToolResult, ToolCallID: "call_1", Content: []Part{{Type: PartText, Text: "ok"}}}}},
	}
}

func TestAnthropicEncodeRequestRules(t *testing.T) {
	user := []Message{{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "hi"}}}}
	tools := []Tool{{Name: "f", Parameters: json.RawMessage(`{"type":"object"}`)}}

	t.Run("max_tokens default", func(t *testing.T) {
		b := anEncode(t, &Request{Messages: user}, EncodeOptions{})
		if b.Get("max_tokens").Int() != DefaultMaxTokens || b.Get("model").Str != "claude-sonnet-4-5" || b.Get("stream").Exists() {
			t.Errorf("%s", b.Raw)
		}
	})
	t.Run("thinking budget fits under max_tokens", func(t *testing.T) {
		cases := []struct {
			max, budget        *int
			effort             string
			wantMax, wantBudgt int64
		}{
			{nil, anPtr(8000), "", DefaultMaxTokens, 8000},
			{anPtr(4096), anPtr(24576), "", 4096, 3072},
			{anPtr(500), anPtr(100), "", 1524, 1024},
			{nil, nil, "xhigh", DefaultMaxTokens, DefaultMaxTokens - 1024},
			{nil, nil, "minimal", DefaultMaxTokens, 1024},
			{nil, anPtr(-1), "", DefaultMaxTokens, int64(BudgetForEffort("medium"))},
		}
		for i, c := range cases {
			b := anEncode(t, &Request{Messages: user, MaxTokens: c.max, Reasoning: &Reasoning{BudgetTokens: c.budget, Effort: c.effort}}, EncodeOptions{})
			mt, bt := b.Get("max_tokens").Int(), b.Get("thinking.budget_tokens").Int()
			if b.Get("thinking.type").Str != "enabled" || mt != c.wantMax || bt != c.wantBudgt || bt < 1024 || bt >= mt {
				t.Errorf("case %d: %s", i, b.Raw)
			}
		}
	})
	t.Run("effort on adaptive models", func(t *testing.T) {
		cases := []struct{ model, effort, wantType, wantEffort string }{
			{"claude-opus-4-6", "high", "adaptive", "high"},
			{"us.anthropic.claude-sonnet-4-6-v1:0", "xhigh", "adaptive", "max"},
			{"claude-opus-4-20250514", "high", "enabled", ""},
			{"claude-3-7-sonnet-20250219", "low", "enabled", ""},
			{"claude-mythos-preview", "minimal", "adaptive", "low"},
			{"my-alias", "medium", "enabled", ""},
		}
		for _, c := range cases {
			b := anEncode(t, &Request{Messages: user, Reasoning: &Reasoning{Effort: c.effort}}, EncodeOptions{Model: c.model})
			if b.Get("thinking.type").Str != c.wantType || b.Get("output_config.effort").Str != c.wantEffort {
				t.Errorf("%s/%s: %s", c.model, c.effort, b.Raw)
			}
		}
		b := anEncode(t, &Request{Messages: user, Reasoning: &Reasoning{Effort: "none"}}, EncodeOptions{})
		if b.Get("thinking.type").Str != "disabled" {
			t.Errorf("none: %s", b.Raw)
		}
	})
	t.Run("thinking constraints", func(t *testing.T) {
		req := &Request{Messages: user, Tools: tools, ToolChoice: &ToolChoice{Mode: ToolChoiceTool, Name: "f"},
			Temperature: anPtr(0.3), TopP: anPtr(0.5), TopK: anPtr(5), Reasoning: &Reasoning{BudgetTokens: anPtr(2048)}}
		b := anEncode(t, req, EncodeOptions{})
		if b.Get("temperature").Exists() || b.Get("top_k").Exists() || b.Get("top_p").Float() != 0.95 || b.Get("tool_choice.type").Str != "auto" {
			t.Errorf("thinking on: %s", b.Raw)
		}
		req.Reasoning = nil
		b = anEncode(t, req, EncodeOptions{})
		if b.Get("temperature").Float() != 0.3 || b.Get("top_k").Int() != 5 || b.Get("top_p").Float() != 0.5 || b.Get("tool_choice.type").Str != "tool" || b.Get("tool_choice.name").Str != "f" {
			t.Errorf("thinking off: %s", b.Raw)
		}
	})
	t.Run("temperature clamped", func(t *testing.T) {
		for _, c := range []struct{ in, want float64 }{{1.7, 1}, {-0.5, 0}, {0.25, 0.25}} {
			b := anEncode(t, &Request{Messages: user, Temperature: anPtr(c.in)}, EncodeOptions{})
			if b.Get("temperature").Float() != c.want {
				t.Errorf("%v: %s", c.in, b.Raw)
			}
		}
	})
	t.Run("version 2026-10-21 has no sampling fields", func(t *testing.T) {
		req := &Request{Messages: user, Temperature: anPtr(0.5), TopP: anPtr(0.9), TopK: anPtr(3), Stop: []string{"x"}}
		b := anEncode(t, req, EncodeOptions{AnthropicVersion: AnthropicVersion20261021})
		if b.Get("temperature").Exists() || b.Get("top_p").Exists() || b.Get("top_k").Exists() || b.Get("stop_sequences.0").Str != "x" {
			t.Errorf("%s", b.Raw)
		}
		b = anEncode(t, req, EncodeOptions{AnthropicVersion: AnthropicVersionDefault})
		if !b.Get("temperature").Exists() || !b.Get("top_p").Exists() || !b.Get("top_k").Exists() {
			t.Errorf("2023-06-01: %s", b.Raw)
		}
	})
	t.Run("tool results grouped first after the tool_use turn", func(t *testing.T) {
		msgs := []Message{
			{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "go"}}},
			{Role: RoleAssistant, Parts: []Part{{Type: PartText, Text: ""}, {Type: PartToolCall, ToolCallID: "a", ToolName: "f"},
				{Type: PartToolCall, ToolCallID: "b", ToolName: "f", Arguments: json.RawMessage(`{"x":1}`)}}},
			{Role: RoleUser, Parts: []Part{{Type: PartToolResult, ToolCallID: "a", Content: []Part{{Type: PartText, Text: "A"}}}}},
			{Role: RoleSystem, Parts: []Part{{Type: PartText, Text: "be brief"}}},
			{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "thanks"}, {Type: PartToolResult, ToolCallID: "b", IsError: true}}},
			{Role: RoleAssistant, Parts: []Part{{Type: PartText, Text: "done"}}},
			{Role: RoleAssistant, Parts: []Part{{Type: PartText, Text: " really"}}},
		}
		b := anEncode(t, &Request{Messages: msgs, Tools: tools}, EncodeOptions{})
		m := b.Get("messages").Array()
		if len(m) != 4 {
			t.Fatalf("messages: %s", b.Get("messages").Raw)
		}
		a := m[1].Get("content").Array()
		if len(a) != 2 || a[0].Get("input").Raw != "{}" || a[1].Get("input.x").Int() != 1 {
			t.Errorf("assistant: %s", m[1].Raw)
		}
		c := m[2].Get("content").Array()
		if len(c) != 4 || c[0].Get("tool_use_id").Str != "a" || c[0].Get("content.0.text").Str != "A" ||
			c[1].Get("tool_use_id").Str != "b" || !c[1].Get("is_error").Bool() || c[1].Get("content").Exists() ||
			!strings.Contains(c[2].Get("text").Str, "<system-reminder>\nbe brief\n</system-reminder>") || c[3].Get("text").Str != "thanks" {
			t.Errorf("results: %s", m[2].Raw)
		}
		if m[3].Get("content.#").Int() != 2 {
			t.Errorf("assistant turns not merged: %s", m[3].Raw)
		}
	})
	t.Run("tool ids sanitized consistently", func(t *testing.T) {
		msgs := anToolLoop(nil)
		msgs[1].Parts[0].ToolCallID = "call:1/x"
		msgs[2].Parts[0].ToolCallID = "call:1/x"
		b := anEncode(t, &Request{Messages: msgs}, EncodeOptions{})
		id := b.Get("messages.1.content.0.id").Str
		if !anValidToolID(id) || id != b.Get("messages.2.content.0.tool_use_id").Str || anRestoreToolID(id) != "call:1/x" {
			t.Errorf("ids: %s", b.Raw)
		}
		if anSanitizeToolID("call_1-x") != "call_1-x" || anSanitizeToolID("call.1") == anSanitizeToolID("call_1") {
			t.Error("valid ids must pass unchanged and distinct ids stay distinct")
		}
	})
	t.Run("signed thinking kept in the tool loop", func(t *testing.T) {
		th := []Part{{Type: PartThinking, Text: "hm", Signature: "EqQ", SignatureFamily: "anthropic"},
			{Type: PartRedactedThinking, Signature: "Emw", SignatureFamily: "anthropic"}}
		b := anEncode(t, &Request{Messages: anToolLoop(th), Reasoning: &Reasoning{BudgetTokens: anPtr(4000)}}, EncodeOptions{})
		if b.Get("thinking.type").Str != "enabled" || b.Get("messages.1.content.0.signature").Str != "EqQ" ||
			b.Get("messages.1.content.1.data").Str != "Emw" {
			t.Errorf("%s", b.Raw)
		}
	})
	t.Run("foreign thinking dropped and thinking turned off", func(t *testing.T) {
		th := []Part{{Type: PartThinking, Text: "hm", Signature: "gsig", SignatureFamily: "gemini"},
			{Type: PartRedactedThinking, Signature: "x", SignatureFamily: "openai"}}
		b := anEncode(t, &Request{Messages: anToolLoop(th), Reasoning: &Reasoning{Effort: "high"}}, EncodeOptions{})
		if b.Get("thinking.type").Str != "disabled" || b.Get("messages.1.content.#").Int() != 1 || b.Get("messages.1.content.0.type").Str != "tool_use" {
			t.Errorf("%s", b.Raw)
		}
		// Outside the current loop (a new user question follows) thinking stays on.
		msgs := append(anToolLoop(th), Message{Role: RoleAssistant, Parts: []Part{{Type: PartText, Text: "ok"}}},
			Message{Role: RoleUser, Parts: []Part{{Type: PartText, Text: "next"}}})
		b = anEncode(t, &Request{Messages: msgs, Reasoning: &Reasoning{Effort: "high"}}, EncodeOptions{})
		if b.Get("thinking.type").Str != "enabled" {
			t.Errorf("completed loop: %s", b.Raw)
		}
	})
	t.Run("media", func(t *testing.T) {
		msgs := []Message{{Role: RoleUser, Parts: []Part{
			{Type: PartImage, URL: "https://example.com/cat.png", Detail: "high"},
			{Type: PartImage, URL: "data:image/jpeg;base64,/9j/AAA"},
			{Type: PartImage, Data: "R0lGODlh"},
			{Type: PartFile, MediaType: "application/pdf", Data: "JVBE", FileName: "a.pdf"},
			{Type: PartFile, MediaType: "text/plain", Data: "aGVsbG8="},
			{Type: PartFile, FileID: "file_9"},
		}}}
		b := anEncode(t, &Request{Messages: msgs}, EncodeOptions{})
		c := b.Get("messages.0.content").Array()
		if len(c) != 6 {
			t.Fatalf("%s", b.Raw)
		}
		checks := []struct{ path, want string }{
			{"source.type", "url"}, {"source.url", "https://example.com/cat.png"},
		}
		for _, ch := range checks {
			if c[0].Get(ch.path).Str != ch.want {
				t.Errorf("url image: %s", c[0].Raw)
			}
		}
		if c[1].Get("source.media_type").Str != "image/jpeg" || c[1].Get("source.data").Str != "/9j/AAA" {
			t.Errorf("data url image: %s", c[1].Raw)
		}
		if c[2].Get("source.media_type").Str != "image/gif" {
			t.Errorf("sniffed image: %s", c[2].Raw)
		}
		if c[3].Get("type").Str != "document" || c[3].Get("title").Str != "a.pdf" || c[3].Get("source.type").Str != "base64" {
			t.Errorf("pdf: %s", c[3].Raw)
		}
		if c[4].Get("source.type").Str != "text" || c[4].Get("source.data").Str != "hello" {
			t.Errorf("text doc: %s", c[4].Raw)
		}
		if c[5].Get("source.type").Str != "file" || c[5].Get("source.file_id").Str != "file_9" {
			t.Errorf("file doc: %s", c[5].Raw)
		}
	})
	t.Run("inexpressible content is a 400", func(t *testing.T) {
		for _, p := range []Part{{Type: PartAudio, Data: "UklG", MediaType: "audio/wav"},
			{Type: PartFile, MediaType: "application/msword", Data: "0M8R"}} {
			_, err := Get(Anthropic).EncodeRequest(&Request{Messages: []Message{{Role: RoleUser, Parts: []Part{p}}}}, EncodeOptions{Model: "m"})
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 {
				t.Errorf("%s: %v", p.Type, err)
			}
		}
		_, err := Get(Anthropic).EncodeRequest(&Request{}, EncodeOptions{Model: "m"})
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 {
			t.Errorf("empty request: %v", err)
		}
	})
	t.Run("system only becomes the user turn", func(t *testing.T) {
		b := anEncode(t, &Request{System: []Part{{Type: PartText, Text: "Say hi"}}}, EncodeOptions{})
		if b.Get("system").Exists() || b.Get("messages.0.role").Str != "user" || b.Get("messages.0.content.0.text").Str != "Say hi" {
			t.Errorf("%s", b.Raw)
		}
	})
	t.Run("tool choice and parallel", func(t *testing.T) {
		b := anEncode(t, &Request{Messages: user, Tools: tools, ParallelToolCalls: anPtr(false)}, EncodeOptions{})
		if b.Get("tool_choice.type").Str != "auto" || !b.Get("tool_choice.disable_parallel_tool_use").Bool() {
			t.Errorf("%s", b.Raw)
		}
		b = anEncode(t, &Request{Messages: user, ToolChoice: &ToolChoice{Mode: ToolChoiceRequired}}, EncodeOptions{})
		if b.Get("tool_choice").Exists() {
			t.Errorf("tool_choice without tools: %s", b.Raw)
		}
		b = anEncode(t, &Request{Messages: user, Tools: []Tool{{Name: "g"}}, ToolChoice: &ToolChoice{Mode: ToolChoiceNone}}, EncodeOptions{})
		if b.Get("tool_choice.type").Str != "none" || b.Get("tools.0.input_schema.type").Str != "object" {
			t.Errorf("%s", b.Raw)
		}
	})
	t.Run("structured output and metadata", func(t *testing.T) {
		req := &Request{Messages: user, User: "u1", Stop: []string{" ", "END"},
			ResponseFormat: &ResponseFormat{Type: "json_schema", Name: "x", Schema: json.RawMessage(`{"type":"object"}`)}}
		b := anEncode(t, req, EncodeOptions{Stream: true})
		if b.Get("output_config.format.type").Str != "json_schema" || b.Get("output_config.format.schema.type").Str != "object" ||
			b.Get("metadata.user_id").Str != "u1" || b.Get("stop_sequences.#").Int() != 1 || !b.Get("stream").Bool() {
			t.Errorf("%s", b.Raw)
		}
	})
	t.Run("arguments that are not an object", func(t *testing.T) {
		msgs := anToolLoop(nil)
		msgs[1].Parts[0].Arguments = json.RawMessage(`not json`)
		b := anEncode(t, &Request{Messages: msgs}, EncodeOptions{})
		if b.Get("messages.1.content.0.input.raw").Str != "not json" {
			t.Errorf("%s", b.Raw)
		}
	})
}

func TestAnthropicJSONString(t *testing.T) {
	for _, s := range []string{"plain", "quote\" back\\ nl\n tab\t", "ctl\x01\x1f", "<&>", "é 世界 🎉", "bad\xffutf8", "ls\u2028ps\u2029"} {
		out := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: %v (%s)", s, err, out)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if got != want {
			t.Errorf("%q: round trip %q", s, got)
		}
	}
	if string(appendJSONString(nil, "<a&b>")) != `"<a&b>"` {
		t.Error("HTML characters must stay literal")
	}
}
