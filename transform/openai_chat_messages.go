package transform

import (
	"strconv"

	"github.com/tidwall/gjson"
)

// ccMessageDecoder turns the messages array into canonical messages.
type ccMessageDecoder struct {
	req *Request
	// started is set by the first non-system message: system messages
	// after it stay in the conversation.
	started bool
	// lastTool is set while the last canonical message is a user message
	// built from tool messages, so the next tool message joins it.
	lastTool bool
	// names maps tool call ids to function names, so that tool results
	// carry the name (Gemini needs it).
	names map[string]string
	// legacy holds the ids given to legacy function_call calls, by name,
	// so that role "function" results can answer them.
	legacy map[string]string
}

// ccMsg holds the fields of one message, read in a single pass.
type ccMsg struct {
	role, content, toolCalls, toolCallID, name    gjson.Result
	reasoningContent, reasoning, reasoningDetails gjson.Result
	functionCall, refusal                         gjson.Result
}

func (d *ccMessageDecoder) decode(messages gjson.Result) error {
	var err error
	i := 0
	messages.ForEach(func(_, m gjson.Result) bool {
		err = d.message(oaiLoc{list: "messages", i: i, j: -1}, m)
		i++
		return err == nil
	})
	return err
}

func (d *ccMessageDecoder) message(loc oaiLoc, m gjson.Result) error {
	if !m.IsObject() {
		return oaiBadRequest(loc.at(""), "must be an object")
	}
	var f ccMsg
	m.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "role":
			f.role = v
		case "content":
			f.content = v
		case "tool_calls":
			f.toolCalls = v
		case "tool_call_id":
			f.toolCallID = v
		case "name":
			f.name = v
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
	if !f.role.Exists() {
		return oaiBadRequest(loc.at(".role"), "required")
	}
	switch f.role.Str {
	case "system", "developer":
		parts, err := ccTextOnly(f.content, loc.in(".content"))
		if err != nil {
			return err
		}
		if len(parts) == 0 {
			return nil
		}
		if !d.started {
			d.req.System = append(d.req.System, parts...)
			return nil
		}
		d.push(Message{Role: RoleSystem, Parts: parts}, false)
	case "user":
		d.started = true
		parts, err := ccUserParts(f.content, loc.in(".content"))
		if err != nil {
			return err
		}
		d.push(Message{Role: RoleUser, Parts: parts}, false)
	case "assistant":
		d.started = true
		return d.assistant(loc, &f)
	case "tool":
		d.started = true
		if f.toolCallID.Type != gjson.String || f.toolCallID.Str == "" {
			return oaiBadRequest(loc.at(".tool_call_id"), "required")
		}
		return d.toolResult(loc, f.toolCallID.Str, d.names[f.toolCallID.Str], f.content)
	case "function": // legacy function-calling result
		d.started = true
		name := f.name.String()
		id := d.legacy[name]
		if id == "" {
			id = "call_" + name
		}
		return d.toolResult(loc, id, name, f.content)
	default:
		return oaiBadRequest(loc.at(".role"), `unknown role %q (want system, developer, user, assistant or tool)`, f.role.String())
	}
	return nil
}

// push appends msg; tool marks a user message made of tool results.
func (d *ccMessageDecoder) push(msg Message, tool bool) {
	if d.req.Messages == nil {
		d.req.Messages = make([]Message, 0, 8)
	}
	d.req.Messages = append(d.req.Messages, msg)
	d.lastTool = tool
}

func (d *ccMessageDecoder) toolResult(loc oaiLoc, id, name string, content gjson.Result) error {
	res := Part{Type: PartToolResult, ToolCallID: id, ToolName: name}
	if content.Type == gjson.String {
		res.Content = []Part{{Type: PartText, Text: content.Str}}
	} else if content.Exists() && content.Type != gjson.Null {
		parts, err := ccUserParts(content, loc.in(".content"))
		if err != nil {
			return err
		}
		res.Content = parts
	}
	if d.lastTool {
		last := &d.req.Messages[len(d.req.Messages)-1]
		last.Parts = append(last.Parts, res)
		return nil
	}
	d.push(Message{Role: RoleUser, Parts: []Part{res}}, true)
	return nil
}

func (d *ccMessageDecoder) assistant(loc oaiLoc, f *ccMsg) error {
	parts := make([]Part, 0, 2)
	parts = ccAppendReasoning(parts, f.reasoningContent, f.reasoning, f.reasoningDetails, func(sig string) (string, string) {
		return ImportSignature(sig, OpenAIChat)
	})
	switch {
	case f.content.Type == gjson.String:
		if f.content.Str != "" {
			parts = append(parts, Part{Type: PartText, Text: f.content.Str})
		}
	case f.content.IsArray():
		var err error
		j := 0
		f.content.ForEach(func(_, p gjson.Result) bool {
			var typ, text, refusal gjson.Result
			p.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "type":
					typ = v
				case "text":
					text = v
				case "refusal":
					refusal = v
				}
				return true
			})
			switch typ.Str {
			case "text":
				parts = append(parts, Part{Type: PartText, Text: text.String()})
			case "refusal":
				parts = append(parts, Part{Type: PartText, Text: refusal.String()})
			default:
				err = oaiBadRequest(loc.in(".content").elem(j).at(""), "unknown part type %q in an assistant message (want text or refusal)", typ.String())
			}
			j++
			return err == nil
		})
		if err != nil {
			return err
		}
	case f.content.Exists() && f.content.Type != gjson.Null:
		return oaiBadRequest(loc.at(".content"), "must be a string, an array or null")
	}
	if f.refusal.Type == gjson.String && f.refusal.Str != "" {
		parts = append(parts, Part{Type: PartText, Text: f.refusal.Str})
	}
	if f.toolCalls.Exists() && f.toolCalls.Type != gjson.Null {
		if !f.toolCalls.IsArray() {
			return oaiBadRequest(loc.at(".tool_calls"), "must be an array")
		}
		var err error
		j := 0
		f.toolCalls.ForEach(func(_, tc gjson.Result) bool {
			var p Part
			p, err = ccDecodeToolCall(tc, loc.in(".tool_calls").elem(j), j)
			j++
			if err != nil {
				return false
			}
			if d.names == nil {
				d.names = make(map[string]string)
			}
			d.names[p.ToolCallID] = p.ToolName
			parts = append(parts, p)
			return true
		})
		if err != nil {
			return err
		}
	}
	if f.functionCall.IsObject() {
		name := f.functionCall.Get("name").String()
		id := "call_" + name
		if d.legacy == nil {
			d.legacy = make(map[string]string)
		}
		d.legacy[name] = id
		parts = append(parts, Part{Type: PartToolCall, ToolCallID: id, ToolName: name,
			Arguments: oaiArgsResult(f.functionCall.Get("arguments"))})
	}
	if len(parts) == 0 {
		// An assistant turn with neither content nor calls carries
		// nothing, and other formats reject empty turns.
		return nil
	}
	d.push(Message{Role: RoleAssistant, Parts: parts}, false)
	return nil
}

// ccDecodeToolCall reads one tool_calls entry.
func ccDecodeToolCall(tc gjson.Result, loc oaiLoc, j int) (Part, error) {
	var id, fn, sig gjson.Result
	tc.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			id = v
		case "function":
			fn = v
		case "extra_content":
			sig = v.Get("google.thought_signature")
		}
		return true
	})
	if !fn.IsObject() {
		return Part{}, oaiBadRequest(loc.at(".function"), "required")
	}
	p := Part{Type: PartToolCall, ToolCallID: id.String()}
	var args gjson.Result
	fn.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "name":
			p.ToolName = v.String()
		case "arguments":
			args = v
		}
		return true
	})
	if p.ToolName == "" {
		return Part{}, oaiBadRequest(loc.at(".function.name"), "required")
	}
	if p.ToolCallID == "" {
		p.ToolCallID = "call_" + strconv.Itoa(j) + "_" + p.ToolName
	}
	p.Arguments = oaiArgsResult(args)
	if sig.Type == gjson.String && sig.Str != "" {
		p.Signature, p.SignatureFamily = ImportSignature(sig.Str, OpenAIChat)
	}
	return p, nil
}

// ccAppendReasoning appends the thinking parts of an assistant message or
// response message. Text comes from reasoning_content (DeepSeek, vLLM) or
// reasoning (OpenRouter, newer vLLM); OpenRouter's reasoning_details adds
// signatures and encrypted (redacted) blocks, and its text is used only
// when neither plain field is present, so nothing is counted twice. sig
// maps a wire signature to the canonical signature and family.
func ccAppendReasoning(parts []Part, content, reasoning, details gjson.Result, sig func(string) (string, string)) []Part {
	text := ""
	switch {
	case content.Type == gjson.String:
		text = content.Str
	case reasoning.Type == gjson.String:
		text = reasoning.Str
	}
	start := len(parts)
	if text != "" {
		parts = append(parts, Part{Type: PartThinking, Text: text})
	}
	if !details.IsArray() {
		return parts
	}
	details.ForEach(func(_, d gjson.Result) bool {
		switch d.Get("type").String() {
		case "reasoning.text", "reasoning.summary":
			t := d.Get("text").String()
			if t == "" {
				t = d.Get("summary").String()
			}
			s := d.Get("signature").String()
			if text != "" {
				// The text is already in the plain field; attach the
				// signature to the thinking part that has none yet.
				if s != "" {
					for i := start; i < len(parts); i++ {
						if parts[i].Type == PartThinking && parts[i].Signature == "" {
							parts[i].Signature, parts[i].SignatureFamily = sig(s)
							break
						}
					}
				}
				return true
			}
			if t == "" && s == "" {
				return true
			}
			p := Part{Type: PartThinking, Text: t}
			if s != "" {
				p.Signature, p.SignatureFamily = sig(s)
			}
			parts = append(parts, p)
		case "reasoning.encrypted":
			if data := d.Get("data").String(); data != "" {
				p := Part{Type: PartRedactedThinking}
				p.Signature, p.SignatureFamily = sig(data)
				parts = append(parts, p)
			}
		}
		return true
	})
	return parts
}

// ccTextOnly reads the content of a system or developer message.
func ccTextOnly(v gjson.Result, loc oaiLoc) ([]Part, error) {
	switch {
	case v.Type == gjson.String:
		if v.Str == "" {
			return nil, nil
		}
		return []Part{{Type: PartText, Text: v.Str}}, nil
	case v.IsArray():
		var parts []Part
		var err error
		j := 0
		v.ForEach(func(_, p gjson.Result) bool {
			var typ, text gjson.Result
			p.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "type":
					typ = v
				case "text":
					text = v
				}
				return true
			})
			if typ.Str != "text" {
				err = oaiBadRequest(loc.elem(j).at(""), "system and developer messages take text parts only, got %q", typ.String())
				return false
			}
			j++
			if text.Str != "" {
				parts = append(parts, Part{Type: PartText, Text: text.Str})
			}
			return true
		})
		return parts, err
	case !v.Exists() || v.Type == gjson.Null:
		return nil, nil
	}
	return nil, oaiBadRequest(loc.at(""), "must be a string or an array of text parts")
}

// ccUserParts reads the content of a user or tool message.
func ccUserParts(v gjson.Result, loc oaiLoc) ([]Part, error) {
	switch {
	case v.Type == gjson.String:
		return []Part{{Type: PartText, Text: v.Str}}, nil
	case v.IsArray():
	case !v.Exists():
		return nil, oaiBadRequest(loc.at(""), "required")
	case v.Type == gjson.Null:
		return nil, nil
	default:
		return nil, oaiBadRequest(loc.at(""), "must be a string or an array of parts")
	}
	parts := make([]Part, 0, 2)
	var err error
	j := 0
	v.ForEach(func(_, p gjson.Result) bool {
		var part Part
		part, err = ccUserPart(p, loc.elem(j))
		j++
		if err != nil {
			return false
		}
		parts = append(parts, part)
		return true
	})
	return parts, err
}

func ccUserPart(p gjson.Result, loc oaiLoc) (Part, error) {
	if !p.IsObject() {
		return Part{}, oaiBadRequest(loc.at(""), "must be an object")
	}
	var typ, text, image, audio, file gjson.Result
	p.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			typ = v
		case "text":
			text = v
		case "image_url":
			image = v
		case "input_audio":
			audio = v
		case "file":
			file = v
		}
		return true
	})
	switch typ.Str {
	case "text":
		if text.Type != gjson.String {
			return Part{}, oaiBadRequest(loc.at(".text"), "required")
		}
		return Part{Type: PartText, Text: text.Str}, nil
	case "image_url":
		part := Part{Type: PartImage}
		url := image.Str
		if image.IsObject() {
			image.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "url":
					url = v.String()
				case "detail":
					part.Detail = v.String()
				}
				return true
			})
		}
		if url == "" {
			return Part{}, oaiBadRequest(loc.at(".image_url.url"), "required")
		}
		oaiMediaPart(&part, url)
		return part, nil
	case "input_audio":
		data := audio.Get("data").String()
		if data == "" {
			return Part{}, oaiBadRequest(loc.at(".input_audio.data"), "required")
		}
		return Part{Type: PartAudio, Data: data, MediaType: oaiAudioMediaType(audio.Get("format").String())}, nil
	case "file":
		part := Part{Type: PartFile, FileID: file.Get("file_id").String(), FileName: file.Get("filename").String()}
		if fd := file.Get("file_data").String(); fd != "" {
			if mt, data, ok := ParseDataURL(fd); ok {
				part.MediaType, part.Data = mt, data
			} else {
				part.MediaType, part.Data = oaiFileMediaType(part.FileName), fd
			}
		}
		if part.FileID == "" && part.Data == "" {
			return Part{}, oaiBadRequest(loc.at(".file"), "file_id or file_data required")
		}
		return part, nil
	default:
		return Part{}, oaiBadRequest(loc.at(""), "unknown part type %q (want text, image_url, input_audio or file)", typ.String())
	}
}
