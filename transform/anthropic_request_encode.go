package transform

import (
	"bytes"
	"cmp"
	"strings"

	"github.com/tidwall/gjson"
)

// anMsg is one outgoing message while the conversation is being shaped
// (merged, reordered) before it is written.
type anMsg struct {
	role  Role // RoleUser or RoleAssistant
	parts []*Part
}

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

	th := anChooseThinking(req.Reasoning, cmp.Or(opts.Model, req.Model))
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
	// The relay sets the upstream model; the client's is the fallback.
	b = anAppendStringField(b, "model", cmp.Or(opts.Model, req.Model))
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
		b = anAppendMessage(b, &msgs[i])
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
			b = appendJSONString(b, s)
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
	n := 192 // the fixed fields of a small request
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
