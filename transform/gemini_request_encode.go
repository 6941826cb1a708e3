package transform

import "strings"

// EncodeRequest builds a Gemini GenerateContentRequest (Antigravity: the
// same inside its envelope, see antigravity.go). The model goes in the URL
// for Gemini, so the body has none.
func (c *geminiCodec) EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error) {
	if req == nil {
		return nil, gemBadRequest("", "no request to encode")
	}
	e := gemRequestEncoder{
		format: c.format,
		req:    req,
		model:  opts.Model,
		claude: c.ag() && gemIsClaude(opts.Model),
	}
	contents, system, err := e.buildContents()
	if err != nil {
		return nil, err
	}
	w := jsonWriter{b: make([]byte, 0, 1024+e.sizeHint())}
	if c.ag() {
		agOpenEnvelope(&w, opts)
	}
	w.objOpen()
	e.writeContents(&w, contents)
	e.writeSystem(&w, system)
	e.writeTools(&w)
	e.writeGenerationConfig(&w)
	e.writeExtras(&w)
	w.objClose()
	if c.ag() {
		w.objClose()
	}
	return w.b, nil
}

// gemRequestEncoder holds the state of one request encode.
type gemRequestEncoder struct {
	format Format
	req    *Request
	model  string
	claude bool // Claude behind Antigravity: strict validation
	// hasDecls is set once function declarations were written.
	hasDecls bool
}

// ownExtra reports whether req.Extra came from a Gemini-format client
// (Antigravity bodies are Gemini bodies), so its keys mean something here.
func (e *gemRequestEncoder) ownExtra() bool {
	return e.req.SourceFormat == Gemini || e.req.SourceFormat == Antigravity
}

// sizeHint estimates the body size so the output buffer rarely grows.
func (e *gemRequestEncoder) sizeHint() int {
	n := 0
	for i := range e.req.Messages {
		for j := range e.req.Messages[i].Parts {
			p := &e.req.Messages[i].Parts[j]
			n += len(p.Text) + len(p.Data) + len(p.Arguments) + 64
			for k := range p.Content {
				n += len(p.Content[k].Text) + len(p.Content[k].Data) + 32
			}
		}
	}
	for i := range e.req.Tools {
		n += len(e.req.Tools[i].Description) + len(e.req.Tools[i].Parameters) + 64
	}
	return n
}

// gemOutKind is the data field of an outgoing part.
type gemOutKind uint8

const (
	gemOutText gemOutKind = iota
	gemOutInline
	gemOutFile
	gemOutCall
	gemOutResponse
)

// gemOutPart is one part on its way to the wire. Parts are collected
// before writing because several fixes need the whole conversation:
// merging turns, matching function responses to calls, moving signatures.
type gemOutPart struct {
	kind    gemOutKind
	text    string
	thought bool
	sig     string
	mime    string
	data    string // inline base64, or the fileData URI
	id      string
	name    string
	args    []byte // functionCall args object
	resp    []byte // functionResponse response object
	media   []gemOutPart
}

// gemOutContent is one outgoing content (a turn).
type gemOutContent struct {
	model bool
	parts []gemOutPart
}

// buildContents converts the conversation. system is the system text to
// send as systemInstruction.
func (e *gemRequestEncoder) buildContents() ([]gemOutContent, []string, error) {
	req := e.req
	var system []string
	for i := range req.System {
		if t := req.System[i].Text; t != "" {
			system = append(system, t)
		}
	}

	// Function responses need the function's name; results from other
	// formats only carry the call id, so index names over the history.
	idName := make(map[string]string)
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			if p := &req.Messages[i].Parts[j]; p.Type == PartToolCall && p.ToolCallID != "" {
				idName[p.ToolCallID] = gemSanitizeName(p.ToolName)
			}
		}
	}

	contents := make([]gemOutContent, 0, len(req.Messages)+1)
	for i := range req.Messages {
		m := &req.Messages[i]
		var oc gemOutContent
		switch m.Role {
		case RoleSystem:
			// Gemini has no system turns. Hoisting the text into
			// systemInstruction would move it to the start and change its
			// meaning, so it stays in place as user text, tagged so the
			// model still reads it as an instruction.
			var sb strings.Builder
			for j := range m.Parts {
				if m.Parts[j].Type == PartText && m.Parts[j].Text != "" {
					if sb.Len() > 0 {
						sb.WriteByte('\n')
					}
					sb.WriteString(m.Parts[j].Text)
				}
			}
			if sb.Len() == 0 {
				continue
			}
			oc.parts = append(oc.parts, gemOutPart{kind: gemOutText, text: "<system>\n" + sb.String() + "\n</system>"})
		case RoleAssistant:
			oc.model = true
			for j := range m.Parts {
				if op, ok, err := e.modelPart(&m.Parts[j]); err != nil {
					return nil, nil, err
				} else if ok {
					oc.parts = append(oc.parts, op)
				}
			}
			e.fixModelParts(&oc)
		default:
			for j := range m.Parts {
				if op, ok, err := e.userPart(&m.Parts[j], idName); err != nil {
					return nil, nil, err
				} else if ok {
					oc.parts = append(oc.parts, op)
				}
			}
		}
		if len(oc.parts) == 0 {
			continue
		}
		if n := len(contents); n > 0 && contents[n-1].model == oc.model {
			// Gemini wants alternating roles; merging is always safe.
			contents[n-1].parts = append(contents[n-1].parts, oc.parts...)
			continue
		}
		contents = append(contents, oc)
	}

	if len(contents) == 0 {
		if len(system) == 0 {
			return nil, nil, gemBadRequest("messages", "the request has no content to send")
		}
		// Only a system prompt: Gemini needs a user turn, and the prompt is
		// the only thing there is to answer.
		contents = append(contents, gemOutContent{parts: []gemOutPart{{kind: gemOutText, text: strings.Join(system, "\n\n")}}})
		system = nil
	}
	for i := range contents {
		if !contents[i].model {
			gemResponsesFirst(contents[i].parts)
		}
	}
	gemPairResponses(contents)
	if contents[0].model {
		// Gemini wants the conversation to open with a user turn. Claude
		// rejects empty text, so the filler is a single period.
		contents = append([]gemOutContent{{parts: []gemOutPart{{kind: gemOutText, text: "."}}}}, contents...)
	}
	return contents, system, nil
}

// sigFor returns p's signature if the target may receive it.
func (e *gemRequestEncoder) sigFor(p *Part) string { return SignatureFor(p, e.format) }

// modelPart converts one part of an assistant message.
func (e *gemRequestEncoder) modelPart(p *Part) (gemOutPart, bool, error) {
	switch p.Type {
	case PartText:
		return gemOutPart{kind: gemOutText, text: p.Text, sig: e.sigFor(p)}, true, nil
	case PartThinking:
		return gemOutPart{kind: gemOutText, text: p.Text, thought: true, sig: e.sigFor(p)}, true, nil
	case PartToolCall:
		return gemOutPart{
			kind: gemOutCall, id: p.ToolCallID, name: gemSanitizeName(p.ToolName),
			args: gemArgsForWire(p.Arguments), sig: e.sigFor(p),
		}, true, nil
	case PartImage, PartFile, PartAudio:
		op, ok := gemMediaOut(p)
		return op, ok, nil
	}
	// Redacted thinking is Anthropic-only; tool results do not belong in
	// model turns.
	return gemOutPart{}, false, nil
}

// userPart converts one part of a user message. Tool results take their
// function name from the part, else from the history index idName.
func (e *gemRequestEncoder) userPart(p *Part, idName map[string]string) (gemOutPart, bool, error) {
	switch p.Type {
	case PartText:
		return gemOutPart{kind: gemOutText, text: p.Text}, p.Text != "", nil
	case PartImage, PartFile, PartAudio:
		if p.URL == "" && p.Data == "" && p.FileID != "" && !gemIsGoogleFile(p.FileID) {
			return gemOutPart{}, false, gemBadRequest("messages", "file %q is a file id of another provider; Gemini needs the file content inline", p.FileID)
		}
		op, ok := gemMediaOut(p)
		return op, ok, nil
	case PartToolResult:
		name := ""
		if p.ToolName != "" {
			name = gemSanitizeName(p.ToolName)
		} else if n, ok := idName[p.ToolCallID]; ok {
			name = n
		}
		op := gemOutPart{kind: gemOutResponse, id: p.ToolCallID, name: name, resp: gemResponseObject(p)}
		for k := range p.Content {
			if c := &p.Content[k]; c.Type != PartText {
				if m, ok := gemMediaOut(c); ok {
					op.media = append(op.media, m)
				}
			}
		}
		return op, true, nil
	}
	return gemOutPart{}, false, nil
}

// writeContents writes the contents array.
func (e *gemRequestEncoder) writeContents(w *jsonWriter, contents []gemOutContent) {
	w.key("contents")
	w.arrOpen()
	for i := range contents {
		w.objOpen()
		if contents[i].model {
			w.fieldStr("role", "model")
		} else {
			w.fieldStr("role", "user")
		}
		w.key("parts")
		w.arrOpen()
		for j := range contents[i].parts {
			gemWriteOutPart(w, &contents[i].parts[j])
		}
		w.arrClose()
		w.objClose()
	}
	w.arrClose()
}

// gemWriteOutPart writes one part object.
func gemWriteOutPart(w *jsonWriter, p *gemOutPart) {
	w.objOpen()
	switch p.kind {
	case gemOutText:
		w.fieldStr("text", p.text)
		if p.thought {
			w.fieldBool("thought", true)
		}
	case gemOutInline:
		w.key("inlineData")
		w.objOpen()
		w.fieldStr("mimeType", p.mime)
		w.fieldStr("data", p.data)
		w.objClose()
	case gemOutFile:
		w.key("fileData")
		w.objOpen()
		if p.mime != "" {
			w.fieldStr("mimeType", p.mime)
		}
		w.fieldStr("fileUri", p.data)
		w.objClose()
	case gemOutCall:
		w.key("functionCall")
		w.objOpen()
		if p.id != "" {
			w.fieldStr("id", p.id)
		}
		w.fieldStr("name", p.name)
		w.fieldRaw("args", p.args)
		w.objClose()
	case gemOutResponse:
		w.key("functionResponse")
		w.objOpen()
		if p.id != "" {
			w.fieldStr("id", p.id)
		}
		w.fieldStr("name", p.name)
		w.fieldRaw("response", p.resp)
		if len(p.media) > 0 {
			w.key("parts")
			w.arrOpen()
			for k := range p.media {
				gemWriteOutPart(w, &p.media[k])
			}
			w.arrClose()
		}
		w.objClose()
	}
	if p.sig != "" {
		w.fieldStr("thoughtSignature", p.sig)
	}
	w.objClose()
}

// writeSystem writes systemInstruction; Antigravity's client gives it role
// "user", so that is sent there too.
func (e *gemRequestEncoder) writeSystem(w *jsonWriter, system []string) {
	if len(system) == 0 {
		return
	}
	w.key("systemInstruction")
	w.objOpen()
	if e.format == Antigravity {
		w.fieldStr("role", "user")
	}
	w.key("parts")
	w.arrOpen()
	for _, s := range system {
		w.objOpen()
		w.fieldStr("text", s)
		w.objClose()
	}
	w.arrClose()
	w.objClose()
}
