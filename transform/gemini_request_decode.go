package transform

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// DecodeRequest parses a Gemini GenerateContentRequest (or, for
// Antigravity, the envelope around one). Keys are accepted in camelCase and
// snake_case, as Google's proto-JSON parser does. The model and the stream
// flag are not in a Gemini body: the relay sets them from the URL.
func (c *geminiCodec) DecodeRequest(body []byte) (*Request, error) {
	if !gjson.ValidBytes(body) {
		return nil, gemBadRequest("", "request body is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, gemBadRequest("", "request body must be a JSON object")
	}
	req := &Request{SourceFormat: c.format}
	if c.ag() {
		req.Model = root.Get("model").String()
		root = root.Get("request")
		if !root.IsObject() {
			return nil, gemBadRequest("request", "required (the Antigravity envelope carries the Gemini request here)")
		}
	}
	d := gemRequestDecoder{req: req, format: c.format}
	root.ForEach(func(k, v gjson.Result) bool {
		d.field(k.Str, v)
		return d.err == nil
	})
	if d.err != nil {
		return nil, d.err
	}
	if !d.sawContents {
		return nil, gemBadRequest("contents", "required")
	}
	return req, nil
}

// gemRequestDecoder holds the state of one request decode.
type gemRequestDecoder struct {
	req         *Request
	format      Format
	err         error
	sawContents bool
	// pending are the function calls of the latest model turn not yet
	// answered, for matching id-less function responses by name and order.
	pending []gemPendingCall
}

type gemPendingCall struct {
	id, name string
	answered bool
}

func (d *gemRequestDecoder) extra(key string, raw string) {
	if d.req.Extra == nil {
		d.req.Extra = make(map[string]json.RawMessage)
	}
	d.req.Extra[key] = json.RawMessage(raw)
}

func (d *gemRequestDecoder) field(key string, v gjson.Result) {
	switch key {
	case "contents":
		d.sawContents = true
		d.contents(v)
	case "systemInstruction", "system_instruction":
		d.systemInstruction(v)
	case "tools":
		d.tools(v)
	case "toolConfig", "tool_config":
		d.toolConfig(v)
	case "generationConfig", "generation_config":
		d.generationConfig(v)
	case "model":
		if d.req.Model == "" {
			d.req.Model = strings.TrimPrefix(v.String(), "models/")
		}
	default:
		d.extra(key, v.Raw)
	}
}

func (d *gemRequestDecoder) contents(v gjson.Result) {
	if !v.IsArray() {
		d.err = gemBadRequest("contents", "must be an array of contents")
		return
	}
	i := 0
	v.ForEach(func(_, c gjson.Result) bool {
		d.content(c, i)
		i++
		return d.err == nil
	})
	if d.err == nil && len(d.req.Messages) == 0 {
		d.err = gemBadRequest("contents", "must hold at least one content")
	}
}

func (d *gemRequestDecoder) content(c gjson.Result, i int) {
	path := "contents[" + strconv.Itoa(i) + "]"
	if !c.IsObject() {
		d.err = gemBadRequest(path, "must be an object with role and parts")
		return
	}
	var roleV, partsV gjson.Result
	c.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "role":
			roleV = v
		case "parts":
			partsV = v
		}
		return true
	})
	var role Role
	switch roleV.String() {
	case "user", "", "function": // "function" is the legacy role of function responses
		role = RoleUser
	case "model":
		role = RoleAssistant
	default:
		d.err = gemBadRequest(path+".role", "unknown role %q (want user or model)", roleV.String())
		return
	}
	if partsV.Exists() && !partsV.IsArray() {
		d.err = gemBadRequest(path+".parts", "must be an array")
		return
	}
	msg := Message{Role: role}
	if role == RoleAssistant {
		d.pending = d.pending[:0]
	}
	j := 0
	partsV.ForEach(func(_, pv gjson.Result) bool {
		p, ok := d.part(pv, path+".parts["+strconv.Itoa(j)+"]", role)
		if d.err != nil {
			return false
		}
		if ok {
			switch {
			case p.Type == PartToolCall:
				if p.ToolCallID == "" {
					p.ToolCallID = gemPositionCallID(i, j)
				}
				d.pending = append(d.pending, gemPendingCall{id: p.ToolCallID, name: p.ToolName})
				msg.Parts = append(msg.Parts, p)
			case p.Type == PartToolResult:
				d.matchResult(&p, i, j)
				msg.Parts = append(msg.Parts, p)
			case role == RoleAssistant:
				msg.Parts = gemAppendModelPart(msg.Parts, p)
			case p.Text == "" && (p.Type == PartText || p.Type == PartThinking):
				// A bare signature in a user turn means nothing.
			default:
				msg.Parts = append(msg.Parts, p)
			}
		}
		j++
		return true
	})
	if d.err != nil || len(msg.Parts) == 0 {
		// Part-less contents carry nothing; Gemini rejects them anyway.
		return
	}
	d.req.Messages = append(d.req.Messages, msg)
}

// matchResult gives a function response its call id: its own id when it
// has one, else the first unanswered call of the preceding model turn with
// the same name, else a positional id.
func (d *gemRequestDecoder) matchResult(p *Part, i, j int) {
	if p.ToolCallID != "" {
		for k := range d.pending {
			if d.pending[k].id == p.ToolCallID {
				d.pending[k].answered = true
				if p.ToolName == "" {
					p.ToolName = d.pending[k].name
				}
				break
			}
		}
		return
	}
	for k := range d.pending {
		if pc := &d.pending[k]; !pc.answered && pc.name == p.ToolName {
			pc.answered = true
			p.ToolCallID = pc.id
			return
		}
	}
	p.ToolCallID = gemPositionCallID(i, j)
}

// gemAppendModelPart appends a model-turn part, re-joining what streaming
// split apart: a signature-only part (empty text) belongs to the text or
// thought before it, and consecutive chunks of text or of thought are one
// block. Joining only happens while the earlier part is unsigned, so a
// signature always stays with the content that preceded it.
func gemAppendModelPart(parts []Part, p Part) []Part {
	if n := len(parts); n > 0 {
		prev := &parts[n-1]
		if (prev.Type == PartText || prev.Type == PartThinking) && prev.Signature == "" {
			switch {
			case p.Text == "" && p.Signature != "" && (p.Type == PartText || p.Type == PartThinking):
				prev.Signature, prev.SignatureFamily = p.Signature, p.SignatureFamily
				return parts
			case p.Type == prev.Type && (p.Type == PartText || p.Type == PartThinking):
				prev.Text += p.Text
				prev.Signature, prev.SignatureFamily = p.Signature, p.SignatureFamily
				return parts
			}
		}
	}
	if p.Type == PartText && p.Text == "" && p.Signature != "" {
		// A signature with nothing before it to attach to: keep it as an
		// empty reasoning block, where every format looks for signatures.
		p.Type = PartThinking
	}
	return append(parts, p)
}

// part decodes one part. ok is false for parts that carry nothing.
func (d *gemRequestDecoder) part(v gjson.Result, path string, role Role) (p Part, ok bool) {
	if !v.IsObject() {
		d.err = gemBadRequest(path, "must be an object")
		return p, false
	}
	var (
		text, inline, file, call, resp, code, codeResult gjson.Result
		thought                                          bool
		sig                                              string
	)
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "text":
			text = val
		case "thought":
			thought = val.Bool()
		case "thoughtSignature", "thought_signature":
			sig = val.String()
		case "inlineData", "inline_data":
			inline = val
		case "fileData", "file_data":
			file = val
		case "functionCall", "function_call":
			call = val
		case "functionResponse", "function_response":
			resp = val
		case "executableCode", "executable_code":
			code = val
		case "codeExecutionResult", "code_execution_result":
			codeResult = val
		}
		return true
	})
	if sig != "" {
		p.Signature, p.SignatureFamily = gemImportSignature(sig, d.format)
	}
	switch {
	case text.Exists():
		p.Type, p.Text = PartText, text.String()
		if thought {
			p.Type = PartThinking
		}
		if p.Text == "" && p.Signature == "" {
			return p, false
		}
	case inline.Exists():
		mime := gemGet(inline, "mimeType", "mime_type").String()
		p.Type, p.MediaType, p.Data = gemMediaType(mime), mime, gemGet(inline, "data", "").String()
		if p.Data == "" {
			d.err = gemBadRequest(path+".inlineData.data", "required")
			return p, false
		}
	case file.Exists():
		mime := gemGet(file, "mimeType", "mime_type").String()
		p.Type, p.MediaType, p.URL = gemMediaType(mime), mime, gemGet(file, "fileUri", "file_uri").String()
		if p.URL == "" {
			d.err = gemBadRequest(path+".fileData.fileUri", "required")
			return p, false
		}
	case call.Exists():
		if role != RoleAssistant {
			d.err = gemBadRequest(path+".functionCall", "only allowed in model contents")
			return p, false
		}
		p.Type = PartToolCall
		p.ToolCallID = gemGet(call, "id", "").String()
		p.ToolName = gemGet(call, "name", "").String()
		if p.ToolName == "" {
			d.err = gemBadRequest(path+".functionCall.name", "required")
			return p, false
		}
		p.Arguments = gemArgsObject(gemGet(call, "args", ""))
	case resp.Exists():
		if role == RoleAssistant {
			d.err = gemBadRequest(path+".functionResponse", "only allowed in user contents")
			return p, false
		}
		gemDecodeFunctionResponse(resp, &p)
	case code.Exists():
		// Server-side code execution has no canonical form; keep what the
		// model wrote as text so the conversation still reads right.
		p.Type, p.Text = PartText, gemCodeText(code)
	case codeResult.Exists():
		p.Type, p.Text = PartText, gemCodeResultText(codeResult)
	case sig != "":
		// A part holding only a signature.
		p.Type = PartText
		if thought {
			p.Type = PartThinking
		}
	default:
		// videoMetadata-only or empty parts carry nothing we can use.
		return p, false
	}
	return p, true
}

// gemGet reads key from an object, falling back to its snake_case spelling.
func gemGet(v gjson.Result, camel, snake string) gjson.Result {
	r := v.Get(camel)
	if !r.Exists() && snake != "" {
		r = v.Get(snake)
	}
	return r
}

// gemDecodeFunctionResponse reads a functionResponse into a tool result.
// The conventional shapes with a string inside become plain text, so they
// round-trip through formats whose results are strings: {"result": "x"}
// or {"output": "x"} is x, {"error": "x"} is x marked as an error; any
// other response is kept as its JSON text (which the encoder sends back as
// the same object).
func gemDecodeFunctionResponse(r gjson.Result, p *Part) {
	p.Type = PartToolResult
	p.ToolCallID = gemGet(r, "id", "").String()
	p.ToolName = gemGet(r, "name", "").String()
	resp := gemGet(r, "response", "")
	text := resp.Raw
	if resp.IsObject() {
		var only string
		var onlyV gjson.Result
		n := 0
		resp.ForEach(func(k, v gjson.Result) bool {
			n++
			only, onlyV = k.Str, v
			return n < 2
		})
		if n == 1 && onlyV.Type == gjson.String && (only == "result" || only == "output" || only == "error" || only == "content") {
			text = onlyV.Str
			p.IsError = only == "error"
		}
	} else if resp.Type == gjson.String {
		text = resp.Str
	}
	if text != "" {
		p.Content = append(p.Content, Part{Type: PartText, Text: text})
	}
	gemGet(r, "parts", "").ForEach(func(_, pv gjson.Result) bool {
		if in := gemGet(pv, "inlineData", "inline_data"); in.Exists() {
			mime := gemGet(in, "mimeType", "mime_type").String()
			p.Content = append(p.Content, Part{Type: gemMediaType(mime), MediaType: mime, Data: gemGet(in, "data", "").String()})
		} else if fd := gemGet(pv, "fileData", "file_data"); fd.Exists() {
			mime := gemGet(fd, "mimeType", "mime_type").String()
			p.Content = append(p.Content, Part{Type: gemMediaType(mime), MediaType: mime, URL: gemGet(fd, "fileUri", "file_uri").String()})
		} else if t := pv.Get("text"); t.Exists() {
			p.Content = append(p.Content, Part{Type: PartText, Text: t.String()})
		}
		return true
	})
}

func (d *gemRequestDecoder) systemInstruction(v gjson.Result) {
	if v.Type == gjson.String { // lenient: some clients send a bare string
		if s := v.Str; s != "" {
			d.req.System = append(d.req.System, Part{Type: PartText, Text: s})
		}
		return
	}
	if !v.IsObject() {
		d.err = gemBadRequest("systemInstruction", "must be a content object with parts")
		return
	}
	i := 0
	gemGet(v, "parts", "").ForEach(func(_, pv gjson.Result) bool {
		t := pv.Get("text")
		if !t.Exists() {
			d.err = gemBadRequest("systemInstruction.parts["+strconv.Itoa(i)+"]", "only text parts are supported in a system instruction")
			return false
		}
		if s := t.String(); s != "" {
			d.req.System = append(d.req.System, Part{Type: PartText, Text: s})
		}
		i++
		return true
	})
}

// gemBuiltinTools are the Tool fields other than function declarations:
// Google-hosted tools with no equivalent elsewhere. They are kept in
// Extra["tools"] for Gemini-family upstreams and dropped for others.
var gemBuiltinTools = map[string]bool{
	"googleSearch": true, "google_search": true, "googleSearchRetrieval": true, "google_search_retrieval": true,
	"codeExecution": true, "code_execution": true, "urlContext": true, "url_context": true,
	"googleMaps": true, "google_maps": true, "fileSearch": true, "file_search": true,
	"computerUse": true, "computer_use": true, "enterpriseWebSearch": true, "enterprise_web_search": true,
	"retrieval": true,
}

func (d *gemRequestDecoder) tools(v gjson.Result) {
	if !v.IsArray() {
		d.err = gemBadRequest("tools", "must be an array")
		return
	}
	var builtins []byte
	i := 0
	v.ForEach(func(_, t gjson.Result) bool {
		path := "tools[" + strconv.Itoa(i) + "]"
		i++
		if !t.IsObject() {
			d.err = gemBadRequest(path, "must be an object")
			return false
		}
		var rest gemWriter
		t.ForEach(func(k, val gjson.Result) bool {
			switch {
			case k.Str == "functionDeclarations" || k.Str == "function_declarations":
				d.functionDeclarations(val, path+".functionDeclarations")
			case gemBuiltinTools[k.Str]:
				if len(rest.b) == 0 {
					rest.objOpen()
				}
				rest.keyEsc(k.Str)
				rest.rawStr(val.Raw)
			}
			return d.err == nil
		})
		if len(rest.b) > 0 {
			rest.objClose()
			if builtins == nil {
				builtins = append(builtins, '[')
			} else {
				builtins = append(builtins, ',')
			}
			builtins = append(builtins, rest.b...)
		}
		return d.err == nil
	})
	if builtins != nil {
		d.extra("tools", string(append(builtins, ']')))
	}
}

func (d *gemRequestDecoder) functionDeclarations(v gjson.Result, path string) {
	i := 0
	v.ForEach(func(_, fd gjson.Result) bool {
		p := path + "[" + strconv.Itoa(i) + "]"
		i++
		var t Tool
		var params, jsonSchema gjson.Result
		fd.ForEach(func(k, val gjson.Result) bool {
			switch k.Str {
			case "name":
				t.Name = val.String()
			case "description":
				t.Description = val.String()
			case "parameters":
				params = val
			case "parametersJsonSchema", "parameters_json_schema":
				jsonSchema = val
			}
			return true
		})
		if t.Name == "" {
			d.err = gemBadRequest(p+".name", "required")
			return false
		}
		switch {
		case jsonSchema.IsObject():
			t.Parameters = json.RawMessage(jsonSchema.Raw)
		case params.IsObject():
			t.Parameters = SchemaFromOpenAPI(json.RawMessage(params.Raw))
		}
		d.req.Tools = append(d.req.Tools, t)
		return true
	})
}

func (d *gemRequestDecoder) toolConfig(v gjson.Result) {
	var rest gemWriter
	v.ForEach(func(k, val gjson.Result) bool {
		if k.Str != "functionCallingConfig" && k.Str != "function_calling_config" {
			if len(rest.b) == 0 {
				rest.objOpen()
			}
			rest.keyEsc(k.Str)
			rest.rawStr(val.Raw)
			return true
		}
		mode := strings.ToUpper(val.Get("mode").String())
		var allowed []string
		gemGet(val, "allowedFunctionNames", "allowed_function_names").ForEach(func(_, n gjson.Result) bool {
			allowed = append(allowed, n.String())
			return true
		})
		switch mode {
		case "NONE":
			d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceNone}
		case "ANY":
			if len(allowed) == 1 {
				d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceTool, Name: allowed[0]}
			} else {
				d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceRequired}
			}
		case "AUTO", "VALIDATED":
			d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceAuto}
		}
		return true
	})
	if len(rest.b) > 0 {
		rest.objClose()
		d.extra("toolConfig", string(rest.b))
	}
}

func (d *gemRequestDecoder) generationConfig(v gjson.Result) {
	req := d.req
	var rest gemWriter
	var mime string
	var schema json.RawMessage
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "maxOutputTokens", "max_output_tokens":
			n := int(val.Int())
			req.MaxTokens = &n
		case "temperature":
			f := val.Float()
			req.Temperature = &f
		case "topP", "top_p":
			f := val.Float()
			req.TopP = &f
		case "topK", "top_k":
			n := int(val.Float())
			req.TopK = &n
		case "stopSequences", "stop_sequences":
			val.ForEach(func(_, s gjson.Result) bool {
				req.Stop = append(req.Stop, s.String())
				return true
			})
		case "candidateCount", "candidate_count":
			n := int(val.Int())
			req.N = &n
		case "seed":
			n := val.Int()
			req.Seed = &n
		case "presencePenalty", "presence_penalty":
			f := val.Float()
			req.PresencePenalty = &f
		case "frequencyPenalty", "frequency_penalty":
			f := val.Float()
			req.FrequencyPenalty = &f
		case "responseMimeType", "response_mime_type":
			mime = val.String()
		case "responseJsonSchema", "response_json_schema", "_responseJsonSchema":
			if val.IsObject() {
				schema = json.RawMessage(val.Raw)
			}
		case "responseSchema", "response_schema":
			if val.IsObject() && schema == nil {
				schema = SchemaFromOpenAPI(json.RawMessage(val.Raw))
			}
		case "thinkingConfig", "thinking_config":
			d.thinkingConfig(val)
		default:
			if len(rest.b) == 0 {
				rest.objOpen()
			}
			rest.keyEsc(k.Str)
			rest.rawStr(val.Raw)
		}
		return true
	})
	switch {
	case schema != nil && (mime == "" || mime == "application/json" || mime == "text/x.enum"):
		req.ResponseFormat = &ResponseFormat{Type: "json_schema", Schema: schema}
	case mime == "application/json":
		req.ResponseFormat = &ResponseFormat{Type: "json_object"}
	}
	if len(rest.b) > 0 {
		rest.objClose()
		d.extra("generationConfig", string(rest.b))
	}
}

func (d *gemRequestDecoder) thinkingConfig(v gjson.Result) {
	r := &Reasoning{}
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "thinkingBudget", "thinking_budget":
			n := int(val.Int())
			r.BudgetTokens = &n
			r.Disabled = n == 0
		case "thinkingLevel", "thinking_level":
			lvl := strings.ToLower(val.String())
			if lvl != "thinking_level_unspecified" {
				r.Effort = lvl
			}
		case "includeThoughts", "include_thoughts":
			r.IncludeThoughts = val.Bool()
		}
		return true
	})
	d.req.Reasoning = r
}
