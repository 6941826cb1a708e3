package transform

import (
	"net/http"
	"time"

	"github.com/tidwall/gjson"
)

// anUsage is Anthropic usage as the wire carries it. input excludes cache
// reads and writes; output includes thinking.
type anUsage struct {
	input, cacheWrite, cacheRead, output, thinking int64
}

// merge overwrites the counts present in u (a usage object). Stream counts
// are cumulative, so the latest value of each field wins.
func (a *anUsage) merge(u gjson.Result) {
	u.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "input_tokens":
			a.input = v.Int()
		case "cache_creation_input_tokens":
			a.cacheWrite = v.Int()
		case "cache_read_input_tokens":
			a.cacheRead = v.Int()
		case "output_tokens":
			a.output = v.Int()
		case "output_tokens_details":
			if t := v.Get("thinking_tokens"); t.Exists() {
				a.thinking = t.Int()
			}
		}
		return true
	})
}

// canonical converts to canonical usage (protocols.md §6.8).
func (a *anUsage) canonical() Usage {
	return Usage{
		InputTokens:      a.input + a.cacheRead + a.cacheWrite,
		OutputTokens:     a.output,
		CacheReadTokens:  a.cacheRead,
		CacheWriteTokens: a.cacheWrite,
		ReasoningTokens:  a.thinking,
	}
}

// DecodeResponse implements Codec: it reads a non-streaming Messages
// answer. Server-tool blocks have no canonical form and are skipped.
func (anthropicCodec) DecodeResponse(body []byte) (*Response, error) {
	if !gjson.ValidBytes(body) {
		return nil, &Error{Status: http.StatusBadGateway, Kind: KindServer, Message: "upstream returned a response that is not valid JSON"}
	}
	root := gjson.ParseBytes(body)
	if root.Get("type").Str == "error" {
		e := root.Get("error")
		return nil, &Error{Status: anErrorStatus(e.Get("type").Str), Kind: KindForStatus(anErrorStatus(e.Get("type").Str)),
			Message: e.Get("message").Str, Code: e.Get("type").Str}
	}
	resp := &Response{
		ID:           root.Get("id").Str,
		Model:        root.Get("model").Str,
		Created:      time.Now().Unix(),
		StopSequence: root.Get("stop_sequence").Str,
	}
	sawTool := false
	family := Anthropic.Family()
	content := root.Get("content")
	resp.Content = make([]Part, 0, anCount(content))
	content.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").Str {
		case "text":
			if t := b.Get("text").Str; t != "" {
				resp.Content = append(resp.Content, Part{Type: PartText, Text: t})
			}
		case "thinking":
			p := Part{Type: PartThinking, Text: b.Get("thinking").Str, Signature: b.Get("signature").Str}
			if p.Signature != "" {
				p.SignatureFamily = family
			}
			resp.Content = append(resp.Content, p)
		case "redacted_thinking":
			resp.Content = append(resp.Content, Part{Type: PartRedactedThinking, Signature: b.Get("data").Str, SignatureFamily: family})
		case "tool_use":
			sawTool = true
			resp.Content = append(resp.Content, Part{Type: PartToolCall, ToolCallID: anRestoreToolID(b.Get("id").Str),
				ToolName: b.Get("name").Str, Arguments: anInputArgs(b.Get("input"))})
		}
		return true
	})
	resp.StopReason = anToolStop(anStopReason(root.Get("stop_reason").Str), sawTool)
	var u anUsage
	u.merge(root.Get("usage"))
	resp.Usage = u.canonical()
	return resp, nil
}

// EncodeResponse implements Codec: it writes a Messages answer for an
// Anthropic client.
func (anthropicCodec) EncodeResponse(resp *Response, req *Request) ([]byte, error) {
	n := 384
	for i := range resp.Content {
		p := &resp.Content[i]
		n += 64 + len(p.Text) + len(p.Arguments) + len(p.Signature)
	}
	b := make([]byte, 0, n+n/8)
	b = append(b, '{')
	b = anAppendStringField(b, "id", anMessageID(resp.ID))
	b = append(b, `,"type":"message","role":"assistant"`...)
	model := resp.Model
	if model == "" && req != nil {
		model = req.Model
	}
	b = anAppendStringField(b, "model", model)
	b = append(anAppendKey(b, "content"), '[')
	sawTool := false
	first := true
	for i := range resp.Content {
		p := &resp.Content[i]
		if p.Type == PartToolCall {
			sawTool = true
		}
		before := len(b)
		if !first {
			b = append(b, ',')
		}
		if nb, ok := anAppendResponseBlock(b, p); ok {
			b, first = nb, false
		} else {
			b = b[:before]
		}
	}
	b = append(b, ']')
	b = anAppendStringField(b, "stop_reason", anStopReasonString(anToolStop(resp.StopReason, sawTool)))
	b = anAppendKey(b, "stop_sequence")
	if resp.StopSequence != "" {
		b = appendJSONString(b, resp.StopSequence)
	} else {
		b = append(b, "null"...)
	}
	b = anAppendKey(b, "usage")
	b = anAppendUsage(b, resp.Usage, resp.Usage.OutputTokens)
	return append(b, '}'), nil
}

// anAppendUsage writes an Anthropic usage object from canonical usage;
// input_tokens excludes the cache counts (protocols.md §6.8).
func anAppendUsage(b []byte, u Usage, output int64) []byte {
	input := max(u.InputTokens-u.CacheReadTokens-u.CacheWriteTokens, 0)
	b = append(b, '{')
	b = anAppendIntField(b, "input_tokens", input)
	b = anAppendIntField(b, "cache_creation_input_tokens", u.CacheWriteTokens)
	b = anAppendIntField(b, "cache_read_input_tokens", u.CacheReadTokens)
	b = anAppendIntField(b, "output_tokens", output)
	if u.ReasoningTokens > 0 {
		b = append(anAppendKey(b, "output_tokens_details"), '{')
		b = anAppendIntField(b, "thinking_tokens", u.ReasoningTokens)
		b = append(b, '}')
	}
	return append(b, '}')
}

// anAppendResponseBlock writes one answer content block for a client; ok
// is false when the part has nothing to show (empty text, unsupported
// type). Signatures are exported with their family (signature.go).
func anAppendResponseBlock(b []byte, p *Part) ([]byte, bool) {
	switch p.Type {
	case PartText:
		if p.Text == "" && p.Signature == "" {
			return b, false
		}
		if p.Text != "" {
			b = append(b, `{"type":"text"`...)
			b = anAppendStringField(b, "text", p.Text)
			b = append(b, '}')
		}
		return anAppendPartSignature(b, p, p.Text != ""), true
	case PartThinking:
		b = append(b, `{"type":"thinking"`...)
		b = anAppendStringField(b, "thinking", p.Text)
		b = anAppendStringField(b, "signature", ExportSignature(p.Signature, p.SignatureFamily, Anthropic))
		return append(b, '}'), true
	case PartRedactedThinking:
		if p.Signature == "" {
			return b, false
		}
		b = append(b, `{"type":"redacted_thinking"`...)
		b = anAppendStringField(b, "data", ExportSignature(p.Signature, p.SignatureFamily, Anthropic))
		return append(b, '}'), true
	case PartToolCall:
		b = append(b, `{"type":"tool_use"`...)
		b = anAppendStringField(b, "id", p.ToolCallID)
		b = anAppendStringField(b, "name", p.ToolName)
		b = anAppendRawField(b, "input", anObjectArgs(p.Arguments))
		b = append(b, '}')
		return anAppendPartSignature(b, p, true), true
	}
	return b, false
}

// anAppendPartSignature hands a client the signature another provider put
// on a text or tool-call part (Gemini signs function calls): Anthropic
// blocks other than thinking have no field for it, so it travels as a
// signature-only thinking block right after the part, which the request
// decoder puts back on that part. afterBlock says whether a block was
// written before (a comma is needed).
func anAppendPartSignature(b []byte, p *Part, afterBlock bool) []byte {
	if p.Signature == "" {
		return b
	}
	if afterBlock {
		b = append(b, ',')
	}
	b = append(b, `{"type":"thinking","thinking":""`...)
	b = anAppendStringField(b, "signature", ExportSignature(p.Signature, p.SignatureFamily, Anthropic))
	return append(b, '}')
}
