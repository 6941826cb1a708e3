package transform

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// Golden tests: hand-written wire fixtures are decoded, re-encoded, and
// compared semantically with reviewed "want" files.

func TestGeminiGoldenRequests(t *testing.T) {
	tests := []struct {
		in      string
		target  Format
		model   string
		project string
		want    string
	}{
		{"gemini/request_tools.json", Gemini, "gemini-3-pro-preview", "", "gemini/request_tools.want.json"},
		{"gemini/request_snake.json", Gemini, "gemini-2.5-flash", "", "gemini/request_snake.want.json"},
		{"gemini/request_tools.json", Antigravity, "claude-sonnet-4-5-thinking", "proj-1", "antigravity/request_tools_claude.want.json"},
		{"gemini/request_tools.json", Antigravity, "gemini-3-flash", "proj-1", "antigravity/request_tools_gemini.want.json"},
		{"gemini/request_snake.json", Antigravity, "gemini-2.5-flash", "proj-1", "antigravity/request_snake.want.json"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			req, err := Get(Gemini).DecodeRequest(gemFixture(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			out, err := Get(tt.target).EncodeRequest(req, EncodeOptions{Model: tt.model, Project: tt.project})
			if err != nil {
				t.Fatal(err)
			}
			if tt.target == Antigravity {
				if id := gjson.GetBytes(out, "requestId").String(); !strings.HasPrefix(id, "agent-") || len(id) != len("agent-")+36 {
					t.Errorf("requestId = %q, want agent-<uuid>", id)
				}
				out = gemMask(t, out, "requestId")
			}
			gemGolden(t, tt.want, out)
		})
	}
}

func TestGeminiGoldenResponses(t *testing.T) {
	tests := []struct {
		in       string
		upstream Format
		client   Format
		want     string
	}{
		{"gemini/response_text.json", Gemini, Gemini, "gemini/response_text.want.json"},
		{"gemini/response_tools.json", Gemini, Gemini, "gemini/response_tools.want.json"},
		{"gemini/response_blocked.json", Gemini, Gemini, "gemini/response_blocked.want.json"},
		{"antigravity/response_claude.json", Antigravity, Gemini, "antigravity/response_claude.want.json"},
		{"antigravity/response_claude.json", Antigravity, Antigravity, "antigravity/response_claude_ag.want.json"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			resp, err := Get(tt.upstream).DecodeResponse(gemFixture(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			out, err := Get(tt.client).EncodeResponse(resp, &Request{Model: "client-model"})
			if err != nil {
				t.Fatal(err)
			}
			gemGolden(t, tt.want, gemMask(t, out, "traceId"))
		})
	}
}

func TestGeminiGoldenStreams(t *testing.T) {
	tests := []struct {
		in       string
		upstream Format
		client   Format
		events   string
		want     string
	}{
		{"gemini/stream_text.sse", Gemini, Gemini, `start id=stream-text-1 model=gemini-2.5-flash
thinking Thinking about it
usage in=20 out=0 cache=0 reasoning=0
text The answer
usage in=20 out=12 cache=0 reasoning=10
text  is 42.
signature gemini:CiQBstreamsig==
usage in=20 out=15 cache=0 reasoning=10
finish end_turn in=20 out=15 cache=0 reasoning=10
`, "gemini/stream_text.want.sse"},
		{"gemini/stream_tools.sse", Gemini, Gemini, `start id=stream-tools-1 model=gemini-3-pro-preview
thinking Checking.
call_start 0 c1 get_weather
call_args 0 {"city":"Paris"}
call_end 0 gemini:CiQBfirst==
call_start 1 c2 get_weather
call_args 1 {"city":"Rome"}
call_end 1 :
call_start 2 c3 get_time
call_args 2 {}
call_end 2 :
usage in=100 out=65 cache=0 reasoning=25
finish tool_use in=100 out=65 cache=0 reasoning=25
`, "gemini/stream_tools.want.sse"},
		{"antigravity/stream_claude.sse", Antigravity, Gemini, `start id=req_vrtx_011 model=claude-sonnet-4-5-thinking
thinking I should call the tool.
signature antigravity:EqQBclaudesig
text Let me check.
call_start 0 toolu_01 get_weather
call_args 0 {"city":"Oslo"}
call_end 0 :
usage in=300 out=60 cache=0 reasoning=0
finish tool_use in=300 out=60 cache=0 reasoning=0
`, "antigravity/stream_claude.want.sse"},
		{"antigravity/stream_claude.sse", Antigravity, Antigravity, "", "antigravity/stream_claude_ag.want.sse"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			evs := gemDecodeStream(t, tt.upstream, gemFixture(t, tt.in))
			if tt.events != "" {
				if got := gemEventString(evs); got != tt.events {
					t.Fatalf("events:\n%s\nwant:\n%s", got, tt.events)
				}
			}
			out := gemEncodeStream(t, tt.client, &Request{Model: "client-model"}, evs)
			gemGoldenStream(t, tt.want, out)
		})
	}
}
