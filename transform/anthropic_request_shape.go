package transform

import "strings"

// anShapeMessages turns the canonical conversation into messages the API
// accepts: system messages become user text, parts a role cannot carry or
// that would be rejected are dropped, same-role turns are merged, every
// tool_use is answered in the next user message, and tool results come
// first in their message.
func anShapeMessages(req *Request) ([]anMsg, error) {
	msgs := make([]anMsg, 0, len(req.Messages))
	for i := range req.Messages {
		m := &req.Messages[i]
		role := m.Role
		if role != RoleAssistant && role != RoleSystem {
			role = RoleUser // the API knows no other roles
		}
		var parts []*Part
		if role == RoleSystem {
			// A system message in the middle of the conversation has no
			// home in 2023-06-01 bodies. It becomes user text in the
			// <system-reminder> wrapper Claude models are trained to read
			// as out-of-band instructions (the way Claude Code sends
			// them) rather than being hoisted, which would move it before
			// turns it was meant to follow. 2026-10-21 bodies could carry
			// a system-role message, but user text is valid for both
			// versions and merges with tool results without breaking
			// their adjacency.
			text := anJoinText(m.Parts)
			if text == "" {
				continue
			}
			role = RoleUser
			parts = []*Part{{Type: PartText, Text: "<system-reminder>\n" + text + "\n</system-reminder>"}}
		} else {
			parts = make([]*Part, 0, len(m.Parts))
			for j := range m.Parts {
				p := &m.Parts[j]
				keep, err := anKeepPart(role, p, i, j)
				if err != nil {
					return nil, err
				}
				if keep {
					parts = append(parts, p)
				}
			}
		}
		if len(parts) == 0 {
			continue // the API rejects empty messages
		}
		if n := len(msgs); n > 0 && msgs[n-1].role == role {
			msgs[n-1].parts = append(msgs[n-1].parts, parts...)
			continue
		}
		msgs = append(msgs, anMsg{role: role, parts: parts})
	}
	anPairToolResults(msgs)
	return msgs, nil
}

// anKeepPart says whether part j of message i can be sent in a message of
// role, or fails for content the API cannot take at all.
func anKeepPart(role Role, p *Part, i, j int) (bool, error) {
	switch p.Type {
	case PartText:
		return p.Text != "", nil
	case PartAudio:
		return false, anBadRequest("messages[%d].content[%d]: Anthropic Messages does not accept audio input", i, j)
	case PartImage, PartFile:
		if role != RoleUser {
			return false, nil // assistants cannot send images or documents
		}
		if p.Type == PartFile {
			return anFileKind(p) != "", anFileError(p, i, j)
		}
		return p.Data != "" || p.URL != "" || p.FileID != "", nil
	case PartToolResult:
		return role == RoleUser, nil
	case PartToolCall:
		return role == RoleAssistant, nil
	case PartThinking, PartRedactedThinking:
		// Only signatures Anthropic minted can be sent back; thinking
		// text without one is rejected, so it is dropped.
		return role == RoleAssistant && SignatureFor(p, Anthropic) != "", nil
	}
	return false, nil
}

// anFileKind says how a file part is sent as a document source: "pdf"
// (base64 or URL), "text" (inline plain text), "dataurl" (a data URL of
// either), "file" (file id), or "" when Anthropic cannot take it.
func anFileKind(p *Part) string {
	if p.FileID != "" {
		return "file"
	}
	if p.Data == "" && strings.HasPrefix(p.URL, "data:") {
		if mt, _, ok := ParseDataURL(p.URL); ok && (mt == "application/pdf" || strings.HasPrefix(mt, "text/")) {
			return "dataurl"
		}
		return ""
	}
	switch {
	case p.MediaType == "application/pdf" && (p.Data != "" || p.URL != ""):
		return "pdf"
	case strings.HasPrefix(p.MediaType, "text/") && p.Data != "":
		return "text"
	case p.MediaType == "" && p.URL != "":
		return "pdf" // Anthropic only fetches PDFs by URL
	case p.MediaType == "" && strings.HasPrefix(p.Data, "JVBER"): // %PDF
		return "pdf"
	}
	return ""
}

func anFileError(p *Part, i, j int) error {
	if anFileKind(p) != "" {
		return nil
	}
	if p.Data == "" && p.URL == "" {
		return nil // nothing to send; dropped
	}
	mt := p.MediaType
	if mt == "" {
		mt = "unknown"
	}
	return anBadRequest("messages[%d].content[%d]: Anthropic Messages accepts PDF documents (inline, by URL or file id) and inline plain text only, not %s", i, j, mt)
}

// anPairToolResults enforces tool-result adjacency (protocols.md §3.3,
// §8.6): each assistant turn's tool_use ids must all be answered by
// tool_result blocks first in the very next user message. Missing results
// (truncated client history) get an error result; results that answer no
// call in the turn before become text (the API rejects them as results);
// duplicate results for one id keep the first.
func anPairToolResults(msgs []anMsg) {
	for i := range msgs {
		m := &msgs[i]
		if m.role != RoleUser {
			continue
		}
		var calls []*Part
		if i > 0 {
			for _, p := range msgs[i-1].parts {
				if p.Type == PartToolCall {
					calls = append(calls, p)
				}
			}
		}
		hasResult := false
		for _, p := range m.parts {
			if p.Type == PartToolResult {
				hasResult = true
				break
			}
		}
		if len(calls) == 0 && !hasResult {
			continue
		}
		results := make([]*Part, 0, len(calls))
		var rest []*Part
		for _, p := range m.parts {
			if p.Type != PartToolResult {
				rest = append(rest, p)
				continue
			}
			answered, dup := false, false
			for _, c := range calls {
				if c.ToolCallID == p.ToolCallID {
					answered = true
					break
				}
			}
			for _, r := range results {
				if r.ToolCallID == p.ToolCallID {
					dup = true
					break
				}
			}
			switch {
			case dup:
			case answered:
				results = append(results, p)
			default:
				if t := anOrphanText(p); t != nil {
					rest = append(rest, t)
				}
			}
		}
		// Calls without a result, in call order.
		for _, c := range calls {
			found := false
			for _, r := range results {
				if r.ToolCallID == c.ToolCallID {
					found = true
					break
				}
			}
			if !found {
				results = append(results, &Part{Type: PartToolResult, ToolCallID: c.ToolCallID, IsError: true,
					Content: []Part{{Type: PartText, Text: "No result was provided for this tool call."}}})
			}
		}
		m.parts = append(results, rest...)
	}
	// An assistant tool-use turn followed by another assistant turn cannot
	// happen (turns are merged), but one followed by nothing is a prefill
	// the client chose to send; it is left as is.
}

// anOrphanText turns a tool result that answers no call into user text.
func anOrphanText(p *Part) *Part {
	text := anJoinText(p.Content)
	if text == "" {
		return nil
	}
	return &Part{Type: PartText, Text: "Result of tool call " + p.ToolCallID + ":\n" + text}
}

// anJoinText joins the text of the text parts of ps with newlines.
func anJoinText(ps []Part) string {
	n, count := 0, 0
	for i := range ps {
		if ps[i].Type == PartText && ps[i].Text != "" {
			n += len(ps[i].Text) + 1
			count++
		}
	}
	if count == 1 {
		for i := range ps {
			if ps[i].Type == PartText && ps[i].Text != "" {
				return ps[i].Text
			}
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	for i := range ps {
		if ps[i].Type == PartText && ps[i].Text != "" {
			if sb.Len() > 0 {
				sb.WriteByte('\n')
			}
			sb.WriteString(ps[i].Text)
		}
	}
	return sb.String()
}

// anNonEmptyText returns the text parts of ps that have text.
func anNonEmptyText(ps []Part) []Part {
	for i := range ps {
		if ps[i].Type != PartText || ps[i].Text == "" {
			out := make([]Part, 0, len(ps))
			for j := range ps {
				if ps[j].Type == PartText && ps[j].Text != "" {
					out = append(out, ps[j])
				}
			}
			return out
		}
	}
	return ps
}

// anLoopLostThinking reports whether an assistant turn with tool calls in
// the current tool loop (after the last user turn that carries no tool
// results) does not begin with a signed thinking block.
func anLoopLostThinking(msgs []anMsg) bool {
	start := 0
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].role != RoleUser {
			continue
		}
		pure := true
		for _, p := range msgs[i].parts {
			if p.Type == PartToolResult {
				pure = false
				break
			}
		}
		if pure {
			start = i + 1
			break
		}
	}
	for i := start; i < len(msgs); i++ {
		m := &msgs[i]
		if m.role != RoleAssistant {
			continue
		}
		hasCall := false
		for _, p := range m.parts {
			if p.Type == PartToolCall {
				hasCall = true
				break
			}
		}
		if hasCall && m.parts[0].Type != PartThinking && m.parts[0].Type != PartRedactedThinking {
			return true
		}
	}
	return false
}
