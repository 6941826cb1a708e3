package transform

import (
	"strings"

	"github.com/tidwall/gjson"
)

// EncodeRequest builds a Gemini GenerateContentRequest (Antigravity: the
// same inside its envelope, see antigravity.go). The model goes in the URL
// for Gemini, so the body has none.
func (c *geminiCodec) EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error) {
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
	w := gemWriter{b: make([]byte, 0, 1024+e.sizeHint())}
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

// fixModelParts applies the signature rules to one model turn and drops
// what the target would reject.
//
// Gemini 3 validates a signature on the first function call of every step;
// calls from another provider's history get Google's documented bypass
// value. When a client of another format kept Gemini's signature on its
// thinking block (the only place it could), it goes back to the call.
// Claude behind Antigravity wants its thinking signature on the thought
// part and on each call, and rejects empty text and thinking that does not
// lead the turn.
func (e *gemRequestEncoder) fixModelParts(oc *gemOutContent) {
	parts := oc.parts
	lastThoughtSig := -1
	firstCall := true
	for i := range parts {
		p := &parts[i]
		switch {
		case p.kind == gemOutText && p.thought && p.sig != "":
			lastThoughtSig = i
		case p.kind == gemOutCall && p.sig == "":
			switch {
			case e.claude && lastThoughtSig >= 0:
				p.sig = parts[lastThoughtSig].sig
			case e.claude:
				p.sig = gemSkipSignature
			case firstCall && lastThoughtSig >= 0:
				p.sig = parts[lastThoughtSig].sig
				parts[lastThoughtSig].sig = ""
			case firstCall:
				p.sig = gemSkipSignature
			}
			firstCall = false
		case p.kind == gemOutCall:
			firstCall = false
		}
	}
	kept := parts[:0]
	for _, p := range parts {
		if p.kind == gemOutText {
			// Unsigned thought text is only a summary; Gemini ignores it
			// in history and Claude would reject it without a signature.
			if p.thought && p.sig == "" {
				continue
			}
			if p.text == "" && (p.sig == "" || e.claude) {
				continue
			}
		}
		kept = append(kept, p)
	}
	if e.claude {
		gemThoughtsFirst(kept)
	}
	oc.parts = kept
}

// gemThoughtsFirst moves thought parts to the front, keeping order.
func gemThoughtsFirst(parts []gemOutPart) {
	gemStablePartition(parts, func(p *gemOutPart) bool { return p.kind == gemOutText && p.thought })
}

// gemResponsesFirst moves function responses to the front of a user turn:
// they must directly answer the calls before them, and text that a client
// sent after its tool results (or a mid-conversation system note merged
// in) must not sit between them.
func gemResponsesFirst(parts []gemOutPart) {
	gemStablePartition(parts, func(p *gemOutPart) bool { return p.kind == gemOutResponse })
}

func gemStablePartition(parts []gemOutPart, front func(*gemOutPart) bool) {
	sorted := true
	seenBack := false
	for i := range parts {
		if front(&parts[i]) {
			if seenBack {
				sorted = false
				break
			}
		} else {
			seenBack = true
		}
	}
	if sorted {
		return
	}
	out := make([]gemOutPart, 0, len(parts))
	for i := range parts {
		if front(&parts[i]) {
			out = append(out, parts[i])
		}
	}
	for i := range parts {
		if !front(&parts[i]) {
			out = append(out, parts[i])
		}
	}
	copy(parts, out)
}

// gemPairResponses makes every model turn's function calls answered by the
// same number of function responses in the next turn, in call order, each
// named like its call (Gemini rejects any mismatch). Missing answers are
// filled with an error result; answers to calls that are not there (a
// truncated history) become plain text.
func gemPairResponses(contents []gemOutContent) {
	for i := range contents {
		c := &contents[i]
		if c.model {
			continue
		}
		var calls []gemOutPart
		if i > 0 && contents[i-1].model {
			for _, p := range contents[i-1].parts {
				if p.kind == gemOutCall {
					calls = append(calls, p)
				}
			}
		}
		nresp := 0
		for _, p := range c.parts {
			if p.kind == gemOutResponse {
				nresp++
			}
		}
		if len(calls) == 0 && nresp == 0 {
			continue
		}
		responses := c.parts[:nresp]
		rest := c.parts[nresp:]
		used := make([]bool, len(responses))
		out := make([]gemOutPart, 0, len(calls)+len(c.parts))
		for _, call := range calls {
			k := gemFindResponse(responses, used, call)
			if k < 0 {
				out = append(out, gemOutPart{kind: gemOutResponse, id: call.id, name: call.name,
					resp: []byte(`{"error":"No result was provided for this call."}`)})
				continue
			}
			used[k] = true
			r := responses[k]
			r.name = call.name
			if r.id == "" {
				r.id = call.id
			}
			out = append(out, r)
		}
		for k, r := range responses {
			if !used[k] {
				out = append(out, gemOutPart{kind: gemOutText, text: gemOrphanResultText(&r)})
				out = append(out, r.media...)
			}
		}
		c.parts = append(out, rest...)
	}
	// A model turn that ends the conversation with calls is left alone.
}

func gemFindResponse(responses []gemOutPart, used []bool, call gemOutPart) int {
	if call.id != "" {
		for k, r := range responses {
			if !used[k] && r.id == call.id {
				return k
			}
		}
	}
	for k, r := range responses {
		if !used[k] && r.id == "" && r.name == call.name {
			return k
		}
	}
	return -1
}

func gemOrphanResultText(r *gemOutPart) string {
	name := r.name
	if name == "" {
		name = "tool"
	}
	return "Result of " + name + " call " + r.id + ":\n" + string(r.resp)
}

// gemResponseObject builds functionResponse.response, which must be a JSON
// object: a result whose text is an object is sent as is, anything else is
// wrapped as {"result": text} ({"error": text} for failures).
func gemResponseObject(p *Part) []byte {
	var text string
	n := 0
	for k := range p.Content {
		if p.Content[k].Type == PartText {
			if n > 0 {
				text += "\n"
			}
			text += p.Content[k].Text
			n++
		}
	}
	if !p.IsError {
		if t := strings.TrimSpace(text); len(t) > 0 && t[0] == '{' {
			if o := gemJSONObject([]byte(t)); o != nil {
				return o
			}
		}
	}
	key := `{"result":`
	if p.IsError {
		key = `{"error":`
	}
	b := append(make([]byte, 0, len(text)+16), key...)
	b = gemAppendString(b, text)
	return append(b, '}')
}

// gemIsGoogleFile reports whether a file reference is something Gemini can
// resolve itself (Files API name or URI, Cloud Storage).
func gemIsGoogleFile(s string) bool {
	return strings.HasPrefix(s, "files/") || strings.HasPrefix(s, "gs://") ||
		strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// gemMediaOut converts an image/file/audio part: inline data when the
// bytes are there (or in a data: URL), fileData for a URL the relay did
// not inline (see InlineRemoteMedia) or a Google file reference.
func gemMediaOut(p *Part) (gemOutPart, bool) {
	mime := p.MediaType
	if mime != "" && !strings.Contains(mime, "/") {
		// A bare format name ("wav", "png") as some formats give it.
		mime = string(gemTypeFamily(p.Type)) + "/" + mime
	}
	switch {
	case p.Data != "":
		if mime == "" {
			mime = gemSniffBase64(p.Data, p.Type)
		}
		return gemOutPart{kind: gemOutInline, mime: mime, data: p.Data}, true
	case p.URL != "":
		if mt, data, ok := ParseDataURL(p.URL); ok {
			if mime == "" || mt != "application/octet-stream" {
				mime = mt
			}
			return gemOutPart{kind: gemOutInline, mime: mime, data: data}, true
		}
		if mime == "" {
			mime = gemGuessMime(p.URL, p.Type)
		}
		return gemOutPart{kind: gemOutFile, mime: mime, data: p.URL}, true
	case p.FileID != "":
		if mime == "" {
			mime = gemGuessMime(p.FileID, p.Type)
		}
		return gemOutPart{kind: gemOutFile, mime: mime, data: p.FileID}, true
	}
	return gemOutPart{}, false
}

func gemTypeFamily(t PartType) string {
	switch t {
	case PartImage:
		return "image"
	case PartAudio:
		return "audio"
	}
	return "application"
}

// gemSniffBase64 guesses a media type from the first bytes of base64 data.
func gemSniffBase64(data string, t PartType) string {
	for _, s := range [...]struct{ prefix, mime string }{
		{"iVBORw0KGgo", "image/png"}, {"/9j/", "image/jpeg"}, {"R0lGOD", "image/gif"},
		{"UklGR", "image/webp"}, {"JVBERi0", "application/pdf"}, {"SUQz", "audio/mpeg"},
		{"//u", "audio/mpeg"}, {"//s", "audio/mpeg"}, {"T2dnUw", "audio/ogg"}, {"ZkxhQw", "audio/flac"},
	} {
		if strings.HasPrefix(data, s.prefix) {
			return s.mime
		}
	}
	return gemDefaultMime(t)
}

func gemDefaultMime(t PartType) string {
	switch t {
	case PartImage:
		return "image/jpeg"
	case PartAudio:
		return "audio/wav"
	}
	return "application/pdf"
}

// gemGuessMime guesses a media type from a URL's file extension.
func gemGuessMime(u string, t PartType) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	ext := strings.ToLower(u[strings.LastIndexByte(u, '.')+1:])
	switch ext {
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	case "gif":
		return "image/gif"
	case "webp":
		return "image/webp"
	case "heic":
		return "image/heic"
	case "pdf":
		return "application/pdf"
	case "txt":
		return "text/plain"
	case "mp3":
		return "audio/mpeg"
	case "wav":
		return "audio/wav"
	case "mp4":
		return "video/mp4"
	}
	return gemDefaultMime(t)
}

func (e *gemRequestEncoder) writeContents(w *gemWriter, contents []gemOutContent) {
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

func gemWriteOutPart(w *gemWriter, p *gemOutPart) {
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

func (e *gemRequestEncoder) writeSystem(w *gemWriter, system []string) {
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

func (e *gemRequestEncoder) schemaTarget() SchemaTarget {
	switch {
	case e.claude:
		return SchemaAntigravityClaude
	case e.format == Antigravity:
		return SchemaAntigravity
	}
	return SchemaGemini
}

func (e *gemRequestEncoder) writeTools(w *gemWriter) {
	req := e.req
	builtins := e.builtinTools()
	if len(req.Tools) == 0 && len(builtins) == 0 {
		return
	}
	w.key("tools")
	w.arrOpen()
	if len(req.Tools) > 0 {
		w.objOpen()
		w.key("functionDeclarations")
		w.arrOpen()
		seen := make(map[string]bool, len(req.Tools))
		target := e.schemaTarget()
		for i := range req.Tools {
			t := &req.Tools[i]
			name := gemSanitizeName(t.Name)
			if seen[name] {
				continue // Gemini rejects duplicate declarations
			}
			seen[name] = true
			w.objOpen()
			w.fieldStr("name", name)
			if t.Description != "" {
				w.fieldStr("description", t.Description)
			}
			params := t.Parameters
			if len(params) == 0 && e.claude {
				params = []byte(`{"type":"object"}`)
			}
			if len(params) > 0 {
				if s := CleanSchema(params, target); gemJSONObject(s) != nil {
					w.fieldRaw("parametersJsonSchema", s)
				}
			}
			w.objClose()
		}
		w.arrClose()
		w.objClose()
		e.hasDecls = true
	}
	for _, b := range builtins {
		w.raw(b)
	}
	w.arrClose()

	e.writeToolConfig(w)
}

// builtinTools returns the Google-hosted tool objects a Gemini client
// asked for (kept in Extra["tools"]); only tool kinds Gemini knows are
// copied. Claude behind Antigravity cannot run them.
func (e *gemRequestEncoder) builtinTools() [][]byte {
	raw, ok := e.req.Extra["tools"]
	if !ok || e.claude || !e.ownExtra() || !gjson.ValidBytes(raw) {
		return nil
	}
	var out [][]byte
	gjson.ParseBytes(raw).ForEach(func(_, t gjson.Result) bool {
		if !t.IsObject() {
			return true
		}
		good := true
		t.ForEach(func(k, _ gjson.Result) bool {
			good = gemBuiltinTools[k.Str]
			return good
		})
		if good {
			out = append(out, []byte(t.Raw))
		}
		return true
	})
	return out
}

func (e *gemRequestEncoder) writeToolConfig(w *gemWriter) {
	tc := e.req.ToolChoice
	mode, allowed := "", ""
	if tc != nil {
		switch tc.Mode {
		case ToolChoiceAuto:
			mode = "AUTO"
		case ToolChoiceNone:
			mode = "NONE"
		case ToolChoiceRequired:
			mode = "ANY"
		case ToolChoiceTool:
			mode, allowed = "ANY", gemSanitizeName(tc.Name)
		}
	}
	if e.claude && e.hasDecls && (mode == "" || mode == "AUTO") {
		// What Antigravity clients send for Claude: calls are validated
		// against the (cleaned) schemas.
		mode = "VALIDATED"
	}
	var extra gjson.Result
	if raw, ok := e.req.Extra["toolConfig"]; ok && !e.claude && e.ownExtra() && gjson.ValidBytes(raw) {
		extra = gjson.ParseBytes(raw)
	}
	if (mode == "" || !e.hasDecls) && !extra.IsObject() {
		return
	}
	w.key("toolConfig")
	w.objOpen()
	if mode != "" && e.hasDecls {
		w.key("functionCallingConfig")
		w.objOpen()
		w.fieldStr("mode", mode)
		if allowed != "" {
			w.key("allowedFunctionNames")
			w.arrOpen()
			w.str(allowed)
			w.arrClose()
		}
		w.objClose()
	}
	extra.ForEach(func(k, v gjson.Result) bool {
		w.keyEsc(k.Str)
		w.rawStr(v.Raw)
		return true
	})
	w.objClose()
}

func (e *gemRequestEncoder) writeGenerationConfig(w *gemWriter) {
	req := e.req
	th := gemThinkingFor(req.Reasoning, e.model, e.claude)
	opened := false
	open := func() {
		if !opened {
			w.key("generationConfig")
			w.objOpen()
			opened = true
		}
	}
	claudeThinking := e.claude && th.set && th.budget > 0
	if req.Temperature != nil && !claudeThinking {
		t := *req.Temperature
		if e.claude && t > 1 {
			t = 1 // Claude's range is 0–1
		}
		open()
		w.key("temperature")
		w.float(t)
	}
	if req.TopP != nil {
		open()
		w.key("topP")
		w.float(*req.TopP)
	}
	if req.TopK != nil && !claudeThinking {
		open()
		w.fieldInt("topK", int64(*req.TopK))
	}
	if req.N != nil && *req.N > 0 && !e.claude {
		open()
		w.fieldInt("candidateCount", int64(*req.N))
	}
	if req.MaxTokens != nil {
		maxTok := *req.MaxTokens
		if claudeThinking && maxTok <= th.budget {
			// Claude counts thinking inside max_tokens and needs room
			// beyond the budget; the client's cap was meant for the answer.
			maxTok += th.budget
		}
		open()
		w.fieldInt("maxOutputTokens", int64(maxTok))
	}
	if len(req.Stop) > 0 {
		open()
		w.key("stopSequences")
		w.arrOpen()
		for i, s := range req.Stop {
			if i == 5 { // Gemini accepts at most five
				break
			}
			w.str(s)
		}
		w.arrClose()
	}
	if !e.claude {
		if req.PresencePenalty != nil {
			open()
			w.key("presencePenalty")
			w.float(*req.PresencePenalty)
		}
		if req.FrequencyPenalty != nil {
			open()
			w.key("frequencyPenalty")
			w.float(*req.FrequencyPenalty)
		}
		if req.Seed != nil {
			open()
			w.fieldInt("seed", *req.Seed)
		}
	}
	if rf := req.ResponseFormat; rf != nil && (rf.Type == "json_object" || rf.Type == "json_schema") {
		open()
		w.fieldStr("responseMimeType", "application/json")
		if rf.Type == "json_schema" && len(rf.Schema) > 0 {
			target := SchemaGemini
			if e.format == Antigravity {
				target = SchemaAntigravityResponse
			}
			if s := CleanSchema(rf.Schema, target); gemJSONObject(s) != nil {
				w.fieldRaw("responseJsonSchema", s)
			}
		}
	}
	if th.set {
		open()
		w.key("thinkingConfig")
		w.objOpen()
		if th.include {
			w.fieldBool("includeThoughts", true)
		}
		if th.level != "" {
			w.fieldStr("thinkingLevel", th.level)
		} else if th.hasBudget {
			w.fieldInt("thinkingBudget", int64(th.budget))
		}
		w.objClose()
	}
	if raw, ok := req.Extra["generationConfig"]; ok && !e.claude && e.ownExtra() && gjson.ValidBytes(raw) {
		gjson.ParseBytes(raw).ForEach(func(k, v gjson.Result) bool {
			open()
			w.keyEsc(k.Str)
			w.rawStr(v.Raw)
			return true
		})
	}
	if opened {
		w.objClose()
	}
}

// gemPassthrough are the top-level fields of a Gemini client's request
// (kept in Extra) that are copied to a Gemini upstream. A whitelist even
// for Gemini clients: unknown keys would make Gemini answer 400.
var gemPassthrough = []string{"safetySettings", "cachedContent", "labels"}

func (e *gemRequestEncoder) writeExtras(w *gemWriter) {
	req := e.req
	if e.format == Antigravity {
		// Antigravity rejects safetySettings; sessionId groups a
		// conversation's requests the way the Antigravity client does.
		if sid := agSessionID(req); sid != "" {
			w.fieldStr("sessionId", sid)
		}
		return
	}
	if !e.ownExtra() {
		return
	}
	for _, k := range gemPassthrough {
		raw, ok := req.Extra[k]
		if !ok {
			raw, ok = req.Extra[gemSnake(k)]
		}
		if ok && gjson.ValidBytes(raw) {
			w.fieldRaw(k, raw)
		}
	}
}

// gemSnake returns the snake_case spelling of a camelCase key.
func gemSnake(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
