package integration

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"reflect"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
)

// The conversion matrix: every client SDK against every upstream channel
// type, streaming and not, over the scenarios a translator most often gets
// wrong. The fake validates each upstream request like the real API, so a
// 2xx already proves the translated request was well formed; the checks
// below prove the translated answer reads correctly in the client's SDK.

// mxScenario is one kind of exchange.
type mxScenario struct {
	name string
	// variant is the model-name marker of the group the scenario calls
	// ("", "parallel" or "think"); see fakeprovider's markers.
	variant string
	// tools declares get_weather; results then answers the calls of a first
	// turn in a second one; image adds a PNG to the prompt; think asks for
	// reasoning in the client's own terms.
	tools, results, image, think bool
}

var mxScenarios = []mxScenario{
	{name: "text"},
	{name: "tool", tools: true},
	{name: "parallel", variant: fakeprovider.MarkerParallel, tools: true},
	{name: "tool_result", variant: fakeprovider.MarkerParallel, tools: true, results: true},
	{name: "image", image: true},
	{name: "reasoning", variant: fakeprovider.MarkerThink, think: true},
}

// mxUpstream is one channel type of the fake and the prefix of its model
// names.
type mxUpstream struct {
	format fakeprovider.Format
	prefix string
}

var mxUpstreams = []mxUpstream{
	{fakeprovider.OpenAIChat, "gpt"},
	{fakeprovider.OpenAIResponses, "gpt"},
	{fakeprovider.Anthropic, "claude"},
	{fakeprovider.Gemini, "gemini-2.5"},
	{fakeprovider.Antigravity, "ag"},
}

// mxVariants are the model variants every channel serves; "x" is the plain one.
var mxVariants = []string{"", fakeprovider.MarkerParallel, fakeprovider.MarkerThink}

// mxModel is the upstream model of a variant.
func mxModel(u mxUpstream, variant string) string {
	if variant == "" {
		variant = "x"
	}
	return u.prefix + "-" + variant
}

// mxGroup is the gateway model (group) a client calls for a variant.
func mxGroup(u mxUpstream, variant string) string {
	g := "to-" + strings.ReplaceAll(string(u.format), "_", "-")
	if variant != "" {
		g += "-" + variant
	}
	return g
}

// mxConfig serves one channel per upstream type and one group per channel
// and variant.
func mxConfig(fake *fakeprovider.Server) string {
	var b strings.Builder
	for _, u := range mxUpstreams {
		name := "up-" + strings.ReplaceAll(string(u.format), "_", "-")
		var models []string
		for _, v := range mxVariants {
			models = append(models, mxModel(u, v))
		}
		if u.format == fakeprovider.Antigravity {
			b.WriteString(channel(name, string(u.format), fake.URL(), fakeprovider.DefaultRefreshToken, strings.Join(models, " "),
				"token_url "+fake.URL()+"/token",
				"client_id "+fakeprovider.DefaultClientID,
				"client_secret "+fakeprovider.DefaultClientSecret,
				"project "+fakeprovider.DefaultProject))
		} else {
			b.WriteString(channel(name, string(u.format), baseURL(fake, string(u.format)), mxKey(u.format), strings.Join(models, " ")))
		}
		for _, v := range mxVariants {
			b.WriteString(group(mxGroup(u, v), "", "channel "+name+" "+mxModel(u, v)))
		}
	}
	b.WriteString(apiKey())
	return b.String()
}

// mxKey is an upstream key the fake accepts for format f.
func mxKey(f fakeprovider.Format) string {
	switch f {
	case fakeprovider.Anthropic:
		return "sk-ant-mx"
	case fakeprovider.Gemini:
		return "AIza-mx"
	}
	return "sk-mx"
}

// mxPNG is a tiny valid PNG, the image of the image scenario.
var mxPNG = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return b.Bytes()
}()

// Prompts of the matrix.
const (
	mxPrompt      = "ping"
	mxImagePrompt = "describe this"
)

// mxToolResult is the result the tool-result turn sends for a call.
func mxToolResult(c mxCall) string { return fmt.Sprintf("%v is sunny", c.Args["city"]) }

// mxAnswer is what a client read from the gateway, in neutral terms.
type mxAnswer struct {
	Text      string
	Reasoning string
	Stop      string
	Input     int64
	Output    int64
	Calls     []mxCall
	// First holds the calls of the first turn of a tool-result exchange.
	First []mxCall
}

// mxCall is one tool call as the client's SDK exposed it.
type mxCall struct {
	ID   string
	Name string
	Args map[string]any
}

// mxClient drives one client SDK.
type mxClient struct {
	format   clientFormat
	stopText string
	stopTool string
	// ids says whether the format always carries tool-call ids (Gemini
	// makes them optional).
	ids  bool
	call func(t *testing.T, in *testcaddy.Instance, group string, sc mxScenario, stream bool) mxAnswer
}

var mxClients = []mxClient{
	{format: viaChat, stopText: "stop", stopTool: "tool_calls", ids: true, call: mxChat},
	{format: viaResponses, stopText: "completed", stopTool: "completed", ids: true, call: mxResponses},
	{format: viaAnthropic, stopText: "end_turn", stopTool: "tool_use", ids: true, call: mxAnthropic},
	{format: viaGemini, stopText: "STOP", stopTool: "STOP", call: mxGemini},
}

// TestMatrix runs every cell of client × upstream × stream × scenario
// against one Caddy.
func TestMatrix(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, mxConfig(fake))
	for _, c := range mxClients {
		for _, u := range mxUpstreams {
			for _, stream := range []bool{false, true} {
				mode := "sync"
				if stream {
					mode = "stream"
				}
				for _, sc := range mxScenarios {
					t.Run(fmt.Sprintf("%s/%s/%s/%s", c.format, u.format, mode, sc.name), func(t *testing.T) {
						if string(c.format) == string(u.format) && (sc.name == "text" || sc.name == "tool") {
							t.Skip("same-format text and tool calls are TestSDKPassthrough's")
						}
						got := c.call(t, in, mxGroup(u, sc.variant), sc, stream)
						mxCheck(t, c, u, sc, got)
						mxCheckUpstream(t, fake, u, sc, stream)
					})
				}
			}
		}
	}
}

// mxCheck compares an answer with what the fake's answer must become in
// the client's format.
func mxCheck(t *testing.T, c mxClient, u mxUpstream, sc mxScenario, got mxAnswer) {
	t.Helper()
	wantCalls := func(label string, calls []mxCall, cities ...string) {
		t.Helper()
		var names []string
		var args []map[string]any
		ids := map[string]bool{}
		for _, call := range calls {
			names = append(names, call.Name)
			args = append(args, call.Args)
			if call.ID != "" {
				ids[call.ID] = true
			} else if c.ids {
				t.Errorf("%s: call %s has no id", label, call.Name)
			}
		}
		var wantNames []string
		var wantArgs []map[string]any
		for _, city := range cities {
			wantNames = append(wantNames, "get_weather")
			wantArgs = append(wantArgs, map[string]any{"city": city})
		}
		if !reflect.DeepEqual(names, wantNames) || !reflect.DeepEqual(args, wantArgs) {
			t.Errorf("%s: calls %v %v, want %v %v", label, names, args, wantNames, wantArgs)
		}
		if c.ids && len(ids) != len(calls) {
			t.Errorf("%s: call ids are not distinct: %+v", label, calls)
		}
	}
	wantStop := c.stopText
	switch {
	case sc.results:
		wantCalls("first turn", got.First, "Paris", "London")
		if !strings.HasPrefix(got.Text, fakeprovider.ToolResultsPrefix) {
			t.Errorf("text %q does not start with %q", got.Text, fakeprovider.ToolResultsPrefix)
		}
		for _, call := range got.First {
			if r := mxToolResult(call); !strings.Contains(got.Text, r) {
				t.Errorf("text %q lacks the result %q", got.Text, r)
			}
		}
		wantCalls("second turn", got.Calls)
	case sc.tools:
		cities := []string{"Paris"}
		if sc.variant == fakeprovider.MarkerParallel {
			cities = append(cities, "London")
		}
		wantCalls("answer", got.Calls, cities...)
		if got.Text != "" {
			t.Errorf("text %q beside tool calls", got.Text)
		}
		wantStop = c.stopTool
	default:
		want := fmt.Sprintf(fakeprovider.GreetingFormat, u.format, mxPrompt)
		if sc.image {
			want = fmt.Sprintf(fakeprovider.GreetingFormat, u.format, mxImagePrompt) +
				fmt.Sprintf(fakeprovider.ImageFormat, "image/png", len(mxPNG))
		}
		if got.Text != want {
			t.Errorf("text %q, want %q", got.Text, want)
		}
		wantCalls("answer", got.Calls)
	}
	if got.Stop != wantStop {
		t.Errorf("stop %q, want %q", got.Stop, wantStop)
	}
	wantReasoning := ""
	if sc.think {
		wantReasoning = fakeprovider.ThinkingText
	}
	if got.Reasoning != wantReasoning {
		t.Errorf("reasoning %q, want %q", got.Reasoning, wantReasoning)
	}
	if got.Input != fakeprovider.PromptTokens {
		t.Errorf("input tokens %d, want %d", got.Input, fakeprovider.PromptTokens)
	}
	if want := mxWantOutput(c.format, u.format, sc.think); got.Output != want {
		t.Errorf("output tokens %d, want %d", got.Output, want)
	}
}

// reasoningPaths is where each upstream format asks for reasoning.
var reasoningPaths = map[fakeprovider.Format]string{
	fakeprovider.OpenAIChat:      "reasoning_effort",
	fakeprovider.OpenAIResponses: "reasoning.effort",
	fakeprovider.Anthropic:       "thinking.type",
	fakeprovider.Gemini:          "generationConfig.thinkingConfig",
	fakeprovider.Antigravity:     "request.generationConfig.thinkingConfig",
}

// mxCheckUpstream checks the cell's last upstream request: the channel's
// format, model and stream mode, and for reasoning scenarios that the
// client's request for reasoning was carried over in the upstream's terms
// (the fake reasons on "think" models either way, so only the request can
// show it).
func mxCheckUpstream(t *testing.T, fake *fakeprovider.Server, u mxUpstream, sc mxScenario, stream bool) {
	t.Helper()
	last, ok := fake.Last()
	if !ok {
		t.Fatal("no upstream request")
	}
	if last.Format != u.format || last.Model != mxModel(u, sc.variant) || last.Stream != stream {
		t.Errorf("upstream request was %s %s stream=%v, want %s %s stream=%v",
			last.Format, last.Model, last.Stream, u.format, mxModel(u, sc.variant), stream)
	}
	if path := reasoningPaths[u.format]; sc.think && !gjson.GetBytes(last.Body, path).Exists() {
		t.Errorf("upstream request has no %s: %s", path, last.Body)
	}
}

// mxWantOutput is the fake's CompletionTokens in the client's terms: Gemini
// counts candidates without thoughts, and only the reasoning share the
// upstream reported can be taken off (Anthropic reports none).
func mxWantOutput(c clientFormat, up fakeprovider.Format, think bool) int64 {
	if c == viaGemini && think && up != fakeprovider.Anthropic {
		return fakeprovider.CompletionTokens - fakeprovider.ReasoningTokens
	}
	return fakeprovider.CompletionTokens
}
