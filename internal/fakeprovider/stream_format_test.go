package fakeprovider_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// sseData returns the data payloads of an SSE body, split on sep.
func sseData(body, sep string) []string {
	var out []string
	for _, ev := range strings.Split(body, sep) {
		for _, line := range strings.Split(ev, "\n") {
			if d, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "data: "); ok {
				out = append(out, d)
			}
		}
	}
	return out
}

func TestStreamFramingOpenAIChat(t *testing.T) {
	s := fp.New(t)
	r := do(t, s, "POST", ccPath, `{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`, hOpenAI...)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") || !strings.HasSuffix(r.body, "data: [DONE]\n\n") || strings.Contains(r.body, "event:") {
		t.Fatalf("framing:\n%s", r.body)
	}
	data := sseData(r.body, "\n\n")
	usage := data[len(data)-2]
	if gjson.Get(usage, "choices.#").Int() != 0 || gjson.Get(usage, "usage.total_tokens").Int() != fp.TotalTokens {
		t.Fatalf("usage chunk %s", usage)
	}
	for _, d := range data[:len(data)-2] {
		if u := gjson.Get(d, "usage"); !u.Exists() || u.Type != gjson.Null {
			t.Fatalf("chunk without usage:null: %s", d)
		}
		if !gjson.Get(d, "obfuscation").Exists() {
			t.Fatalf("chunk without obfuscation: %s", d)
		}
	}
	r = do(t, s, "POST", ccPath, `{"model":"gpt-4o","stream":true,"stream_options":{"include_obfuscation":false},"messages":[{"role":"user","content":"hi"}]}`, hOpenAI...)
	if strings.Contains(r.body, "obfuscation") || strings.Contains(r.body, `"usage"`) {
		t.Fatalf("obfuscation or usage not turned off:\n%s", r.body)
	}
}

func TestStreamFramingAnthropic(t *testing.T) {
	s := fp.New(t)
	r := do(t, s, "POST", anPath, `{"model":"claude","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}`, hAnthropic...)
	var names []string
	for _, ev := range strings.Split(strings.TrimSpace(r.body), "\n\n") {
		lines := strings.SplitN(ev, "\n", 2)
		name := strings.TrimPrefix(lines[0], "event: ")
		if gjson.Get(strings.TrimPrefix(lines[1], "data: "), "type").String() != name {
			t.Fatalf("event name and type differ: %q", ev)
		}
		names = append(names, name)
	}
	got := strings.Join(names, ",")
	if !strings.HasPrefix(got, "message_start,ping,content_block_start,content_block_delta") || !strings.HasSuffix(got, "content_block_stop,message_delta,message_stop") {
		t.Fatalf("event order %s", got)
	}
}

func TestStreamFramingGemini(t *testing.T) {
	s := fp.New(t)
	path := "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
	r := do(t, s, "POST", path+"?alt=sse", geOK, hGemini...)
	if !strings.Contains(r.body, "\r\n\r\n") {
		t.Fatalf("Gemini SSE without CRLF separators: %q", r.body)
	}
	data := sseData(r.body, "\r\n\r\n")
	if len(data) < 3 {
		t.Fatalf("only %d chunks", len(data))
	}
	prev := int64(-1)
	for i, d := range data {
		c := gjson.Get(d, "usageMetadata.candidatesTokenCount").Int()
		if c < prev {
			t.Fatalf("usage not cumulative at %d: %s", i, d)
		}
		prev = c
		if fin := gjson.Get(d, "candidates.0.finishReason").String(); (fin != "") != (i == len(data)-1) {
			t.Fatalf("finishReason on chunk %d of %d", i, len(data))
		}
	}
	if prev != fp.CompletionTokens {
		t.Fatalf("final candidates %d", prev)
	}

	// Without alt=sse: one JSON array.
	r = do(t, s, "POST", path, geOK, hGemini...)
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &arr); err != nil || len(arr) != len(data) {
		t.Fatalf("array stream (%v): %s", err, r.body)
	}
	// Errors on that endpoint are arrays too.
	r = do(t, s, "POST", path, `{}`, hGemini...)
	if r.status != 400 || gjson.Get(r.body, "0.error.code").Int() != 400 {
		t.Fatalf("array error %d %s", r.status, r.body)
	}
}

func TestStreamFramingAntigravity(t *testing.T) {
	s := fp.New(t)
	s.AddAccessToken("ya29.ag")
	body := `{"project":"` + fp.DefaultProject + `","model":"claude-sonnet-4-5-thinking","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT","properties":{"n":{"type":"INTEGER"}}}}]}]}}`
	r := do(t, s, "POST", "/v1internal:streamGenerateContent?alt=sse", body, "Authorization", "Bearer ya29.ag")
	data := sseData(r.body, "\r\n\r\n")
	if len(data) < 2 {
		t.Fatalf("chunks: %q", r.body)
	}
	var calls []gjson.Result
	for _, d := range data {
		if !gjson.Get(d, "response.candidates").Exists() || gjson.Get(d, "traceId").String() == "" {
			t.Fatalf("chunk not wrapped: %s", d)
		}
		calls = append(calls, gjson.Get(d, "response.candidates.0.content.parts.#.functionCall").Array()...)
	}
	if len(calls) != 1 || calls[0].Get("args|@ugly").Raw != `{"n":42}` || !strings.HasPrefix(calls[0].Get("id").String(), "toolu_") {
		t.Fatalf("calls %v", calls)
	}
	if !strings.Contains(r.body, fp.AntigravitySignature) || strings.Contains(r.body, fp.GeminiSignature) {
		t.Fatal("Antigravity must mint its own signatures")
	}
	// Non-stream answers are wrapped the same way.
	r = do(t, s, "POST", "/v1internal:generateContent", body, "Authorization", "Bearer ya29.ag")
	if gjson.Get(r.body, "response.candidates.0.finishReason").String() != "STOP" {
		t.Fatalf("non-stream %s", r.body)
	}
	r = do(t, s, "POST", "/v1internal:countTokens", `{"request":{"model":"models/gemini-2.5-flash","contents":[{"role":"user","parts":[{"text":"hi"}]}]}}`, "Authorization", "Bearer ya29.ag")
	if gjson.Get(r.body, "totalTokens").Int() != fp.PromptTokens {
		t.Fatalf("countTokens %s", r.body)
	}
}

func TestModelListShapes(t *testing.T) {
	s := fp.New(t)
	r := do(t, s, "GET", "/v1/models", "", hOpenAI...)
	if gjson.Get(r.body, "object").String() != "list" || gjson.Get(r.body, "data.0.object").String() != "model" {
		t.Fatalf("openai shape %s", r.body)
	}
	r = do(t, s, "GET", "/v1/models?limit=1&after_id=claude-sonnet-4-5", "", hAnthropic...)
	if gjson.Get(r.body, "data.0.id").String() != "claude-opus-4-5" || !gjson.Get(r.body, "has_more").Bool() ||
		gjson.Get(r.body, "first_id").String() != "claude-opus-4-5" || gjson.Get(r.body, "data.0.type").String() != "model" {
		t.Fatalf("anthropic shape %s", r.body)
	}
	var seen []string
	token := ""
	for i := 0; i < 10; i++ {
		r = do(t, s, "GET", "/v1beta/models?pageSize=3&pageToken="+token, "", hGemini...)
		for _, m := range gjson.Get(r.body, "models.#.name").Array() {
			seen = append(seen, m.String())
		}
		token = gjson.Get(r.body, "nextPageToken").String()
		if token == "" {
			break
		}
	}
	if len(seen) != 4 || seen[3] != "models/text-embedding-004" {
		t.Fatalf("gemini pages %v", seen)
	}
	s.SetModels(fp.Anthropic, "a", "b")
	r = do(t, s, "GET", "/v1/models", "", hAnthropic...)
	if fmt.Sprint(gjson.Get(r.body, "data.#.id").Value()) != "[a b]" || gjson.Get(r.body, "has_more").Bool() {
		t.Fatalf("SetModels %s", r.body)
	}
}

func TestBodyLayoutPerFormat(t *testing.T) {
	s := fp.New(t)
	cases := []struct {
		name, path, body string
		headers          []string
		prefix           string
	}{
		{"openai answer", ccPath, ccOK, hOpenAI, "{\n  \"id\": \"chatcmpl-"},
		{"openai error", ccPath, `{}`, hOpenAI, "{\n    \"error\": {\n        \"message\""},
		{"anthropic answer", anPath, anOK, hAnthropic, `{"id":"msg_`},
		{"anthropic error", anPath, `{}`, hAnthropic, `{"type":"error","error":{"type":"invalid_request_error"`},
		{"gemini answer", gePath, geOK, hGemini, "{\n  \"candidates\": ["},
		{"gemini error", gePath, `{}`, hGemini, "{\n  \"error\": {\n    \"code\": 400"},
		{"gemini sse", "/v1beta/models/g:streamGenerateContent?alt=sse", geOK, hGemini, `data: {"candidates": [{"content": {"parts": [{"text": "Hello from"}],"role": "model"},"index": 0}],"usageMetadata": {`},
		{"gemini array", "/v1beta/models/g:streamGenerateContent", geOK, hGemini, "[{\n  \"candidates\": ["},
	}
	for _, tc := range cases {
		r := do(t, s, "POST", tc.path, tc.body, tc.headers...)
		if !strings.HasPrefix(r.body, tc.prefix) {
			t.Errorf("%s: body starts %q, want %q", tc.name, r.body[:min(len(r.body), len(tc.prefix)+20)], tc.prefix)
		}
	}
}
