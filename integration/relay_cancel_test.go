package integration

import (
	"context"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"google.golang.org/genai"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
)

// firstEventThenCancel starts a stream for model through f's SDK, reads
// its first event and cancels the call, as a user closing a chat does.
func firstEventThenCancel(t *testing.T, in *testcaddy.Instance, f clientFormat, model string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var got bool
	var err error
	oc, ac := openaiClient(in, clientKey), anthropicClient(in, clientKey)
	switch f {
	case viaChat:
		s := oc.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
			Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("ping")},
		})
		got, err = s.Next(), s.Err()
		cancel()
		s.Close()
	case viaResponses:
		s := oc.Responses.NewStreaming(ctx, responses.ResponseNewParams{
			Model: model, Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("ping")},
		})
		got, err = s.Next(), s.Err()
		cancel()
		s.Close()
	case viaAnthropic:
		s := ac.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
			Model: model, MaxTokens: 64, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("ping"))},
		})
		got, err = s.Next(), s.Err()
		cancel()
		s.Close()
	case viaGemini:
		for _, serr := range genaiClient(t, in, clientKey).Models.GenerateContentStream(ctx, model, genai.Text("ping"), nil) {
			got, err = serr == nil, serr
			cancel()
			break
		}
	}
	if !got || err != nil {
		t.Fatalf("no first event before cancelling: %v", err)
	}
}

// TestClientDisconnectCancelsUpstream cancels an SDK stream after its first
// event and checks that the gateway cancels its own upstream call rather
// than reading the rest of a long answer for nobody.
func TestClientDisconnectCancelsUpstream(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, sdkConfig(fake))
	keys := map[clientFormat]string{viaChat: "sk-oa", viaResponses: "sk-rs", viaAnthropic: "sk-ant-an", viaGemini: "AIza-ge"}
	groups := map[clientFormat]string{viaChat: "chat", viaResponses: "resp", viaAnthropic: "claude", viaGemini: "gem"}
	for _, f := range clientFormats {
		t.Run(string(f), func(t *testing.T) {
			key := keys[f]
			// Slow events: the whole answer would take seconds, so only a
			// cancelled upstream call ends early.
			fake.Fail(key, fakeprovider.Fault{EventDelay: time.Second})
			t.Cleanup(func() { fake.Clear(key) })
			before := len(fake.RequestsFor(key))
			firstEventThenCancel(t, in, f, groups[f])
			waitFor(t, "the upstream sees the call cancelled", func() bool {
				r := fake.RequestsFor(key)
				return len(r) == before+1 && r[before].Cancelled
			})
		})
	}
}
