package fakeprovider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

func openAIClient(s *fp.Server, key string) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(s.URL()+"/v1"),
		option.WithAPIKey(key),
		option.WithMaxRetries(0),
	)
}

var weatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name: "get_weather",
	Parameters: shared.FunctionParameters{
		"type":       "object",
		"properties": map[string]any{"city": map[string]any{"type": "string"}},
		"required":   []string{"city"},
	},
})

var timeTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name: "get_time",
	Parameters: shared.FunctionParameters{
		"type":       "object",
		"properties": map[string]any{"zone": map[string]any{"type": "string", "enum": []string{"UTC", "CET"}}, "hours": map[string]any{"type": "integer"}},
	},
})

func TestOpenAIChatText(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-chat")
	resp, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "gpt-4o-cache",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage("hi there")},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(fp.GreetingFormat, fp.OpenAIChat, "hi there")
	if got := resp.Choices[0].Message.Content; got != want {
		t.Fatalf("content %q, want %q", got, want)
	}
	if resp.Choices[0].FinishReason != "stop" || resp.Object != "chat.completion" || resp.Model != "gpt-4o-cache" {
		t.Fatalf("unexpected envelope: %+v", resp)
	}
	u := resp.Usage
	if u.PromptTokens != fp.PromptTokens || u.CompletionTokens != fp.CompletionTokens || u.TotalTokens != fp.TotalTokens || u.PromptTokensDetails.CachedTokens != fp.CachedTokens {
		t.Fatalf("usage %+v", u)
	}
	if n := s.CountFor("sk-chat"); n != 1 {
		t.Fatalf("CountFor = %d", n)
	}
}

func TestOpenAIChatStreamTools(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-stream")
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         "gpt-4o-parallel-think",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather?")},
		Tools:         []openai.ChatCompletionToolUnionParam{weatherTool, timeTool},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var acc openai.ChatCompletionAccumulator
	chunks, reasoning := 0, ""
	for stream.Next() {
		ch := stream.Current()
		chunks++
		if len(ch.Choices) > 0 {
			if f, ok := ch.Choices[0].Delta.JSON.ExtraFields["reasoning_content"]; ok {
				var s string
				_ = json.Unmarshal([]byte(f.Raw()), &s)
				reasoning += s
			}
		}
		acc.AddChunk(ch)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if chunks < 8 {
		t.Fatalf("only %d chunks", chunks)
	}
	if reasoning != fp.ThinkingText {
		t.Fatalf("reasoning %q", reasoning)
	}
	calls := acc.Choices[0].Message.ToolCalls
	if len(calls) != 2 {
		t.Fatalf("got %d tool calls", len(calls))
	}
	if calls[0].Function.Name != "get_weather" || calls[0].Function.Arguments != `{"city":"Paris"}` {
		t.Fatalf("call 0: %+v", calls[0])
	}
	if calls[1].Function.Name != "get_time" || calls[1].Function.Arguments != `{"hours":42,"zone":"UTC"}` {
		t.Fatalf("call 1: %+v", calls[1])
	}
	if calls[0].ID == "" || calls[0].ID == calls[1].ID {
		t.Fatalf("ids %q %q", calls[0].ID, calls[1].ID)
	}
	if acc.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("finish %q", acc.Choices[0].FinishReason)
	}
	if acc.Usage.TotalTokens != fp.TotalTokens || acc.Usage.CompletionTokensDetails.ReasoningTokens != fp.ReasoningTokens {
		t.Fatalf("usage %+v", acc.Usage)
	}
}

func TestOpenAIChatToolResultRoundTrip(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-tools")
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{
		Model:    "gpt-4o",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather in Paris?")},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool},
	}
	first, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	msg := first.Choices[0].Message
	if first.Choices[0].FinishReason != "tool_calls" || len(msg.ToolCalls) != 1 {
		t.Fatalf("want one tool call, got %+v", msg)
	}
	params.Messages = append(params.Messages, msg.ToParam(), openai.ToolMessage(`{"temp_c":21}`, msg.ToolCalls[0].ID))
	second, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := second.Choices[0].Message.Content, fp.ToolResultsPrefix+`{"temp_c":21}`; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestOpenAIChatStreamWithoutUsage(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-nousage")
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:    "gpt-4o-length",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("long story")},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		ch := stream.Current()
		if len(ch.Choices) == 0 || ch.JSON.Usage.Valid() {
			t.Fatalf("usage chunk without include_usage: %s", ch.RawJSON())
		}
		acc.AddChunk(ch)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if acc.Choices[0].FinishReason != "length" {
		t.Fatalf("finish %q", acc.Choices[0].FinishReason)
	}
	if want := fmt.Sprintf(fp.GreetingFormat, fp.OpenAIChat, "long story"); acc.Choices[0].Message.Content != want {
		t.Fatalf("content %q", acc.Choices[0].Message.Content)
	}
}

func TestOpenAIEmbeddingsAndModels(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-emb")
	ctx := context.Background()
	resp, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:      "text-embedding-3-small",
		Input:      openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}},
		Dimensions: openai.Int(4),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 2 || len(resp.Data[1].Embedding) != 4 {
		t.Fatalf("embeddings %+v", resp.Data)
	}
	want := fp.Embedding("b", 4)
	for i, v := range resp.Data[1].Embedding {
		if float32(v) != want[i] {
			t.Fatalf("vector %v, want %v", resp.Data[1].Embedding, want)
		}
	}
	b64, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model: "text-embedding-3-small", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("b")},
		Dimensions: openai.Int(4), EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range b64.Data[0].Embedding {
		if float32(v) != want[i] {
			t.Fatalf("base64 vector %v, want %v", b64.Data[0].Embedding, want)
		}
	}
	page, err := c.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) == 0 || page.Data[0].ID != "gpt-4o" {
		t.Fatalf("models %+v", page.Data)
	}
}

func TestOpenAIResponses(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-resp")
	ctx := context.Background()
	resp, err := c.Responses.New(ctx, responses.ResponseNewParams{
		Model:   "gpt-5-think",
		Input:   responses.ResponseNewParamsInputUnion{OfString: openai.String("hello")},
		Include: []responses.ResponseIncludable{responses.ResponseIncludableReasoningEncryptedContent},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(fp.GreetingFormat, fp.OpenAIResponses, "hello"); resp.OutputText() != want {
		t.Fatalf("text %q want %q", resp.OutputText(), want)
	}
	if resp.Status != "completed" || len(resp.Output) != 2 || resp.Output[0].Type != "reasoning" {
		t.Fatalf("response %s", resp.RawJSON())
	}
	r := resp.Output[0].AsReasoning()
	if r.EncryptedContent != fp.EncryptedReasoning || r.Summary[0].Text != fp.ThinkingText {
		t.Fatalf("reasoning %+v", r)
	}
	if resp.Usage.InputTokens != fp.PromptTokens || resp.Usage.OutputTokensDetails.ReasoningTokens != fp.ReasoningTokens {
		t.Fatalf("usage %+v", resp.Usage)
	}
}

func TestOpenAIResponsesStream(t *testing.T) {
	s := fp.New(t)
	c := openAIClient(s, "sk-resp-stream")
	ctx := context.Background()
	tool := responses.ToolUnionParam{OfFunction: &responses.FunctionToolParam{
		Name:       "get_weather",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
	}}
	stream := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: "gpt-5-think",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("weather?")},
		Tools: []responses.ToolUnionParam{tool},
	})
	var args string
	var final responses.Response
	seq := int64(0)
	for stream.Next() {
		ev := stream.Current()
		if ev.SequenceNumber != seq {
			t.Fatalf("sequence %d, want %d", ev.SequenceNumber, seq)
		}
		seq++
		switch ev.Type {
		case "response.function_call_arguments.delta":
			args += ev.Delta
		case "response.completed":
			final = ev.AsResponseCompleted().Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if args != `{"city":"Paris"}` {
		t.Fatalf("streamed args %q", args)
	}
	if len(final.Output) != 2 || final.Output[1].Type != "function_call" {
		t.Fatalf("final %s", final.RawJSON())
	}
	fc := final.Output[1].AsFunctionCall()
	if fc.Name != "get_weather" || fc.Arguments != args || fc.CallID == "" {
		t.Fatalf("function call %+v", fc)
	}
	// The reasoning item carries no encrypted content unless asked for.
	if final.Output[0].AsReasoning().EncryptedContent != "" {
		t.Fatal("encrypted_content without include")
	}
	// Send the call back with its output: the answer quotes it.
	out := responses.ResponseInputItemParamOfFunctionCallOutput("sunny")
	out.OfFunctionCallOutput.CallID = openai.String(fc.CallID)
	in := responses.ResponseInputParam{
		responses.ResponseInputItemParamOfMessage("weather?", responses.EasyInputMessageRoleUser),
		responses.ResponseInputItemParamOfFunctionCall(fc.Arguments, fc.CallID, fc.Name),
		out,
	}
	resp, err := c.Responses.New(ctx, responses.ResponseNewParams{
		Model: "gpt-5", Input: responses.ResponseNewParamsInputUnion{OfInputItemList: in},
		Tools: []responses.ToolUnionParam{tool},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.OutputText() != fp.ToolResultsPrefix+"sunny" {
		t.Fatalf("text %q", resp.OutputText())
	}
}
