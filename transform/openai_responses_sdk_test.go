package transform

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
)

func rsSDKParams() responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model: "smart",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	}
}

func TestOpenAIResponsesSDKParsesResponse(t *testing.T) {
	req := &Request{Model: "smart", System: []Part{{Type: PartText, Text: "Be brief."}},
		Tools: []Tool{{Name: "get_weather", Parameters: []byte(`{"type":"object"}`)}}}
	body, err := Get(OpenAIResponses).EncodeResponse(oaiSampleResponse(), req)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := oaiFakeServer(t, "application/json", body)
	cli := oaiClient(srv)
	resp, err := cli.Responses.New(context.Background(), rsSDKParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ID, "resp_") || resp.Status != "completed" || resp.Model != "claude-sonnet-4-5" {
		t.Errorf("header: %q %q %q", resp.ID, resp.Status, resp.Model)
	}
	if resp.OutputText() != "Checking the weather in Paris." {
		t.Errorf("OutputText = %q", resp.OutputText())
	}
	if resp.Instructions.OfString != "Be brief." || len(resp.Tools) != 1 || resp.Tools[0].Name != "get_weather" {
		t.Errorf("echoed request: %q %+v", resp.Instructions.OfString, resp.Tools)
	}
	if len(resp.Output) != 4 {
		t.Fatalf("output items: %d", len(resp.Output))
	}
	r := resp.Output[0]
	if r.Type != "reasoning" || r.Summary[0].Text != "Let me think." || r.EncryptedContent != "octo1.anthropic.EqQBsig" {
		t.Errorf("reasoning item %+v", r)
	}
	fc := resp.Output[2]
	if fc.Type != "function_call" || fc.CallID != "toolu_1" || fc.Name != "get_weather" ||
		fc.Arguments.OfString != `{"city":"Paris"}` || !strings.HasPrefix(fc.ID, "fc_") {
		t.Errorf("function call item %+v", fc)
	}
	u := resp.Usage
	if u.InputTokens != 120 || u.OutputTokens != 40 || u.TotalTokens != 160 ||
		u.InputTokensDetails.CachedTokens != 100 || u.OutputTokensDetails.ReasoningTokens != 12 {
		t.Errorf("usage %+v", u)
	}
}

func TestOpenAIResponsesSDKParsesIncomplete(t *testing.T) {
	resp := &Response{Content: []Part{{Type: PartText, Text: "Once"}}, StopReason: StopMaxTokens}
	body, _ := Get(OpenAIResponses).EncodeResponse(resp, nil)
	srv, _ := oaiFakeServer(t, "application/json", body)
	cli := oaiClient(srv)
	got, err := cli.Responses.New(context.Background(), rsSDKParams())
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "incomplete" || got.IncompleteDetails.Reason != "max_output_tokens" || got.OutputText() != "Once" {
		t.Errorf("status %q reason %q text %q", got.Status, got.IncompleteDetails.Reason, got.OutputText())
	}
}

// TestOpenAIResponsesSDKParsesStream checks the stream with the SDK and
// the invariants clients rely on: sequence numbers from 0 without gaps,
// deltas that add up to the done texts, done items equal to the terminal
// response's output, exactly one terminal event, last.
func TestOpenAIResponsesSDKParsesStream(t *testing.T) {
	evs := ResponseEvents(oaiSampleResponse())
	body := oaiEncodeAll(t, Get(OpenAIResponses), &Request{Model: "smart"}, evs)
	srv, _ := oaiFakeServer(t, "text/event-stream", body)
	cli := oaiClient(srv)
	stream := cli.Responses.NewStreaming(context.Background(), rsSDKParams())
	var (
		seq       int64
		texts     = map[string]string{}
		args      = map[string]string{}
		done      []responses.ResponseOutputItemUnion
		terminal  []string
		final     responses.Response
		itemTypes []string
	)
	for stream.Next() {
		ev := stream.Current()
		if ev.SequenceNumber != seq {
			t.Fatalf("sequence_number %d, want %d (%s)", ev.SequenceNumber, seq, ev.Type)
		}
		seq++
		if len(terminal) > 0 {
			t.Fatalf("event %s after the terminal event", ev.Type)
		}
		switch ev.Type {
		case "response.output_item.added":
			itemTypes = append(itemTypes, ev.Item.Type)
			if int(ev.OutputIndex) != len(itemTypes)-1 {
				t.Errorf("output_index %d for item %d", ev.OutputIndex, len(itemTypes)-1)
			}
		case "response.output_text.delta", "response.reasoning_summary_text.delta":
			texts[ev.ItemID] += ev.Delta
		case "response.output_text.done", "response.reasoning_summary_text.done":
			if texts[ev.ItemID] != ev.Text {
				t.Errorf("%s: done text %q, deltas %q", ev.Type, ev.Text, texts[ev.ItemID])
			}
		case "response.function_call_arguments.delta":
			args[ev.ItemID] += ev.Delta
		case "response.function_call_arguments.done":
			if args[ev.ItemID] != ev.Arguments {
				t.Errorf("arguments done %q, deltas %q", ev.Arguments, args[ev.ItemID])
			}
		case "response.output_item.done":
			done = append(done, ev.Item)
		case "response.completed", "response.incomplete", "response.failed":
			terminal = append(terminal, ev.Type)
			final = ev.Response
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if len(terminal) != 1 || terminal[0] != "response.completed" {
		t.Fatalf("terminal events %v", terminal)
	}
	if want := []string{"reasoning", "message", "function_call", "function_call"}; strings.Join(itemTypes, ",") != strings.Join(want, ",") {
		t.Errorf("items %v, want %v", itemTypes, want)
	}
	if len(final.Output) != len(done) {
		t.Fatalf("final output has %d items, %d were done", len(final.Output), len(done))
	}
	for i := range done {
		if final.Output[i].RawJSON() != done[i].RawJSON() {
			t.Errorf("item %d: done %s, final %s", i, done[i].RawJSON(), final.Output[i].RawJSON())
		}
	}
	if final.OutputText() != "Checking the weather in Paris." || final.Usage.InputTokens != 120 || final.Status != "completed" {
		t.Errorf("final: %q %+v %q", final.OutputText(), final.Usage, final.Status)
	}
	if final.Output[0].EncryptedContent != "octo1.anthropic.EqQBsig" {
		t.Errorf("reasoning signature %q", final.Output[0].EncryptedContent)
	}
}

func TestOpenAIResponsesSDKStreamError(t *testing.T) {
	evs := []Event{
		{Type: EventStart},
		{Type: EventText, Text: "par"},
		{Type: EventError, Error: &Error{Status: 500, Message: "boom"}},
		{Type: EventFinish, StopReason: StopError},
	}
	body := oaiEncodeAll(t, Get(OpenAIResponses), &Request{Model: "m"}, evs)
	srv, _ := oaiFakeServer(t, "text/event-stream", body)
	cli := oaiClient(srv)
	stream := cli.Responses.NewStreaming(context.Background(), rsSDKParams())
	var last responses.ResponseStreamEventUnion
	sawError := false
	for stream.Next() {
		last = stream.Current()
		if last.Type == "error" {
			sawError = last.Message == "boom"
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if !sawError || last.Type != "response.failed" || last.Response.Error.Message != "boom" {
		t.Errorf("error event %v, last %s %+v", sawError, last.Type, last.Response.Error)
	}
}

func TestOpenAIResponsesDecodesSDKRequest(t *testing.T) {
	srv, got := oaiFakeServer(t, "application/json", []byte(`{"id":"resp_1","object":"response","status":"completed","output":[]}`))
	output := responses.ResponseInputItemParamOfFunctionCallOutput("sunny")
	output.OfFunctionCallOutput.CallID = openai.String("call_1")
	reasoning := responses.ResponseInputItemParamOfReasoning("rs_1", []responses.ResponseReasoningItemSummaryParam{{Text: "Think."}})
	reasoning.OfReasoning.EncryptedContent = openai.String("gAAAAenc")
	params := responses.ResponseNewParams{
		Model:        "gpt-5",
		Instructions: openai.String("Be brief."),
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfMessage("Weather?", responses.EasyInputMessageRoleUser),
			reasoning,
			responses.ResponseInputItemParamOfFunctionCall(`{"city":"Paris"}`, "call_1", "get_weather"),
			output,
		}},
		Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{
			Name: "get_weather", Parameters: map[string]any{"type": "object"}, Strict: openai.Bool(false),
		}}},
		MaxOutputTokens: openai.Int(512),
		Reasoning:       shared.ReasoningParam{Effort: shared.ReasoningEffortHigh, Summary: shared.ReasoningSummaryAuto},
		Store:           openai.Bool(false),
		Include:         []responses.ResponseIncludable{responses.ResponseIncludableReasoningEncryptedContent},
	}
	cli := oaiClient(srv)
	_, _ = cli.Responses.New(context.Background(), params)
	req, err := Get(OpenAIResponses).DecodeRequest(*got)
	if err != nil {
		t.Fatalf("DecodeRequest(%s): %v", *got, err)
	}
	if req.Model != "gpt-5" || len(req.System) != 1 || req.System[0].Text != "Be brief." {
		t.Errorf("model/system %q %+v", req.Model, req.System)
	}
	if len(req.Messages) != 3 {
		t.Fatalf("messages %+v", req.Messages)
	}
	asst := req.Messages[1]
	if asst.Role != RoleAssistant || len(asst.Parts) != 2 {
		t.Fatalf("assistant %+v", asst)
	}
	if th := asst.Parts[0]; th.Type != PartThinking || th.Text != "Think." || th.Signature != "gAAAAenc" ||
		th.SignatureFamily != "openai" || th.ItemID != "rs_1" {
		t.Errorf("thinking %+v", th)
	}
	if res := req.Messages[2].Parts[0]; res.Type != PartToolResult || res.ToolCallID != "call_1" ||
		res.ToolName != "get_weather" || res.Content[0].Text != "sunny" {
		t.Errorf("result %+v", res)
	}
	if *req.MaxTokens != 512 || req.Reasoning.Effort != "high" || req.Reasoning.Summary != "auto" ||
		len(req.Tools) != 1 || *req.Tools[0].Strict || string(req.Extra["store"]) != "false" {
		t.Errorf("params %+v", req)
	}
}
