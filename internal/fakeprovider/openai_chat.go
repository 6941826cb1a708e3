package fakeprovider

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Wire types of Chat Completions answers, fields in OpenAI's order.
type ccResponse struct {
	ID                string     `json:"id"`
	Object            string     `json:"object"`
	Created           int64      `json:"created"`
	Model             string     `json:"model"`
	Choices           []ccChoice `json:"choices"`
	Usage             *ccUsage   `json:"usage"`
	ServiceTier       string     `json:"service_tier"`
	SystemFingerprint string     `json:"system_fingerprint"`
}

type ccChoice struct {
	Index        int       `json:"index"`
	Message      ccMessage `json:"message"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason string    `json:"finish_reason"`
}

type ccMessage struct {
	Role             string       `json:"role"`
	Content          *string      `json:"content"`
	ReasoningContent *string      `json:"reasoning_content,omitempty"`
	Refusal          *string      `json:"refusal"`
	ToolCalls        []ccToolCall `json:"tool_calls,omitempty"`
	Annotations      []struct{}   `json:"annotations"`
}

type ccToolCall struct {
	ID       string     `json:"id"`
	Type     string     `json:"type"`
	Function ccFunction `json:"function"`
}

type ccFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type ccUsage struct {
	PromptTokens            int                `json:"prompt_tokens"`
	CompletionTokens        int                `json:"completion_tokens"`
	TotalTokens             int                `json:"total_tokens"`
	PromptTokensDetails     ccPromptDetails    `json:"prompt_tokens_details"`
	CompletionTokensDetails ccCompletionDetail `json:"completion_tokens_details"`
}

type ccPromptDetails struct {
	CachedTokens int `json:"cached_tokens"`
	AudioTokens  int `json:"audio_tokens"`
}

type ccCompletionDetail struct {
	ReasoningTokens          int `json:"reasoning_tokens"`
	AudioTokens              int `json:"audio_tokens"`
	AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
	RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
}

type ccChunk struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	ServiceTier       string          `json:"service_tier"`
	SystemFingerprint string          `json:"system_fingerprint"`
	Choices           []ccChunkChoice `json:"choices"`
	// Usage is null on every chunk but the last when the client asked for
	// usage, and absent otherwise.
	Usage       json.RawMessage `json:"usage,omitempty"`
	Obfuscation string          `json:"obfuscation,omitempty"`
}

type ccChunkChoice struct {
	Index        int       `json:"index"`
	Delta        ccDelta   `json:"delta"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

type ccDelta struct {
	Role             string            `json:"role,omitempty"`
	Content          *string           `json:"content,omitempty"`
	ReasoningContent *string           `json:"reasoning_content,omitempty"`
	ToolCalls        []ccDeltaToolCall `json:"tool_calls,omitempty"`
}

type ccDeltaToolCall struct {
	Index    int             `json:"index"`
	ID       string          `json:"id,omitempty"`
	Type     string          `json:"type,omitempty"`
	Function ccDeltaFunction `json:"function"`
}

type ccDeltaFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

const fakeFingerprint = "fp_fake0001"

func ccFinish(a *answer) string {
	switch a.stop {
	case stopLength:
		return "length"
	case stopTool:
		return "tool_calls"
	}
	return "stop"
}

func ccUsageOf(u usage) *ccUsage {
	return &ccUsage{
		PromptTokens:            u.input,
		CompletionTokens:        u.output,
		TotalTokens:             u.input + u.output,
		PromptTokensDetails:     ccPromptDetails{CachedTokens: u.cacheRead},
		CompletionTokensDetails: ccCompletionDetail{ReasoningTokens: u.reasoning},
	}
}

// serveChat is POST /v1/chat/completions.
func (s *Server) serveChat(x *exchange) {
	req, e := parseChat(x.body)
	if e == nil {
		e = modelMissing(x.f, req.conv.model)
	}
	if e != nil {
		x.fail(e)
		return
	}
	a := plan(OpenAIChat, &req.conv)
	id := x.newID("chatcmpl-")
	callIDs := make([]string, len(a.calls))
	for i := range a.calls {
		callIDs[i] = x.newID("call_")
	}
	if !req.stream {
		msg := ccMessage{Role: "assistant", Annotations: []struct{}{}}
		if a.text != "" || len(a.calls) == 0 {
			msg.Content = ptr(a.text)
		}
		if a.reasoning != "" {
			msg.ReasoningContent = ptr(a.reasoning)
		}
		for i, c := range a.calls {
			msg.ToolCalls = append(msg.ToolCalls, ccToolCall{ID: callIDs[i], Type: "function", Function: ccFunction{Name: c.name, Arguments: c.args}})
		}
		x.writeJSON(ccResponse{
			ID: id, Object: "chat.completion", Created: now(), Model: req.conv.model,
			Choices:     []ccChoice{{Message: msg, FinishReason: ccFinish(&a)}},
			Usage:       ccUsageOf(a.usage),
			ServiceTier: "default", SystemFingerprint: fakeFingerprint,
		})
		return
	}

	created := now()
	chunk := func(d ccDelta, finish *string) []byte {
		c := ccChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: req.conv.model,
			ServiceTier: "default", SystemFingerprint: fakeFingerprint,
			Choices: []ccChunkChoice{{Delta: d, FinishReason: finish}}}
		if req.includeUsage {
			c.Usage = json.RawMessage("null")
		}
		if req.obfuscate {
			c.Obfuscation = obfuscation(x.events)
		}
		return marshal(c)
	}
	x.startStream()
	if !x.send("", chunk(ccDelta{Role: "assistant", Content: ptr("")}, nil)) {
		return
	}
	if a.reasoning != "" {
		for _, p := range splitText(a.reasoning) {
			if !x.send("", chunk(ccDelta{ReasoningContent: ptr(p)}, nil)) {
				return
			}
		}
	}
	for _, p := range splitText(a.text) {
		if !x.send("", chunk(ccDelta{Content: ptr(p)}, nil)) {
			return
		}
	}
	for i, c := range a.calls {
		first := ccDeltaToolCall{Index: i, ID: callIDs[i], Type: "function", Function: ccDeltaFunction{Name: c.name}}
		if !x.send("", chunk(ccDelta{ToolCalls: []ccDeltaToolCall{first}}, nil)) {
			return
		}
		for _, frag := range splitArgs(c.args) {
			if !x.send("", chunk(ccDelta{ToolCalls: []ccDeltaToolCall{{Index: i, Function: ccDeltaFunction{Arguments: frag}}}}, nil)) {
				return
			}
		}
	}
	if !x.send("", chunk(ccDelta{}, ptr(ccFinish(&a)))) {
		return
	}
	if req.includeUsage {
		u := ccChunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: req.conv.model,
			ServiceTier: "default", SystemFingerprint: fakeFingerprint,
			Choices: []ccChunkChoice{}, Usage: marshal(ccUsageOf(a.usage))}
		if !x.send("", marshal(u)) {
			return
		}
	}
	x.send("", []byte("[DONE]"))
}

// modelMissing answers models whose name asks for a 404, in each format's words.
func modelMissing(f Format, model string) *apiError {
	if !strings.Contains(strings.ToLower(model), MarkerNotFound) {
		return nil
	}
	switch f {
	case Anthropic:
		return &apiError{status: 404, msg: "model: " + model}
	case Gemini, Antigravity:
		return &apiError{status: 404, msg: fmt.Sprintf("models/%s is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", model)}
	}
	return &apiError{status: 404, msg: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model), code: "model_not_found"}
}
