package transform

import "strconv"

// EncodeRequest builds a Chat Completions request for an upstream.
//
// Choices made for compatibility with the many servers that speak this
// format:
//   - the system prompt is one leading system message (some chat templates
//     reject several); mid-conversation system messages stay system
//     messages, which Chat Completions allows anywhere;
//   - the output cap is max_completion_tokens, which every OpenAI model
//     accepts (reasoning models reject max_tokens), unless the client itself
//     spoke Chat Completions and chose max_tokens;
//   - reasoning text in the history is sent back as reasoning_content,
//     which DeepSeek requires in thinking mode, except to OpenAI's own
//     models, whose strict message schema rejects it, and except text
//     signed by another provider family;
//   - reasoning_effort is left out for OpenAI models without reasoning,
//     which reject it, and sampling parameters (temperature, top_p, stop,
//     penalties) for OpenAI reasoning models, which reject those, unless
//     the client itself spoke Chat Completions;
//   - streams always ask for include_usage so the gateway can meter them.
func (openAIChatCodec) EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error) {
	model := opts.Model
	if model == "" {
		model = req.Model
	}
	same := req.SourceFormat == OpenAIChat
	w := jsonWriter{b: make([]byte, 0, 256+ccSizeHint(req))}
	w.objOpen()
	w.fieldStr("model", model)
	w.key("messages")
	w.arrOpen()
	if len(req.System) > 0 {
		w.objOpen()
		w.fieldStr("role", "system")
		w.fieldStr("content", oaiJoinSystem(req.System))
		w.objClose()
	}
	reasoningHistory := !oaiIsOpenAIModel(model)
	for i := range req.Messages {
		if err := ccEncodeMessage(&w, &req.Messages[i], i, reasoningHistory); err != nil {
			return nil, err
		}
	}
	w.arrClose()

	if opts.Stream {
		w.fieldBool("stream", true)
		w.key("stream_options")
		w.objOpen()
		w.fieldBool("include_usage", true)
		w.objClose()
	}
	if req.MaxTokens != nil {
		if same && req.LegacyMaxTokens {
			w.fieldInt("max_tokens", int64(*req.MaxTokens))
		} else {
			w.fieldInt("max_completion_tokens", int64(*req.MaxTokens))
		}
	}
	// OpenAI reasoning models reject sampling parameters; a client of this
	// format chose them knowingly, a translated request did not.
	sampling := same || !oaiIsReasoningModel(model)
	oaiEncodeSampling(&w, req, sampling)
	if len(req.Stop) > 0 && sampling {
		// OpenAI takes at most four stop sequences.
		stop := req.Stop
		if len(stop) > 4 {
			stop = stop[:4]
		}
		w.key("stop")
		w.arrOpen()
		for _, s := range stop {
			w.str(s)
		}
		w.arrClose()
	}
	if req.N != nil {
		w.fieldInt("n", int64(*req.N))
	}
	if req.Seed != nil {
		w.fieldInt("seed", *req.Seed)
	}
	if req.PresencePenalty != nil && sampling {
		w.fieldFloat("presence_penalty", *req.PresencePenalty)
	}
	if req.FrequencyPenalty != nil && sampling {
		w.fieldFloat("frequency_penalty", *req.FrequencyPenalty)
	}
	if req.User != "" {
		w.fieldStr("user", req.User)
	}
	extraTools := same && req.Extra["tools"] != nil
	if len(req.Tools) > 0 || extraTools {
		w.key("tools")
		w.arrOpen()
		for i := range req.Tools {
			ccEncodeTool(&w, &req.Tools[i])
		}
		if extraTools {
			oaiAppendArrayItems(&w, req.Extra["tools"])
		}
		w.arrClose()
		// tool_choice and parallel_tool_calls are rejected without tools.
		if req.ToolChoice != nil {
			w.key("tool_choice")
			ccEncodeToolChoice(&w, req.ToolChoice)
		} else if same && req.Extra["tool_choice"] != nil {
			w.fieldRaw("tool_choice", req.Extra["tool_choice"])
		}
		if req.ParallelToolCalls != nil {
			w.fieldBool("parallel_tool_calls", *req.ParallelToolCalls)
		}
	}
	if e := oaiReasoningEffort(req.Reasoning); e != "" && !oaiNoReasoningModel(model) {
		w.fieldStr("reasoning_effort", e)
	}
	if rf := req.ResponseFormat; rf != nil {
		w.key("response_format")
		ccEncodeResponseFormat(&w, rf)
	}
	if same {
		oaiWriteExtra(&w, req.Extra, ccKnownKey)
	}
	w.objClose()
	return w.b, nil
}

// ccKnownKey reports whether Extra key k is one the encoder writes itself.
func ccKnownKey(k string) bool {
	switch k {
	case "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens",
		"temperature", "top_p", "stop", "n", "seed", "presence_penalty", "frequency_penalty",
		"user", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort", "response_format":
		return true
	}
	return false
}

// ccSizeHint estimates the body size so the buffer is allocated once.
func ccSizeHint(req *Request) int {
	n := 0
	for i := range req.System {
		n += len(req.System[i].Text)
	}
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			p := &req.Messages[i].Parts[j]
			n += 64 + len(p.Text) + len(p.Data) + len(p.URL) + len(p.Arguments)
			for k := range p.Content {
				n += 32 + len(p.Content[k].Text) + len(p.Content[k].Data)
			}
		}
	}
	for i := range req.Tools {
		n += 64 + len(req.Tools[i].Description) + len(req.Tools[i].Parameters)
	}
	return n + n/16
}

// oaiAppendArrayItems writes the elements of the raw JSON array arr.
func oaiAppendArrayItems(w *jsonWriter, arr []byte) {
	// arr came from a validated client body: "[a,b]". Copy its inside.
	s := arr
	for len(s) > 0 && s[0] != '[' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] != ']' {
		s = s[:len(s)-1]
	}
	if len(s) < 2 {
		return
	}
	inner := s[1 : len(s)-1]
	empty := true
	for _, c := range inner {
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	w.raw(inner)
}

func ccEncodeTool(w *jsonWriter, t *Tool) {
	w.objOpen()
	w.fieldStr("type", "function")
	w.key("function")
	w.objOpen()
	w.fieldStr("name", t.Name)
	if t.Description != "" {
		w.fieldStr("description", t.Description)
	}
	if len(t.Parameters) > 0 {
		w.fieldRaw("parameters", t.Parameters)
	}
	if t.Strict != nil {
		w.fieldBool("strict", *t.Strict)
	}
	w.objClose()
	w.objClose()
}

func ccEncodeToolChoice(w *jsonWriter, tc *ToolChoice) {
	if tc.Mode == ToolChoiceTool {
		w.objOpen()
		w.fieldStr("type", "function")
		w.key("function")
		w.objOpen()
		w.fieldStr("name", tc.Name)
		w.objClose()
		w.objClose()
		return
	}
	mode := tc.Mode
	if mode == "" {
		mode = ToolChoiceAuto
	}
	w.str(string(mode))
}

func ccEncodeResponseFormat(w *jsonWriter, rf *ResponseFormat) {
	w.objOpen()
	switch rf.Type {
	case "json_schema":
		w.fieldStr("type", "json_schema")
		w.key("json_schema")
		w.objOpen()
		oaiEncodeSchema(w, rf)
		w.objClose()
	case "json_object":
		w.fieldStr("type", "json_object")
	default:
		w.fieldStr("type", "text")
	}
	w.objClose()
}

// oaiEncodeSampling writes temperature and top_p when set and allowed.
func oaiEncodeSampling(w *jsonWriter, req *Request, allowed bool) {
	if !allowed {
		return
	}
	if req.Temperature != nil {
		w.fieldFloat("temperature", *req.Temperature)
	}
	if req.TopP != nil {
		w.fieldFloat("top_p", *req.TopP)
	}
}

// oaiEncodeSchema writes the members of a json_schema response format
// (nested in response_format.json_schema for Chat, flat in text.format for
// Responses).
func oaiEncodeSchema(w *jsonWriter, rf *ResponseFormat) {
	name := rf.Name
	if name == "" {
		name = "response" // required by OpenAI; AN has no name
	}
	w.fieldStr("name", name)
	if rf.Description != "" {
		w.fieldStr("description", rf.Description)
	}
	if len(rf.Schema) > 0 {
		w.fieldRaw("schema", rf.Schema)
	}
	if rf.Strict != nil {
		w.fieldBool("strict", *rf.Strict)
	}
}

// ccEncodeMessage writes one canonical message as one or more Chat
// Completions messages.
func ccEncodeMessage(w *jsonWriter, m *Message, i int, reasoningHistory bool) error {
	switch m.Role {
	case RoleSystem:
		w.objOpen()
		w.fieldStr("role", "system")
		w.fieldStr("content", oaiJoinSystem(m.Parts))
		w.objClose()
		return nil
	case RoleAssistant:
		ccEncodeAssistant(w, m, reasoningHistory)
		return nil
	}
	// User: tool results first, as tool messages, because Chat Completions
	// wants them right after the assistant message that made the calls;
	// then the rest as one user message. Images returned by tools cannot
	// go in a tool message, so they join that user message.
	var rest []Part
	nonResult := 0
	for j := range m.Parts {
		if m.Parts[j].Type != PartToolResult {
			nonResult++
		}
	}
	for j := range m.Parts {
		p := &m.Parts[j]
		if p.Type != PartToolResult {
			continue
		}
		w.objOpen()
		w.fieldStr("role", "tool")
		w.fieldStr("tool_call_id", p.ToolCallID)
		w.fieldStr("content", oaiJoinText(p.Content))
		w.objClose()
		for k := range p.Content {
			if p.Content[k].Type != PartText {
				if rest == nil {
					rest = make([]Part, 0, nonResult+1)
				}
				rest = append(rest, p.Content[k])
			}
		}
	}
	if nonResult == 0 && len(rest) == 0 {
		return nil
	}
	parts := m.Parts
	if rest != nil {
		for j := range m.Parts {
			if m.Parts[j].Type != PartToolResult {
				rest = append(rest, m.Parts[j])
			}
		}
		parts = rest
	}
	w.objOpen()
	w.fieldStr("role", "user")
	w.key("content")
	if len(parts) == 1 && parts[0].Type == PartText {
		w.str(parts[0].Text)
	} else {
		w.arrOpen()
		for j := range parts {
			if err := ccEncodeUserPart(w, &parts[j], i, j); err != nil {
				return err
			}
		}
		w.arrClose()
	}
	w.objClose()
	return nil
}

func ccEncodeUserPart(w *jsonWriter, p *Part, i, j int) error {
	switch p.Type {
	case PartText:
		w.objOpen()
		w.fieldStr("type", "text")
		w.fieldStr("text", p.Text)
		w.objClose()
	case PartImage:
		url := oaiMediaURL(p)
		if url == "" {
			return oaiBadRequest(ccPartPath(i, j), "image without data or URL")
		}
		w.objOpen()
		w.fieldStr("type", "image_url")
		w.key("image_url")
		w.objOpen()
		w.fieldStr("url", url)
		if p.Detail != "" {
			w.fieldStr("detail", p.Detail)
		}
		w.objClose()
		w.objClose()
	case PartAudio:
		if p.Data == "" {
			return oaiBadRequest(ccPartPath(i, j), "OpenAI Chat Completions takes audio as inline base64 data only, not by URL")
		}
		w.objOpen()
		w.fieldStr("type", "input_audio")
		w.key("input_audio")
		w.objOpen()
		w.fieldStr("data", p.Data)
		w.fieldStr("format", oaiAudioFormat(p.MediaType))
		w.objClose()
		w.objClose()
	case PartFile:
		if p.FileID == "" && p.Data == "" {
			return oaiBadRequest(ccPartPath(i, j), "OpenAI Chat Completions takes files as inline data or file ids, not by URL")
		}
		w.objOpen()
		w.fieldStr("type", "file")
		w.key("file")
		w.objOpen()
		if p.FileID != "" {
			w.fieldStr("file_id", p.FileID)
		} else {
			name := p.FileName
			if name == "" {
				name = "file"
			}
			w.fieldStr("filename", name)
			w.fieldStr("file_data", oaiMediaURL(p))
		}
		w.objClose()
		w.objClose()
	default:
		// Thinking and tool calls have no place in a user message.
	}
	return nil
}

func ccPartPath(i, j int) string {
	return "messages[" + strconv.Itoa(i) + "].content[" + strconv.Itoa(j) + "]"
}

func ccEncodeAssistant(w *jsonWriter, m *Message, reasoningHistory bool) {
	text := oaiJoinText(m.Parts)
	hasCall := oaiHasToolCall(m.Parts)
	reasoning := ""
	if reasoningHistory {
		reasoning = ccReasoningText(m.Parts, OpenAIChat)
	}
	if text == "" && !hasCall && reasoning == "" {
		// Only parts this target cannot take (foreign reasoning): an
		// empty assistant message would be rejected by some servers.
		return
	}
	w.objOpen()
	w.fieldStr("role", "assistant")
	if text == "" && hasCall {
		w.fieldNull("content")
	} else {
		w.fieldStr("content", text)
	}
	if reasoning != "" {
		w.fieldStr("reasoning_content", reasoning)
	}
	if hasCall {
		w.key("tool_calls")
		w.arrOpen()
		for j := range m.Parts {
			p := &m.Parts[j]
			if p.Type != PartToolCall {
				continue
			}
			ccEncodeToolCall(w, p, -1, SignatureFor(p, OpenAIChat))
		}
		w.arrClose()
	}
	w.objClose()
}

// ccReasoningText joins the thinking text of parts that may be shown to a
// target of format f: unsigned text, or text signed by f's family.
func ccReasoningText(parts []Part, f Format) string {
	var out string
	for i := range parts {
		p := &parts[i]
		if p.Type != PartThinking || p.Text == "" {
			continue
		}
		if p.Signature != "" && p.SignatureFamily != f.Family() {
			continue
		}
		out += p.Text
	}
	return out
}

// ccEncodeToolCall writes one tool_calls entry; index >= 0 writes the
// stream index field. sig is the signature to carry, already exported or
// filtered for the receiver.
func ccEncodeToolCall(w *jsonWriter, p *Part, index int, sig string) {
	w.objOpen()
	if index >= 0 {
		w.fieldInt("index", int64(index))
	}
	w.fieldStr("id", p.ToolCallID)
	w.fieldStr("type", "function")
	w.key("function")
	w.objOpen()
	w.fieldStr("name", p.ToolName)
	w.fieldStr("arguments", oaiArgsText(p.Arguments))
	w.objClose()
	if sig != "" {
		ccWriteExtraContent(w, sig)
	}
	w.objClose()
}

// ccWriteExtraContent writes Gemini's OpenAI-compatible carrier for a
// thought signature on a tool call.
func ccWriteExtraContent(w *jsonWriter, sig string) {
	w.key("extra_content")
	w.objOpen()
	w.key("google")
	w.objOpen()
	w.fieldStr("thought_signature", sig)
	w.objClose()
	w.objClose()
}
