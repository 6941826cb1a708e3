package fakeprovider

import "encoding/json"

// Wire types of Responses answers.
type rsResponse struct {
	ID                 string          `json:"id"`
	Object             string          `json:"object"`
	CreatedAt          int64           `json:"created_at"`
	Status             string          `json:"status"`
	Background         bool            `json:"background"`
	Error              json.RawMessage `json:"error"`
	IncompleteDetails  json.RawMessage `json:"incomplete_details"`
	Instructions       json.RawMessage `json:"instructions"`
	MaxOutputTokens    json.RawMessage `json:"max_output_tokens"`
	Model              string          `json:"model"`
	Output             []any           `json:"output"`
	ParallelToolCalls  json.RawMessage `json:"parallel_tool_calls"`
	PreviousResponseID json.RawMessage `json:"previous_response_id"`
	Reasoning          json.RawMessage `json:"reasoning"`
	ServiceTier        string          `json:"service_tier"`
	Store              json.RawMessage `json:"store"`
	Temperature        json.RawMessage `json:"temperature"`
	Text               json.RawMessage `json:"text"`
	ToolChoice         json.RawMessage `json:"tool_choice"`
	Tools              json.RawMessage `json:"tools"`
	TopP               json.RawMessage `json:"top_p"`
	Truncation         string          `json:"truncation"`
	Usage              *rsUsage        `json:"usage"`
	User               json.RawMessage `json:"user"`
	Metadata           json.RawMessage `json:"metadata"`
}

type rsUsage struct {
	InputTokens         int            `json:"input_tokens"`
	InputTokensDetails  rsInputDetails `json:"input_tokens_details"`
	OutputTokens        int            `json:"output_tokens"`
	OutputTokensDetails rsOutputDetail `json:"output_tokens_details"`
	TotalTokens         int            `json:"total_tokens"`
}

type rsInputDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

type rsOutputDetail struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

type rsReasoning struct {
	ID               string      `json:"id"`
	Type             string      `json:"type"`
	Summary          []rsSummary `json:"summary"`
	EncryptedContent string      `json:"encrypted_content,omitempty"`
}

type rsSummary struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type rsMessage struct {
	ID      string         `json:"id"`
	Type    string         `json:"type"`
	Status  string         `json:"status"`
	Content []rsOutputText `json:"content"`
	Role    string         `json:"role"`
}

type rsOutputText struct {
	Type        string     `json:"type"`
	Annotations []struct{} `json:"annotations"`
	Logprobs    []struct{} `json:"logprobs"`
	Text        string     `json:"text"`
}

type rsFunctionCall struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	Arguments string `json:"arguments"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
}

// rsItems holds the ids and final items of one answer.
type rsItems struct {
	reasoning *rsReasoning
	message   *rsMessage
	calls     []rsFunctionCall
}

func (it *rsItems) output() []any {
	out := []any{}
	if it.reasoning != nil {
		out = append(out, it.reasoning)
	}
	if it.message != nil {
		out = append(out, it.message)
	}
	for i := range it.calls {
		out = append(out, &it.calls[i])
	}
	return out
}

func (x *exchange) rsBuildItems(req *responsesRequest, a *answer) *rsItems {
	it := &rsItems{}
	if a.reasoning != "" {
		it.reasoning = &rsReasoning{ID: x.newID("rs_"), Type: "reasoning", Summary: []rsSummary{{Type: "summary_text", Text: a.reasoning}}}
		if req.includeEncrypted {
			it.reasoning.EncryptedContent = EncryptedReasoning
		}
	}
	if a.text != "" {
		status := "completed"
		if a.stop == stopLength {
			status = "incomplete"
		}
		it.message = &rsMessage{ID: x.newID("msg_"), Type: "message", Status: status, Role: "assistant",
			Content: []rsOutputText{{Type: "output_text", Annotations: []struct{}{}, Logprobs: []struct{}{}, Text: a.text}}}
	}
	for _, c := range a.calls {
		it.calls = append(it.calls, rsFunctionCall{ID: x.newID("fc_"), Type: "function_call", Status: "completed", Arguments: c.args, CallID: x.newID("call_"), Name: c.name})
	}
	return it
}

// rsEnvelope is the response object, echoing the request's parameters.
func rsEnvelope(req *responsesRequest, id string, created int64) rsResponse {
	r := req.root
	return rsResponse{
		ID: id, Object: "response", CreatedAt: created, Status: "in_progress",
		Error: json.RawMessage("null"), IncompleteDetails: json.RawMessage("null"),
		Instructions:       rawOr(r.Get("instructions"), "null"),
		MaxOutputTokens:    rawOr(r.Get("max_output_tokens"), "null"),
		Model:              req.conv.model,
		Output:             []any{},
		ParallelToolCalls:  rawOr(r.Get("parallel_tool_calls"), "true"),
		PreviousResponseID: rawOr(r.Get("previous_response_id"), "null"),
		Reasoning:          rawOr(r.Get("reasoning"), `{"effort":null,"summary":null}`),
		ServiceTier:        "default",
		Store:              rawOr(r.Get("store"), "true"),
		Temperature:        rawOr(r.Get("temperature"), "1.0"),
		Text:               rawOr(r.Get("text"), `{"format":{"type":"text"}}`),
		ToolChoice:         rawOr(r.Get("tool_choice"), `"auto"`),
		Tools:              rawOr(r.Get("tools"), "[]"),
		TopP:               rawOr(r.Get("top_p"), "1.0"),
		Truncation:         "disabled",
		User:               rawOr(r.Get("user"), "null"),
		Metadata:           rawOr(r.Get("metadata"), "{}"),
	}
}

func rsFinish(resp *rsResponse, a *answer, items *rsItems) {
	resp.Status = "completed"
	if a.stop == stopLength {
		resp.Status = "incomplete"
		resp.IncompleteDetails = json.RawMessage(`{"reason":"max_output_tokens"}`)
	}
	resp.Output = items.output()
	u := a.usage
	resp.Usage = &rsUsage{
		InputTokens: u.input, InputTokensDetails: rsInputDetails{CachedTokens: u.cacheRead},
		OutputTokens: u.output, OutputTokensDetails: rsOutputDetail{ReasoningTokens: u.reasoning},
		TotalTokens: u.input + u.output,
	}
}

// serveResponses is POST /v1/responses.
func (s *Server) serveResponses(x *exchange) {
	req, e := parseResponses(x.body)
	if e == nil {
		e = modelMissing(x.f, req.conv.model)
	}
	if e != nil {
		x.fail(e)
		return
	}
	a := plan(OpenAIResponses, &req.conv)
	items := x.rsBuildItems(req, &a)
	resp := rsEnvelope(req, x.newID("resp_"), now())
	if !req.stream {
		rsFinish(&resp, &a, items)
		x.writeJSON(resp)
		return
	}
	x.startStream()
	rs := &rsStream{x: x, obfuscate: req.obfuscate}
	if !rs.emit("response.created", "response", resp) || !rs.emit("response.in_progress", "response", resp) {
		return
	}
	out := 0
	if r := items.reasoning; r != nil {
		added := *r
		added.Summary, added.EncryptedContent = []rsSummary{}, ""
		part := func(text string) json.RawMessage { return obj("type", "summary_text", "text", text) }
		ok := rs.emit("response.output_item.added", "output_index", out, "item", added) &&
			rs.emit("response.reasoning_summary_part.added", "item_id", r.ID, "output_index", out, "summary_index", 0, "part", part(""))
		for _, d := range splitText(a.reasoning) {
			ok = ok && rs.emit("response.reasoning_summary_text.delta", "item_id", r.ID, "output_index", out, "summary_index", 0, "delta", d)
		}
		ok = ok && rs.emit("response.reasoning_summary_text.done", "item_id", r.ID, "output_index", out, "summary_index", 0, "text", a.reasoning) &&
			rs.emit("response.reasoning_summary_part.done", "item_id", r.ID, "output_index", out, "summary_index", 0, "part", part(a.reasoning)) &&
			rs.emit("response.output_item.done", "output_index", out, "item", r)
		if !ok {
			return
		}
		out++
	}
	if m := items.message; m != nil {
		added := *m
		added.Status, added.Content = "in_progress", []rsOutputText{}
		empty := rsOutputText{Type: "output_text", Annotations: []struct{}{}, Logprobs: []struct{}{}}
		ok := rs.emit("response.output_item.added", "output_index", out, "item", added) &&
			rs.emit("response.content_part.added", "item_id", m.ID, "output_index", out, "content_index", 0, "part", empty)
		for _, d := range splitText(a.text) {
			ok = ok && rs.emit("response.output_text.delta", "item_id", m.ID, "output_index", out, "content_index", 0, "delta", d, "logprobs", []struct{}{}, "obfuscation", rs.obfuscation())
		}
		ok = ok && rs.emit("response.output_text.done", "item_id", m.ID, "output_index", out, "content_index", 0, "text", a.text, "logprobs", []struct{}{}) &&
			rs.emit("response.content_part.done", "item_id", m.ID, "output_index", out, "content_index", 0, "part", m.Content[0]) &&
			rs.emit("response.output_item.done", "output_index", out, "item", m)
		if !ok {
			return
		}
		out++
	}
	for i := range items.calls {
		c := &items.calls[i]
		added := *c
		added.Status, added.Arguments = "in_progress", ""
		ok := rs.emit("response.output_item.added", "output_index", out, "item", added)
		for _, d := range splitArgs(c.Arguments) {
			ok = ok && rs.emit("response.function_call_arguments.delta", "item_id", c.ID, "output_index", out, "delta", d, "obfuscation", rs.obfuscation())
		}
		ok = ok && rs.emit("response.function_call_arguments.done", "item_id", c.ID, "output_index", out, "arguments", c.Arguments) &&
			rs.emit("response.output_item.done", "output_index", out, "item", c)
		if !ok {
			return
		}
		out++
	}
	rsFinish(&resp, &a, items)
	terminal := "response.completed"
	if resp.Status == "incomplete" {
		terminal = "response.incomplete"
	}
	rs.emit(terminal, "response", resp)
}

// rsStream numbers Responses events.
type rsStream struct {
	x         *exchange
	seq       int
	obfuscate bool
}

// obfuscation is the padding of delta events, left out when turned off.
func (rs *rsStream) obfuscation() any {
	if !rs.obfuscate {
		return omit
	}
	return obfuscation(rs.seq)
}

func (rs *rsStream) emit(typ string, kv ...any) bool {
	data := obj(append([]any{"type", typ, "sequence_number", rs.seq}, kv...)...)
	rs.seq++
	return rs.x.send(typ, data)
}
