package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"google.golang.org/genai"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
)

// sdkAnswer is what a test reads from an SDK's parsed answer, the same for
// every format.
type sdkAnswer struct {
	Text          string
	Stop          string
	Input, Output int64
	Calls         []sdkCall
}

type sdkCall struct {
	Name string
	Args map[string]any
}

// weatherSchema is the one tool the tests declare; the fake calls the
// first declared tool with arguments that satisfy the schema ("city"
// gets "Paris").
var weatherSchema = map[string]any{
	"type":       "object",
	"properties": map[string]any{"city": map[string]any{"type": "string"}},
	"required":   []string{"city"},
}

// sdkFormat drives one official SDK against one group served by a channel
// of the same format.
type sdkFormat struct {
	name     string
	format   fakeprovider.Format
	group    string
	stopText string // the format's stop reason for a finished text answer
	stopTool string // and for a tool call
	call     func(t *testing.T, ctx context.Context, in *testcaddy.Instance, prompt string, stream, tools bool) sdkAnswer
}

// sdkConfig serves one group per format, each from a channel of that format.
func sdkConfig(fake *fakeprovider.Server) string {
	return channel("oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-oa", "gpt-4o") +
		channel("rs", "openai_responses", baseURL(fake, "openai_responses"), "sk-rs", "gpt-4o") +
		channel("an", "anthropic", baseURL(fake, "anthropic"), "sk-ant-an", "claude-sonnet-4-5") +
		channel("ge", "gemini", baseURL(fake, "gemini"), "AIza-ge", "gemini-2.5-flash") +
		group("chat", "", "channel oa gpt-4o") +
		group("resp", "", "channel rs gpt-4o") +
		group("claude", "", "channel an claude-sonnet-4-5") +
		group("gem", "", "channel ge gemini-2.5-flash") +
		apiKey()
}

var sdkFormats = []sdkFormat{
	{name: "openai chat", format: fakeprovider.OpenAIChat, group: "chat", stopText: "stop", stopTool: "tool_calls", call: callOpenAIChat},
	{name: "openai responses", format: fakeprovider.OpenAIResponses, group: "resp", stopText: "completed", stopTool: "completed", call: callOpenAIResponses},
	{name: "anthropic", format: fakeprovider.Anthropic, group: "claude", stopText: "end_turn", stopTool: "tool_use", call: callAnthropic},
	{name: "gemini", format: fakeprovider.Gemini, group: "gem", stopText: "STOP", stopTool: "STOP", call: callGemini},
}

// TestSDKPassthrough calls every client format against a channel of the
// same format through real Caddy, streaming and not, with and without a
// tool, and checks that the official SDK parses the whole answer.
func TestSDKPassthrough(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, sdkConfig(fake))
	for _, f := range sdkFormats {
		for _, stream := range []bool{false, true} {
			for _, tools := range []bool{false, true} {
				name := fmt.Sprintf("%s/stream=%v/tools=%v", f.name, stream, tools)
				t.Run(name, func(t *testing.T) {
					prompt := "ping " + strings.ReplaceAll(name, "/", " ")
					got := f.call(t, ctxT(t), in, prompt, stream, tools)
					want := sdkAnswer{Input: fakeprovider.PromptTokens, Output: fakeprovider.CompletionTokens}
					if tools {
						want.Stop = f.stopTool
						want.Calls = []sdkCall{{Name: "get_weather", Args: map[string]any{"city": "Paris"}}}
					} else {
						want.Stop = f.stopText
						want.Text = fmt.Sprintf(fakeprovider.GreetingFormat, f.format, prompt)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("SDK read\n %+v\nwant\n %+v", got, want)
					}
					last, _ := fake.Last()
					if last.Format != f.format || last.Stream != stream {
						t.Fatalf("upstream request was %s stream=%v, want %s stream=%v", last.Format, last.Stream, f.format, stream)
					}
				})
			}
		}
	}
}

func callOpenAIChat(t *testing.T, ctx context.Context, in *testcaddy.Instance, prompt string, stream, tools bool) sdkAnswer {
	c := openaiClient(in, clientKey)
	p := openai.ChatCompletionNewParams{
		Model:    "chat",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
	if tools {
		p.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: "get_weather", Parameters: shared.FunctionParameters(weatherSchema),
		})}
	}
	var cc openai.ChatCompletion
	if stream {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		s := c.Chat.Completions.NewStreaming(ctx, p)
		var acc openai.ChatCompletionAccumulator
		for s.Next() {
			acc.AddChunk(s.Current())
		}
		if err := s.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		cc = acc.ChatCompletion
	} else {
		r, err := c.Chat.Completions.New(ctx, p)
		if err != nil {
			t.Fatalf("chat: %v", err)
		}
		cc = *r
	}
	if len(cc.Choices) != 1 {
		t.Fatalf("%d choices", len(cc.Choices))
	}
	ch := cc.Choices[0]
	a := sdkAnswer{Text: ch.Message.Content, Stop: ch.FinishReason, Input: cc.Usage.PromptTokens, Output: cc.Usage.CompletionTokens}
	for _, tc := range ch.Message.ToolCalls {
		a.Calls = append(a.Calls, sdkCall{Name: tc.Function.Name, Args: jsonArgs(t, tc.Function.Arguments)})
	}
	return a
}

func callOpenAIResponses(t *testing.T, ctx context.Context, in *testcaddy.Instance, prompt string, stream, tools bool) sdkAnswer {
	c := openaiClient(in, clientKey)
	p := responses.ResponseNewParams{
		Model: "resp",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(prompt)},
	}
	if tools {
		p.Tools = []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "get_weather", Parameters: weatherSchema}}}
	}
	var r responses.Response
	if stream {
		s := c.Responses.NewStreaming(ctx, p)
		var deltas strings.Builder
		completed := false
		for s.Next() {
			ev := s.Current()
			switch ev.Type {
			case "response.output_text.delta":
				deltas.WriteString(ev.Delta)
			case "response.completed":
				r, completed = ev.AsResponseCompleted().Response, true
			}
		}
		if err := s.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		if !completed {
			t.Fatal("stream ended without response.completed")
		}
		if deltas.String() != r.OutputText() {
			t.Fatalf("text deltas %q differ from the completed response's text %q", deltas.String(), r.OutputText())
		}
	} else {
		rp, err := c.Responses.New(ctx, p)
		if err != nil {
			t.Fatalf("responses: %v", err)
		}
		r = *rp
	}
	a := sdkAnswer{Text: r.OutputText(), Stop: string(r.Status), Input: r.Usage.InputTokens, Output: r.Usage.OutputTokens}
	for _, item := range r.Output {
		if item.Type == "function_call" {
			fc := item.AsFunctionCall()
			a.Calls = append(a.Calls, sdkCall{Name: fc.Name, Args: jsonArgs(t, fc.Arguments)})
		}
	}
	return a
}

func callAnthropic(t *testing.T, ctx context.Context, in *testcaddy.Instance, prompt string, stream, tools bool) sdkAnswer {
	c := anthropicClient(in, clientKey)
	p := anthropic.MessageNewParams{
		Model:     "claude",
		MaxTokens: 256,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	}
	if tools {
		p.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        "get_weather",
			InputSchema: anthropic.ToolInputSchemaParam{Properties: weatherSchema["properties"], Required: []string{"city"}},
		}}}
	}
	var m anthropic.Message
	if stream {
		s := c.Messages.NewStreaming(ctx, p)
		for s.Next() {
			if err := m.Accumulate(s.Current()); err != nil {
				t.Fatalf("accumulate: %v", err)
			}
		}
		if err := s.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
	} else {
		r, err := c.Messages.New(ctx, p)
		if err != nil {
			t.Fatalf("messages: %v", err)
		}
		m = *r
	}
	a := sdkAnswer{Stop: string(m.StopReason), Input: m.Usage.InputTokens, Output: m.Usage.OutputTokens}
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			a.Text += b.Text
		case "tool_use":
			a.Calls = append(a.Calls, sdkCall{Name: b.Name, Args: jsonArgs(t, string(b.Input))})
		}
	}
	return a
}

func callGemini(t *testing.T, ctx context.Context, in *testcaddy.Instance, prompt string, stream, tools bool) sdkAnswer {
	c := genaiClient(t, in, clientKey)
	var cfg *genai.GenerateContentConfig
	if tools {
		cfg = &genai.GenerateContentConfig{Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{{
			Name: "get_weather",
			Parameters: &genai.Schema{
				Type:       genai.TypeObject,
				Properties: map[string]*genai.Schema{"city": {Type: genai.TypeString}},
				Required:   []string{"city"},
			},
		}}}}}
	}
	var a sdkAnswer
	read := func(r *genai.GenerateContentResponse) {
		if len(r.Candidates) > 0 && r.Candidates[0].Content != nil {
			for _, part := range r.Candidates[0].Content.Parts {
				if part.Text != "" && !part.Thought {
					a.Text += part.Text
				}
				if fc := part.FunctionCall; fc != nil {
					a.Calls = append(a.Calls, sdkCall{Name: fc.Name, Args: fc.Args})
				}
			}
		}
		if len(r.Candidates) > 0 && r.Candidates[0].FinishReason != "" {
			a.Stop = string(r.Candidates[0].FinishReason)
		}
		if u := r.UsageMetadata; u != nil {
			a.Input, a.Output = int64(u.PromptTokenCount), int64(u.CandidatesTokenCount)
		}
	}
	if stream {
		n := 0
		for r, err := range c.Models.GenerateContentStream(ctx, "gem", genai.Text(prompt), cfg) {
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			read(r)
			n++
		}
		if n == 0 {
			t.Fatal("empty stream")
		}
	} else {
		r, err := c.Models.GenerateContent(ctx, "gem", genai.Text(prompt), cfg)
		if err != nil {
			t.Fatalf("generate: %v", err)
		}
		read(r)
	}
	return a
}

// jsonArgs decodes tool call arguments for comparison.
func jsonArgs(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("tool arguments %q are not a JSON object: %v", s, err)
	}
	return m
}

// TestSDKModelLists lists models through each SDK: exactly the groups the
// key may use, sorted, without the channels' own model names.
func TestSDKModelLists(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, sdkConfig(fake)+"\t\tapi_key narrow sk-client-narrow-1 {\n\t\t\tmodels claude gem\n\t\t}\n")
	cases := []struct {
		key  string
		want []string
	}{
		{clientKey, []string{"chat", "claude", "gem", "resp"}},
		{"sk-client-narrow-1", []string{"claude", "gem"}},
	}
	lists := []struct {
		name string
		list func(t *testing.T, key string) []string
	}{
		{"openai", func(t *testing.T, key string) []string {
			c := openaiClient(in, key)
			page, err := c.Models.List(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range page.Data {
				ids = append(ids, m.ID)
			}
			return ids
		}},
		{"anthropic", func(t *testing.T, key string) []string {
			c := anthropicClient(in, key)
			page, err := c.Models.List(ctxT(t), anthropic.ModelListParams{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range page.Data {
				ids = append(ids, m.ID)
			}
			return ids
		}},
		{"gemini", func(t *testing.T, key string) []string {
			c := genaiClient(t, in, key)
			var ids []string
			for m, err := range c.Models.All(ctxT(t)) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, strings.TrimPrefix(m.Name, "models/"))
			}
			return ids
		}},
	}
	for _, l := range lists {
		for _, c := range cases {
			t.Run(l.name+"/"+c.key, func(t *testing.T) {
				got := l.list(t, c.key)
				if !slices.Equal(got, c.want) {
					t.Fatalf("listed %q, want %q", got, c.want)
				}
			})
		}
	}
	if n := fake.Count(); n != 0 {
		t.Fatalf("model lists reached the upstream %d times; they are the gateway's own", n)
	}
}
