package transform

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Helpers shared by the OpenAI Chat Completions and Responses codecs.

// oaiBadRequest is a 400 naming the request field at fault.
func oaiBadRequest(param, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if param != "" {
		msg = param + ": " + msg
	}
	return &Error{Status: 400, Kind: KindInvalidRequest, Message: msg, Param: param}
}

// oaiBadJSON is the error for a body that is not valid JSON.
func oaiBadJSON() *Error {
	return &Error{Status: 400, Kind: KindInvalidRequest, Message: "request body is not valid JSON"}
}

// oaiBadUpstream is the error for an upstream answer that cannot be read.
func oaiBadUpstream(f Format, what string) *Error {
	return &Error{Status: 502, Kind: KindServer, Message: "upstream " + f.DisplayName() + " " + what}
}

// oaiArgs normalises tool-call arguments as the canonical model wants them:
// a complete JSON object. OpenAI sends arguments as a string that models
// occasionally fill with something else; a non-object is kept, wrapped as
// {"raw": "<text>"}, rather than lost.
func oaiArgs(s string) json.RawMessage {
	t := strings.TrimSpace(s)
	if t == "" {
		return json.RawMessage("{}")
	}
	if t[0] == '{' && gjson.Valid(t) {
		return json.RawMessage(t)
	}
	var w jsonWriter
	w.objOpen()
	w.fieldStr("raw", s)
	w.objClose()
	return w.b
}

// oaiArgsResult reads arguments that are normally a JSON string but that
// sloppy clients send as an object.
func oaiArgsResult(v gjson.Result) json.RawMessage {
	if v.IsObject() {
		return json.RawMessage(v.Raw)
	}
	return oaiArgs(v.String())
}

// oaiArgsText is the string form of canonical arguments for OpenAI wire
// formats.
func oaiArgsText(a json.RawMessage) string {
	if len(a) == 0 {
		return "{}"
	}
	return string(a)
}

// oaiJoinText concatenates the text parts of parts. Text blocks of one turn
// are joined without a separator, as a stream would have concatenated them.
func oaiJoinText(parts []Part) string {
	n, count := 0, 0
	var last string
	for i := range parts {
		if parts[i].Type == PartText {
			n += len(parts[i].Text)
			count++
			last = parts[i].Text
		}
	}
	if count <= 1 {
		return last
	}
	var b strings.Builder
	b.Grow(n)
	for i := range parts {
		if parts[i].Type == PartText {
			b.WriteString(parts[i].Text)
		}
	}
	return b.String()
}

// oaiJoinSystem joins system prompt blocks for targets with a single system
// slot. Blocks are separate paragraphs, so they get a blank line between.
func oaiJoinSystem(parts []Part) string {
	if len(parts) == 1 {
		return parts[0].Text
	}
	var b strings.Builder
	for i := range parts {
		if parts[i].Type != PartText || parts[i].Text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(parts[i].Text)
	}
	return b.String()
}

// oaiHasToolCall reports whether parts contain a tool call.
func oaiHasToolCall(parts []Part) bool {
	for i := range parts {
		if parts[i].Type == PartToolCall {
			return true
		}
	}
	return false
}

// oaiModelName strips a routing prefix such as "openai/" from model.
func oaiModelName(model string) string {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	return strings.ToLower(model)
}

// oaiNoReasoningModel reports whether model is one of OpenAI's chat models
// without reasoning, which reject reasoning parameters with "Unrecognized
// request argument supplied: reasoning_effort". Other servers ignore the
// parameter or use it, so only these names are singled out.
func oaiNoReasoningModel(model string) bool {
	m := oaiModelName(model)
	return strings.HasPrefix(m, "gpt-4") || strings.HasPrefix(m, "gpt-3.5") ||
		strings.HasPrefix(m, "chatgpt-4o")
}

// oaiIsOpenAIModel reports whether model is served by OpenAI itself, whose
// strict message schema rejects fields other servers need (such as
// DeepSeek's reasoning_content in assistant history).
func oaiIsOpenAIModel(model string) bool {
	m := oaiModelName(model)
	if len(m) >= 2 && m[0] == 'o' && m[1] >= '1' && m[1] <= '9' {
		return true // o1, o3, o4-mini…
	}
	return strings.HasPrefix(m, "gpt-") || strings.HasPrefix(m, "chatgpt-") ||
		strings.HasPrefix(m, "codex-") || strings.HasPrefix(m, "computer-use-")
}

// oaiReasoningEffort is the OpenAI effort level for r, or "" when nothing
// should be sent. A client that turned thinking off without naming an
// effort gets the model default: "none" is only accepted by recent models.
func oaiReasoningEffort(r *Reasoning) string {
	if r == nil {
		return ""
	}
	if r.Effort != "" {
		return r.Effort
	}
	if r.Disabled {
		return ""
	}
	if r.BudgetTokens != nil {
		return EffortForBudget(*r.BudgetTokens)
	}
	return ""
}

// oaiWriteExtra copies the client's unknown top-level fields back, in
// sorted key order so bodies are reproducible. skip names keys the encoder
// already wrote or handled itself.
func oaiWriteExtra(w *jsonWriter, extra map[string]json.RawMessage, skip func(string) bool) {
	if len(extra) == 0 {
		return
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if skip == nil || !skip(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.keyEsc(k)
		w.raw(extra[k])
	}
}

// oaiAudioMediaType maps an input_audio format to a media type.
func oaiAudioMediaType(format string) string {
	switch format {
	case "mp3":
		return "audio/mpeg"
	case "":
		return "audio/wav"
	}
	if strings.Contains(format, "/") {
		return format
	}
	return "audio/" + format
}

// oaiAudioFormat maps a media type to an input_audio format.
func oaiAudioFormat(mediaType string) string {
	switch mediaType {
	case "audio/mpeg", "audio/mp3":
		return "mp3"
	case "audio/wav", "audio/x-wav", "audio/wave", "":
		return "wav"
	}
	return strings.TrimPrefix(mediaType, "audio/")
}

// oaiFileMediaType guesses a file's media type from its name, for file
// data that came as bare base64 without a data: URL.
func oaiFileMediaType(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "application/pdf"
	}
	switch strings.ToLower(name[i+1:]) {
	case "txt":
		return "text/plain"
	case "md":
		return "text/markdown"
	case "csv":
		return "text/csv"
	case "html", "htm":
		return "text/html"
	case "json":
		return "application/json"
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	}
	return "application/pdf"
}

// oaiMediaPart fills the media fields of p from an OpenAI URL-or-data-URL.
func oaiMediaPart(p *Part, url string) {
	if mt, data, ok := ParseDataURL(url); ok {
		p.MediaType, p.Data = mt, data
		return
	}
	p.URL = url
}

// oaiMediaURL is the URL to send for an image or file part: the data URL
// when the content is inline.
func oaiMediaURL(p *Part) string {
	if p.Data != "" {
		mt := p.MediaType
		if mt == "" {
			mt = "application/octet-stream"
		}
		return DataURL(mt, p.Data)
	}
	return p.URL
}

// oaiErrorFrom reads an OpenAI error object ({message, type, code, param})
// that arrived inside a stream or a 200 body. status is the fallback HTTP
// status; the error type refines it.
func oaiErrorFrom(v gjson.Result, status int) *Error {
	e := &Error{Status: status}
	if v.Type == gjson.String {
		e.Message = v.Str
	} else {
		e.Message = v.Get("message").String()
		if c := v.Get("code"); c.Type == gjson.String {
			e.Code = c.Str
		} else if c.Type == gjson.Number && c.Int() >= 400 && c.Int() < 600 {
			e.Status = int(c.Int())
		}
		if p := v.Get("param"); p.Type == gjson.String {
			e.Param = p.Str
		}
		switch v.Get("type").String() {
		case "invalid_request_error":
			e.Status = 400
		case "authentication_error":
			e.Status = 401
		case "permission_error":
			e.Status = 403
		case "not_found_error":
			e.Status = 404
		case "rate_limit_error", "rate_limit_exceeded", "insufficient_quota":
			e.Status = 429
		case "server_error", "api_error":
			e.Status = 500
		case "overloaded_error":
			e.Status = 503
		}
	}
	e.Kind = KindForStatus(e.Status)
	if e.Code == "insufficient_quota" {
		e.Kind = KindBilling
	}
	if e.Message == "" {
		e.Message = "upstream error"
	}
	return e
}

// oaiErrorType is the OpenAI error type string for e, used by in-stream
// errors.
func oaiErrorType(e *Error) string {
	k := e.Kind
	if k == "" {
		k = KindForStatus(e.Status)
	}
	return openAIType(k)
}

// oaiLoc locates a request field for error messages, such as
// messages[2].content[0].text. The string is built only when an error
// needs it, which keeps the decoders free of allocations on valid input.
type oaiLoc struct {
	list string // top-level array: "messages", "input", "tools"
	i    int
	sub  string // array field of element i: ".content", ".tool_calls"…
	j    int    // element of sub; -1 for sub itself
}

// at returns the path of the located field followed by suffix.
func (l oaiLoc) at(suffix string) string {
	b := make([]byte, 0, 32+len(suffix))
	b = append(b, l.list...)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(l.i), 10)
	b = append(b, ']')
	b = append(b, l.sub...)
	if l.sub != "" && l.j >= 0 {
		b = append(b, '[')
		b = strconv.AppendInt(b, int64(l.j), 10)
		b = append(b, ']')
	}
	b = append(b, suffix...)
	return string(b)
}

// in locates the array field sub of the element.
func (l oaiLoc) in(sub string) oaiLoc {
	l.sub, l.j = sub, -1
	return l
}

// elem locates element j of the array field.
func (l oaiLoc) elem(j int) oaiLoc {
	l.j = j
	return l
}
