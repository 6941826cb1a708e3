package fakeprovider

import (
	"bytes"
	"encoding/json"
)

// The real APIs do not all lay their JSON out the same way, and a gateway
// that passes bodies through must cope with each: OpenAI pretty-prints
// answers (two spaces) and errors (four), Google pretty-prints answers and
// errors (two spaces) and writes SSE chunks on one line with a space after
// each colon, Anthropic writes compact JSON.

// indentJSON re-indents compact JSON; b is returned unchanged if invalid.
func indentJSON(b []byte, indent string) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", indent); err != nil {
		return b
	}
	return out.Bytes()
}

// colonSpaced adds a space after every colon outside strings, the layout of
// Google's SSE chunks ({"candidates": [{"content": {...}}]}).
func colonSpaced(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	inStr, esc := false, false
	for _, c := range b {
		out = append(out, c)
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && c == ':':
			out = append(out, ' ')
		}
	}
	return out
}

// layoutBody lays out a complete (non-stream) answer body of format f.
func layoutBody(f Format, b []byte) []byte {
	switch f {
	case OpenAIChat, OpenAIResponses, Gemini, Antigravity:
		return indentJSON(b, "  ")
	}
	return b
}

// layoutError lays out an error body of format f.
func layoutError(f Format, b []byte) []byte {
	switch f {
	case OpenAIChat, OpenAIResponses:
		return append(indentJSON(b, "    "), '\n')
	case Gemini, Antigravity:
		return append(indentJSON(b, "  "), '\n')
	}
	return b
}
