package transform

import (
	"hash/fnv"
	"strconv"

	"github.com/tidwall/gjson"
)

// Antigravity (Google's Cloud Code Assist API, as the Antigravity IDE uses
// it) speaks Gemini inside an envelope:
//
//	request:  {"project", "model", "userAgent": "antigravity", "requestType": "agent",
//	           "requestId": "agent-<uuid>", "request": <GenerateContentRequest>}
//	response: {"response": <GenerateContentResponse>, "traceId"}
//	stream:   data: {"response": <chunk>, "traceId"} per event, no terminator
//
// The codec is the Gemini codec with format Antigravity; this file holds
// only the envelope. Model-specific rules (Claude models) live with the
// Gemini encoder, keyed on gemIsClaude.
func init() { Register(&geminiCodec{format: Antigravity}) }

// agOpenEnvelope writes the envelope up to the "request" key; the caller
// writes the inner request object and closes the envelope.
func agOpenEnvelope(w *jsonWriter, opts EncodeOptions) {
	w.objOpen()
	if opts.Project != "" {
		w.fieldStr("project", opts.Project)
	}
	w.fieldStr("model", opts.Model)
	w.fieldStr("userAgent", "antigravity")
	w.fieldStr("requestType", "agent")
	w.fieldStr("requestId", "agent-"+gemUUID())
	w.key("request")
}

// agSessionID returns the request's sessionId: the client's own when a
// Gemini-format client sent one, else one derived from the first user text,
// so every request of a conversation carries the same id (the Antigravity
// client sends a negative int64 in decimal).
func agSessionID(req *Request) string {
	if raw, ok := req.Extra["sessionId"]; ok && (req.SourceFormat == Gemini || req.SourceFormat == Antigravity) {
		if s := gjson.ParseBytes(raw); s.Type == gjson.String && s.Str != "" {
			return s.Str
		}
	}
	for i := range req.Messages {
		m := &req.Messages[i]
		if m.Role != RoleUser {
			continue
		}
		for j := range m.Parts {
			if p := &m.Parts[j]; p.Type == PartText && p.Text != "" {
				h := fnv.New64a()
				h.Write([]byte(p.Text))
				return "-" + strconv.FormatUint(h.Sum64()&(1<<63-1), 10)
			}
		}
	}
	return ""
}

// agUnwrap returns the GenerateContentResponse inside an Antigravity
// answer; an answer without the wrapper is taken as it is.
func agUnwrap(root gjson.Result) gjson.Result {
	if r := root.Get("response"); r.IsObject() {
		return r
	}
	return root
}
