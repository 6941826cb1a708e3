package transform

import (
	"io"

	"github.com/tidwall/gjson"
)

// openAIChatCodec is the OpenAI Chat Completions codec
// (POST /v1/chat/completions).
//
// Beyond the OpenAI API it understands the conventions of the
// OpenAI-compatible servers that sit behind Chat Completions channels:
// reasoning text in reasoning_content or reasoning (DeepSeek, vLLM,
// OpenRouter), reasoning signatures in OpenRouter's reasoning_details, and
// Gemini thought signatures in tool_calls[].extra_content.google.
type openAIChatCodec struct{}

func init() { Register(openAIChatCodec{}) }

func (openAIChatCodec) Format() Format { return OpenAIChat }

func (openAIChatCodec) NewStreamDecoder() StreamDecoder { return &ccStreamDecoder{} }

func (openAIChatCodec) NewStreamEncoder(w io.Writer, req *Request) StreamEncoder {
	return newCCStreamEncoder(w, req)
}

// ccStopReason maps a finish_reason to the canonical stop reason.
func ccStopReason(s string) StopReason {
	switch s {
	case "length":
		return StopMaxTokens
	case "tool_calls", "function_call":
		return StopToolUse
	case "content_filter":
		return StopContentFilter
	}
	return StopEndTurn
}

// ccFinishReason maps a canonical stop reason to finish_reason. A response
// with tool calls says tool_calls whatever the upstream said, since clients
// decide whether to run tools from it.
func ccFinishReason(r StopReason, hasToolCall bool) string {
	if hasToolCall {
		return "tool_calls"
	}
	switch r {
	case StopToolUse:
		return "tool_calls"
	case StopMaxTokens, StopContextWindow:
		return "length"
	case StopContentFilter, StopRefusal:
		return "content_filter"
	}
	return "stop"
}

// ccDecodeUsage reads a Chat Completions usage object. prompt_tokens
// already includes cached tokens and completion_tokens includes reasoning,
// which is the canonical meaning, so nothing is added up.
func ccDecodeUsage(v gjson.Result) Usage {
	var u Usage
	v.ForEach(func(k, f gjson.Result) bool {
		switch k.Str {
		case "prompt_tokens":
			u.InputTokens = f.Int()
		case "completion_tokens":
			u.OutputTokens = f.Int()
		case "prompt_tokens_details":
			f.ForEach(func(k, f gjson.Result) bool {
				switch k.Str {
				case "cached_tokens":
					u.CacheReadTokens = f.Int()
				case "cache_creation_tokens", "cached_creation_tokens", "cache_write_tokens":
					// Not OpenAI: written by gateways that front Anthropic.
					u.CacheWriteTokens = f.Int()
				}
				return true
			})
		case "completion_tokens_details":
			u.ReasoningTokens = f.Get("reasoning_tokens").Int()
		case "prompt_cache_hit_tokens": // DeepSeek
			if u.CacheReadTokens == 0 {
				u.CacheReadTokens = f.Int()
			}
		}
		return true
	})
	return u
}

// ccWriteUsage writes a Chat Completions usage object.
func ccWriteUsage(w *jsonWriter, u Usage) {
	w.objOpen()
	w.fieldInt("prompt_tokens", u.InputTokens)
	w.fieldInt("completion_tokens", u.OutputTokens)
	w.fieldInt("total_tokens", u.InputTokens+u.OutputTokens)
	w.key("prompt_tokens_details")
	w.objOpen()
	w.fieldInt("cached_tokens", u.CacheReadTokens)
	w.fieldInt("audio_tokens", 0)
	w.objClose()
	w.key("completion_tokens_details")
	w.objOpen()
	w.fieldInt("reasoning_tokens", u.ReasoningTokens)
	w.fieldInt("audio_tokens", 0)
	w.fieldInt("accepted_prediction_tokens", 0)
	w.fieldInt("rejected_prediction_tokens", 0)
	w.objClose()
	w.objClose()
}
