package transform

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tidwall/gjson"
)

// anSkippedBlocks are Anthropic content block types that are valid on the
// wire but have no canonical form (server-side tool traffic, search
// results). They are dropped when decoding: they only matter to the same
// provider, and a same-format request passes through the relay unchanged.
var anSkippedBlocks = map[string]bool{
	"server_tool_use":                        true,
	"web_search_tool_result":                 true,
	"web_fetch_tool_result":                  true,
	"code_execution_tool_result":             true,
	"bash_code_execution_tool_result":        true,
	"text_editor_code_execution_tool_result": true,
	"tool_search_tool_result":                true,
	"container_upload":                       true,
	"search_result":                          true,
	"mcp_tool_use":                           true,
	"mcp_tool_result":                        true,
	"tool_reference":                         true,
}

// anCount returns the number of elements of a JSON array.
func anCount(v gjson.Result) int {
	n := 0
	v.ForEach(func(_, _ gjson.Result) bool { n++; return true })
	return n
}

// anBlock holds the members of one content block, read in a single pass
// (gjson's Get rescans the object for every key, which costs a lot on
// blocks with big inputs).
type anBlock struct {
	typ                                             string
	text, source, title, id, name, input, toolUse   gjson.Result
	content, isError, thinking, signature, data, cc gjson.Result
}

func anReadBlock(b gjson.Result) anBlock {
	var f anBlock
	b.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			f.typ = v.Str
		case "text":
			f.text = v
		case "source":
			f.source = v
		case "title":
			f.title = v
		case "id":
			f.id = v
		case "name":
			f.name = v
		case "input":
			f.input = v
		case "tool_use_id":
			f.toolUse = v
		case "content":
			f.content = v
		case "is_error":
			f.isError = v
		case "thinking":
			f.thinking = v
		case "signature":
			f.signature = v
		case "data":
			f.data = v
		case "cache_control":
			f.cc = v
		}
		return true
	})
	return f
}

// block decodes content block j of message i and appends it to msg.
func (d *anReqDecoder) block(msg *Message, i, j int, b gjson.Result) error {
	at := func() string { return fmt.Sprintf("messages[%d].content[%d]", i, j) }
	if !b.IsObject() {
		return anBadRequest("%s: must be an object", at())
	}
	f := anReadBlock(b)
	var p Part
	switch f.typ {
	case "text":
		if f.text.Type != gjson.String {
			return anBadRequest("%s.text: required", at())
		}
		if f.text.Str == "" {
			return nil
		}
		p = Part{Type: PartText, Text: f.text.Str}
	case "image":
		var err error
		if p, err = anImage(f.source, at()+".source"); err != nil {
			return err
		}
	case "document":
		var err error
		if p, err = anDocument(f.source, at()+".source"); err != nil {
			return err
		}
		if f.title.Type == gjson.String {
			p.FileName = f.title.Str
		}
	case "tool_use":
		if f.id.Type != gjson.String || f.id.Str == "" {
			return anBadRequest("%s.id: required", at())
		}
		if f.name.Type != gjson.String || f.name.Str == "" {
			return anBadRequest("%s.name: required", at())
		}
		p = Part{Type: PartToolCall, ToolCallID: f.id.Str, ToolName: f.name.Str, Arguments: anInputArgs(f.input)}
		if d.toolNames == nil {
			d.toolNames = make(map[string]string)
		}
		d.toolNames[f.id.Str] = f.name.Str
	case "tool_result":
		if f.toolUse.Type != gjson.String || f.toolUse.Str == "" {
			return anBadRequest("%s.tool_use_id: required", at())
		}
		p = Part{Type: PartToolResult, ToolCallID: f.toolUse.Str, ToolName: d.toolNames[f.toolUse.Str], IsError: f.isError.Type == gjson.True}
		var err error
		if p.Content, err = anToolResultContent(f.content, at()+".content"); err != nil {
			return err
		}
	case "thinking":
		p = Part{Type: PartThinking, Text: f.thinking.Str}
		if sig := f.signature.Str; sig != "" {
			p.Signature, p.SignatureFamily = ImportSignature(sig, Anthropic)
		}
		if p.Text == "" && p.Signature == "" {
			return nil
		}
		// A signature-only thinking block of another family right after a
		// text or tool_use block is how this codec hands a client the
		// signature Gemini put on that part (see anAppendPartSignature);
		// it goes back onto that part.
		if p.Text == "" && p.SignatureFamily != Anthropic.Family() && len(msg.Parts) > 0 {
			prev := &msg.Parts[len(msg.Parts)-1]
			if (prev.Type == PartToolCall || prev.Type == PartText) && prev.Signature == "" {
				prev.Signature, prev.SignatureFamily = p.Signature, p.SignatureFamily
				return nil
			}
		}
	case "redacted_thinking":
		if f.data.Type != gjson.String || f.data.Str == "" {
			return anBadRequest("%s.data: required", at())
		}
		p = Part{Type: PartRedactedThinking}
		p.Signature, p.SignatureFamily = ImportSignature(f.data.Str, Anthropic)
	default:
		if anSkippedBlocks[f.typ] {
			return nil
		}
		if f.typ == "" {
			return anBadRequest("%s.type: required", at())
		}
		return anBadRequest("%s: unknown content block type %q", at(), f.typ)
	}
	if f.cc.IsObject() {
		p.CacheControl = json.RawMessage(f.cc.Raw)
	}
	msg.Parts = append(msg.Parts, p)
	return nil
}

// anInputArgs turns a tool_use input into canonical arguments: the object
// as is, "{}" when absent, and a JSON string holding an object (sent by
// sloppy clients) parsed; anything else is wrapped as {"raw": …}.
func anInputArgs(in gjson.Result) json.RawMessage {
	switch {
	case !in.Exists() || in.Type == gjson.Null:
		return json.RawMessage("{}")
	case in.IsObject():
		return json.RawMessage(in.Raw)
	}
	return anObjectArgs([]byte(in.Raw))
}

// anImage decodes an image source.
func anImage(src gjson.Result, path string) (Part, error) {
	p := Part{Type: PartImage}
	if !src.IsObject() {
		return p, anBadRequest("%s: required", path)
	}
	switch t := src.Get("type").Str; t {
	case "base64":
		p.MediaType, p.Data = src.Get("media_type").Str, src.Get("data").Str
		if p.Data == "" {
			return p, anBadRequest("%s.data: required", path)
		}
	case "url":
		if p.URL = src.Get("url").Str; p.URL == "" {
			return p, anBadRequest("%s.url: required", path)
		}
	case "file":
		if p.FileID = src.Get("file_id").Str; p.FileID == "" {
			return p, anBadRequest("%s.file_id: required", path)
		}
	default:
		return p, anBadRequest(`%s.type: must be "base64", "url" or "file", got %q`, path, t)
	}
	return p, nil
}

// anDocument decodes a document source. Plain-text sources become a
// text/plain file (canonical file data is base64); a content source keeps
// the text of its blocks the same way.
func anDocument(src gjson.Result, path string) (Part, error) {
	p := Part{Type: PartFile}
	if !src.IsObject() {
		return p, anBadRequest("%s: required", path)
	}
	switch t := src.Get("type").Str; t {
	case "base64":
		p.MediaType, p.Data = src.Get("media_type").Str, src.Get("data").Str
		if p.MediaType == "" {
			p.MediaType = "application/pdf"
		}
		if p.Data == "" {
			return p, anBadRequest("%s.data: required", path)
		}
	case "text":
		p.MediaType = "text/plain"
		p.Data = base64.StdEncoding.EncodeToString([]byte(src.Get("data").Str))
	case "content":
		c := src.Get("content")
		text := c.Str
		if c.IsArray() {
			text = ""
			c.ForEach(func(_, b gjson.Result) bool {
				if b.Get("type").Str == "text" {
					if text != "" {
						text += "\n"
					}
					text += b.Get("text").Str
				}
				return true
			})
		}
		p.MediaType = "text/plain"
		p.Data = base64.StdEncoding.EncodeToString([]byte(text))
	case "url":
		if p.URL = src.Get("url").Str; p.URL == "" {
			return p, anBadRequest("%s.url: required", path)
		}
		p.MediaType = "application/pdf" // URL documents are PDFs
	case "file":
		if p.FileID = src.Get("file_id").Str; p.FileID == "" {
			return p, anBadRequest("%s.file_id: required", path)
		}
	default:
		return p, anBadRequest(`%s.type: must be "base64", "text", "content", "url" or "file", got %q`, path, t)
	}
	return p, nil
}

// anToolResultContent decodes tool_result content: a string, or blocks of
// text, image and document. Other block types (search results, tool
// references) have no canonical form and are dropped.
func anToolResultContent(c gjson.Result, path string) ([]Part, error) {
	switch {
	case !c.Exists() || c.Type == gjson.Null:
		return nil, nil
	case c.Type == gjson.String:
		if c.Str == "" {
			return nil, nil
		}
		return []Part{{Type: PartText, Text: c.Str}}, nil
	case !c.IsArray():
		return nil, anBadRequest("%s: must be a string or an array of content blocks", path)
	}
	var parts []Part
	var err error
	k := 0
	c.ForEach(func(_, b gjson.Result) bool {
		at := path + "[" + strconv.Itoa(k) + "]"
		k++
		var p Part
		switch t := b.Get("type").Str; t {
		case "text":
			if p = (Part{Type: PartText, Text: b.Get("text").Str}); p.Text == "" {
				return true
			}
		case "image":
			if p, err = anImage(b.Get("source"), at+".source"); err != nil {
				return false
			}
		case "document":
			if p, err = anDocument(b.Get("source"), at+".source"); err != nil {
				return false
			}
		default:
			if anSkippedBlocks[t] {
				return true
			}
			err = anBadRequest("%s: unknown content block type %q", at, t)
			return false
		}
		if cc := b.Get("cache_control"); cc.IsObject() {
			p.CacheControl = json.RawMessage(cc.Raw)
		}
		parts = append(parts, p)
		return true
	})
	return parts, err
}
