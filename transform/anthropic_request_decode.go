package transform

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tidwall/gjson"
)

// anBadRequest builds the 400 a client gets for a malformed request.
func anBadRequest(format string, args ...any) *Error {
	return Errorf(400, format, args...)
}

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

// anReqDecoder holds the state of one DecodeRequest call.
type anReqDecoder struct {
	req *Request
	// leadSystem holds system-role messages seen before any user or
	// assistant turn; they join req.System after the top-level system.
	leadSystem []Part
	// toolNames maps tool_use ids to names so tool results carry the name
	// (Gemini targets need it). Allocated on the first tool_use.
	toolNames map[string]string
}

// DecodeRequest implements Codec: it parses a Messages API request body.
// Both API versions are accepted (2026-10-21 adds system-role messages).
func (anthropicCodec) DecodeRequest(body []byte) (*Request, error) {
	if !gjson.ValidBytes(body) {
		return nil, anBadRequest("request body is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, anBadRequest("request body must be a JSON object")
	}
	d := anReqDecoder{req: &Request{}}
	var err error
	sawMessages := false
	root.ForEach(func(k, v gjson.Result) bool {
		if k.Str == "messages" {
			sawMessages = true
		}
		err = d.field(k.Str, v)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	req := d.req
	if req.Model == "" {
		return nil, anBadRequest("model: required")
	}
	if !sawMessages {
		return nil, anBadRequest("messages: required")
	}
	if len(d.leadSystem) > 0 {
		req.System = append(req.System, d.leadSystem...)
	}
	return req, nil
}

// field decodes one top-level field. null counts as absent.
func (d *anReqDecoder) field(key string, v gjson.Result) error {
	req := d.req
	if v.Type == gjson.Null {
		return nil
	}
	switch key {
	case "model":
		if v.Type != gjson.String {
			return anBadRequest("model: must be a string")
		}
		req.Model = v.Str
	case "max_tokens":
		n, err := anInt(v, "max_tokens")
		if err != nil {
			return err
		}
		req.MaxTokens = &n
	case "system":
		parts, err := anSystemParts(v, "system")
		if err != nil {
			return err
		}
		// Top-level system goes first, before any system-role messages
		// that were already collected (JSON key order is arbitrary).
		req.System = append(parts, req.System...)
	case "messages":
		return d.messages(v)
	case "tools":
		return d.tools(v)
	case "tool_choice":
		return d.toolChoice(v)
	case "thinking":
		return d.thinking(v)
	case "output_config":
		return d.outputConfig(v)
	case "temperature":
		f, err := anFloat(v, "temperature")
		if err != nil {
			return err
		}
		req.Temperature = &f
	case "top_p":
		f, err := anFloat(v, "top_p")
		if err != nil {
			return err
		}
		req.TopP = &f
	case "top_k":
		n, err := anInt(v, "top_k")
		if err != nil {
			return err
		}
		req.TopK = &n
	case "stop_sequences":
		if !v.IsArray() {
			return anBadRequest("stop_sequences: must be an array of strings")
		}
		var err error
		v.ForEach(func(_, s gjson.Result) bool {
			if s.Type != gjson.String {
				err = anBadRequest("stop_sequences: must be an array of strings")
				return false
			}
			req.Stop = append(req.Stop, s.Str)
			return true
		})
		return err
	case "metadata":
		if !v.IsObject() {
			return anBadRequest("metadata: must be an object")
		}
		if u := v.Get("user_id"); u.Type == gjson.String {
			req.User = u.Str
		}
	case "stream":
		if v.Type != gjson.True && v.Type != gjson.False {
			return anBadRequest("stream: must be a boolean")
		}
		req.Stream = v.Type == gjson.True
	default:
		if req.Extra == nil {
			req.Extra = make(map[string]json.RawMessage)
		}
		req.Extra[key] = json.RawMessage(v.Raw)
	}
	return nil
}

func anInt(v gjson.Result, path string) (int, error) {
	if v.Type != gjson.Number {
		return 0, anBadRequest("%s: must be an integer", path)
	}
	n, err := strconv.ParseInt(v.Raw, 10, 0)
	if err != nil {
		// 1.0 style integers are accepted; 1.5 is not.
		f := v.Float()
		if f != float64(int64(f)) {
			return 0, anBadRequest("%s: must be an integer", path)
		}
		n = int64(f)
	}
	return int(n), nil
}

func anFloat(v gjson.Result, path string) (float64, error) {
	if v.Type != gjson.Number {
		return 0, anBadRequest("%s: must be a number", path)
	}
	return v.Float(), nil
}

// anSystemParts decodes a system prompt: a string or an array of text
// blocks (cache_control kept). Empty text is dropped.
func anSystemParts(v gjson.Result, path string) ([]Part, error) {
	switch {
	case v.Type == gjson.String:
		if v.Str == "" {
			return nil, nil
		}
		return []Part{{Type: PartText, Text: v.Str}}, nil
	case v.IsArray():
		var parts []Part
		var err error
		i := 0
		v.ForEach(func(_, b gjson.Result) bool {
			if t := b.Get("type").Str; t != "text" {
				err = anBadRequest("%s[%d]: only text blocks are allowed here, got type %q", path, i, t)
				return false
			}
			text := b.Get("text")
			if text.Type != gjson.String {
				err = anBadRequest("%s[%d].text: required", path, i)
				return false
			}
			if text.Str != "" {
				p := Part{Type: PartText, Text: text.Str}
				if cc := b.Get("cache_control"); cc.IsObject() {
					p.CacheControl = json.RawMessage(cc.Raw)
				}
				parts = append(parts, p)
			}
			i++
			return true
		})
		return parts, err
	}
	return nil, anBadRequest("%s: must be a string or an array of text blocks", path)
}

func (d *anReqDecoder) messages(v gjson.Result) error {
	if !v.IsArray() {
		return anBadRequest("messages: must be an array")
	}
	var err error
	i := 0
	v.ForEach(func(_, m gjson.Result) bool {
		err = d.message(i, m)
		i++
		return err == nil
	})
	return err
}

func (d *anReqDecoder) message(i int, m gjson.Result) error {
	if !m.IsObject() {
		return anBadRequest("messages[%d]: must be an object", i)
	}
	role := m.Get("role")
	content := m.Get("content")
	if !content.Exists() {
		return anBadRequest("messages[%d].content: required", i)
	}
	switch role.Str {
	case "system":
		path := "messages[" + strconv.Itoa(i) + "].content"
		parts, err := anSystemParts(content, path)
		if err != nil {
			return err
		}
		if len(d.req.Messages) == 0 {
			d.leadSystem = append(d.leadSystem, parts...)
		} else if len(parts) > 0 {
			d.req.Messages = append(d.req.Messages, Message{Role: RoleSystem, Parts: parts})
		}
		return nil
	case "user", "assistant":
	default:
		return anBadRequest(`messages[%d].role: must be "user", "assistant" or "system"`, i)
	}
	msg := Message{Role: Role(role.Str)}
	switch {
	case content.Type == gjson.String:
		if content.Str != "" {
			msg.Parts = []Part{{Type: PartText, Text: content.Str}}
		}
	case content.IsArray():
		var err error
		j := 0
		msg.Parts = make([]Part, 0, anCount(content))
		content.ForEach(func(_, b gjson.Result) bool {
			err = d.block(&msg, i, j, b)
			j++
			return err == nil
		})
		if err != nil {
			return err
		}
	default:
		return anBadRequest("messages[%d].content: must be a string or an array of content blocks", i)
	}
	d.req.Messages = append(d.req.Messages, msg)
	return nil
}

// anCount returns the number of elements of a JSON array.
func anCount(v gjson.Result) int {
	n := 0
	v.ForEach(func(_, _ gjson.Result) bool { n++; return true })
	return n
}

// block decodes content block j of message i and appends it to msg.
func (d *anReqDecoder) block(msg *Message, i, j int, b gjson.Result) error {
	at := func() string { return fmt.Sprintf("messages[%d].content[%d]", i, j) }
	if !b.IsObject() {
		return anBadRequest("%s: must be an object", at())
	}
	typ := b.Get("type").Str
	var p Part
	switch typ {
	case "text":
		text := b.Get("text")
		if text.Type != gjson.String {
			return anBadRequest("%s.text: required", at())
		}
		if text.Str == "" {
			return nil
		}
		p = Part{Type: PartText, Text: text.Str}
	case "image":
		var err error
		if p, err = anImage(b.Get("source"), at()+".source"); err != nil {
			return err
		}
	case "document":
		var err error
		if p, err = anDocument(b.Get("source"), at()+".source"); err != nil {
			return err
		}
		if t := b.Get("title"); t.Type == gjson.String {
			p.FileName = t.Str
		}
	case "tool_use":
		id, name := b.Get("id"), b.Get("name")
		if id.Type != gjson.String || id.Str == "" {
			return anBadRequest("%s.id: required", at())
		}
		if name.Type != gjson.String || name.Str == "" {
			return anBadRequest("%s.name: required", at())
		}
		p = Part{Type: PartToolCall, ToolCallID: id.Str, ToolName: name.Str, Arguments: anInputArgs(b.Get("input"))}
		if d.toolNames == nil {
			d.toolNames = make(map[string]string)
		}
		d.toolNames[id.Str] = name.Str
	case "tool_result":
		id := b.Get("tool_use_id")
		if id.Type != gjson.String || id.Str == "" {
			return anBadRequest("%s.tool_use_id: required", at())
		}
		p = Part{Type: PartToolResult, ToolCallID: id.Str, ToolName: d.toolNames[id.Str], IsError: b.Get("is_error").Type == gjson.True}
		var err error
		if p.Content, err = anToolResultContent(b.Get("content"), at()+".content"); err != nil {
			return err
		}
	case "thinking":
		p = Part{Type: PartThinking, Text: b.Get("thinking").Str}
		if sig := b.Get("signature").Str; sig != "" {
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
		data := b.Get("data")
		if data.Type != gjson.String || data.Str == "" {
			return anBadRequest("%s.data: required", at())
		}
		p = Part{Type: PartRedactedThinking}
		p.Signature, p.SignatureFamily = ImportSignature(data.Str, Anthropic)
	default:
		if anSkippedBlocks[typ] {
			return nil
		}
		if typ == "" {
			return anBadRequest("%s.type: required", at())
		}
		return anBadRequest("%s: unknown content block type %q", at(), typ)
	}
	if cc := b.Get("cache_control"); cc.IsObject() {
		p.CacheControl = json.RawMessage(cc.Raw)
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

func (d *anReqDecoder) tools(v gjson.Result) error {
	if !v.IsArray() {
		return anBadRequest("tools: must be an array")
	}
	var err error
	i := 0
	v.ForEach(func(_, t gjson.Result) bool {
		defer func() { i++ }()
		if !t.IsObject() {
			err = anBadRequest("tools[%d]: must be an object", i)
			return false
		}
		// Server tools (web_search_…, bash_…, text_editor_…) have a type
		// and run at Anthropic; they cannot be declared to another
		// provider, so only custom tools are kept.
		if typ := t.Get("type").Str; typ != "" && typ != "custom" {
			return true
		}
		name := t.Get("name")
		if name.Type != gjson.String || name.Str == "" {
			err = anBadRequest("tools[%d].name: required", i)
			return false
		}
		tool := Tool{Name: name.Str, Description: t.Get("description").Str}
		if s := t.Get("input_schema"); s.IsObject() {
			tool.Parameters = json.RawMessage(s.Raw)
		}
		if s := t.Get("strict"); s.Type == gjson.True || s.Type == gjson.False {
			b := s.Type == gjson.True
			tool.Strict = &b
		}
		if cc := t.Get("cache_control"); cc.IsObject() {
			tool.CacheControl = json.RawMessage(cc.Raw)
		}
		d.req.Tools = append(d.req.Tools, tool)
		return true
	})
	return err
}

func (d *anReqDecoder) toolChoice(v gjson.Result) error {
	if !v.IsObject() {
		return anBadRequest("tool_choice: must be an object")
	}
	tc := &ToolChoice{}
	switch t := v.Get("type").Str; t {
	case "auto":
		tc.Mode = ToolChoiceAuto
	case "any":
		tc.Mode = ToolChoiceRequired
	case "none":
		tc.Mode = ToolChoiceNone
	case "tool":
		tc.Mode = ToolChoiceTool
		if tc.Name = v.Get("name").Str; tc.Name == "" {
			return anBadRequest("tool_choice.name: required when type is \"tool\"")
		}
	default:
		return anBadRequest(`tool_choice.type: must be "auto", "any", "tool" or "none", got %q`, t)
	}
	d.req.ToolChoice = tc
	if dp := v.Get("disable_parallel_tool_use"); dp.Type == gjson.True || dp.Type == gjson.False {
		parallel := dp.Type == gjson.False
		d.req.ParallelToolCalls = &parallel
	}
	return nil
}

func (d *anReqDecoder) reasoning() *Reasoning {
	if d.req.Reasoning == nil {
		d.req.Reasoning = &Reasoning{}
	}
	return d.req.Reasoning
}

func (d *anReqDecoder) thinking(v gjson.Result) error {
	if !v.IsObject() {
		return anBadRequest("thinking: must be an object")
	}
	r := d.reasoning()
	switch t := v.Get("type").Str; t {
	case "enabled":
		b := v.Get("budget_tokens")
		n, err := anInt(b, "thinking.budget_tokens")
		if err != nil {
			return err
		}
		r.BudgetTokens = &n
	case "adaptive":
		r.Adaptive = true
	case "disabled":
		r.Disabled = true
		return nil
	case "between_tools":
		// Thinking only between tool calls: the nearest canonical
		// meaning is adaptive (the model decides when to think).
		r.Adaptive = true
	default:
		return anBadRequest(`thinking.type: must be "enabled", "adaptive" or "disabled", got %q`, t)
	}
	// Anthropic returns thinking text unless the client asked to omit it.
	r.IncludeThoughts = v.Get("display").Str != "omitted"
	return nil
}

func (d *anReqDecoder) outputConfig(v gjson.Result) error {
	if !v.IsObject() {
		return anBadRequest("output_config: must be an object")
	}
	if e := v.Get("effort"); e.Type == gjson.String && e.Str != "" {
		switch e.Str {
		case "low", "medium", "high", "xhigh":
			d.reasoning().Effort = e.Str
		case "max":
			d.reasoning().Effort = "xhigh" // the canonical scale tops out at xhigh
		default:
			return anBadRequest(`output_config.effort: must be "low", "medium", "high", "xhigh" or "max", got %q`, e.Str)
		}
	}
	if f := v.Get("format"); f.IsObject() {
		if t := f.Get("type").Str; t != "json_schema" {
			return anBadRequest(`output_config.format.type: must be "json_schema", got %q`, t)
		}
		s := f.Get("schema")
		if !s.IsObject() {
			return anBadRequest("output_config.format.schema: required")
		}
		d.req.ResponseFormat = &ResponseFormat{Type: "json_schema", Schema: json.RawMessage(s.Raw)}
	}
	return nil
}
