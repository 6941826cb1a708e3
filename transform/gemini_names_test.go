package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestGeminiSanitizeName(t *testing.T) {
	long := strings.Repeat("a", 70)
	tests := []struct{ in, want string }{
		{"get_weather", "get_weather"},
		{"ns.tool:v1-x", "ns.tool:v1-x"},
		{"mcp/server tool", "mcp_server_tool"},
		{"9lives", "_9lives"},
		{"-dash", "_-dash"},
		{"", "_"},
		{"météo", "m_t_o"},
	}
	for _, tt := range tests {
		if got := gemSanitizeName(tt.in); got != tt.want {
			t.Errorf("gemSanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	a, b := gemSanitizeName(long+"1"), gemSanitizeName(long+"2")
	if len(a) != gemMaxNameLen || len(b) != gemMaxNameLen || a == b {
		t.Errorf("long names: %q %q", a, b)
	}
	if gemSanitizeName(long+"1") != a {
		t.Error("not deterministic")
	}
}

func TestUpstreamToolNames(t *testing.T) {
	req := &Request{
		Tools: []Tool{{Name: "ok_name"}, {Name: "mcp/search"}},
		Messages: []Message{{Role: RoleAssistant, Parts: []Part{
			{Type: PartToolCall, ToolName: "1st"},
		}}},
	}
	names := UpstreamToolNames(Gemini, req)
	if len(names) != 2 || names["mcp_search"] != "mcp/search" || names["_1st"] != "1st" {
		t.Fatalf("names = %v", names)
	}
	if UpstreamToolNames(Anthropic, req) != nil || UpstreamToolNames(Gemini, &Request{Tools: []Tool{{Name: "fine"}}}) != nil {
		t.Error("expected nil map")
	}

	// What the upstream answers with the sanitized name is restored.
	body := `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"mcp_search","args":{}}},{"functionCall":{"name":"ok_name"}}]}}]}`
	resp, err := Get(Gemini).DecodeResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	RestoreToolNames(names, resp)
	if resp.Content[0].ToolName != "mcp/search" || resp.Content[1].ToolName != "ok_name" {
		t.Errorf("restored = %q %q", resp.Content[0].ToolName, resp.Content[1].ToolName)
	}
	evs := []Event{{Type: EventToolCallStart, ToolName: "mcp_search"}, {Type: EventText, Text: "mcp_search"}}
	RestoreEventToolNames(names, evs)
	if evs[0].ToolName != "mcp/search" || evs[1].Text != "mcp_search" {
		t.Errorf("events = %+v", evs)
	}
	RestoreToolNames(nil, resp)
	RestoreEventToolNames(nil, evs)

	// The request side uses the same names everywhere.
	req.Messages = append(req.Messages, Message{Role: RoleUser, Parts: []Part{
		{Type: PartToolResult, Content: []Part{gemText("r")}},
	}})
	req.Messages[0].Parts[0].ToolCallID = "c"
	req.Messages[1].Parts[0].ToolCallID = "c"
	req.Messages[0].Parts[0].Arguments = json.RawMessage(`{}`)
	out := gemEncode(t, Gemini, &Request{Messages: append([]Message{{Role: RoleUser, Parts: []Part{gemText("q")}}}, req.Messages...), Tools: req.Tools}, "gemini-2.5-flash")
	for _, want := range []string{`"name":"_1st","args"`, `"functionResponse":{"id":"c","name":"_1st"`, `"name":"mcp_search"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %s in %s", want, out)
		}
	}
}
