package transform

import (
	"io"
	"strings"

	"github.com/tidwall/gjson"
)

// openAIResponsesCodec is the OpenAI Responses codec (POST /v1/responses).
//
// The gateway is stateless: previous_response_id and stored items cannot
// be honoured across providers, so they are only passed on (in Extra) to a
// Responses upstream of a Responses client. Reasoning continuity instead
// rides on reasoning items with encrypted_content, which become thinking
// parts whose Signature is the encrypted content.
type openAIResponsesCodec struct{}

func init() { Register(openAIResponsesCodec{}) }

func (openAIResponsesCodec) Format() Format { return OpenAIResponses }

func (openAIResponsesCodec) NewStreamDecoder() StreamDecoder { return &rsStreamDecoder{} }

func (openAIResponsesCodec) NewStreamEncoder(w io.Writer, req *Request) StreamEncoder {
	return newRSStreamEncoder(w, req)
}

// rsStopReason maps a response status and incomplete reason to the
// canonical stop reason.
func rsStopReason(status, incomplete string) StopReason {
	switch status {
	case "incomplete":
		if incomplete == "content_filter" {
			return StopContentFilter
		}
		return StopMaxTokens
	case "failed":
		return StopError
	}
	return StopEndTurn
}

// rsStatus maps a canonical stop reason to a response status and
// incomplete_details.reason.
func rsStatus(r StopReason) (status, incomplete string) {
	switch r {
	case StopMaxTokens, StopContextWindow:
		return "incomplete", "max_output_tokens"
	case StopContentFilter, StopRefusal:
		return "incomplete", "content_filter"
	case StopError:
		return "failed", ""
	}
	return "completed", ""
}

// rsTerminalEvent is the stream event that ends a response of status.
func rsTerminalEvent(status string) string {
	switch status {
	case "incomplete":
		return "response.incomplete"
	case "failed":
		return "response.failed"
	}
	return "response.completed"
}

// rsDecodeUsage reads a Responses usage object; input_tokens includes
// cached tokens and output_tokens includes reasoning, as canonical.
func rsDecodeUsage(v gjson.Result) Usage {
	var u Usage
	v.ForEach(func(k, f gjson.Result) bool {
		switch k.Str {
		case "input_tokens":
			u.InputTokens = f.Int()
		case "output_tokens":
			u.OutputTokens = f.Int()
		case "input_tokens_details":
			u.CacheReadTokens = f.Get("cached_tokens").Int()
			if cw := f.Get("cache_creation_tokens"); cw.Exists() { // not OpenAI
				u.CacheWriteTokens = cw.Int()
			}
		case "output_tokens_details":
			u.ReasoningTokens = f.Get("reasoning_tokens").Int()
		}
		return true
	})
	return u
}

// rsWriteUsage writes a Responses usage object.
func rsWriteUsage(w *jsonWriter, u Usage) {
	w.objOpen()
	w.fieldInt("input_tokens", u.InputTokens)
	w.key("input_tokens_details")
	w.objOpen()
	w.fieldInt("cached_tokens", u.CacheReadTokens)
	w.objClose()
	w.fieldInt("output_tokens", u.OutputTokens)
	w.key("output_tokens_details")
	w.objOpen()
	w.fieldInt("reasoning_tokens", u.ReasoningTokens)
	w.objClose()
	w.fieldInt("total_tokens", u.InputTokens+u.OutputTokens)
	w.objClose()
}

// oaiIsReasoningModel reports whether model is an OpenAI reasoning model,
// which rejects sampling parameters (temperature, top_p, penalties, stop)
// with "Unsupported parameter".
func oaiIsReasoningModel(model string) bool {
	m := oaiModelName(model)
	if len(m) >= 2 && m[0] == 'o' && m[1] >= '1' && m[1] <= '9' {
		return true
	}
	if strings.HasPrefix(m, "gpt-5") {
		return !strings.Contains(m, "-chat")
	}
	return strings.HasPrefix(m, "codex-")
}
