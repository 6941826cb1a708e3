package transform

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// DecodeResponse reads a GenerateContentResponse (Antigravity: wrapped in
// {"response": …}). A JSON array of chunks, which a streamGenerateContent
// call without alt=sse returns, is read as one answer too.
func (c *geminiCodec) DecodeResponse(body []byte) (*Response, error) {
	if !gjson.ValidBytes(body) {
		return nil, gemUpstreamError(c.format, "returned a body that is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	resp := &Response{}
	d := gemResponseDecoder{format: c.format, resp: resp}
	if root.IsArray() {
		var err error
		root.ForEach(func(_, el gjson.Result) bool {
			err = d.chunk(el)
			return err == nil
		})
		if err != nil {
			return nil, err
		}
	} else if err := d.chunk(root); err != nil {
		return nil, err
	}
	if !d.seen {
		return nil, gemUpstreamError(c.format, "returned no response")
	}
	resp.StopReason = gemStopReason(d.finish)
	if d.blocked && len(resp.Content) == 0 {
		resp.StopReason = StopContentFilter
	}
	if d.sawCall {
		resp.StopReason = StopToolUse
	}
	if resp.Created == 0 {
		resp.Created = time.Now().Unix()
	}
	return resp, nil
}

type gemResponseDecoder struct {
	format  Format
	resp    *Response
	seen    bool
	sawCall bool
	blocked bool
	finish  string
}

func (d *gemResponseDecoder) chunk(v gjson.Result) error {
	if !v.IsObject() {
		return gemUpstreamError(d.format, "returned a response that is not a JSON object")
	}
	if d.format == Antigravity {
		v = agUnwrap(v)
	}
	if e := v.Get("error"); e.IsObject() && !v.Get("candidates").Exists() {
		status := int(e.Get("code").Int())
		if status < 400 {
			status = 500
		}
		return DecodeError(d.format, status, nil, []byte(v.Raw))
	}
	d.seen = true
	resp := d.resp
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "responseId", "response_id":
			if resp.ID == "" {
				resp.ID = val.String()
			}
		case "modelVersion", "model_version":
			if resp.Model == "" {
				resp.Model = val.String()
			}
		case "createTime", "create_time":
			if t, err := time.Parse(time.RFC3339Nano, val.String()); err == nil {
				resp.Created = t.Unix()
			}
		case "usageMetadata", "usage_metadata":
			resp.Usage = gemUsage(val)
		case "promptFeedback", "prompt_feedback":
			if gemGet(val, "blockReason", "block_reason").String() != "" {
				d.blocked = true
			}
		case "candidates":
			d.candidate(val)
		}
		return true
	})
	return nil
}

// gemCandidate reads the first candidate of a candidates array in one pass:
// its content parts and its finishReason.
func gemCandidate(candidates gjson.Result) (parts gjson.Result, finish string) {
	candidates.ForEach(func(_, c gjson.Result) bool {
		c.ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "content":
				v.ForEach(func(k, v gjson.Result) bool {
					if k.Str == "parts" {
						parts = v
						return false
					}
					return true
				})
			case "finishReason", "finish_reason":
				finish = v.Str
			}
			return true
		})
		return false // only the first candidate is used
	})
	return parts, finish
}

func (d *gemResponseDecoder) candidate(candidates gjson.Result) {
	parts, fr := gemCandidate(candidates)
	if fr != "" {
		d.finish = fr
	}
	family := d.format.Family()
	parts.ForEach(func(_, pv gjson.Result) bool {
		p, ok := gemUpstreamPart(pv, family)
		if !ok {
			return true
		}
		if p.Type == PartToolCall {
			d.sawCall = true
			d.resp.Content = append(d.resp.Content, p)
		} else {
			d.resp.Content = gemAppendModelPart(d.resp.Content, p)
		}
		return true
	})
}

// gemUpstreamPart decodes one part of an upstream answer. Signatures are
// tagged with the upstream's family; id-less calls get a fresh id.
func gemUpstreamPart(v gjson.Result, family string) (p Part, ok bool) {
	var (
		text, inline, call, code, codeResult gjson.Result
		thought                              bool
	)
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "text":
			text = val
		case "thought":
			thought = val.Bool()
		case "thoughtSignature", "thought_signature":
			p.Signature, p.SignatureFamily = val.String(), family
		case "inlineData", "inline_data":
			inline = val
		case "functionCall", "function_call":
			call = val
		case "executableCode", "executable_code":
			code = val
		case "codeExecutionResult", "code_execution_result":
			codeResult = val
		}
		return true
	})
	switch {
	case call.Exists():
		var args gjson.Result
		p.Type = PartToolCall
		p.ToolCallID, p.ToolName, args, _ = gemCall(call)
		if p.ToolCallID == "" {
			p.ToolCallID = gemCallID()
		}
		p.Arguments = gemArgsObject(args)
	case inline.Exists():
		mime, data := gemBlob(inline)
		p.Type, p.MediaType, p.Data = gemMediaType(mime), mime, data
	case code.Exists():
		p.Type = PartText
		p.Text = gemCodeText(code)
	case codeResult.Exists():
		p.Type = PartText
		p.Text = gemCodeResultText(codeResult)
	case text.Exists() || p.Signature != "":
		p.Type, p.Text = PartText, text.String()
		if thought {
			p.Type = PartThinking
		}
		if p.Text == "" && p.Signature == "" {
			return p, false
		}
	default:
		return p, false
	}
	return p, true
}

// gemCodeText renders server-side generated code as text; the canonical
// model has no code-execution parts.
func gemCodeText(v gjson.Result) string {
	return "\n```" + strings.ToLower(gemGet(v, "language", "").String()) + "\n" + gemGet(v, "code", "").String() + "\n```\n"
}

func gemCodeResultText(v gjson.Result) string {
	return "\n```\n" + gemGet(v, "output", "").String() + "\n```\n"
}

// EncodeResponse writes a GenerateContentResponse for a Gemini client
// (Antigravity: wrapped in {"response": …}).
func (c *geminiCodec) EncodeResponse(resp *Response, req *Request) ([]byte, error) {
	if resp == nil {
		resp = &Response{StopReason: StopError}
	}
	w := jsonWriter{b: make([]byte, 0, 512+gemContentSize(resp.Content))}
	if c.ag() {
		w.objOpen()
		w.key("response")
	}
	w.objOpen()
	w.key("candidates")
	w.arrOpen()
	w.objOpen()
	if resp.StopReason != StopContentFilter || len(resp.Content) > 0 {
		w.key("content")
		w.objOpen()
		w.fieldStr("role", "model")
		w.key("parts")
		w.arrOpen()
		for i := range resp.Content {
			c.writeAnswerPart(&w, &resp.Content[i])
		}
		w.arrClose()
		w.objClose()
	}
	w.fieldStr("finishReason", gemFinishReason(resp.StopReason))
	w.fieldInt("index", 0)
	w.objClose()
	w.arrClose()
	gemWriteUsage(&w, resp.Usage)
	model := resp.Model
	if model == "" && req != nil {
		model = req.Model
	}
	if model != "" {
		w.fieldStr("modelVersion", model)
	}
	id := resp.ID
	if id == "" {
		id = gemNewID("", 22)
	}
	w.fieldStr("responseId", id)
	w.objClose()
	if c.ag() {
		w.fieldStr("traceId", gemNewHex(16))
		w.objClose()
	}
	return w.b, nil
}

func gemContentSize(parts []Part) int {
	n := 0
	for i := range parts {
		n += len(parts[i].Text) + len(parts[i].Arguments) + len(parts[i].Data) + len(parts[i].Signature) + 64
	}
	return n
}

// writeAnswerPart writes one answer part for a Gemini client. Thoughts are
// always included (SDKs leave thought parts out of .text, and the thought
// text must come back with its signature for Anthropic-family reasoning to
// stay valid). Redacted thinking has no Gemini form and is dropped.
func (c *geminiCodec) writeAnswerPart(w *jsonWriter, p *Part) {
	sig := gemExportSignature(p.Signature, p.SignatureFamily, c.format)
	switch p.Type {
	case PartText, PartThinking:
		if p.Text == "" && sig == "" {
			return
		}
		w.objOpen()
		w.fieldStr("text", p.Text)
		if p.Type == PartThinking {
			w.fieldBool("thought", true)
		}
	case PartToolCall:
		w.objOpen()
		w.key("functionCall")
		w.objOpen()
		if p.ToolCallID != "" {
			w.fieldStr("id", p.ToolCallID)
		}
		w.fieldStr("name", p.ToolName)
		w.fieldRaw("args", gemArgsForWire(p.Arguments))
		w.objClose()
	case PartImage, PartAudio, PartFile:
		op, ok := gemMediaOut(p)
		if !ok {
			return
		}
		gemWriteOutPart(w, &op)
		return
	default:
		return
	}
	if sig != "" {
		w.fieldStr("thoughtSignature", sig)
	}
	w.objClose()
}
