package transform

import (
	"bytes"

	"github.com/tidwall/gjson"
)

// UsageTap reads token usage from a same-format (passthrough) answer as it
// goes by, with each codec's own usage decoder, so a passthrough call is
// metered exactly like a translated one. For streams it looks only at data
// lines that mention usage, so the bytes themselves are never re-encoded.
type UsageTap struct {
	f     Format
	an    anUsage
	u     Usage
	known bool
	line  []byte // a data line split across writes

	// Gemini's JSON-array stream (no alt=sse): elements are found by
	// tracking nesting, since they span lines.
	mode              tapMode
	depth             int
	inString, escaped bool
	elem              []byte
	elemTooLong       bool
}

type tapMode uint8

const (
	tapUnknown tapMode = iota
	tapSSE
	tapArray
)

// NewUsageTap returns a tap for answers of format f.
func NewUsageTap(f Format) *UsageTap { return &UsageTap{f: f} }

// Usage returns the usage seen so far (cumulative counts: the last wins).
func (t *UsageTap) Usage() (Usage, bool) { return t.u, t.known }

// Body reads a complete non-streaming answer.
func (t *UsageTap) Body(body []byte) { t.object(body) }

// Write reads stream bytes; it never fails, so it can sit in an
// io.MultiWriter beside the client.
func (t *UsageTap) Write(p []byte) (int, error) {
	n := len(p)
	if t.mode == tapUnknown {
		if trimmed := bytes.TrimLeft(p, " \t\r\n"); len(trimmed) > 0 {
			t.mode = tapSSE
			if trimmed[0] == '[' {
				t.mode = tapArray
			}
		}
	}
	if t.mode == tapArray {
		t.array(p)
		return n, nil
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(t.line)+len(p) <= maxTapLine {
				t.line = append(t.line, p...)
			}
			break
		}
		line := p[:i]
		if len(t.line) > 0 {
			line = append(t.line, line...)
			t.line = t.line[:0]
		}
		t.streamLine(line)
		p = p[i+1:]
	}
	return n, nil
}

// maxTapLine bounds a buffered partial line; usage lines are short, and
// longer ones (inline images) are skipped.
const maxTapLine = 1 << 20

func (t *UsageTap) streamLine(line []byte) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	data, ok := bytes.CutPrefix(line, []byte("data:"))
	if !ok {
		return
	}
	if !mentionsUsage(data) {
		return
	}
	t.object(data)
}

// mentionsUsage reports whether data may carry usage (usage,
// usageMetadata). "usage":null, which OpenAI puts in every chunk of an
// include_usage stream, does not count: skipping it spares a parse per
// chunk.
func mentionsUsage(data []byte) bool {
	for {
		i := bytes.Index(data, []byte("sage"))
		if i < 0 {
			return false
		}
		data = data[i+4:]
		if !bytes.HasPrefix(data, []byte(`":null`)) {
			return true
		}
	}
}

// array splits a JSON-array stream into its top-level elements.
func (t *UsageTap) array(p []byte) {
	for _, c := range p {
		if t.depth > 0 {
			if len(t.elem) < maxTapLine {
				t.elem = append(t.elem, c)
			} else {
				t.elemTooLong = true
			}
		}
		if t.inString {
			switch {
			case t.escaped:
				t.escaped = false
			case c == '\\':
				t.escaped = true
			case c == '"':
				t.inString = false
			}
			continue
		}
		switch c {
		case '"':
			t.inString = true
		case '{', '[':
			t.depth++
			if t.depth == 2 && c == '{' { // an element starts
				t.elem = append(t.elem[:0], c)
				t.elemTooLong = false
			}
		case '}', ']':
			t.depth--
			if t.depth == 1 && c == '}' {
				if !t.elemTooLong && bytes.Contains(t.elem, []byte("sageMetadata")) {
					t.object(t.elem)
				}
				t.elem = t.elem[:0]
			}
		}
	}
}

// object reads the usage of one answer object or stream event. GetBytes
// copies only the usage object, not the whole answer as ParseBytes would.
func (t *UsageTap) object(root []byte) {
	switch t.f {
	case OpenAIChat:
		if v := gjson.GetBytes(root, "usage"); v.IsObject() {
			t.u, t.known = ccDecodeUsage(v), true
		}
	case OpenAIResponses:
		v := gjson.GetBytes(root, "response.usage")
		if !v.IsObject() {
			v = gjson.GetBytes(root, "usage")
		}
		if v.IsObject() {
			t.u, t.known = rsDecodeUsage(v), true
		}
	case Anthropic:
		v := gjson.GetBytes(root, "message.usage")
		if !v.IsObject() {
			v = gjson.GetBytes(root, "usage")
		}
		if v.IsObject() {
			t.an.merge(v)
			t.u, t.known = t.an.canonical(), true
		}
	case Gemini, Antigravity:
		v := gjson.GetBytes(root, "usageMetadata")
		if !v.IsObject() {
			v = gjson.GetBytes(root, "response.usageMetadata")
		}
		if v.IsObject() {
			t.u, t.known = gemUsage(v), true
		}
	}
}
