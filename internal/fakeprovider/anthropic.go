package fakeprovider

import "encoding/json"

// Wire types of Messages answers.
type anMessage struct {
	ID           string  `json:"id"`
	Type         string  `json:"type"`
	Role         string  `json:"role"`
	Model        string  `json:"model"`
	Content      []any   `json:"content"`
	StopReason   *string `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
	Usage        anUsage `json:"usage"`
}

type anUsage struct {
	InputTokens              int             `json:"input_tokens"`
	CacheCreationInputTokens int             `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int             `json:"cache_read_input_tokens"`
	CacheCreation            anCacheCreation `json:"cache_creation"`
	OutputTokens             int             `json:"output_tokens"`
	ServiceTier              string          `json:"service_tier"`
}

type anCacheCreation struct {
	Ephemeral5m int `json:"ephemeral_5m_input_tokens"`
	Ephemeral1h int `json:"ephemeral_1h_input_tokens"`
}

type anThinking struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
}

type anText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type anToolUse struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

func anStop(a *answer) string {
	switch a.stop {
	case stopLength:
		return "max_tokens"
	case stopTool:
		return "tool_use"
	}
	return "end_turn"
}

// anUsageOf expresses usage with Anthropic's semantics: input_tokens
// excludes cache reads and writes.
func anUsageOf(u usage, output int) anUsage {
	return anUsage{
		InputTokens:              u.input - u.cacheRead - u.cacheWrite,
		CacheCreationInputTokens: u.cacheWrite,
		CacheReadInputTokens:     u.cacheRead,
		CacheCreation:            anCacheCreation{Ephemeral5m: u.cacheWrite},
		OutputTokens:             output,
		ServiceTier:              "standard",
	}
}

// serveMessages is POST /v1/messages.
func (s *Server) serveMessages(x *exchange) {
	req, e := parseMessages(x.body, x.anVersion, false)
	if e == nil {
		e = modelMissing(x.f, req.conv.model)
	}
	if e != nil {
		x.fail(e)
		return
	}
	a := plan(Anthropic, &req.conv)
	ids := make([]string, len(a.calls))
	for i := range a.calls {
		ids[i] = x.newID("toolu_")
	}
	msg := anMessage{ID: x.newID("msg_"), Type: "message", Role: "assistant", Model: req.conv.model, Content: []any{}}
	if !req.stream {
		if a.reasoning != "" {
			msg.Content = append(msg.Content, anThinking{Type: "thinking", Thinking: a.reasoning, Signature: AnthropicSignature(a.reasoning)})
		}
		if a.text != "" {
			msg.Content = append(msg.Content, anText{Type: "text", Text: a.text})
		}
		for i, c := range a.calls {
			msg.Content = append(msg.Content, anToolUse{Type: "tool_use", ID: ids[i], Name: c.name, Input: json.RawMessage(c.args)})
		}
		msg.StopReason = ptr(anStop(&a))
		msg.Usage = anUsageOf(a.usage, a.usage.output)
		x.writeJSON(msg)
		return
	}

	x.startStream()
	msg.Usage = anUsageOf(a.usage, 1)
	ok := x.send("message_start", obj("type", "message_start", "message", msg)) &&
		x.send("ping", []byte(`{"type": "ping"}`))
	idx := 0
	block := func(start any, deltas []json.RawMessage) bool {
		ok := x.send("content_block_start", obj("type", "content_block_start", "index", idx, "content_block", start))
		for _, d := range deltas {
			ok = ok && x.send("content_block_delta", obj("type", "content_block_delta", "index", idx, "delta", d))
		}
		ok = ok && x.send("content_block_stop", obj("type", "content_block_stop", "index", idx))
		idx++
		return ok
	}
	if ok && a.reasoning != "" {
		var ds []json.RawMessage
		for _, p := range splitText(a.reasoning) {
			ds = append(ds, obj("type", "thinking_delta", "thinking", p))
		}
		ds = append(ds, obj("type", "signature_delta", "signature", AnthropicSignature(a.reasoning)))
		ok = block(anThinking{Type: "thinking"}, ds)
	}
	if ok && a.text != "" {
		var ds []json.RawMessage
		for _, p := range splitText(a.text) {
			ds = append(ds, obj("type", "text_delta", "text", p))
		}
		ok = block(anText{Type: "text"}, ds)
	}
	for i, c := range a.calls {
		if !ok {
			break
		}
		ds := []json.RawMessage{obj("type", "input_json_delta", "partial_json", "")}
		for _, p := range splitArgs(c.args) {
			ds = append(ds, obj("type", "input_json_delta", "partial_json", p))
		}
		ok = block(anToolUse{Type: "tool_use", ID: ids[i], Name: c.name, Input: json.RawMessage("{}")}, ds)
	}
	if !ok {
		return
	}
	u := a.usage
	// message_delta usage is cumulative for the whole message.
	delta := obj("type", "message_delta",
		"delta", obj("stop_reason", anStop(&a), "stop_sequence", nil),
		"usage", obj("input_tokens", u.input-u.cacheRead-u.cacheWrite, "cache_creation_input_tokens", u.cacheWrite,
			"cache_read_input_tokens", u.cacheRead, "output_tokens", u.output))
	if x.send("message_delta", delta) {
		x.send("message_stop", []byte(`{"type":"message_stop"}`))
	}
}

// serveCountTokensAnthropic is POST /v1/messages/count_tokens.
func (s *Server) serveCountTokensAnthropic(x *exchange) {
	req, e := parseMessages(x.body, x.anVersion, true)
	if e == nil {
		e = modelMissing(x.f, req.conv.model)
	}
	if e != nil {
		x.fail(e)
		return
	}
	x.writeJSON(obj("input_tokens", PromptTokens))
}
