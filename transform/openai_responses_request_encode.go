package transform

import (
	"strconv"

	"github.com/tidwall/gjson"
)

// rsMinOutputTokens is the smallest max_output_tokens OpenAI accepts.
const rsMinOutputTokens = 16

// EncodeRequest builds a Responses request for an upstream.
//
// For a client of another format the request is stateless, the way Codex
// uses the API: store false, reasoning items sent back with their
// encrypted_content and no item ids (ids of unstored items cannot be
// looked up), include reasoning.encrypted_content so that the next turn
// can do the same. Thinking signed by another provider family is dropped:
// OpenAI cannot verify it. Function tools without an explicit strict get
// strict false, since Responses defaults to strict schemas that most
// client schemas do not satisfy. Stop sequences, seed, penalties and n
// have no Responses equivalent and are dropped. For a Responses client the
// client's own choices (ids, store, include, previous_response_id…) are
// passed on.
func (openAIResponsesCodec) EncodeRequest(req *Request, opts EncodeOptions) ([]byte, error) {
	model := opts.Model
	if model == "" {
		model = req.Model
	}
	same := req.SourceFormat == OpenAIResponses
	w := jsonWriter{b: make([]byte, 0, 256+ccSizeHint(req))}
	w.objOpen()
	w.fieldStr("model", model)
	if len(req.System) > 0 {
		w.fieldStr("instructions", oaiJoinSystem(req.System))
	}
	w.key("input")
	w.arrOpen()
	for i := range req.Messages {
		if err := rsEncodeMessage(&w, &req.Messages[i], i, same); err != nil {
			return nil, err
		}
	}
	w.arrClose()

	extraTools := same && req.Extra["tools"] != nil
	if len(req.Tools) > 0 || extraTools {
		w.key("tools")
		w.arrOpen()
		for i := range req.Tools {
			rsEncodeTool(&w, &req.Tools[i], same)
		}
		if extraTools {
			oaiAppendArrayItems(&w, req.Extra["tools"])
		}
		w.arrClose()
		if req.ToolChoice != nil {
			w.key("tool_choice")
			rsEncodeToolChoice(&w, req.ToolChoice)
		} else if same && req.Extra["tool_choice"] != nil {
			w.fieldRaw("tool_choice", req.Extra["tool_choice"])
		}
		if req.ParallelToolCalls != nil {
			w.fieldBool("parallel_tool_calls", *req.ParallelToolCalls)
		}
	}
	if req.MaxTokens != nil {
		n := *req.MaxTokens
		if n < rsMinOutputTokens {
			n = rsMinOutputTokens
		}
		w.fieldInt("max_output_tokens", int64(n))
	}
	sampling := same || !oaiIsReasoningModel(model)
	oaiEncodeSampling(&w, req, sampling)
	reasoning := !oaiNoReasoningModel(model)
	if r := req.Reasoning; r != nil && reasoning {
		effort := oaiReasoningEffort(r)
		summary := r.Summary
		if summary == "" && r.IncludeThoughts && !r.Disabled {
			summary = "auto"
		}
		if effort != "" || summary != "" {
			w.key("reasoning")
			w.objOpen()
			if effort != "" {
				w.fieldStr("effort", effort)
			}
			if summary != "" {
				w.fieldStr("summary", summary)
			}
			w.objClose()
		}
	}
	if req.ResponseFormat != nil || (same && req.Extra["text"] != nil) {
		w.key("text")
		w.objOpen()
		if rf := req.ResponseFormat; rf != nil {
			w.key("format")
			rsEncodeFormat(&w, rf)
		}
		if same {
			oaiCopyObjectFields(&w, req.Extra["text"], "format")
		}
		w.objClose()
	}
	if req.User != "" {
		w.fieldStr("user", req.User)
	}
	if opts.Stream {
		w.fieldBool("stream", true)
	}
	if same {
		oaiWriteExtra(&w, req.Extra, func(k string) bool {
			// stream_options is rejected on a non-streaming request.
			return rsKnownKey(k) || (k == "stream_options" && !opts.Stream)
		})
	} else {
		w.fieldBool("store", false)
		if reasoning {
			w.key("include")
			w.arrOpen()
			w.str("reasoning.encrypted_content")
			w.arrClose()
		}
	}
	w.objClose()
	return w.b, nil
}

// rsKnownKey reports whether Extra key k is one the encoder writes itself.
func rsKnownKey(k string) bool {
	switch k {
	case "model", "instructions", "input", "tools", "tool_choice", "parallel_tool_calls",
		"max_output_tokens", "temperature", "top_p", "reasoning", "text", "user", "stream":
		return true
	}
	return false
}

// oaiCopyObjectFields writes the fields of the raw JSON object obj except
// skip.
func oaiCopyObjectFields(w *jsonWriter, obj []byte, skip string) {
	if len(obj) == 0 {
		return
	}
	gjson.ParseBytes(obj).ForEach(func(k, v gjson.Result) bool {
		if k.Str != skip {
			w.keyEsc(k.Str)
			w.raw([]byte(v.Raw))
		}
		return true
	})
}

func rsEncodeTool(w *jsonWriter, t *Tool, same bool) {
	w.objOpen()
	w.fieldStr("type", "function")
	w.fieldStr("name", t.Name)
	if t.Description != "" {
		w.fieldStr("description", t.Description)
	}
	if len(t.Parameters) > 0 {
		w.fieldRaw("parameters", t.Parameters)
	} else {
		w.fieldRaw("parameters", []byte(`{"type":"object","properties":{}}`))
	}
	switch {
	case t.Strict != nil:
		w.fieldBool("strict", *t.Strict)
	case !same:
		w.fieldBool("strict", false)
	}
	w.objClose()
}

func rsEncodeToolChoice(w *jsonWriter, tc *ToolChoice) {
	if tc.Mode == ToolChoiceTool {
		w.objOpen()
		w.fieldStr("type", "function")
		w.fieldStr("name", tc.Name)
		w.objClose()
		return
	}
	mode := tc.Mode
	if mode == "" {
		mode = ToolChoiceAuto
	}
	w.str(string(mode))
}

// rsEncodeFormat writes a text.format object.
func rsEncodeFormat(w *jsonWriter, rf *ResponseFormat) {
	w.objOpen()
	switch rf.Type {
	case "json_schema":
		w.fieldStr("type", "json_schema")
		oaiEncodeSchema(w, rf)
	case "json_object":
		w.fieldStr("type", "json_object")
	default:
		w.fieldStr("type", "text")
	}
	w.objClose()
}

// rsEncodeMessage writes one canonical message as input items.
func rsEncodeMessage(w *jsonWriter, m *Message, i int, same bool) error {
	switch m.Role {
	case RoleSystem:
		w.objOpen()
		w.fieldStr("type", "message")
		w.fieldStr("role", "system")
		w.fieldStr("content", oaiJoinSystem(m.Parts))
		w.objClose()
		return nil
	case RoleAssistant:
		rsEncodeAssistant(w, m, same)
		return nil
	}
	// User: function_call_output items first (each answers a call of the
	// previous assistant turn), then the rest as one user message.
	rest := 0
	for j := range m.Parts {
		p := &m.Parts[j]
		if p.Type != PartToolResult {
			rest++
			continue
		}
		w.objOpen()
		w.fieldStr("type", "function_call_output")
		w.fieldStr("call_id", p.ToolCallID)
		w.key("output")
		if rsTextOnly(p.Content) {
			w.str(oaiJoinText(p.Content))
		} else {
			w.arrOpen()
			for k := range p.Content {
				if err := rsEncodeInputPart(w, &p.Content[k], i, j); err != nil {
					return err
				}
			}
			w.arrClose()
		}
		w.objClose()
	}
	if rest == 0 {
		return nil
	}
	w.objOpen()
	w.fieldStr("type", "message")
	w.fieldStr("role", "user")
	w.key("content")
	if rest == 1 && len(m.Parts) == 1 && m.Parts[0].Type == PartText {
		w.str(m.Parts[0].Text)
	} else {
		w.arrOpen()
		for j := range m.Parts {
			if m.Parts[j].Type == PartToolResult {
				continue
			}
			if err := rsEncodeInputPart(w, &m.Parts[j], i, j); err != nil {
				return err
			}
		}
		w.arrClose()
	}
	w.objClose()
	return nil
}

func rsTextOnly(parts []Part) bool {
	for i := range parts {
		if parts[i].Type != PartText {
			return false
		}
	}
	return true
}

func rsEncodeInputPart(w *jsonWriter, p *Part, i, j int) error {
	switch p.Type {
	case PartText:
		w.objOpen()
		w.fieldStr("type", "input_text")
		w.fieldStr("text", p.Text)
		w.objClose()
	case PartImage:
		w.objOpen()
		w.fieldStr("type", "input_image")
		if p.FileID != "" && p.Data == "" && p.URL == "" {
			w.fieldStr("file_id", p.FileID)
		} else {
			url := oaiMediaURL(p)
			if url == "" {
				return oaiBadRequest(rsPartPath(i, j), "image without data or URL")
			}
			w.fieldStr("image_url", url)
		}
		detail := p.Detail
		if detail == "" {
			detail = "auto"
		}
		w.fieldStr("detail", detail)
		w.objClose()
	case PartFile:
		w.objOpen()
		w.fieldStr("type", "input_file")
		switch {
		case p.FileID != "":
			w.fieldStr("file_id", p.FileID)
		case p.Data != "":
			name := p.FileName
			if name == "" {
				name = "file"
			}
			w.fieldStr("filename", name)
			w.fieldStr("file_data", oaiMediaURL(p))
		case p.URL != "":
			w.fieldStr("file_url", p.URL)
		default:
			return oaiBadRequest(rsPartPath(i, j), "file without data, id or URL")
		}
		w.objClose()
	case PartAudio:
		return oaiBadRequest(rsPartPath(i, j), "OpenAI Responses does not accept audio input")
	}
	return nil
}

func rsPartPath(i, j int) string {
	return "messages[" + strconv.Itoa(i) + "].content[" + strconv.Itoa(j) + "]"
}

// rsEncodeAssistant writes an assistant turn as reasoning, message and
// function_call items in the order of its parts.
func rsEncodeAssistant(w *jsonWriter, m *Message, same bool) {
	for j := 0; j < len(m.Parts); j++ {
		p := &m.Parts[j]
		switch p.Type {
		case PartThinking:
			sig := SignatureFor(p, OpenAIResponses)
			if sig == "" {
				continue // unsigned or foreign reasoning cannot be replayed
			}
			w.objOpen()
			w.fieldStr("type", "reasoning")
			if same && p.ItemID != "" {
				w.fieldStr("id", p.ItemID)
			}
			w.key("summary")
			w.arrOpen()
			if p.Text != "" {
				w.objOpen()
				w.fieldStr("type", "summary_text")
				w.fieldStr("text", p.Text)
				w.objClose()
			}
			w.arrClose()
			w.fieldStr("encrypted_content", sig)
			w.objClose()
		case PartText:
			// Consecutive text parts form one message item.
			k := j
			for k+1 < len(m.Parts) && m.Parts[k+1].Type == PartText && m.Parts[k+1].ItemID == p.ItemID {
				k++
			}
			w.objOpen()
			w.fieldStr("type", "message")
			w.fieldStr("role", "assistant")
			if same && p.ItemID != "" {
				w.fieldStr("id", p.ItemID)
				w.fieldStr("status", "completed")
			}
			w.key("content")
			w.arrOpen()
			for ; j <= k; j++ {
				w.objOpen()
				w.fieldStr("type", "output_text")
				w.fieldStr("text", m.Parts[j].Text)
				if same && p.ItemID != "" {
					w.key("annotations")
					w.arrOpen()
					w.arrClose()
				}
				w.objClose()
			}
			j = k
			w.arrClose()
			w.objClose()
		case PartToolCall:
			w.objOpen()
			w.fieldStr("type", "function_call")
			if same && p.ItemID != "" {
				w.fieldStr("id", p.ItemID)
			}
			w.fieldStr("call_id", p.ToolCallID)
			w.fieldStr("name", p.ToolName)
			w.fieldStr("arguments", oaiArgsText(p.Arguments))
			w.objClose()
		}
	}
}
