package transform

import (
	"strings"

	"github.com/tidwall/gjson"
)

// DecodeResponse parses a non-streaming Responses answer. A failed
// response is returned as an error; built-in tool items are skipped.
func (openAIResponsesCodec) DecodeResponse(body []byte) (*Response, error) {
	if !gjson.ValidBytes(body) {
		return nil, oaiBadUpstream(OpenAIResponses, "answer is not valid JSON")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, oaiBadUpstream(OpenAIResponses, "answer is not a JSON object")
	}
	resp := &Response{}
	var status, incomplete string
	var output, errv gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			resp.ID = v.String()
		case "model":
			resp.Model = v.String()
		case "created_at":
			resp.Created = v.Int()
		case "status":
			status = v.String()
		case "incomplete_details":
			incomplete = v.Get("reason").String()
		case "output":
			output = v
		case "usage":
			resp.Usage = rsDecodeUsage(v)
		case "error":
			errv = v
		}
		return true
	})
	if (errv.IsObject() && status != "completed") || status == "failed" {
		e := oaiErrorFrom(errv, 502)
		if !errv.IsObject() {
			e.Message = "upstream response failed"
		}
		return nil, e
	}
	refused := false
	output.ForEach(func(_, it gjson.Result) bool {
		switch it.Get("type").String() {
		case "reasoning":
			p := Part{Type: PartThinking, ItemID: it.Get("id").String(),
				Text: rsReasoningText(it.Get("summary"), it.Get("content"))}
			if enc := it.Get("encrypted_content").String(); enc != "" {
				p.Signature, p.SignatureFamily = enc, OpenAIResponses.Family()
			}
			if p.Text != "" || p.Signature != "" {
				resp.Content = append(resp.Content, p)
			}
		case "message":
			id := it.Get("id").String()
			it.Get("content").ForEach(func(_, c gjson.Result) bool {
				switch c.Get("type").String() {
				case "output_text":
					resp.Content = append(resp.Content, Part{Type: PartText, Text: c.Get("text").String(), ItemID: id})
				case "refusal":
					refused = true
					resp.Content = append(resp.Content, Part{Type: PartText, Text: c.Get("refusal").String(), ItemID: id})
				}
				return true
			})
		case "function_call":
			resp.Content = append(resp.Content, Part{Type: PartToolCall, ItemID: it.Get("id").String(),
				ToolCallID: it.Get("call_id").String(), ToolName: it.Get("name").String(),
				Arguments: oaiArgsResult(it.Get("arguments"))})
		}
		return true
	})
	resp.StopReason = rsStopReason(status, incomplete)
	switch {
	case oaiHasToolCall(resp.Content) && resp.StopReason == StopEndTurn:
		resp.StopReason = StopToolUse
	case refused && resp.StopReason == StopEndTurn:
		resp.StopReason = StopRefusal
	}
	return resp, nil
}

// EncodeResponse writes a non-streaming Responses answer for a client.
func (openAIResponsesCodec) EncodeResponse(resp *Response, req *Request) ([]byte, error) {
	out := rsOutputs(resp.Content)
	size := 1024
	for i := range out {
		size += 160 + len(out[i].text) + len(out[i].args) + len(out[i].sig)
	}
	meta := rsMeta{id: rsID(resp.ID, "resp_"), created: resp.Created, model: ccResponseModel(resp.Model, req), req: req}
	if meta.created == 0 {
		meta.created = oaiNow()
	}
	status, incomplete := rsStatus(resp.StopReason)
	var failure *Error
	if status == "failed" {
		failure = &Error{Status: 500, Message: "the upstream model failed to complete the response"}
	}
	w := jsonWriter{b: make([]byte, 0, size)}
	u := resp.Usage
	rsWriteResponse(&w, &meta, status, incomplete, failure, out, &u)
	return w.b, nil
}

// rsID keeps an upstream id that has the Responses shape for its kind and
// mints one otherwise.
func rsID(id, prefix string) string {
	if strings.HasPrefix(id, prefix) {
		return id
	}
	return oaiNewHexID(prefix, 48)
}

// rsOut is one output item written to a Responses client.
type rsOut struct {
	kind   byte // 'r' reasoning, 'm' message, 'f' function call
	id     string
	text   []byte // reasoning summary or message text
	sig    string // encrypted_content, already exported for the client
	callID string
	name   string
	args   []byte
	// done is set once the stream encoder has closed the item.
	done bool
}

const (
	rsOutReasoning = 'r'
	rsOutMessage   = 'm'
	rsOutCall      = 'f'
)

// rsOutputs turns response parts into output items: one reasoning item per
// thinking part, one message item per run of text, one item per call.
func rsOutputs(parts []Part) []rsOut {
	out := make([]rsOut, 0, len(parts))
	for i := range parts {
		p := &parts[i]
		switch p.Type {
		case PartThinking, PartRedactedThinking:
			out = append(out, rsOut{kind: rsOutReasoning, id: rsID(p.ItemID, "rs_"), text: []byte(p.Text),
				sig: ExportSignature(p.Signature, p.SignatureFamily, OpenAIResponses)})
		case PartText:
			if n := len(out); n > 0 && out[n-1].kind == rsOutMessage {
				out[n-1].text = append(out[n-1].text, p.Text...)
				continue
			}
			out = append(out, rsOut{kind: rsOutMessage, id: rsID(p.ItemID, "msg_"), text: []byte(p.Text)})
		case PartToolCall:
			out = append(out, rsOut{kind: rsOutCall, id: rsID(p.ItemID, "fc_"), callID: p.ToolCallID,
				name: p.ToolName, args: []byte(oaiArgsText(p.Arguments))})
		}
	}
	return out
}

// rsWriteItem writes an output item. status "" writes the in-progress form
// of output_item.added; "completed" or "incomplete" the final form of
// output_item.done and of the final response.
func rsWriteItem(w *jsonWriter, o *rsOut, status string) {
	final := status != ""
	if !final {
		status = "in_progress"
	}
	w.objOpen()
	w.fieldStr("id", o.id)
	switch o.kind {
	case rsOutReasoning:
		w.fieldStr("type", "reasoning")
		w.key("summary")
		w.arrOpen()
		if final && len(o.text) > 0 {
			w.objOpen()
			w.fieldStr("type", "summary_text")
			w.key("text")
			w.str(string(o.text))
			w.objClose()
		}
		w.arrClose()
		if final && o.sig != "" {
			w.fieldStr("encrypted_content", o.sig)
		}
	case rsOutMessage:
		w.fieldStr("type", "message")
		w.fieldStr("status", status)
		w.key("content")
		w.arrOpen()
		if final {
			rsWriteTextPart(w, o.text)
		}
		w.arrClose()
		w.fieldStr("role", "assistant")
	case rsOutCall:
		w.fieldStr("type", "function_call")
		w.fieldStr("status", status)
		w.key("arguments")
		if final {
			w.str(string(o.args))
		} else {
			w.str("")
		}
		w.fieldStr("call_id", o.callID)
		w.fieldStr("name", o.name)
	}
	w.objClose()
}

// rsWriteTextPart writes an output_text content part.
func rsWriteTextPart(w *jsonWriter, text []byte) {
	w.objOpen()
	w.fieldStr("type", "output_text")
	w.key("annotations")
	w.arrOpen()
	w.arrClose()
	w.key("logprobs")
	w.arrOpen()
	w.arrClose()
	w.key("text")
	w.str(string(text))
	w.objClose()
}

// rsMeta is what a response object echoes besides its output.
type rsMeta struct {
	id      string
	created int64
	model   string
	req     *Request
}

// rsWriteResponse writes a response object. usage nil writes null (the
// in-progress snapshots of a stream).
func rsWriteResponse(w *jsonWriter, m *rsMeta, status, incomplete string, failure *Error, out []rsOut, usage *Usage) {
	req := m.req
	if req == nil {
		req = &Request{}
	}
	w.objOpen()
	w.fieldStr("id", m.id)
	w.fieldStr("object", "response")
	w.fieldInt("created_at", m.created)
	w.fieldStr("status", status)
	w.fieldBool("background", false)
	w.key("error")
	if failure != nil {
		w.objOpen()
		code := failure.Code
		if code == "" {
			code = "server_error"
		}
		w.fieldStr("code", code)
		w.fieldStr("message", failure.Message)
		w.objClose()
	} else {
		w.null()
	}
	w.key("incomplete_details")
	if incomplete != "" {
		w.objOpen()
		w.fieldStr("reason", incomplete)
		w.objClose()
	} else {
		w.null()
	}
	if len(req.System) > 0 {
		w.fieldStr("instructions", oaiJoinSystem(req.System))
	} else {
		w.fieldNull("instructions")
	}
	if req.MaxTokens != nil {
		w.fieldInt("max_output_tokens", int64(*req.MaxTokens))
	} else {
		w.fieldNull("max_output_tokens")
	}
	w.fieldNull("max_tool_calls")
	w.fieldStr("model", m.model)
	w.key("output")
	w.arrOpen()
	itemStatus := "completed"
	if status != "completed" {
		itemStatus = "incomplete" // the text was cut
	}
	for i := range out {
		st := itemStatus
		if out[i].kind == rsOutCall {
			st = "completed"
		}
		rsWriteItem(w, &out[i], st)
	}
	w.arrClose()
	w.fieldBool("parallel_tool_calls", req.ParallelToolCalls == nil || *req.ParallelToolCalls)
	if prev := req.Extra["previous_response_id"]; prev != nil {
		w.fieldRaw("previous_response_id", prev)
	} else {
		w.fieldNull("previous_response_id")
	}
	w.key("reasoning")
	w.objOpen()
	if r := req.Reasoning; r != nil && r.Effort != "" {
		w.fieldStr("effort", r.Effort)
	} else {
		w.fieldNull("effort")
	}
	if r := req.Reasoning; r != nil && r.Summary != "" {
		w.fieldStr("summary", r.Summary)
	} else {
		w.fieldNull("summary")
	}
	w.objClose()
	w.fieldStr("service_tier", "default")
	if s := req.Extra["store"]; s != nil {
		w.fieldRaw("store", s)
	} else {
		w.fieldBool("store", false)
	}
	w.fieldFloat("temperature", oaiOr(req.Temperature, 1))
	w.key("text")
	w.objOpen()
	w.key("format")
	if req.ResponseFormat != nil {
		rsEncodeFormat(w, req.ResponseFormat)
	} else {
		w.objOpen()
		w.fieldStr("type", "text")
		w.objClose()
	}
	w.objClose()
	w.key("tool_choice")
	if req.ToolChoice != nil {
		rsEncodeToolChoice(w, req.ToolChoice)
	} else {
		w.str("auto")
	}
	w.key("tools")
	w.arrOpen()
	for i := range req.Tools {
		rsEncodeTool(w, &req.Tools[i], true)
	}
	w.arrClose()
	w.fieldInt("top_logprobs", 0)
	w.fieldFloat("top_p", oaiOr(req.TopP, 1))
	w.fieldStr("truncation", "disabled")
	w.key("usage")
	if usage != nil {
		rsWriteUsage(w, *usage)
	} else {
		w.null()
	}
	w.fieldStrOrNull("user", req.User)
	if md := req.Extra["metadata"]; md != nil {
		w.fieldRaw("metadata", md)
	} else {
		w.key("metadata")
		w.objOpen()
		w.objClose()
	}
	w.objClose()
}

func oaiOr(f *float64, def float64) float64 {
	if f == nil {
		return def
	}
	return *f
}
