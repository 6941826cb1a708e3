package transform

import (
	"encoding/json"
	"strconv"

	"github.com/tidwall/gjson"
)

// anBadRequest builds the 400 a client gets for a malformed request.
func anBadRequest(format string, args ...any) *Error {
	return Errorf(400, format, args...)
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
	// scratch collects one message's parts; each message then gets one
	// exactly sized copy instead of a slice grown by doubling.
	scratch []Part
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
		if k.Str == "messages" && v.Type != gjson.Null {
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
	var role, content gjson.Result
	m.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "role":
			role = v
		case "content":
			content = v
		}
		return true
	})
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
		msg.Parts = d.scratch[:0]
		content.ForEach(func(_, b gjson.Result) bool {
			err = d.block(&msg, i, j, b)
			j++
			return err == nil
		})
		if err != nil {
			return err
		}
		d.scratch = msg.Parts
		msg.Parts = append(make([]Part, 0, len(d.scratch)), d.scratch...)
		clear(d.scratch) // drop references to this message's strings
	default:
		return anBadRequest("messages[%d].content: must be a string or an array of content blocks", i)
	}
	d.req.Messages = append(d.req.Messages, msg)
	return nil
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
		var typ, name, desc, schema, strict, cc gjson.Result
		t.ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "type":
				typ = v
			case "name":
				name = v
			case "description":
				desc = v
			case "input_schema":
				schema = v
			case "strict":
				strict = v
			case "cache_control":
				cc = v
			}
			return true
		})
		// Server tools (web_search_…, bash_…, text_editor_…) have a type
		// and run at Anthropic; they cannot be declared to another
		// provider, so only custom tools are kept.
		if typ.Str != "" && typ.Str != "custom" {
			return true
		}
		if name.Type != gjson.String || name.Str == "" {
			err = anBadRequest("tools[%d].name: required", i)
			return false
		}
		tool := Tool{Name: name.Str, Description: desc.Str}
		if schema.IsObject() {
			tool.Parameters = json.RawMessage(schema.Raw)
		}
		if strict.Type == gjson.True || strict.Type == gjson.False {
			b := strict.Type == gjson.True
			tool.Strict = &b
		}
		if cc.IsObject() {
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
