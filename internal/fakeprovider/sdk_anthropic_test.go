package fakeprovider_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

func anthropicClient(s *fp.Server, key string) anthropic.Client {
	return anthropic.NewClient(
		option.WithBaseURL(s.URL()),
		option.WithAPIKey(key),
		option.WithMaxRetries(0),
	)
}

var anthropicWeather = anthropic.ToolUnionParamOfTool(anthropic.ToolInputSchemaParam{
	Properties: map[string]any{"city": map[string]any{"type": "string"}},
	Required:   []string{"city"},
}, "get_weather")

func TestAnthropicText(t *testing.T) {
	s := fp.New(t)
	c := anthropicClient(s, "sk-ant-text")
	img := "iVBORw0KGgo=" // 8 bytes
	msg, err := c.Messages.New(context.Background(), anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5-cache",
		MaxTokens: 1024,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(
			anthropic.NewTextBlock("describe"), anthropic.NewImageBlockBase64("image/png", img))},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(fp.GreetingFormat, fp.Anthropic, "describe") + fmt.Sprintf(fp.ImageFormat, "image/png", 8)
	if got := msg.Content[0].AsText().Text; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	if msg.StopReason != anthropic.StopReasonEndTurn {
		t.Fatalf("stop %q", msg.StopReason)
	}
	u := msg.Usage
	if u.InputTokens != fp.PromptTokens-fp.CachedTokens-fp.CacheWriteTokens || u.CacheReadInputTokens != fp.CachedTokens ||
		u.CacheCreationInputTokens != fp.CacheWriteTokens || u.OutputTokens != fp.CompletionTokens {
		t.Fatalf("usage %+v", u)
	}
	req, _ := s.Last()
	if req.Header.Get("anthropic-version") != "2026-10-21" || req.Key != "sk-ant-text" {
		t.Fatalf("request headers %v key %q", req.Header, req.Key)
	}
}

func TestAnthropicStreamThinkingToolLoop(t *testing.T) {
	s := fp.New(t)
	c := anthropicClient(s, "sk-ant-stream")
	ctx := context.Background()
	params := anthropic.MessageNewParams{
		Model:     "claude-think",
		MaxTokens: 4096,
		Thinking:  anthropic.ThinkingConfigParamOfEnabled(2048),
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather?"))},
		Tools:     []anthropic.ToolUnionParam{anthropicWeather},
	}
	stream := c.Messages.NewStreaming(ctx, params)
	var msg anthropic.Message
	events := map[string]int{}
	for stream.Next() {
		ev := stream.Current()
		events[ev.Type]++
		if err := msg.Accumulate(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if events["message_start"] != 1 || events["message_stop"] != 1 || events["content_block_start"] != 2 {
		t.Fatalf("events %v", events)
	}
	if len(msg.Content) != 2 {
		t.Fatalf("content %s", msg.RawJSON())
	}
	th := msg.Content[0].AsThinking()
	if th.Thinking != fp.ThinkingText || th.Signature != fp.AnthropicSignature(fp.ThinkingText) {
		t.Fatalf("thinking %+v", th)
	}
	tu := msg.Content[1].AsToolUse()
	if tu.Name != "get_weather" || string(tu.Input) != `{"city":"Paris"}` {
		t.Fatalf("tool_use %+v input %s", tu, tu.Input)
	}
	if msg.StopReason != anthropic.StopReasonToolUse || msg.Usage.OutputTokens != fp.CompletionTokens || msg.Usage.InputTokens != fp.PromptTokens {
		t.Fatalf("stop %q usage %+v", msg.StopReason, msg.Usage)
	}

	// Send the turn back with the tool result: accepted, and quoted.
	params.Messages = append(params.Messages, msg.ToParam(),
		anthropic.NewUserMessage(anthropic.NewToolResultBlock(tu.ID, "21 degrees", false)))
	next, err := c.Messages.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if got := next.Content[len(next.Content)-1].AsText().Text; got != fp.ToolResultsPrefix+"21 degrees" {
		t.Fatalf("answer %q", got)
	}

	// A signature the fake did not mint is rejected.
	params.Messages[1] = anthropic.NewAssistantMessage(
		anthropic.NewThinkingBlock("EqQBforeign", fp.ThinkingText),
		anthropic.NewToolUseBlock(tu.ID, map[string]any{"city": "Paris"}, "get_weather"))
	_, err = c.Messages.New(ctx, params)
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Fatalf("want 400, got %v", err)
	}
}

func TestAnthropicParallelStream(t *testing.T) {
	s := fp.New(t)
	c := anthropicClient(s, "sk-ant-par")
	stream := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model: "claude-parallel", MaxTokens: 100,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("two cities"))},
		Tools:    []anthropic.ToolUnionParam{anthropicWeather},
	})
	var msg anthropic.Message
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(msg.Content) != 2 {
		t.Fatalf("content %s", msg.RawJSON())
	}
	a, b := msg.Content[0].AsToolUse(), msg.Content[1].AsToolUse()
	if string(a.Input) != `{"city":"Paris"}` || string(b.Input) != `{"city":"London"}` || a.ID == b.ID {
		t.Fatalf("calls %s %s", a.Input, b.Input)
	}
}

func TestAnthropicCountTokensAndModels(t *testing.T) {
	s := fp.New(t)
	c := anthropicClient(s, "sk-ant-models")
	ctx := context.Background()
	n, err := c.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{
		Model:    "claude-sonnet-4-5",
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n.InputTokens != fp.PromptTokens {
		t.Fatalf("count %d", n.InputTokens)
	}
	page, err := c.Models.List(ctx, anthropic.ModelListParams{Limit: anthropic.Int(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Data) != 2 || !page.HasMore || page.LastID != "claude-opus-4-5" {
		t.Fatalf("page %s", page.RawJSON())
	}
	var all []string
	iter := c.Models.ListAutoPaging(ctx, anthropic.ModelListParams{Limit: anthropic.Int(1)})
	for iter.Next() {
		all = append(all, iter.Current().ID)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("all models %v", all)
	}
}
