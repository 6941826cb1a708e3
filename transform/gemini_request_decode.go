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

// gemPendingCall is a function call of the latest model turn.
type gemPendingCall struct {
	id, name string
	answered bool
}

// extra keeps an unknown field, raw, in req.Extra.
func (d *gemRequestDecoder) extra(key string, raw string) {
	if d.req.Extra == nil {
		d.req.Extra = make(map[string]json.RawMessage)
	}
	d.req.Extra[key] = json.RawMessage(raw)
}

// field decodes one top-level field.
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

// contents decodes the conversation.
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

// content decodes contents[i] into a message.
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
		mime, data := gemBlob(inline)
		p.Type, p.MediaType, p.Data = gemMediaType(mime), mime, data
		if p.Data == "" {
			d.err = gemBadRequest(path+".inlineData.data", "required")
			return p, false
		}
	case file.Exists():
		mime, uri := gemBlob(file)
		p.Type, p.MediaType, p.URL = gemMediaType(mime), mime, uri
		if p.URL == "" {
			d.err = gemBadRequest(path+".fileData.fileUri", "required")
			return p, false
		}
	case call.Exists():
		if role != RoleAssistant {
			d.err = gemBadRequest(path+".functionCall", "only allowed in model contents")
			return p, false
		}
		var args gjson.Result
		p.Type = PartToolCall
		p.ToolCallID, p.ToolName, args, _ = gemCall(call)
		if p.ToolName == "" {
			d.err = gemBadRequest(path+".functionCall.name", "required")
			return p, false
		}
		p.Arguments = gemArgsObject(args)
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

// gemBlob reads inlineData {mimeType, data} or fileData {mimeType,
// fileUri} in one pass; uri is data for fileData.
func gemBlob(v gjson.Result) (mime, data string) {
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "mimeType", "mime_type":
			mime = val.String()
		case "data", "fileUri", "file_uri":
			data = val.String()
		}
		return true
	})
	return mime, data
}

// gemCall reads a functionCall or functionResponse object in one pass.
// payload is args for a call and response for a response.
func gemCall(v gjson.Result) (id, name string, payload, parts gjson.Result) {
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "id":
			id = val.String()
		case "name":
			name = val.String()
		case "args", "response":
			payload = val
		case "parts":
			parts = val
		}
		return true
	})
	return id, name, payload, parts
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
	var resp, parts gjson.Result
	p.Type = PartToolResult
	p.ToolCallID, p.ToolName, resp, parts = gemCall(r)
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
	parts.ForEach(func(_, pv gjson.Result) bool {
		if in := gemGet(pv, "inlineData", "inline_data"); in.Exists() {
			mime, data := gemBlob(in)
			p.Content = append(p.Content, Part{Type: gemMediaType(mime), MediaType: mime, Data: data})
		} else if fd := gemGet(pv, "fileData", "file_data"); fd.Exists() {
			mime, uri := gemBlob(fd)
			p.Content = append(p.Content, Part{Type: gemMediaType(mime), MediaType: mime, URL: uri})
		} else if t := pv.Get("text"); t.Exists() {
			p.Content = append(p.Content, Part{Type: PartText, Text: t.String()})
		}
		return true
	})
}
