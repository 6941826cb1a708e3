package transform

import (
	"strings"

	"github.com/tidwall/gjson"
)

// DecodeResponse parses a non-streaming Chat Completions answer. Only the
// first choice is read: the canonical response has one candidate.
func (openAIChatCodec) DecodeResponse(body []byte) (*Response, error) {
	if !gjson.ValidBytes(body) {
		return nil, oaiBadUpstream(OpenAIChat, "answer is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, oaiBadUpstream(OpenAIChat, "answer is not a JSON object")
	}
	resp := &Response{}
	var choices, errv gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			resp.ID = v.String()
		case "model":
			resp.Model = v.String()
		case "created":
			resp.Created = v.Int()
		case "choices":
			choices = v
		case "usage":
			resp.Usage = ccDecodeUsage(v)
		case "error":
			errv = v
		}
		return true
	})
	if errv.Exists() && errv.Type != gjson.Null && !choices.Exists() {
		// Some compatible servers answer 200 with an error body.
		return nil, oaiErrorFrom(errv, 502)
	}
	choice := choices.Get("0")
	if !choice.Exists() {
		return nil, oaiBadUpstream(OpenAIChat, "answer has no choices")
	}
	msg := choice.Get("message")
	var f ccMsg
	msg.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "content":
			f.content = v
		case "tool_calls":
			f.toolCalls = v
		case "reasoning_content":
			f.reasoningContent = v
		case "reasoning":
			f.reasoning = v
		case "reasoning_details":
			f.reasoningDetails = v
		case "function_call":
			f.functionCall = v
		case "refusal":
			f.refusal = v
		}
		return true
	})
	resp.Content = ccAppendReasoning(resp.Content, f.reasoningContent, f.reasoning, f.reasoningDetails, ccUpstreamSig)
	switch {
	case f.content.Type == gjson.String:
		if f.content.Str != "" {
			resp.Content = append(resp.Content, Part{Type: PartText, Text: f.content.Str})
		}
	case f.content.IsArray(): // some servers answer with text parts
		f.content.ForEach(func(_, p gjson.Result) bool {
			if t := p.Get("text"); t.Type == gjson.String && t.Str != "" {
				resp.Content = append(resp.Content, Part{Type: PartText, Text: t.Str})
			}
			return true
		})
	}
	refused := f.refusal.Type == gjson.String && f.refusal.Str != ""
	if refused {
		resp.Content = append(resp.Content, Part{Type: PartText, Text: f.refusal.Str})
	}
	f.toolCalls.ForEach(func(_, tc gjson.Result) bool {
		fn := tc.Get("function")
		p := Part{Type: PartToolCall, ToolCallID: tc.Get("id").String(), ToolName: fn.Get("name").String(),
			Arguments: oaiArgsResult(fn.Get("arguments"))}
		if p.ToolCallID == "" {
			p.ToolCallID = oaiNewID("call_", 24)
		}
		if sig := tc.Get("extra_content.google.thought_signature").String(); sig != "" {
			p.Signature, p.SignatureFamily = ccUpstreamSig(sig)
		}
		resp.Content = append(resp.Content, p)
		return true
	})
	if f.functionCall.IsObject() {
		resp.Content = append(resp.Content, Part{Type: PartToolCall, ToolCallID: oaiNewID("call_", 24),
			ToolName: f.functionCall.Get("name").String(), Arguments: oaiArgsResult(f.functionCall.Get("arguments"))})
	}
	resp.StopReason = ccStopReason(choice.Get("finish_reason").String())
	switch {
	case oaiHasToolCall(resp.Content):
		resp.StopReason = StopToolUse
	case refused && resp.StopReason == StopEndTurn:
		resp.StopReason = StopRefusal
	}
	return resp, nil
}

// ccUpstreamSig tags a signature read from a Chat Completions upstream.
func ccUpstreamSig(sig string) (string, string) { return sig, OpenAIChat.Family() }

// EncodeResponse writes a non-streaming Chat Completions answer, field by
// field in the order OpenAI uses. Thinking goes in reasoning_content (the
// DeepSeek convention most clients display); signatures, which clients
// must send back for tool loops with Anthropic and Gemini models, go in
// OpenRouter's reasoning_details and Gemini's extra_content carriers.
func (openAIChatCodec) EncodeResponse(resp *Response, req *Request) ([]byte, error) {
	size := 512
	for i := range resp.Content {
		size += 96 + len(resp.Content[i].Text) + len(resp.Content[i].Arguments) + len(resp.Content[i].Signature)
	}
	w := jsonWriter{b: make([]byte, 0, size)}
	w.objOpen()
	w.fieldStr("id", ccResponseID(resp.ID))
	w.fieldStr("object", "chat.completion")
	created := resp.Created
	if created == 0 {
		created = oaiNow()
	}
	w.fieldInt("created", created)
	w.fieldStr("model", ccResponseModel(resp.Model, req))
	w.key("choices")
	w.arrOpen()
	w.objOpen()
	w.fieldInt("index", 0)
	w.key("message")
	w.objOpen()
	w.fieldStr("role", "assistant")
	text := oaiJoinText(resp.Content)
	hasCall := oaiHasToolCall(resp.Content)
	if text == "" && hasCall {
		w.fieldNull("content")
	} else {
		w.fieldStr("content", text)
	}
	if r := ccThinkingText(resp.Content); r != "" {
		w.fieldStr("reasoning_content", r)
	}
	ccWriteReasoningDetails(&w, resp.Content)
	w.fieldNull("refusal")
	w.key("annotations")
	w.arrOpen()
	w.arrClose()
	if hasCall {
		w.key("tool_calls")
		w.arrOpen()
		for i := range resp.Content {
			p := &resp.Content[i]
			if p.Type == PartToolCall {
				ccEncodeToolCall(&w, p, -1, ExportSignature(p.Signature, p.SignatureFamily, OpenAIChat))
			}
		}
		w.arrClose()
	}
	w.objClose()
	w.fieldNull("logprobs")
	w.fieldStr("finish_reason", ccFinishReason(resp.StopReason, hasCall))
	w.objClose()
	w.arrClose()
	w.key("usage")
	ccWriteUsage(&w, resp.Usage)
	w.objClose()
	return w.b, nil
}

// ccResponseID keeps an upstream id that already has the Chat Completions
// shape and mints one otherwise.
func ccResponseID(id string) string {
	if strings.HasPrefix(id, "chatcmpl-") {
		return id
	}
	return oaiNewID("chatcmpl-", 29)
}

// ccResponseModel is the model name to report: the upstream's, else the
// one the client asked for.
func ccResponseModel(model string, req *Request) string {
	if model == "" && req != nil {
		return req.Model
	}
	return model
}

// ccThinkingText joins all thinking text of a response.
func ccThinkingText(parts []Part) string {
	var b strings.Builder
	for i := range parts {
		if parts[i].Type == PartThinking {
			b.WriteString(parts[i].Text)
		}
	}
	return b.String()
}

// ccWriteReasoningDetails writes OpenRouter's reasoning_details when some
// thinking part carries a signature, so that it survives a client round
// trip. Unsigned thinking is fully carried by reasoning_content.
func ccWriteReasoningDetails(w *jsonWriter, parts []Part) {
	signed := false
	for i := range parts {
		if (parts[i].Type == PartThinking || parts[i].Type == PartRedactedThinking) && parts[i].Signature != "" {
			signed = true
			break
		}
	}
	if !signed {
		return
	}
	w.key("reasoning_details")
	w.arrOpen()
	idx := 0
	for i := range parts {
		p := &parts[i]
		switch p.Type {
		case PartThinking:
			ccWriteReasoningDetail(w, idx, p.Text, ExportSignature(p.Signature, p.SignatureFamily, OpenAIChat), false)
			idx++
		case PartRedactedThinking:
			ccWriteReasoningDetail(w, idx, "", ExportSignature(p.Signature, p.SignatureFamily, OpenAIChat), true)
			idx++
		}
	}
	w.arrClose()
}

// ccWriteReasoningDetail writes one reasoning_details entry.
func ccWriteReasoningDetail(w *jsonWriter, index int, text, sig string, redacted bool) {
	w.objOpen()
	if redacted {
		w.fieldStr("type", "reasoning.encrypted")
		w.fieldStr("data", sig)
	} else {
		w.fieldStr("type", "reasoning.text")
		w.fieldStr("text", text)
		if sig != "" {
			w.fieldStr("signature", sig)
		}
	}
	w.fieldInt("index", int64(index))
	w.objClose()
}
