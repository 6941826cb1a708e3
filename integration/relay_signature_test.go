package integration

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// TestSignatureRoundTrip runs an Anthropic-client tool loop with thinking
// through a Gemini channel: the Gemini thought signature must come back to
// Gemini on the second turn (the fake rejects calls of the current turn
// without it), and the same history sent to an Anthropic channel must not
// carry the foreign signature (the fake rejects signatures it did not mint).
func TestSignatureRoundTrip(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t,
		channel("ge", "gemini", baseURL(fake, "gemini"), "AIza-sig-ge", "gemini-3-think")+
			channel("an", "anthropic", baseURL(fake, "anthropic"), "sk-ant-sig", "claude-think")+
			group("to-gemini", "", "channel ge gemini-3-think")+
			group("to-anthropic", "", "channel an claude-think")+
			apiKey())
	h := map[string]string{"x-api-key": clientKey, "anthropic-version": "2023-06-01"}
	first := `{"model":"to-gemini","max_tokens":4096,"thinking":{"type":"enabled","budget_tokens":2048},
		"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],
		"messages":[{"role":"user","content":"Weather in Paris?"}]}`
	r := do(t, "POST", in.BaseURL+"/v1/messages", h, first)
	if r.Status != 200 {
		t.Fatalf("first turn: %d %s", r.Status, r.Body)
	}
	content := gjson.Get(r.Body, "content")
	var sig, toolID string
	content.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").Str {
		case "thinking":
			if s := b.Get("signature").Str; s != "" {
				sig = s
			}
		case "tool_use":
			toolID = b.Get("id").Str
		}
		return true
	})
	if sig == "" || toolID == "" || gjson.Get(r.Body, "stop_reason").Str != "tool_use" {
		t.Fatalf("first turn lacks a signed thinking block or a tool call: %s", r.Body)
	}
	if sig == fakeprovider.GeminiSignature {
		t.Fatal("a Gemini signature must be tagged with its origin when given to an Anthropic client")
	}

	// Second turn: the assistant turn as received, plus the tool result.
	second, _ := sjson.SetRaw(first, "messages.-1", `{"role":"assistant","content":`+content.Raw+`}`)
	second, _ = sjson.SetRaw(second, "messages.-1", `{"role":"user","content":[{"type":"tool_result","tool_use_id":"`+toolID+`","content":"21 C"}]}`)
	fake.Reset()
	r = do(t, "POST", in.BaseURL+"/v1/messages", h, second)
	if r.Status != 200 || !strings.Contains(r.Body, fakeprovider.ToolResultsPrefix) {
		t.Fatalf("second turn to Gemini: %d %s", r.Status, r.Body)
	}
	up, _ := fake.Last()
	if !strings.Contains(string(up.Body), fakeprovider.GeminiSignature) {
		t.Fatalf("the Gemini signature did not go back to Gemini: %s", up.Body)
	}

	// The same history to Anthropic: the foreign signature must be dropped.
	third, _ := sjson.Set(second, "model", "to-anthropic")
	fake.Reset()
	r = do(t, "POST", in.BaseURL+"/v1/messages", h, third)
	if r.Status != 200 {
		t.Fatalf("history to Anthropic: %d %s", r.Status, r.Body)
	}
	up, _ = fake.Last()
	if strings.Contains(string(up.Body), fakeprovider.GeminiSignature) || strings.Contains(string(up.Body), sig) {
		t.Fatalf("a Gemini signature reached Anthropic: %s", up.Body)
	}
}
