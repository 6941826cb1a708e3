package transform

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

// These tests point the official OpenAI Go SDK at a server that answers
// with what the codecs encode, proving that SDK clients parse it, and
// decode the bodies the SDK sends, proving the decoders read real client
// requests.

// oaiFakeServer answers every request with body and records the request
// body it got.
func oaiFakeServer(t *testing.T, contentType string, body []byte) (*httptest.Server, *[]byte) {
	t.Helper()
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func oaiClient(srv *httptest.Server) openai.Client {
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
}

// oaiSampleResponse is a response with every kind of content.
func oaiSampleResponse() *Response {
	return &Response{
		ID: "msg_upstream", Model: "claude-sonnet-4-5", Created: 1754716412,
		Content: []Part{
			{Type: PartThinking, Text: "Let me think.", Signature: "EqQBsig", SignatureFamily: "anthropic"},
			{Type: PartText, Text: "Checking the weather "},
			{Type: PartText, Text: "in Paris."},
			{Type: PartToolCall, ToolCallID: "toolu_1", ToolName: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)},
			{Type: PartToolCall, ToolCallID: "toolu_2", ToolName: "get_time", Arguments: json.RawMessage(`{}`),
				Signature: "gemsig", SignatureFamily: "gemini"},
		},
		StopReason: StopToolUse,
		Usage:      Usage{InputTokens: 120, OutputTokens: 40, CacheReadTokens: 100, CacheWriteTokens: 10, ReasoningTokens: 12},
	}
}

func TestOpenAIChatSDKParsesResponse(t *testing.T) {
	body, err := Get(OpenAIChat).EncodeResponse(oaiSampleResponse(), &Request{Model: "smart"})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := oaiFakeServer(t, "application/json", body)
	cli := oaiClient(srv)
	cc, err := cli.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "smart",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cc.ID, "chatcmpl-") || cc.Model != "claude-sonnet-4-5" || cc.Created != 1754716412 {
		t.Errorf("header: id %q model %q created %d", cc.ID, cc.Model, cc.Created)
	}
	if len(cc.Choices) != 1 {
		t.Fatalf("choices: %d", len(cc.Choices))
	}
	ch := cc.Choices[0]
	if ch.FinishReason != "tool_calls" {
		t.Errorf("finish_reason %q", ch.FinishReason)
	}
	if ch.Message.Content != "Checking the weather in Paris." {
		t.Errorf("content %q", ch.Message.Content)
	}
	if raw := ch.Message.JSON.ExtraFields["reasoning_content"].Raw(); raw != `"Let me think."` {
		t.Errorf("reasoning_content %s", raw)
	}
	details := ch.Message.JSON.ExtraFields["reasoning_details"].Raw()
	if !strings.Contains(details, `"signature":"octo1.anthropic.EqQBsig"`) {
		t.Errorf("reasoning_details %s", details)
	}
	if len(ch.Message.ToolCalls) != 2 {
		t.Fatalf("tool calls: %d", len(ch.Message.ToolCalls))
	}
	tc := ch.Message.ToolCalls[0]
	if tc.ID != "toolu_1" || tc.Function.Name != "get_weather" || tc.Function.Arguments != `{"city":"Paris"}` || tc.Type != "function" {
		t.Errorf("tool call 0: %+v", tc)
	}
	if raw := ch.Message.ToolCalls[1].RawJSON(); !strings.Contains(raw, `"extra_content":{"google":{"thought_signature":"octo1.gemini.gemsig"}}`) {
		t.Errorf("tool call 1 lacks the signature carrier: %s", raw)
	}
	u := cc.Usage
	if u.PromptTokens != 120 || u.CompletionTokens != 40 || u.TotalTokens != 160 ||
		u.PromptTokensDetails.CachedTokens != 100 || u.CompletionTokensDetails.ReasoningTokens != 12 {
		t.Errorf("usage %+v", u)
	}
}

func TestOpenAIChatSDKParsesStream(t *testing.T) {
	evs := ResponseEvents(oaiSampleResponse())
	// Split the first call's arguments into fragments, as a stream would.
	var split []Event
	for _, ev := range evs {
		if ev.Type == EventToolCallArgs && ev.ToolIndex == 0 {
			split = append(split, Event{Type: EventToolCallArgs, ToolIndex: 0, Text: `{"ci`},
				Event{Type: EventToolCallArgs, ToolIndex: 0, Text: `ty":"Paris"}`})
			continue
		}
		split = append(split, ev)
	}
	body := oaiEncodeAll(t, Get(OpenAIChat), &Request{Model: "smart", IncludeUsage: true}, split)
	srv, _ := oaiFakeServer(t, "text/event-stream", body)
	cli := oaiClient(srv)
	stream := cli.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:    "smart",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var acc openai.ChatCompletionAccumulator
	chunks := 0
	for stream.Next() {
		if !acc.AddChunk(stream.Current()) {
			t.Fatalf("accumulator rejected chunk %d: %s", chunks, stream.Current().RawJSON())
		}
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(acc.Choices) != 1 {
		t.Fatalf("choices: %d", len(acc.Choices))
	}
	ch := acc.Choices[0]
	if ch.Message.Content != "Checking the weather in Paris." || ch.FinishReason != "tool_calls" {
		t.Errorf("content %q finish %q", ch.Message.Content, ch.FinishReason)
	}
	if len(ch.Message.ToolCalls) != 2 || ch.Message.ToolCalls[0].Function.Arguments != `{"city":"Paris"}` ||
		ch.Message.ToolCalls[0].ID != "toolu_1" || ch.Message.ToolCalls[1].Function.Name != "get_time" ||
		ch.Message.ToolCalls[1].Function.Arguments != "{}" {
		t.Errorf("tool calls %+v", ch.Message.ToolCalls)
	}
	if acc.Usage.PromptTokens != 120 || acc.Usage.CompletionTokens != 40 || acc.Usage.PromptTokensDetails.CachedTokens != 100 {
		t.Errorf("usage %+v", acc.Usage)
	}
}

func TestOpenAIChatSDKStreamError(t *testing.T) {
	evs := []Event{
		{Type: EventStart, Model: "m"},
		{Type: EventText, Text: "partial"},
		{Type: EventError, Error: &Error{Status: 429, Kind: KindRateLimit, Message: "slow down"}},
		{Type: EventFinish, StopReason: StopError},
	}
	body := oaiEncodeAll(t, Get(OpenAIChat), &Request{Model: "m"}, evs)
	if !strings.HasSuffix(string(body), "data: [DONE]\n\n") {
		t.Errorf("stream not terminated: %s", body)
	}
	srv, _ := oaiFakeServer(t, "text/event-stream", body)
	cli := oaiClient(srv)
	stream := cli.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	n := 0
	for stream.Next() {
		n++
	}
	if err := stream.Err(); err == nil || !strings.Contains(err.Error(), "slow down") {
		t.Errorf("stream error = %v, want the upstream message", err)
	}
	if n != 2 {
		t.Errorf("chunks before the error = %d, want 2", n)
	}
}

func TestOpenAIChatDecodesSDKRequest(t *testing.T) {
	srv, got := oaiFakeServer(t, "application/json", []byte(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[]}`))
	params := openai.ChatCompletionNewParams{
		Model: "gpt-5",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."),
			openai.DeveloperMessage("Metric units."),
			openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
				openai.TextContentPart("What is this?"),
				openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "data:image/png;base64,AAAA", Detail: "low"}),
			}),
			{OfAssistant: &openai.ChatCompletionAssistantMessageParam{
				ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{{OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
					ID:       "call_1",
					Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "lookup", Arguments: `{"q":"x"}`},
				}}},
			}},
			openai.ToolMessage("found", "call_1"),
		},
		Tools: []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        "lookup",
			Description: openai.String("Look up"),
			Parameters:  shared.FunctionParameters{"type": "object"},
		})},
		MaxCompletionTokens: openai.Int(256),
		Temperature:         openai.Float(0.2),
		Seed:                openai.Int(7),
		ReasoningEffort:     shared.ReasoningEffortLow,
		ParallelToolCalls:   openai.Bool(false),
		StreamOptions:       openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	cli := oaiClient(srv)
	_, _ = cli.Chat.Completions.New(context.Background(), params)
	req, err := Get(OpenAIChat).DecodeRequest(*got)
	if err != nil {
		t.Fatalf("DecodeRequest(%s): %v", *got, err)
	}
	if req.Model != "gpt-5" || len(req.System) != 2 || req.System[1].Text != "Metric units." {
		t.Errorf("model/system: %q %+v", req.Model, req.System)
	}
	if len(req.Messages) != 3 {
		t.Fatalf("messages: %+v", req.Messages)
	}
	img := req.Messages[0].Parts[1]
	if img.Type != PartImage || img.MediaType != "image/png" || img.Data != "AAAA" || img.Detail != "low" {
		t.Errorf("image part %+v", img)
	}
	call := req.Messages[1].Parts[0]
	if call.Type != PartToolCall || call.ToolCallID != "call_1" || string(call.Arguments) != `{"q":"x"}` {
		t.Errorf("tool call %+v", call)
	}
	res := req.Messages[2].Parts[0]
	if res.Type != PartToolResult || res.ToolCallID != "call_1" || res.ToolName != "lookup" || res.Content[0].Text != "found" {
		t.Errorf("tool result %+v", res)
	}
	if len(req.Tools) != 1 || req.Tools[0].Name != "lookup" || *req.MaxTokens != 256 || *req.Temperature != 0.2 ||
		*req.Seed != 7 || req.Reasoning.Effort != "low" || *req.ParallelToolCalls || !req.IncludeUsage {
		t.Errorf("params: %+v", req)
	}
}
