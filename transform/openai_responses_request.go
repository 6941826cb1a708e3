package transform

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// DecodeRequest parses a Responses request body.
//
// instructions and the system/developer messages before the conversation
// become req.System. Consecutive assistant-side items (assistant messages,
// reasoning, function_call) form one assistant message, so a turn's
// reasoning, text and calls stay together; consecutive
// function_call_output items form one user message of tool results.
// Built-in tool items (web search, computer use, MCP, custom tools,
// item_reference…) have no canonical form and are skipped rather than
// rejected, so that a Responses client keeps working against a Responses
// upstream; text.format becomes ResponseFormat and the other text options
// stay in Extra["text"].
func (openAIResponsesCodec) DecodeRequest(body []byte) (*Request, error) {
	if !gjson.ValidBytes(body) {
		return nil, oaiBadJSON()
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, oaiBadRequest("", "request body must be a JSON object")
	}
	req := &Request{SourceFormat: OpenAIResponses}
	var (
		input, instructions gjson.Result
		err                 error
	)
	root.ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.Null {
			return true
		}
		switch k.Str {
		case "model":
			req.Model, err = ccString(v, "model")
		case "input":
			input = v
		case "instructions":
			instructions = v
		case "tools":
			err = rsDecodeTools(req, v)
		case "tool_choice":
			err = rsDecodeToolChoice(req, v)
		case "parallel_tool_calls":
			req.ParallelToolCalls, err = ccBool(v, "parallel_tool_calls")
		case "max_output_tokens":
			req.MaxTokens, err = ccInt(v, "max_output_tokens")
		case "temperature":
			req.Temperature, err = ccFloat(v, "temperature")
		case "top_p":
			req.TopP, err = ccFloat(v, "top_p")
		case "user":
			req.User, err = ccString(v, "user")
		case "stream":
			var b *bool
			b, err = ccBool(v, "stream")
			req.Stream = b != nil && *b
		case "reasoning":
			req.Reasoning, err = rsDecodeReasoning(v)
		case "text":
			err = rsDecodeText(req, v)
		default:
			rsSetExtra(req, k.Str, v.Raw)
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if req.Model == "" {
		return nil, oaiBadRequest("model", "required")
	}
	d := rsItemDecoder{req: req}
	switch {
	case instructions.Type == gjson.String:
		if instructions.Str != "" {
			req.System = append(req.System, Part{Type: PartText, Text: instructions.Str})
		}
	case instructions.IsArray():
		// Newer API: instructions as a list of input items.
		if err := d.items(instructions, "instructions"); err != nil {
			return nil, err
		}
	case instructions.Exists() && instructions.Type != gjson.Null:
		return nil, oaiBadRequest("instructions", "must be a string")
	}
	switch {
	case input.Type == gjson.String:
		req.Messages = append(req.Messages, Message{Role: RoleUser, Parts: []Part{{Type: PartText, Text: input.Str}}})
	case input.IsArray():
		if err := d.items(input, "input"); err != nil {
			return nil, err
		}
	case !input.Exists() || input.Type == gjson.Null:
		// previous_response_id or prompt may stand in for input.
		if req.Extra["previous_response_id"] == nil && req.Extra["prompt"] == nil && req.Extra["conversation"] == nil {
			return nil, oaiBadRequest("input", "required")
		}
	default:
		return nil, oaiBadRequest("input", "must be a string or an array of items")
	}
	return req, nil
}

func rsSetExtra(req *Request, k, raw string) {
	if req.Extra == nil {
		req.Extra = make(map[string]json.RawMessage)
	}
	req.Extra[k] = json.RawMessage(raw)
}

// rsDecodeTools reads function tools; built-in tools are kept raw in
// Extra["tools"] for a Responses upstream.
func rsDecodeTools(req *Request, v gjson.Result) error {
	if !v.IsArray() {
		return oaiBadRequest("tools", "must be an array")
	}
	var err error
	var other []byte
	i := 0
	v.ForEach(func(_, t gjson.Result) bool {
		param := "tools[" + strconv.Itoa(i) + "]"
		i++
		if t.Get("type").String() != "function" {
			if other == nil {
				other = append(other, '[')
			} else {
				other = append(other, ',')
			}
			other = append(other, t.Raw...)
			return true
		}
		tool := Tool{Name: t.Get("name").String(), Description: t.Get("description").String()}
		if tool.Name == "" {
			err = oaiBadRequest(param+".name", "required")
			return false
		}
		if p := t.Get("parameters"); p.IsObject() {
			tool.Parameters = json.RawMessage(p.Raw)
		}
		if s := t.Get("strict"); s.Type == gjson.True || s.Type == gjson.False {
			b := s.Type == gjson.True
			tool.Strict = &b
		}
		req.Tools = append(req.Tools, tool)
		return true
	})
	if other != nil {
		rsSetExtra(req, "tools", string(append(other, ']')))
	}
	return err
}

func rsDecodeToolChoice(req *Request, v gjson.Result) error {
	if v.Type == gjson.String {
		switch v.Str {
		case "auto", "none", "required":
			req.ToolChoice = &ToolChoice{Mode: ToolChoiceMode(v.Str)}
			return nil
		}
		return oaiBadRequest("tool_choice", `must be "none", "auto", "required" or an object, got %q`, v.Str)
	}
	if !v.IsObject() {
		return oaiBadRequest("tool_choice", "must be a string or an object")
	}
	if v.Get("type").String() == "function" {
		name := v.Get("name").String()
		if name == "" {
			return oaiBadRequest("tool_choice.name", "required")
		}
		req.ToolChoice = &ToolChoice{Mode: ToolChoiceTool, Name: name}
		return nil
	}
	// allowed_tools, built-in tool choices: only a Responses upstream
	// understands them.
	rsSetExtra(req, "tool_choice", v.Raw)
	return nil
}

func rsDecodeReasoning(v gjson.Result) (*Reasoning, error) {
	if !v.IsObject() {
		return nil, oaiBadRequest("reasoning", "must be an object")
	}
	r := &Reasoning{Effort: v.Get("effort").String(), Summary: v.Get("summary").String()}
	if r.Summary == "" {
		r.Summary = v.Get("generate_summary").String() // deprecated spelling
	}
	r.Disabled = r.Effort == "none"
	r.IncludeThoughts = r.Summary != "" && r.Summary != "none"
	return r, nil
}

// rsDecodeText reads text.format; the other text options (verbosity) are
// kept in Extra["text"].
func rsDecodeText(req *Request, v gjson.Result) error {
	if !v.IsObject() {
		return oaiBadRequest("text", "must be an object")
	}
	other := false
	var err error
	v.ForEach(func(k, f gjson.Result) bool {
		if k.Str != "format" {
			other = true
			return true
		}
		if f.Type == gjson.Null {
			return true
		}
		rf := &ResponseFormat{Type: f.Get("type").String()}
		switch rf.Type {
		case "text", "json_object":
		case "json_schema":
			rf.Name = f.Get("name").String()
			rf.Description = f.Get("description").String()
			if s := f.Get("schema"); s.IsObject() {
				rf.Schema = json.RawMessage(s.Raw)
			}
			if s := f.Get("strict"); s.Type == gjson.True || s.Type == gjson.False {
				b := s.Type == gjson.True
				rf.Strict = &b
			}
		default:
			err = oaiBadRequest("text.format.type", `must be "text", "json_object" or "json_schema", got %q`, rf.Type)
			return false
		}
		req.ResponseFormat = rf
		return true
	})
	if other {
		rsSetExtra(req, "text", v.Raw)
	}
	return err
}

// rsItemDecoder turns input items into canonical messages.
type rsItemDecoder struct {
	req     *Request
	started bool
	// group is what the last canonical message was built from: items of
	// the assistant side, tool outputs, or anything else.
	group byte
	names map[string]string
}

const (
	rsGroupNone      = 0
	rsGroupAssistant = 1
	rsGroupTool      = 2
)

func (d *rsItemDecoder) items(v gjson.Result, field string) error {
	var err error
	i := 0
	v.ForEach(func(_, it gjson.Result) bool {
		err = d.item(it, field+"["+strconv.Itoa(i)+"]")
		i++
		return err == nil
	})
	return err
}

// rsItem holds the fields of one input item, read in a single pass.
type rsItem struct {
	typ, role, content, id, callID, name, arguments, output gjson.Result
	summary, encrypted                                      gjson.Result
}

func (d *rsItemDecoder) item(it gjson.Result, path string) error {
	if !it.IsObject() {
		return oaiBadRequest(path, "must be an object")
	}
	var f rsItem
	it.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			f.typ = v
		case "role":
			f.role = v
		case "content":
			f.content = v
		case "id":
			f.id = v
		case "call_id":
			f.callID = v
		case "name":
			f.name = v
		case "arguments":
			f.arguments = v
		case "output":
			f.output = v
		case "summary":
			f.summary = v
		case "encrypted_content":
			f.encrypted = v
		}
		return true
	})
	typ := f.typ.String()
	if typ == "" && f.role.Exists() {
		typ = "message"
	}
	switch typ {
	case "message":
		return d.message(&f, path)
	case "reasoning":
		d.started = true
		p := Part{Type: PartThinking, ItemID: f.id.String(), Text: rsReasoningText(f.summary, f.content)}
		if enc := f.encrypted.String(); enc != "" {
			p.Signature, p.SignatureFamily = ImportSignature(enc, OpenAIResponses)
		}
		if p.Text == "" && p.Signature == "" {
			return nil
		}
		d.assistantPart(p)
	case "function_call":
		d.started = true
		callID := f.callID.String()
		if callID == "" {
			return oaiBadRequest(path+".call_id", "required")
		}
		name := f.name.String()
		if name == "" {
			return oaiBadRequest(path+".name", "required")
		}
		if d.names == nil {
			d.names = make(map[string]string)
		}
		d.names[callID] = name
		d.assistantPart(Part{Type: PartToolCall, ToolCallID: callID, ToolName: name,
			Arguments: oaiArgsResult(f.arguments), ItemID: f.id.String()})
	case "function_call_output":
		d.started = true
		callID := f.callID.String()
		if callID == "" {
			return oaiBadRequest(path+".call_id", "required")
		}
		res := Part{Type: PartToolResult, ToolCallID: callID, ToolName: d.names[callID]}
		switch {
		case f.output.Type == gjson.String:
			res.Content = []Part{{Type: PartText, Text: f.output.Str}}
		case f.output.IsArray():
			parts, err := rsInputParts(f.output, path+".output")
			if err != nil {
				return err
			}
			res.Content = parts
		case f.output.Exists() && f.output.Type != gjson.Null:
			return oaiBadRequest(path+".output", "must be a string or an array of parts")
		}
		if d.group == rsGroupTool {
			last := &d.req.Messages[len(d.req.Messages)-1]
			last.Parts = append(last.Parts, res)
			return nil
		}
		d.req.Messages = append(d.req.Messages, Message{Role: RoleUser, Parts: []Part{res}})
		d.group = rsGroupTool
	}
	// Other item types are skipped: see DecodeRequest.
	return nil
}

func (d *rsItemDecoder) message(f *rsItem, path string) error {
	switch role := f.role.String(); role {
	case "system", "developer":
		parts, err := rsTextParts(f.content, path+".content")
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
		d.req.Messages = append(d.req.Messages, Message{Role: RoleSystem, Parts: parts})
		d.group = rsGroupNone
	case "user":
		d.started = true
		var parts []Part
		if f.content.Type == gjson.String {
			parts = []Part{{Type: PartText, Text: f.content.Str}}
		} else {
			var err error
			if parts, err = rsInputParts(f.content, path+".content"); err != nil {
				return err
			}
		}
		d.req.Messages = append(d.req.Messages, Message{Role: RoleUser, Parts: parts})
		d.group = rsGroupNone
	case "assistant":
		d.started = true
		parts, err := rsTextParts(f.content, path+".content")
		if err != nil {
			return err
		}
		id := f.id.String()
		for i := range parts {
			parts[i].ItemID = id
			d.assistantPart(parts[i])
		}
	case "":
		return oaiBadRequest(path+".role", "required")
	default:
		return oaiBadRequest(path+".role", "unknown role %q (want user, assistant, system or developer)", role)
	}
	return nil
}

// assistantPart adds p to the current assistant message, opening one when
// the previous item was not on the assistant side.
func (d *rsItemDecoder) assistantPart(p Part) {
	if d.group == rsGroupAssistant {
		last := &d.req.Messages[len(d.req.Messages)-1]
		last.Parts = append(last.Parts, p)
		return
	}
	d.req.Messages = append(d.req.Messages, Message{Role: RoleAssistant, Parts: []Part{p}})
	d.group = rsGroupAssistant
}

// rsReasoningText is the text of a reasoning item: its raw reasoning_text
// content when present, else its summaries, one paragraph each.
func rsReasoningText(summary, content gjson.Result) string {
	var b strings.Builder
	content.ForEach(func(_, c gjson.Result) bool {
		if c.Get("type").String() == "reasoning_text" {
			b.WriteString(c.Get("text").String())
		}
		return true
	})
	if b.Len() > 0 {
		return b.String()
	}
	summary.ForEach(func(_, s gjson.Result) bool {
		t := s.Get("text").String()
		if t == "" {
			return true
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t)
		return true
	})
	return b.String()
}

// rsTextParts reads message content that may only hold text: system,
// developer and assistant messages.
func rsTextParts(v gjson.Result, path string) ([]Part, error) {
	switch {
	case v.Type == gjson.String:
		if v.Str == "" {
			return nil, nil
		}
		return []Part{{Type: PartText, Text: v.Str}}, nil
	case !v.Exists() || v.Type == gjson.Null:
		return nil, nil
	case !v.IsArray():
		return nil, oaiBadRequest(path, "must be a string or an array of parts")
	}
	var parts []Part
	var err error
	j := 0
	v.ForEach(func(_, p gjson.Result) bool {
		switch t := p.Get("type").String(); t {
		case "input_text", "output_text", "text":
			if s := p.Get("text").String(); s != "" {
				parts = append(parts, Part{Type: PartText, Text: s})
			}
		case "refusal":
			if s := p.Get("refusal").String(); s != "" {
				parts = append(parts, Part{Type: PartText, Text: s})
			}
		default:
			err = oaiBadRequest(path+"["+strconv.Itoa(j)+"]", "unknown part type %q here (want input_text, output_text or refusal)", t)
		}
		j++
		return err == nil
	})
	return parts, err
}

// rsInputParts reads user content and tool output parts.
func rsInputParts(v gjson.Result, path string) ([]Part, error) {
	if !v.IsArray() {
		if !v.Exists() || v.Type == gjson.Null {
			return nil, oaiBadRequest(path, "required")
		}
		return nil, oaiBadRequest(path, "must be a string or an array of parts")
	}
	parts := make([]Part, 0, 2)
	var err error
	j := 0
	v.ForEach(func(_, p gjson.Result) bool {
		pp := path + "[" + strconv.Itoa(j) + "]"
		j++
		var part Part
		switch t := p.Get("type").String(); t {
		case "input_text", "output_text", "text":
			part = Part{Type: PartText, Text: p.Get("text").String()}
		case "input_image":
			part = Part{Type: PartImage, Detail: p.Get("detail").String(), FileID: p.Get("file_id").String()}
			if u := p.Get("image_url").String(); u != "" {
				oaiMediaPart(&part, u)
			} else if part.FileID == "" {
				err = oaiBadRequest(pp+".image_url", "image_url or file_id required")
				return false
			}
		case "input_file":
			part = Part{Type: PartFile, FileID: p.Get("file_id").String(), FileName: p.Get("filename").String(),
				URL: p.Get("file_url").String()}
			if fd := p.Get("file_data").String(); fd != "" {
				if mt, data, ok := ParseDataURL(fd); ok {
					part.MediaType, part.Data = mt, data
				} else {
					part.MediaType, part.Data = oaiFileMediaType(part.FileName), fd
				}
			}
			if part.FileID == "" && part.Data == "" && part.URL == "" {
				err = oaiBadRequest(pp, "file_id, file_data or file_url required")
				return false
			}
		case "input_audio":
			a := p.Get("input_audio")
			part = Part{Type: PartAudio, Data: a.Get("data").String(), MediaType: oaiAudioMediaType(a.Get("format").String())}
			if part.Data == "" {
				err = oaiBadRequest(pp+".input_audio.data", "required")
				return false
			}
		default:
			err = oaiBadRequest(pp, "unknown part type %q (want input_text, input_image or input_file)", t)
			return false
		}
		parts = append(parts, part)
		return true
	})
	return parts, err
}
