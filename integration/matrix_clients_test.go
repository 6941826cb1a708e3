package integration

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/tidwall/gjson"
	"google.golang.org/genai"

	"github.com/octopuscaddy/octopus/internal/testcaddy"
)

// The matrix's client side: one function per official SDK. Each builds the
// scenario's request the way an application would, and for a tool-result
// scenario feeds the first answer's calls back with results, reusing the
// SDK's own objects (ids included).

func mxPNGDataURL() string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(mxPNG)
}

func mxChat(t *testing.T, in *testcaddy.Instance, group string, sc mxScenario, stream bool) mxAnswer {
	ctx := ctxT(t)
	c := openaiClient(in, clientKey)
	user := openai.UserMessage(mxPrompt)
	if sc.image {
		user = openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
			openai.TextContentPart(mxImagePrompt),
			openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: mxPNGDataURL()}),
		})
	}
	p := openai.ChatCompletionNewParams{Model: group, Messages: []openai.ChatCompletionMessageParamUnion{user}}
	if sc.tools {
		p.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: "get_weather", Parameters: shared.FunctionParameters(weatherSchema),
		})}
	}
	if sc.think {
		p.ReasoningEffort = shared.ReasoningEffortLow
	}
	a, msg := mxChatTurn(t, ctx, c, p, stream)
	if !sc.results {
		return a
	}
	p.Messages = append(p.Messages, msg.ToParam())
	for _, call := range a.Calls {
		p.Messages = append(p.Messages, openai.ToolMessage(mxToolResult(call), call.ID))
	}
	b, _ := mxChatTurn(t, ctx, c, p, stream)
	b.First = a.Calls
	return b
}

// mxChatTurn sends one Chat request; reasoning_content is no SDK field, so
// it is read from the raw JSON.
func mxChatTurn(t *testing.T, ctx context.Context, c openai.Client, p openai.ChatCompletionNewParams, stream bool) (mxAnswer, openai.ChatCompletionMessage) {
	t.Helper()
	var cc openai.ChatCompletion
	var reasoning string
	if stream {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		s := c.Chat.Completions.NewStreaming(ctx, p)
		var acc openai.ChatCompletionAccumulator
		for s.Next() {
			ch := s.Current()
			acc.AddChunk(ch)
			reasoning += gjson.Get(ch.RawJSON(), "choices.0.delta.reasoning_content").String()
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
		if len(cc.Choices) > 0 {
			reasoning = gjson.Get(cc.Choices[0].Message.RawJSON(), "reasoning_content").String()
		}
	}
	if len(cc.Choices) != 1 {
		t.Fatalf("%d choices", len(cc.Choices))
	}
	ch := cc.Choices[0]
	a := mxAnswer{Text: ch.Message.Content, Reasoning: reasoning, Stop: ch.FinishReason,
		Input: cc.Usage.PromptTokens, Output: cc.Usage.CompletionTokens}
	for _, tc := range ch.Message.ToolCalls {
		a.Calls = append(a.Calls, mxCall{ID: tc.ID, Name: tc.Function.Name, Args: jsonArgs(t, tc.Function.Arguments)})
	}
	return a, ch.Message
}

func mxResponses(t *testing.T, in *testcaddy.Instance, group string, sc mxScenario, stream bool) mxAnswer {
	ctx := ctxT(t)
	c := openaiClient(in, clientKey)
	user := responses.ResponseInputItemParamOfMessage(mxPrompt, responses.EasyInputMessageRoleUser)
	if sc.image {
		user = responses.ResponseInputItemParamOfMessage(responses.ResponseInputMessageContentListParam{
			responses.ResponseInputContentParamOfInputText(mxImagePrompt),
			{OfInputImage: &responses.ResponseInputImageParam{Detail: responses.ResponseInputImageDetailAuto, ImageURL: openai.String(mxPNGDataURL())}},
		}, responses.EasyInputMessageRoleUser)
	}
	input := responses.ResponseInputParam{user}
	p := responses.ResponseNewParams{Model: group, Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input}}
	if sc.tools {
		p.Tools = []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "get_weather", Parameters: weatherSchema}}}
	}
	if sc.think {
		p.Reasoning = shared.ReasoningParam{Effort: shared.ReasoningEffortLow, Summary: shared.ReasoningSummaryAuto}
	}
	a := mxResponsesTurn(t, ctx, c, p, stream)
	if !sc.results {
		return a
	}
	for _, call := range a.Calls {
		input = append(input, responses.ResponseInputItemParamOfFunctionCall(mxJSON(t, call.Args), call.ID, call.Name))
	}
	for _, call := range a.Calls {
		out := responses.ResponseInputItemParamOfFunctionCallOutput(mxToolResult(call))
		out.OfFunctionCallOutput.CallID = openai.String(call.ID)
		input = append(input, out)
	}
	p.Input = responses.ResponseNewParamsInputUnion{OfInputItemList: input}
	b := mxResponsesTurn(t, ctx, c, p, stream)
	b.First = a.Calls
	return b
}

func mxResponsesTurn(t *testing.T, ctx context.Context, c openai.Client, p responses.ResponseNewParams, stream bool) mxAnswer {
	t.Helper()
	var r responses.Response
	if stream {
		s := c.Responses.NewStreaming(ctx, p)
		completed := false
		var deltas strings.Builder
		for s.Next() {
			switch ev := s.Current(); ev.Type {
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
			t.Errorf("text deltas %q differ from the completed response's text %q", deltas.String(), r.OutputText())
		}
	} else {
		rp, err := c.Responses.New(ctx, p)
		if err != nil {
			t.Fatalf("responses: %v", err)
		}
		r = *rp
	}
	a := mxAnswer{Text: r.OutputText(), Stop: string(r.Status), Input: r.Usage.InputTokens, Output: r.Usage.OutputTokens}
	for _, item := range r.Output {
		switch item.Type {
		case "function_call":
			fc := item.AsFunctionCall()
			a.Calls = append(a.Calls, mxCall{ID: fc.CallID, Name: fc.Name, Args: jsonArgs(t, fc.Arguments)})
		case "reasoning":
			for _, s := range item.AsReasoning().Summary {
				a.Reasoning += s.Text
			}
		}
	}
	return a
}

func mxAnthropic(t *testing.T, in *testcaddy.Instance, group string, sc mxScenario, stream bool) mxAnswer {
	ctx := ctxT(t)
	c := anthropicClient(in, clientKey)
	user := anthropic.NewUserMessage(anthropic.NewTextBlock(mxPrompt))
	if sc.image {
		user = anthropic.NewUserMessage(anthropic.NewTextBlock(mxImagePrompt),
			anthropic.NewImageBlockBase64("image/png", base64.StdEncoding.EncodeToString(mxPNG)))
	}
	p := anthropic.MessageNewParams{Model: anthropic.Model(group), MaxTokens: 256, Messages: []anthropic.MessageParam{user}}
	if sc.tools {
		p.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        "get_weather",
			InputSchema: anthropic.ToolInputSchemaParam{Properties: weatherSchema["properties"], Required: []string{"city"}},
		}}}
	}
	if sc.think {
		p.MaxTokens = 2048
		p.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
	}
	a, m := mxAnthropicTurn(t, ctx, c, p, stream)
	if !sc.results {
		return a
	}
	var results []anthropic.ContentBlockParamUnion
	for _, call := range a.Calls {
		results = append(results, anthropic.NewToolResultBlock(call.ID, mxToolResult(call), false))
	}
	p.Messages = append(p.Messages, m.ToParam(), anthropic.NewUserMessage(results...))
	b, _ := mxAnthropicTurn(t, ctx, c, p, stream)
	b.First = a.Calls
	return b
}

func mxAnthropicTurn(t *testing.T, ctx context.Context, c anthropic.Client, p anthropic.MessageNewParams, stream bool) (mxAnswer, anthropic.Message) {
	t.Helper()
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
	a := mxAnswer{Stop: string(m.StopReason), Input: m.Usage.InputTokens, Output: m.Usage.OutputTokens}
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			a.Text += b.Text
		case "thinking":
			a.Reasoning += b.Thinking
		case "tool_use":
			a.Calls = append(a.Calls, mxCall{ID: b.ID, Name: b.Name, Args: jsonArgs(t, string(b.Input))})
		}
	}
	return a, m
}

func mxGemini(t *testing.T, in *testcaddy.Instance, group string, sc mxScenario, stream bool) mxAnswer {
	ctx := ctxT(t)
	c := genaiClient(t, in, clientKey)
	parts := []*genai.Part{genai.NewPartFromText(mxPrompt)}
	if sc.image {
		parts = []*genai.Part{genai.NewPartFromText(mxImagePrompt), genai.NewPartFromBytes(mxPNG, "image/png")}
	}
	contents := []*genai.Content{genai.NewContentFromParts(parts, genai.RoleUser)}
	cfg := &genai.GenerateContentConfig{}
	if sc.tools {
		cfg.Tools = []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{{
			Name: "get_weather",
			Parameters: &genai.Schema{
				Type:       genai.TypeObject,
				Properties: map[string]*genai.Schema{"city": {Type: genai.TypeString}},
				Required:   []string{"city"},
			},
		}}}}
	}
	if sc.think {
		cfg.ThinkingConfig = &genai.ThinkingConfig{IncludeThoughts: true, ThinkingBudget: genai.Ptr[int32](1024)}
	}
	a, model := mxGeminiTurn(t, ctx, c, group, contents, cfg, stream)
	if !sc.results {
		return a
	}
	var results []*genai.Part
	for _, call := range a.Calls {
		results = append(results, &genai.Part{FunctionResponse: &genai.FunctionResponse{
			ID: call.ID, Name: call.Name, Response: map[string]any{"result": mxToolResult(call)},
		}})
	}
	contents = append(contents, model, genai.NewContentFromParts(results, genai.RoleUser))
	b, _ := mxGeminiTurn(t, ctx, c, group, contents, cfg, stream)
	b.First = a.Calls
	return b
}

// mxGeminiTurn sends one request and returns the answer and the model turn
// (every part received, in order) for the history of a next turn.
func mxGeminiTurn(t *testing.T, ctx context.Context, c *genai.Client, group string, contents []*genai.Content, cfg *genai.GenerateContentConfig, stream bool) (mxAnswer, *genai.Content) {
	t.Helper()
	var a mxAnswer
	model := &genai.Content{Role: genai.RoleModel}
	read := func(r *genai.GenerateContentResponse) {
		if len(r.Candidates) > 0 && r.Candidates[0].Content != nil {
			for _, part := range r.Candidates[0].Content.Parts {
				model.Parts = append(model.Parts, part)
				switch {
				case part.Thought:
					a.Reasoning += part.Text
				case part.FunctionCall != nil:
					a.Calls = append(a.Calls, mxCall{ID: part.FunctionCall.ID, Name: part.FunctionCall.Name, Args: part.FunctionCall.Args})
				default:
					a.Text += part.Text
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
		for r, err := range c.Models.GenerateContentStream(ctx, group, contents, cfg) {
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
		r, err := c.Models.GenerateContent(ctx, group, contents, cfg)
		if err != nil {
			t.Fatalf("generate: %v", err)
		}
		read(r)
	}
	return a, model
}

// mxJSON encodes tool arguments back to the JSON string the OpenAI formats
// carry.
func mxJSON(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
