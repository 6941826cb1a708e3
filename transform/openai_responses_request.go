package transform

import (
	"encoding/json"

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
	root, err := oaiRequestRoot(body)
	if err != nil {
		return nil, err
	}
	req := &Request{SourceFormat: OpenAIResponses}
	var input, instructions gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.Null {
			return true
		}
		var common bool
		if common, err = oaiDecodeCommon(req, k.Str, v); common {
			return err == nil
		}
		switch k.Str {
		case "input":
			input = v
		case "instructions":
			instructions = v
		case "tools":
			err = rsDecodeTools(req, v)
		case "tool_choice":
			err = rsDecodeToolChoice(req, v)
		case "max_output_tokens":
			req.MaxTokens, err = ccInt(v, "max_output_tokens")
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
		loc := oaiLoc{list: "tools", i: i, j: -1}
		i++
		if t.Get("type").Str != "function" {
			if other == nil {
				other = append(other, '[')
			} else {
				other = append(other, ',')
			}
			other = append(other, t.Raw...)
			return true
		}
		var tool Tool
		if tool, err = oaiDecodeFunction(t, loc, ""); err != nil {
			return false
		}
		if req.Tools == nil {
			req.Tools = make([]Tool, 0, 4)
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
