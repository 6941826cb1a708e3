package transform

import (
	"encoding/json"
	"strconv"

	"github.com/tidwall/gjson"
)

// DecodeRequest parses a Chat Completions request body.
//
// System and developer messages before the first user, assistant or tool
// message become req.System; later ones stay RoleSystem messages. Tool
// messages become PartToolResult parts, consecutive ones grouped in one
// user message. A client that used max_tokens rather than
// max_completion_tokens has max_tokens kept in Extra as a marker, so that a
// Chat Completions upstream gets the field the client chose (the value
// always comes from MaxTokens).
func (openAIChatCodec) DecodeRequest(body []byte) (*Request, error) {
	if !gjson.ValidBytes(body) {
		return nil, oaiBadJSON()
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, oaiBadRequest("", "request body must be a JSON object")
	}
	req := &Request{SourceFormat: OpenAIChat}
	var (
		messages  gjson.Result
		maxTokens gjson.Result
		err       error
	)
	root.ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.Null {
			return true
		}
		switch k.Str {
		case "model":
			req.Model, err = ccString(v, "model")
		case "messages":
			messages = v
		case "tools":
			err = ccDecodeTools(req, v)
		case "tool_choice":
			err = ccDecodeToolChoice(req, v)
		case "parallel_tool_calls":
			req.ParallelToolCalls, err = ccBool(v, "parallel_tool_calls")
		case "max_completion_tokens":
			req.MaxTokens, err = ccInt(v, "max_completion_tokens")
		case "max_tokens":
			maxTokens = v
		case "temperature":
			req.Temperature, err = ccFloat(v, "temperature")
		case "top_p":
			req.TopP, err = ccFloat(v, "top_p")
		case "presence_penalty":
			req.PresencePenalty, err = ccFloat(v, "presence_penalty")
		case "frequency_penalty":
			req.FrequencyPenalty, err = ccFloat(v, "frequency_penalty")
		case "seed":
			if v.Type != gjson.Number {
				err = oaiBadRequest("seed", "must be an integer")
			} else {
				s := v.Int()
				req.Seed = &s
			}
		case "n":
			req.N, err = ccInt(v, "n")
		case "user":
			req.User, err = ccString(v, "user")
		case "stop":
			req.Stop, err = ccDecodeStop(v)
		case "stream":
			var b *bool
			b, err = ccBool(v, "stream")
			req.Stream = b != nil && *b
		case "stream_options":
			req.IncludeUsage = v.Get("include_usage").Bool()
		case "reasoning_effort":
			var e string
			e, err = ccString(v, "reasoning_effort")
			if e != "" {
				req.Reasoning = &Reasoning{Effort: e, Disabled: e == "none"}
			}
		case "response_format":
			req.ResponseFormat, err = ccDecodeResponseFormat(v)
		default:
			if req.Extra == nil {
				req.Extra = make(map[string]json.RawMessage)
			}
			req.Extra[k.Str] = json.RawMessage(v.Raw)
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if maxTokens.Exists() {
		n, err := ccInt(maxTokens, "max_tokens")
		if err != nil {
			return nil, err
		}
		if req.MaxTokens == nil {
			req.MaxTokens = n
			if req.Extra == nil {
				req.Extra = make(map[string]json.RawMessage)
			}
			req.Extra["max_tokens"] = json.RawMessage(maxTokens.Raw)
		}
	}
	if req.Model == "" {
		return nil, oaiBadRequest("model", "required")
	}
	if !messages.Exists() {
		return nil, oaiBadRequest("messages", "required")
	}
	if !messages.IsArray() {
		return nil, oaiBadRequest("messages", "must be an array")
	}
	d := ccMessageDecoder{req: req}
	if err := d.decode(messages); err != nil {
		return nil, err
	}
	if len(req.Messages) == 0 && len(req.System) == 0 {
		return nil, oaiBadRequest("messages", "must contain at least one message")
	}
	return req, nil
}

func ccString(v gjson.Result, param string) (string, error) {
	if v.Type != gjson.String {
		return "", oaiBadRequest(param, "must be a string")
	}
	return v.Str, nil
}

func ccBool(v gjson.Result, param string) (*bool, error) {
	if v.Type != gjson.True && v.Type != gjson.False {
		return nil, oaiBadRequest(param, "must be a boolean")
	}
	b := v.Type == gjson.True
	return &b, nil
}

func ccInt(v gjson.Result, param string) (*int, error) {
	if v.Type != gjson.Number {
		return nil, oaiBadRequest(param, "must be an integer")
	}
	n := int(v.Int())
	return &n, nil
}

func ccFloat(v gjson.Result, param string) (*float64, error) {
	if v.Type != gjson.Number {
		return nil, oaiBadRequest(param, "must be a number")
	}
	f := v.Num
	return &f, nil
}

func ccDecodeStop(v gjson.Result) ([]string, error) {
	switch {
	case v.Type == gjson.String:
		return []string{v.Str}, nil
	case v.IsArray():
		var out []string
		var err error
		v.ForEach(func(_, s gjson.Result) bool {
			if s.Type != gjson.String {
				err = oaiBadRequest("stop", "must be a string or an array of strings")
				return false
			}
			out = append(out, s.Str)
			return true
		})
		return out, err
	}
	return nil, oaiBadRequest("stop", "must be a string or an array of strings")
}

// ccDecodeTools reads function tools. Tools of other types (custom tools)
// have no canonical form: they are kept raw in Extra["tools"] so that a
// Chat Completions upstream still gets them.
func ccDecodeTools(req *Request, v gjson.Result) error {
	if !v.IsArray() {
		return oaiBadRequest("tools", "must be an array")
	}
	var err error
	var other []byte
	i := 0
	v.ForEach(func(_, t gjson.Result) bool {
		param := "tools[" + strconv.Itoa(i) + "]"
		i++
		typ := t.Get("type").String()
		if typ != "function" && typ != "" {
			if other == nil {
				other = append(other, '[')
			} else {
				other = append(other, ',')
			}
			other = append(other, t.Raw...)
			return true
		}
		fn := t.Get("function")
		if !fn.IsObject() {
			err = oaiBadRequest(param+".function", "required")
			return false
		}
		tool := Tool{Name: fn.Get("name").String(), Description: fn.Get("description").String()}
		if tool.Name == "" {
			err = oaiBadRequest(param+".function.name", "required")
			return false
		}
		if p := fn.Get("parameters"); p.Exists() && p.Type != gjson.Null {
			if !p.IsObject() {
				err = oaiBadRequest(param+".function.parameters", "must be a JSON Schema object")
				return false
			}
			tool.Parameters = json.RawMessage(p.Raw)
		}
		if s := fn.Get("strict"); s.Type == gjson.True || s.Type == gjson.False {
			b := s.Type == gjson.True
			tool.Strict = &b
		}
		req.Tools = append(req.Tools, tool)
		return true
	})
	if other != nil {
		other = append(other, ']')
		if req.Extra == nil {
			req.Extra = make(map[string]json.RawMessage)
		}
		req.Extra["tools"] = other
	}
	return err
}

// ccDecodeToolChoice reads tool_choice. Forms without a canonical meaning
// (allowed_tools, custom) are kept raw in Extra.
func ccDecodeToolChoice(req *Request, v gjson.Result) error {
	if v.Type == gjson.String {
		switch v.Str {
		case "auto", "none", "required":
			req.ToolChoice = &ToolChoice{Mode: ToolChoiceMode(v.Str)}
			return nil
		}
		return oaiBadRequest("tool_choice", `must be "none", "auto", "required" or a function object, got %q`, v.Str)
	}
	if !v.IsObject() {
		return oaiBadRequest("tool_choice", "must be a string or an object")
	}
	if v.Get("type").String() == "function" {
		name := v.Get("function.name").String()
		if name == "" {
			return oaiBadRequest("tool_choice.function.name", "required")
		}
		req.ToolChoice = &ToolChoice{Mode: ToolChoiceTool, Name: name}
		return nil
	}
	if req.Extra == nil {
		req.Extra = make(map[string]json.RawMessage)
	}
	req.Extra["tool_choice"] = json.RawMessage(v.Raw)
	return nil
}

func ccDecodeResponseFormat(v gjson.Result) (*ResponseFormat, error) {
	if !v.IsObject() {
		return nil, oaiBadRequest("response_format", "must be an object")
	}
	rf := &ResponseFormat{Type: v.Get("type").String()}
	switch rf.Type {
	case "text", "json_object":
	case "json_schema":
		js := v.Get("json_schema")
		if !js.IsObject() {
			return nil, oaiBadRequest("response_format.json_schema", "required")
		}
		rf.Name = js.Get("name").String()
		rf.Description = js.Get("description").String()
		if s := js.Get("schema"); s.IsObject() {
			rf.Schema = json.RawMessage(s.Raw)
		}
		if s := js.Get("strict"); s.Type == gjson.True || s.Type == gjson.False {
			b := s.Type == gjson.True
			rf.Strict = &b
		}
	default:
		return nil, oaiBadRequest("response_format.type", `must be "text", "json_object" or "json_schema", got %q`, rf.Type)
	}
	return rf, nil
}

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
		err = d.message(i, m)
		i++
		return err == nil
	})
	return err
}

func (d *ccMessageDecoder) message(i int, m gjson.Result) error {
	path := "messages[" + strconv.Itoa(i) + "]"
	if !m.IsObject() {
		return oaiBadRequest(path, "must be an object")
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
		return oaiBadRequest(path+".role", "required")
	}
	switch f.role.Str {
	case "system", "developer":
		parts, err := ccTextOnly(f.content, path+".content")
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
		parts, err := ccUserParts(f.content, path+".content")
		if err != nil {
			return err
		}
		d.push(Message{Role: RoleUser, Parts: parts}, false)
	case "assistant":
		d.started = true
		return d.assistant(path, &f)
	case "tool":
		d.started = true
		if f.toolCallID.Type != gjson.String || f.toolCallID.Str == "" {
			return oaiBadRequest(path+".tool_call_id", "required")
		}
		return d.toolResult(path, f.toolCallID.Str, d.names[f.toolCallID.Str], f.content)
	case "function": // legacy function-calling result
		d.started = true
		name := f.name.String()
		id := d.legacy[name]
		if id == "" {
			id = "call_" + name
		}
		return d.toolResult(path, id, name, f.content)
	default:
		return oaiBadRequest(path+".role", `unknown role %q (want system, developer, user, assistant or tool)`, f.role.String())
	}
	return nil
}

// push appends msg; tool marks a user message made of tool results.
func (d *ccMessageDecoder) push(msg Message, tool bool) {
	d.req.Messages = append(d.req.Messages, msg)
	d.lastTool = tool
}

func (d *ccMessageDecoder) toolResult(path, id, name string, content gjson.Result) error {
	res := Part{Type: PartToolResult, ToolCallID: id, ToolName: name}
	if content.Type == gjson.String {
		res.Content = []Part{{Type: PartText, Text: content.Str}}
	} else if content.Exists() && content.Type != gjson.Null {
		parts, err := ccUserParts(content, path+".content")
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

func (d *ccMessageDecoder) assistant(path string, f *ccMsg) error {
	var parts []Part
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
			pp := path + ".content[" + strconv.Itoa(j) + "]"
			j++
			switch t := p.Get("type").String(); t {
			case "text":
				parts = append(parts, Part{Type: PartText, Text: p.Get("text").String()})
			case "refusal":
				parts = append(parts, Part{Type: PartText, Text: p.Get("refusal").String()})
			default:
				err = oaiBadRequest(pp, "unknown part type %q in an assistant message (want text or refusal)", t)
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	case f.content.Exists() && f.content.Type != gjson.Null:
		return oaiBadRequest(path+".content", "must be a string, an array or null")
	}
	if f.refusal.Type == gjson.String && f.refusal.Str != "" {
		parts = append(parts, Part{Type: PartText, Text: f.refusal.Str})
	}
	if f.toolCalls.Exists() && f.toolCalls.Type != gjson.Null {
		if !f.toolCalls.IsArray() {
			return oaiBadRequest(path+".tool_calls", "must be an array")
		}
		var err error
		j := 0
		f.toolCalls.ForEach(func(_, tc gjson.Result) bool {
			var p Part
			p, err = ccDecodeToolCall(tc, path+".tool_calls["+strconv.Itoa(j)+"]", j)
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
func ccDecodeToolCall(tc gjson.Result, path string, j int) (Part, error) {
	fn := tc.Get("function")
	if !fn.IsObject() {
		return Part{}, oaiBadRequest(path+".function", "required")
	}
	p := Part{Type: PartToolCall, ToolCallID: tc.Get("id").String(), ToolName: fn.Get("name").String()}
	if p.ToolName == "" {
		return Part{}, oaiBadRequest(path+".function.name", "required")
	}
	if p.ToolCallID == "" {
		p.ToolCallID = "call_" + strconv.Itoa(j) + "_" + p.ToolName
	}
	p.Arguments = oaiArgsResult(fn.Get("arguments"))
	if sig := tc.Get("extra_content.google.thought_signature"); sig.Type == gjson.String && sig.Str != "" {
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
func ccTextOnly(v gjson.Result, path string) ([]Part, error) {
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
			if t := p.Get("type").String(); t != "text" {
				err = oaiBadRequest(path+"["+strconv.Itoa(j)+"]", "system and developer messages take text parts only, got %q", t)
				return false
			}
			j++
			if s := p.Get("text").String(); s != "" {
				parts = append(parts, Part{Type: PartText, Text: s})
			}
			return true
		})
		return parts, err
	case !v.Exists() || v.Type == gjson.Null:
		return nil, nil
	}
	return nil, oaiBadRequest(path, "must be a string or an array of text parts")
}

// ccUserParts reads the content of a user or tool message.
func ccUserParts(v gjson.Result, path string) ([]Part, error) {
	switch {
	case v.Type == gjson.String:
		return []Part{{Type: PartText, Text: v.Str}}, nil
	case v.IsArray():
	case !v.Exists():
		return nil, oaiBadRequest(path, "required")
	case v.Type == gjson.Null:
		return nil, nil
	default:
		return nil, oaiBadRequest(path, "must be a string or an array of parts")
	}
	parts := make([]Part, 0, 2)
	var err error
	j := 0
	v.ForEach(func(_, p gjson.Result) bool {
		var part Part
		part, err = ccUserPart(p, path+"["+strconv.Itoa(j)+"]")
		j++
		if err != nil {
			return false
		}
		parts = append(parts, part)
		return true
	})
	return parts, err
}

func ccUserPart(p gjson.Result, path string) (Part, error) {
	if !p.IsObject() {
		return Part{}, oaiBadRequest(path, "must be an object")
	}
	switch t := p.Get("type").String(); t {
	case "text":
		txt := p.Get("text")
		if txt.Type != gjson.String {
			return Part{}, oaiBadRequest(path+".text", "required")
		}
		return Part{Type: PartText, Text: txt.Str}, nil
	case "image_url":
		iu := p.Get("image_url")
		part := Part{Type: PartImage}
		url := iu.Str
		if iu.IsObject() {
			url = iu.Get("url").String()
			part.Detail = iu.Get("detail").String()
		}
		if url == "" {
			return Part{}, oaiBadRequest(path+".image_url.url", "required")
		}
		oaiMediaPart(&part, url)
		return part, nil
	case "input_audio":
		a := p.Get("input_audio")
		data := a.Get("data").String()
		if data == "" {
			return Part{}, oaiBadRequest(path+".input_audio.data", "required")
		}
		return Part{Type: PartAudio, Data: data, MediaType: oaiAudioMediaType(a.Get("format").String())}, nil
	case "file":
		f := p.Get("file")
		part := Part{Type: PartFile, FileID: f.Get("file_id").String(), FileName: f.Get("filename").String()}
		if fd := f.Get("file_data").String(); fd != "" {
			if mt, data, ok := ParseDataURL(fd); ok {
				part.MediaType, part.Data = mt, data
			} else {
				part.MediaType, part.Data = oaiFileMediaType(part.FileName), fd
			}
		}
		if part.FileID == "" && part.Data == "" {
			return Part{}, oaiBadRequest(path+".file", "file_id or file_data required")
		}
		return part, nil
	default:
		return Part{}, oaiBadRequest(path, "unknown part type %q (want text, image_url, input_audio or file)", t)
	}
}
