package transform

import (
	"encoding/json"

	"github.com/tidwall/gjson"
)

// DecodeRequest parses a Chat Completions request body.
//
// System and developer messages before the first user, assistant or tool
// message become req.System; later ones stay RoleSystem messages. Tool
// messages become PartToolResult parts, consecutive ones grouped in one
// user message. A client that used max_tokens rather than
// max_completion_tokens sets LegacyMaxTokens, so that a Chat Completions
// upstream gets the field the client chose (the value always comes from
// MaxTokens).
func (openAIChatCodec) DecodeRequest(body []byte) (*Request, error) {
	root, err := oaiRequestRoot(body)
	if err != nil {
		return nil, err
	}
	req := &Request{SourceFormat: OpenAIChat}
	var messages, maxTokens gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		if v.Type == gjson.Null {
			return true
		}
		var common bool
		if common, err = oaiDecodeCommon(req, k.Str, v); common {
			return err == nil
		}
		switch k.Str {
		case "messages":
			messages = v
		case "tools":
			err = ccDecodeTools(req, v)
		case "tool_choice":
			err = ccDecodeToolChoice(req, v)
		case "max_completion_tokens":
			req.MaxTokens, err = ccInt(v, "max_completion_tokens")
		case "max_tokens":
			maxTokens = v
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
		case "stop":
			req.Stop, err = ccDecodeStop(v)
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
			req.MaxTokens, req.LegacyMaxTokens = n, true
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

// oaiRequestRoot parses an OpenAI request body, which must be a JSON
// object.
func oaiRequestRoot(body []byte) (gjson.Result, error) {
	if !gjson.ValidBytes(body) {
		return gjson.Result{}, oaiBadJSON()
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return gjson.Result{}, oaiBadRequest("", "request body must be a JSON object")
	}
	return root, nil
}

// oaiDecodeCommon reads the request members Chat Completions and Responses
// share (model, sampling, user, stream, parallel tool calls) and reports
// whether key was one of them.
func oaiDecodeCommon(req *Request, key string, v gjson.Result) (bool, error) {
	var err error
	switch key {
	case "model":
		req.Model, err = ccString(v, "model")
	case "parallel_tool_calls":
		req.ParallelToolCalls, err = ccBool(v, "parallel_tool_calls")
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
	default:
		return false, nil
	}
	return true, err
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
		loc := oaiLoc{list: "tools", i: i, j: -1}
		i++
		var typ, fn gjson.Result
		t.ForEach(func(k, v gjson.Result) bool {
			switch k.Str {
			case "type":
				typ = v
			case "function":
				fn = v
			}
			return true
		})
		if typ.Str != "function" && typ.Str != "" {
			if other == nil {
				other = append(other, '[')
			} else {
				other = append(other, ',')
			}
			other = append(other, t.Raw...)
			return true
		}
		if !fn.IsObject() {
			err = oaiBadRequest(loc.at(".function"), "required")
			return false
		}
		var tool Tool
		tool, err = oaiDecodeFunction(fn, loc, ".function")
		if err != nil {
			return false
		}
		if req.Tools == nil {
			req.Tools = make([]Tool, 0, 4)
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

// oaiDecodeFunction reads a function declaration: the function object of
// a Chat Completions tool, or a flattened Responses tool. prefix is the
// path of the object inside the tool, for errors.
func oaiDecodeFunction(fn gjson.Result, loc oaiLoc, prefix string) (Tool, error) {
	var tool Tool
	var err error
	fn.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "name":
			tool.Name = v.String()
		case "description":
			tool.Description = v.String()
		case "parameters":
			switch {
			case v.IsObject():
				tool.Parameters = json.RawMessage(v.Raw)
			case v.Type != gjson.Null:
				err = oaiBadRequest(loc.at(prefix+".parameters"), "must be a JSON Schema object")
			}
		case "strict":
			if v.Type == gjson.True || v.Type == gjson.False {
				b := v.Type == gjson.True
				tool.Strict = &b
			}
		}
		return err == nil
	})
	if err == nil && tool.Name == "" {
		err = oaiBadRequest(loc.at(prefix+".name"), "required")
	}
	return tool, err
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
