package transform

import (
	"hash/fnv"
	"strconv"
)

// Gemini function names must start with a letter or underscore, use only
// [a-zA-Z0-9_.:-] and be at most 64 characters. Names from other formats
// (leading digits, MCP names with slashes, 128-character Anthropic names)
// are rewritten deterministically, so the same name always maps to the same
// Gemini name in declarations, history calls and function responses alike.
const gemMaxNameLen = 64

func gemNameByteOK(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == ':' || c == '-'
}

func gemNameStartOK(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// gemSanitizeName returns name in the Gemini function-name charset.
func gemSanitizeName(name string) string {
	ok := name != "" && len(name) <= gemMaxNameLen && gemNameStartOK(name[0])
	for i := 0; ok && i < len(name); i++ {
		ok = gemNameByteOK(name[i])
	}
	if ok {
		return name
	}
	b := make([]byte, 0, len(name)+1)
	if name == "" || !gemNameStartOK(name[0]) {
		b = append(b, '_')
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case gemNameByteOK(c):
			b = append(b, c)
		case c >= 0x80:
			// One underscore per UTF-8 sequence, not per byte.
			if c >= 0xC0 {
				b = append(b, '_')
			}
		default:
			b = append(b, '_')
		}
	}
	if len(b) > gemMaxNameLen {
		// Truncation could make two names collide; a hash of the whole
		// original keeps them apart.
		h := fnv.New32a()
		h.Write([]byte(name))
		sum := strconv.FormatUint(uint64(h.Sum32()), 16)
		b = append(b[:gemMaxNameLen-len(sum)-1], '_')
		b = append(b, sum...)
	}
	return string(b)
}

// UpstreamToolNames returns, for a request about to be sent to an upstream
// of format target, the map from the function names the upstream will see
// back to the client's names, or nil when no name changes. Gemini and
// Antigravity rename functions whose names fall outside Gemini's charset;
// their decoders cannot know the client's request, so the relay applies the
// map to the decoded answer with RestoreToolNames or RestoreEventToolNames.
func UpstreamToolNames(target Format, req *Request) map[string]string {
	if target != Gemini && target != Antigravity || req == nil {
		return nil
	}
	var m map[string]string
	add := func(name string) {
		if s := gemSanitizeName(name); s != name {
			if m == nil {
				m = make(map[string]string)
			}
			m[s] = name
		}
	}
	for i := range req.Tools {
		add(req.Tools[i].Name)
	}
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			if p := &req.Messages[i].Parts[j]; p.Type == PartToolCall {
				add(p.ToolName)
			}
		}
	}
	return m
}

// RestoreToolNames puts the client's function names back into a decoded
// upstream answer (see UpstreamToolNames). A nil map is a no-op.
func RestoreToolNames(names map[string]string, resp *Response) {
	if len(names) == 0 || resp == nil {
		return
	}
	for i := range resp.Content {
		if p := &resp.Content[i]; p.Type == PartToolCall {
			if orig, ok := names[p.ToolName]; ok {
				p.ToolName = orig
			}
		}
	}
}

// RestoreEventToolNames does what RestoreToolNames does for stream events.
func RestoreEventToolNames(names map[string]string, evs []Event) {
	if len(names) == 0 {
		return
	}
	for i := range evs {
		if ev := &evs[i]; ev.Type == EventToolCallStart {
			if orig, ok := names[ev.ToolName]; ok {
				ev.ToolName = orig
			}
		}
	}
}
