package transform

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/tidwall/gjson"
)

// Thinking limits of the Messages API.
const (
	anMinThinkingBudget = 1024
	// anAnswerRoom is what the encoder keeps for the visible answer when it
	// has to shrink a thinking budget to fit under max_tokens.
	anAnswerRoom = 1024
)

// anMsg is one outgoing message while the conversation is being shaped
// (merged, reordered) before it is written.
type anMsg struct {
	role  Role // RoleUser or RoleAssistant
	parts []*Part
}

// anThinking is the thinking configuration chosen for the upstream.
type anThinking struct {
	mode   string // "", "enabled", "adaptive" or "disabled"
	budget int
	effort string // output_config.effort, "" for none
}

func (t anThinking) on() bool { return t.mode == "enabled" || t.mode == "adaptive" }

// EncodeRequest implements Codec: it builds a Messages API body the real
// API accepts for opts.AnthropicVersion (see protocols.md §3.3 and §8 for
// the rules enforced here).
func (anthropicCodec) EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error) {
	msgs, err := anShapeMessages(req)
	if err != nil {
		return nil, err
	}
	system := req.System
	if len(msgs) == 0 {
		// Only a system prompt: the API needs a user turn, and the system
		// text is the only content there is to answer.
		text := anJoinText(system)
		if text == "" {
			return nil, anBadRequest("messages: at least one message with content is required")
		}
		msgs = append(msgs, anMsg{role: RoleUser, parts: []*Part{{Type: PartText, Text: text}}})
		system = nil
	}

	th := anChooseThinking(req.Reasoning, opts.Model)
	if th.on() && anLoopLostThinking(msgs) {
		// §6.4 rule 2: an assistant tool-use turn of the current tool
		// loop must start with its signed thinking, which this history
		// (translated from another provider) cannot supply.
		th.mode = "disabled"
	}
	maxTokens := DefaultMaxTokens
	if req.MaxTokens != nil && *req.MaxTokens > 0 {
		maxTokens = *req.MaxTokens
	}
	if th.mode == "enabled" {
		maxTokens, th.budget = anFitBudget(maxTokens, th.budget)
	}

	b := make([]byte, 0, anSizeHint(req))
	b = append(b, '{')
	b = anAppendStringField(b, "model", opts.Model)
	b = anAppendIntField(b, "max_tokens", int64(maxTokens))
	if s := anNonEmptyText(system); len(s) > 0 {
		b = anAppendKey(b, "system")
		b = append(b, '[')
		for i, p := range s {
			if i > 0 {
				b = append(b, ',')
			}
			b = anAppendTextBlock(b, p.Text, p.CacheControl)
		}
		b = append(b, ']')
	}
	b = anAppendKey(b, "messages")
	b = append(b, '[')
	for i := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = anAppendMessage(b, &msgs[i]); err != nil {
			return nil, err
		}
	}
	b = append(b, ']')
	b = anAppendTools(b, req, th.on())
	switch th.mode {
	case "enabled":
		b = append(anAppendKey(b, "thinking"), `{"type":"enabled"`...)
		b = anAppendIntField(b, "budget_tokens", int64(th.budget))
		b = append(b, '}')
	case "adaptive":
		b = anAppendRawField(b, "thinking", []byte(`{"type":"adaptive"}`))
	case "disabled":
		b = anAppendRawField(b, "thinking", []byte(`{"type":"disabled"}`))
	}
	b = anAppendOutputConfig(b, th.effort, req.ResponseFormat)
	if anHasSampling(opts.AnthropicVersion) {
		b = anAppendSampling(b, req, th.on())
	}
	if stops := anStops(req.Stop); len(stops) > 0 {
		b = anAppendKey(b, "stop_sequences")
		b = append(b, '[')
		for i, s := range stops {
			if i > 0 {
				b = append(b, ',')
			}
			b = anAppendString(b, s)
		}
		b = append(b, ']')
	}
	if req.User != "" {
		b = append(anAppendKey(b, "metadata"), '{')
		b = anAppendStringField(b, "user_id", req.User)
		b = append(b, '}')
	}
	if opts.Stream {
		b = append(anAppendKey(b, "stream"), "true"...)
	}
	return append(b, '}'), nil
}

// anSizeHint guesses the body size to allocate once.
func anSizeHint(req *Request) int {
	n := 512
	for i := range req.System {
		n += len(req.System[i].Text) + 48
	}
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			p := &req.Messages[i].Parts[j]
			n += 64 + len(p.Text) + len(p.Data) + len(p.Arguments) + len(p.Signature)
			for k := range p.Content {
				n += 48 + len(p.Content[k].Text) + len(p.Content[k].Data)
			}
		}
	}
	for i := range req.Tools {
		n += 96 + len(req.Tools[i].Description) + len(req.Tools[i].Parameters)
	}
	return n + n/8 // headroom for escaping
}

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
		var parts []*Part
		if role == RoleSystem {
			// A system message in the middle of the conversation has no
			// native home in 2023-06-01 bodies; it becomes user text in
			// the <system-reminder> wrapper Claude models are trained to
			// read as out-of-band instructions (the way Claude Code sends
			// them), rather than being hoisted, which would move it
			// before turns it was meant to follow.
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
// (base64 or URL), "text", "file" (file id), or "" when it cannot be.
func anFileKind(p *Part) string {
	switch {
	case p.FileID != "":
		return "file"
	case p.MediaType == "application/pdf" && (p.Data != "" || p.URL != ""):
		return "pdf"
	case strings.HasPrefix(p.MediaType, "text/") && p.Data != "":
		return "text"
	case p.MediaType == "" && p.URL != "":
		return "pdf" // Anthropic only fetches PDFs by URL
	}
	if mt, _, ok := ParseDataURL(p.URL); ok && (mt == "application/pdf" || strings.HasPrefix(mt, "text/")) {
		return "dataurl"
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
	return anBadRequest("messages[%d].content[%d]: Anthropic Messages accepts PDF and plain-text documents only, not %s", i, j, mt)
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

// anChooseThinking maps the canonical reasoning request to Anthropic's
// thinking and effort knobs (protocols.md §6.4).
func anChooseThinking(r *Reasoning, model string) anThinking {
	if r == nil {
		return anThinking{}
	}
	if r.Disabled || r.Effort == "none" {
		return anThinking{mode: "disabled"}
	}
	var t anThinking
	switch {
	case r.Adaptive:
		t.mode = "adaptive"
		t.effort = anEffort(r.Effort)
	case r.BudgetTokens != nil && *r.BudgetTokens == 0:
		return anThinking{mode: "disabled"}
	case r.BudgetTokens != nil && *r.BudgetTokens > 0:
		t.mode, t.budget = "enabled", *r.BudgetTokens
		// An Anthropic client may give both a budget and an effort.
		t.effort = anEffort(r.Effort)
	case r.BudgetTokens != nil || r.Effort != "":
		// An effort level, or a dynamic budget (-1): models that think
		// adaptively take the effort; older ones need a budget.
		effort := r.Effort
		if effort == "" {
			effort = EffortForBudget(*r.BudgetTokens)
		}
		if anAdaptiveModel(model) {
			t.mode, t.effort = "adaptive", anEffort(effort)
		} else {
			t.mode, t.budget = "enabled", BudgetForEffort(effort)
		}
	default:
		return anThinking{} // e.g. only include_thoughts: leave the model default
	}
	if t.mode == "enabled" && t.budget < anMinThinkingBudget {
		t.budget = anMinThinkingBudget
	}
	return t
}

// anEffort maps a canonical effort to output_config.effort.
func anEffort(e string) string {
	switch e {
	case "minimal", "low":
		return "low"
	case "medium", "high":
		return e
	case "xhigh":
		// "max" is accepted by every model that takes an effort above
		// high; "xhigh" only by the newest.
		return "max"
	}
	return ""
}

// anFitBudget makes budget ≥ 1024 and < maxTokens as the API requires. A
// budget at or above the cap is shrunk to leave room for the answer when
// the cap allows, so the client's cap (and the model's output limit) holds;
// only a cap too small for the minimum budget is raised, by the budget.
func anFitBudget(maxTokens, budget int) (int, int) {
	if budget < anMinThinkingBudget {
		budget = anMinThinkingBudget
	}
	if budget < maxTokens {
		return maxTokens, budget
	}
	if maxTokens-anAnswerRoom >= anMinThinkingBudget {
		return maxTokens, maxTokens - anAnswerRoom
	}
	return budget + maxTokens, budget
}

// anAdaptiveModel guesses from a model name whether it takes adaptive
// thinking (Claude 4.6 and later). Names are like claude-opus-4-6,
// claude-sonnet-4-6-20260101, claude-3-7-sonnet-20250219 or Bedrock's
// us.anthropic.claude-opus-4-6-v1:0: the first one- or two-digit number is
// the major version and a following one is the minor (dates have 8 digits).
func anAdaptiveModel(model string) bool {
	m := strings.ToLower(model)
	if strings.Contains(m, "mythos") {
		return true
	}
	i := strings.Index(m, "claude")
	if i < 0 {
		return false
	}
	fields := strings.FieldsFunc(m[i:], func(r rune) bool { return r == '-' || r == '.' || r == ':' || r == '_' || r == '@' })
	for k, f := range fields {
		major, ok := anSmallNumber(f)
		if !ok {
			continue
		}
		minor := 0
		if k+1 < len(fields) {
			if n, ok := anSmallNumber(fields[k+1]); ok {
				minor = n
			}
		}
		return major > 4 || major == 4 && minor >= 6
	}
	return false
}

// anSmallNumber parses a one- or two-digit decimal.
func anSmallNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// anStops keeps the stop sequences the API accepts (it rejects ones that
// are empty or only whitespace).
func anStops(stops []string) []string {
	for i, s := range stops {
		if strings.TrimSpace(s) == "" {
			out := append([]string(nil), stops[:i]...)
			for _, s := range stops[i+1:] {
				if strings.TrimSpace(s) != "" {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return stops
}

// anAppendSampling writes temperature, top_p and top_k for API versions
// that have them. With thinking on the API wants temperature and top_k
// left alone and top_p in [0.95, 1].
func anAppendSampling(b []byte, req *Request, thinking bool) []byte {
	if req.Temperature != nil && !thinking {
		b = anAppendFloatField(b, "temperature", min(max(*req.Temperature, 0), 1))
	}
	if req.TopP != nil {
		p := min(max(*req.TopP, 0), 1)
		if thinking {
			p = max(p, 0.95)
		}
		b = anAppendFloatField(b, "top_p", p)
	}
	if req.TopK != nil && !thinking && *req.TopK > 0 {
		b = anAppendIntField(b, "top_k", int64(*req.TopK))
	}
	return b
}

// anAppendOutputConfig writes output_config (effort, json_schema format).
// json_object has no Anthropic equivalent and is dropped.
func anAppendOutputConfig(b []byte, effort string, rf *ResponseFormat) []byte {
	schema := rf != nil && rf.Type == "json_schema" && anIsObject(rf.Schema)
	if effort == "" && !schema {
		return b
	}
	b = append(anAppendKey(b, "output_config"), '{')
	if effort != "" {
		b = anAppendStringField(b, "effort", effort)
	}
	if schema {
		b = append(anAppendKey(b, "format"), `{"type":"json_schema"`...)
		b = anAppendRawField(b, "schema", rf.Schema)
		b = append(b, '}')
	}
	return append(b, '}')
}

// anAppendTools writes tools and tool_choice. tool_choice is dropped when
// there are no tools (the API rejects it), and a forced choice becomes
// auto while thinking is on (the API rejects forced tool use then).
func anAppendTools(b []byte, req *Request, thinking bool) []byte {
	if len(req.Tools) == 0 {
		return b
	}
	b = anAppendKey(b, "tools")
	b = append(b, '[')
	for i := range req.Tools {
		t := &req.Tools[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = anAppendStringField(b, "name", t.Name)
		if t.Description != "" {
			b = anAppendStringField(b, "description", t.Description)
		}
		b = anAppendRawField(b, "input_schema", anInputSchema(t.Parameters))
		if len(t.CacheControl) > 0 && anIsObject(t.CacheControl) {
			b = anAppendRawField(b, "cache_control", t.CacheControl)
		}
		b = append(b, '}')
	}
	b = append(b, ']')

	mode, name := ToolChoiceAuto, ""
	if tc := req.ToolChoice; tc != nil {
		mode, name = tc.Mode, tc.Name
	}
	if thinking && (mode == ToolChoiceRequired || mode == ToolChoiceTool) {
		mode = ToolChoiceAuto
	}
	noParallel := req.ParallelToolCalls != nil && !*req.ParallelToolCalls
	if req.ToolChoice == nil && !noParallel {
		return b
	}
	b = append(anAppendKey(b, "tool_choice"), '{')
	switch mode {
	case ToolChoiceNone:
		return append(b, `"type":"none"}`...)
	case ToolChoiceRequired:
		b = append(b, `"type":"any"`...)
	case ToolChoiceTool:
		b = append(b, `"type":"tool"`...)
		b = anAppendStringField(b, "name", name)
	default:
		b = append(b, `"type":"auto"`...)
	}
	if noParallel {
		b = append(b, `,"disable_parallel_tool_use":true`...)
	}
	return append(b, '}')
}

// anInputSchema returns a tool's parameters as an input_schema: the API
// requires an object schema with "type":"object" at the top.
func anInputSchema(params []byte) []byte {
	if !anIsObject(params) {
		return []byte(`{"type":"object","properties":{}}`)
	}
	if gjson.GetBytes(params, "type").Exists() {
		return params
	}
	rest := bytes.TrimSpace(params)[1:] // after '{'
	out := make([]byte, 0, len(params)+16)
	out = append(out, `{"type":"object"`...)
	if r := bytes.TrimSpace(rest); len(r) > 0 && r[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// anAppendTextBlock writes a text block.
func anAppendTextBlock(b []byte, text string, cacheControl []byte) []byte {
	b = append(b, `{"type":"text"`...)
	b = anAppendStringField(b, "text", text)
	b = anAppendCacheControl(b, cacheControl)
	return append(b, '}')
}

func anAppendCacheControl(b, cc []byte) []byte {
	if len(cc) > 0 && anIsObject(cc) {
		b = anAppendRawField(b, "cache_control", cc)
	}
	return b
}

// anAppendMessage writes one shaped message.
func anAppendMessage(b []byte, m *anMsg) ([]byte, error) {
	b = append(b, `{"role":`...)
	b = anAppendString(b, string(m.role))
	b = append(b, `,"content":[`...)
	for i, p := range m.parts {
		if i > 0 {
			b = append(b, ',')
		}
		b = anAppendBlock(b, p)
	}
	return append(b, "]}"...), nil
}

// anAppendBlock writes one request content block; parts that reach it were
// accepted by anKeepPart.
func anAppendBlock(b []byte, p *Part) []byte {
	switch p.Type {
	case PartText:
		return anAppendTextBlock(b, p.Text, p.CacheControl)
	case PartImage:
		b = append(b, `{"type":"image","source":`...)
		b = anAppendImageSource(b, p)
	case PartFile:
		b = append(b, `{"type":"document","source":`...)
		b = anAppendDocumentSource(b, p)
		if p.FileName != "" {
			b = anAppendStringField(b, "title", p.FileName)
		}
	case PartToolCall:
		b = append(b, `{"type":"tool_use"`...)
		b = anAppendStringField(b, "id", anSanitizeToolID(p.ToolCallID))
		b = anAppendStringField(b, "name", p.ToolName)
		b = anAppendRawField(b, "input", anObjectArgs(p.Arguments))
	case PartToolResult:
		b = append(b, `{"type":"tool_result"`...)
		b = anAppendStringField(b, "tool_use_id", anSanitizeToolID(p.ToolCallID))
		b = anAppendToolResultContent(b, p.Content)
		if p.IsError {
			b = append(b, `,"is_error":true`...)
		}
	case PartThinking:
		b = append(b, `{"type":"thinking"`...)
		b = anAppendStringField(b, "thinking", p.Text)
		b = anAppendStringField(b, "signature", p.Signature)
		return append(b, '}') // thinking blocks take no cache_control
	case PartRedactedThinking:
		b = append(b, `{"type":"redacted_thinking"`...)
		b = anAppendStringField(b, "data", p.Signature)
		return append(b, '}')
	}
	b = anAppendCacheControl(b, p.CacheControl)
	return append(b, '}')
}

// anAppendImageSource writes an image source object: base64, URL (a data
// URL is unpacked to base64) or file id.
func anAppendImageSource(b []byte, p *Part) []byte {
	mediaType, data := p.MediaType, p.Data
	if data == "" && p.URL != "" {
		if mt, d, ok := ParseDataURL(p.URL); ok {
			mediaType, data = mt, d
		} else {
			b = append(b, `{"type":"url"`...)
			b = anAppendStringField(b, "url", p.URL)
			return append(b, '}')
		}
	}
	if data == "" && p.FileID != "" {
		b = append(b, `{"type":"file"`...)
		b = anAppendStringField(b, "file_id", p.FileID)
		return append(b, '}')
	}
	if !strings.HasPrefix(mediaType, "image/") {
		mediaType = anSniffImage(data)
	}
	b = append(b, `{"type":"base64"`...)
	b = anAppendStringField(b, "media_type", mediaType)
	b = anAppendStringField(b, "data", data)
	return append(b, '}')
}

// anSniffImage guesses an image media type from the start of its base64
// data (the API requires one of jpeg, png, gif, webp).
func anSniffImage(data string) string {
	switch {
	case strings.HasPrefix(data, "/9j/"):
		return "image/jpeg"
	case strings.HasPrefix(data, "R0lG"):
		return "image/gif"
	case strings.HasPrefix(data, "UklGR"):
		return "image/webp"
	}
	return "image/png"
}

// anAppendDocumentSource writes a document source (see anFileKind).
func anAppendDocumentSource(b []byte, p *Part) []byte {
	mediaType, data := p.MediaType, p.Data
	kind := anFileKind(p)
	if kind == "dataurl" {
		mediaType, data, _ = ParseDataURL(p.URL)
		kind = "pdf"
		if strings.HasPrefix(mediaType, "text/") {
			kind = "text"
		}
	}
	switch {
	case kind == "file":
		b = append(b, `{"type":"file"`...)
		b = anAppendStringField(b, "file_id", p.FileID)
	case kind == "text":
		b = append(b, `{"type":"text","media_type":"text/plain"`...)
		b = anAppendStringField(b, "data", anDecodeBase64Text(data))
	case data != "":
		b = append(b, `{"type":"base64","media_type":"application/pdf"`...)
		b = anAppendStringField(b, "data", data)
	default:
		b = append(b, `{"type":"url"`...)
		b = anAppendStringField(b, "url", p.URL)
	}
	return append(b, '}')
}

// anAppendToolResultContent writes ,"content":… for a tool result: a plain
// string when it is one uncached text, blocks otherwise, nothing when
// empty.
func anAppendToolResultContent(b []byte, content []Part) []byte {
	n := 0
	for i := range content {
		if anToolResultBlockOK(&content[i]) {
			n++
		}
	}
	if n == 0 {
		return b
	}
	if n == 1 && len(content) == 1 && content[0].Type == PartText && len(content[0].CacheControl) == 0 {
		return anAppendStringField(b, "content", content[0].Text)
	}
	b = append(anAppendKey(b, "content"), '[')
	first := true
	for i := range content {
		c := &content[i]
		if !anToolResultBlockOK(c) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = anAppendBlock(b, c)
	}
	return append(b, ']')
}

// anToolResultBlockOK says whether a tool result content part can be sent.
func anToolResultBlockOK(p *Part) bool {
	switch p.Type {
	case PartText:
		return p.Text != ""
	case PartImage:
		return p.Data != "" || p.URL != "" || p.FileID != ""
	case PartFile:
		return anFileKind(p) != ""
	}
	return false
}

// anDecodeBase64Text decodes the base64 data of a text file; data that is
// not base64 is taken as the text itself.
func anDecodeBase64Text(data string) string {
	if raw, err := base64.StdEncoding.DecodeString(data); err == nil {
		return string(raw)
	}
	if raw, err := base64.RawStdEncoding.DecodeString(data); err == nil {
		return string(raw)
	}
	return data
}
