package transform

import (
	"strings"

	"github.com/tidwall/gjson"
)

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
		err = d.item(it, oaiLoc{list: field, i: i, j: -1})
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

func (d *rsItemDecoder) item(it gjson.Result, loc oaiLoc) error {
	if !it.IsObject() {
		return oaiBadRequest(loc.at(""), "must be an object")
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
		return d.message(&f, loc)
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
			return oaiBadRequest(loc.at(".call_id"), "required")
		}
		name := f.name.String()
		if name == "" {
			return oaiBadRequest(loc.at(".name"), "required")
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
			return oaiBadRequest(loc.at(".call_id"), "required")
		}
		res := Part{Type: PartToolResult, ToolCallID: callID, ToolName: d.names[callID]}
		switch {
		case f.output.Type == gjson.String:
			res.Content = []Part{{Type: PartText, Text: f.output.Str}}
		case f.output.IsArray():
			parts, err := rsInputParts(f.output, loc.in(".output"))
			if err != nil {
				return err
			}
			res.Content = parts
		case f.output.Exists() && f.output.Type != gjson.Null:
			return oaiBadRequest(loc.at(".output"), "must be a string or an array of parts")
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

func (d *rsItemDecoder) message(f *rsItem, loc oaiLoc) error {
	switch role := f.role.String(); role {
	case "system", "developer":
		parts, err := rsTextParts(f.content, loc.in(".content"))
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
			if parts, err = rsInputParts(f.content, loc.in(".content")); err != nil {
				return err
			}
		}
		d.req.Messages = append(d.req.Messages, Message{Role: RoleUser, Parts: parts})
		d.group = rsGroupNone
	case "assistant":
		d.started = true
		parts, err := rsTextParts(f.content, loc.in(".content"))
		if err != nil {
			return err
		}
		id := f.id.String()
		for i := range parts {
			parts[i].ItemID = id
			d.assistantPart(parts[i])
		}
	case "":
		return oaiBadRequest(loc.at(".role"), "required")
	default:
		return oaiBadRequest(loc.at(".role"), "unknown role %q (want user, assistant, system or developer)", role)
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

// rsPartFields holds the fields of one content part, read in one pass.
type rsPartFields struct {
	typ, text, refusal, imageURL, fileID, detail, fileData, fileURL, fileName, audio gjson.Result
}

func rsReadPart(p gjson.Result) rsPartFields {
	var f rsPartFields
	p.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			f.typ = v
		case "text":
			f.text = v
		case "refusal":
			f.refusal = v
		case "image_url":
			f.imageURL = v
		case "file_id":
			f.fileID = v
		case "detail":
			f.detail = v
		case "file_data":
			f.fileData = v
		case "file_url":
			f.fileURL = v
		case "filename":
			f.fileName = v
		case "input_audio":
			f.audio = v
		}
		return true
	})
	return f
}

// rsTextParts reads message content that may only hold text: system,
// developer and assistant messages.
func rsTextParts(v gjson.Result, loc oaiLoc) ([]Part, error) {
	switch {
	case v.Type == gjson.String:
		if v.Str == "" {
			return nil, nil
		}
		return []Part{{Type: PartText, Text: v.Str}}, nil
	case !v.Exists() || v.Type == gjson.Null:
		return nil, nil
	case !v.IsArray():
		return nil, oaiBadRequest(loc.at(""), "must be a string or an array of parts")
	}
	var parts []Part
	var err error
	j := 0
	v.ForEach(func(_, p gjson.Result) bool {
		f := rsReadPart(p)
		switch f.typ.Str {
		case "input_text", "output_text", "text":
			if f.text.Str != "" {
				parts = append(parts, Part{Type: PartText, Text: f.text.Str})
			}
		case "refusal":
			if f.refusal.Str != "" {
				parts = append(parts, Part{Type: PartText, Text: f.refusal.Str})
			}
		default:
			err = oaiBadRequest(loc.elem(j).at(""), "unknown part type %q here (want input_text, output_text or refusal)", f.typ.String())
		}
		j++
		return err == nil
	})
	return parts, err
}

// rsInputParts reads user content and tool output parts.
func rsInputParts(v gjson.Result, loc oaiLoc) ([]Part, error) {
	if !v.IsArray() {
		if !v.Exists() || v.Type == gjson.Null {
			return nil, oaiBadRequest(loc.at(""), "required")
		}
		return nil, oaiBadRequest(loc.at(""), "must be a string or an array of parts")
	}
	parts := make([]Part, 0, 2)
	var err error
	j := 0
	v.ForEach(func(_, p gjson.Result) bool {
		pl := loc.elem(j)
		j++
		f := rsReadPart(p)
		var part Part
		switch f.typ.Str {
		case "input_text", "output_text", "text":
			part = Part{Type: PartText, Text: f.text.String()}
		case "input_image":
			part = Part{Type: PartImage, Detail: f.detail.String(), FileID: f.fileID.String()}
			if u := f.imageURL.String(); u != "" {
				oaiMediaPart(&part, u)
			} else if part.FileID == "" {
				err = oaiBadRequest(pl.at(".image_url"), "image_url or file_id required")
				return false
			}
		case "input_file":
			part = Part{Type: PartFile, FileID: f.fileID.String(), FileName: f.fileName.String(), URL: f.fileURL.String()}
			if fd := f.fileData.String(); fd != "" {
				if mt, data, ok := ParseDataURL(fd); ok {
					part.MediaType, part.Data = mt, data
				} else {
					part.MediaType, part.Data = oaiFileMediaType(part.FileName), fd
				}
			}
			if part.FileID == "" && part.Data == "" && part.URL == "" {
				err = oaiBadRequest(pl.at(""), "file_id, file_data or file_url required")
				return false
			}
		case "input_audio":
			part = Part{Type: PartAudio, Data: f.audio.Get("data").String(), MediaType: oaiAudioMediaType(f.audio.Get("format").String())}
			if part.Data == "" {
				err = oaiBadRequest(pl.at(".input_audio.data"), "required")
				return false
			}
		default:
			err = oaiBadRequest(pl.at(""), "unknown part type %q (want input_text, input_image or input_file)", f.typ.String())
			return false
		}
		parts = append(parts, part)
		return true
	})
	return parts, err
}
