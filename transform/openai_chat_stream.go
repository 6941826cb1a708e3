package transform

import (
	"bytes"

	"github.com/tidwall/gjson"
)

// ccStreamDecoder reads a Chat Completions stream. It keeps one small
// record per tool call (id and signature), never the text or arguments.
type ccStreamDecoder struct {
	started  bool
	finished bool
	// stop is the mapped finish_reason, empty until one arrives.
	stop     StopReason
	errored  bool
	refusal  bool
	usage    Usage
	hasUsage bool
	calls    []ccStreamCall
}

// ccStreamCall is one tool call of the stream. key is the upstream
// tool_calls[].index; the position in calls is the canonical ToolIndex.
type ccStreamCall struct {
	key   int64
	id    string
	sig   string
	ended bool
}

var ccDone = []byte("[DONE]")

// Feed implements StreamDecoder.
func (d *ccStreamDecoder) Feed(dst []Event, _, data []byte) ([]Event, bool, error) {
	if d.finished {
		return dst, true, nil
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return dst, false, nil
	}
	if bytes.Equal(data, ccDone) {
		return d.finish(dst), true, nil
	}
	if !gjson.ValidBytes(data) {
		return dst, false, oaiBadUpstream(OpenAIChat, "stream sent a chunk that is not valid JSON")
	}
	root := gjson.ParseBytes(data)
	var id, model, choices, usage, errv gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			id = v
		case "model":
			model = v
		case "choices":
			choices = v
		case "usage":
			usage = v
		case "error":
			errv = v
		}
		return true
	})
	if !d.started {
		d.started = true
		dst = append(dst, Event{Type: EventStart, ID: id.String(), Model: model.String()})
	}
	if errv.Exists() && errv.Type != gjson.Null {
		if !d.errored {
			d.errored = true
			dst = append(dst, Event{Type: EventError, Error: oaiErrorFrom(errv, 502)})
		}
		d.stop = StopError
		return d.finish(dst), true, nil
	}
	choices.ForEach(func(_, c gjson.Result) bool {
		if c.Get("index").Int() != 0 {
			return true // n > 1: the canonical stream has one candidate
		}
		dst = d.choice(dst, c)
		return true
	})
	if usage.IsObject() {
		d.usage = ccDecodeUsage(usage)
		d.hasUsage = true
		u := d.usage
		dst = append(dst, Event{Type: EventUsage, Usage: &u})
	}
	return dst, false, nil
}

// choice handles one streamed choice: its delta, then its finish_reason,
// since some servers put the last content and the finish in one chunk.
func (d *ccStreamDecoder) choice(dst []Event, c gjson.Result) []Event {
	var finish gjson.Result
	var f ccMsg
	c.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "delta", "message":
			v.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "content":
					f.content = v
				case "tool_calls":
					f.toolCalls = v
				case "reasoning_content":
					f.reasoningContent = v
				case "reasoning":
					f.reasoning = v
				case "reasoning_details":
					f.reasoningDetails = v
				case "refusal":
					f.refusal = v
				}
				return true
			})
		case "finish_reason":
			finish = v
		}
		return true
	})
	dst = d.reasoning(dst, &f)
	if f.content.Type == gjson.String && f.content.Str != "" {
		dst = append(dst, Event{Type: EventText, Text: f.content.Str})
	}
	if f.refusal.Type == gjson.String && f.refusal.Str != "" {
		d.refusal = true
		dst = append(dst, Event{Type: EventText, Text: f.refusal.Str})
	}
	if f.toolCalls.IsArray() {
		f.toolCalls.ForEach(func(_, tc gjson.Result) bool {
			dst = d.toolCall(dst, tc)
			return true
		})
	}
	if finish.Type == gjson.String && finish.Str != "" {
		d.stop = ccStopReason(finish.Str)
		if finish.Str == "error" && !d.errored {
			// OpenRouter-style failure without an error object.
			d.errored = true
			d.stop = StopError
			dst = append(dst, Event{Type: EventError, Error: &Error{Status: 502, Kind: KindServer,
				Message: "the upstream stopped with finish_reason \"error\""}})
		}
		dst = d.endCalls(dst)
	}
	return dst
}

// reasoning emits the thinking text and signatures of one delta, with the
// same precedence as ccAppendReasoning.
func (d *ccStreamDecoder) reasoning(dst []Event, f *ccMsg) []Event {
	plain := false
	switch {
	case f.reasoningContent.Type == gjson.String:
		plain = true
		if f.reasoningContent.Str != "" {
			dst = append(dst, Event{Type: EventThinking, Text: f.reasoningContent.Str})
		}
	case f.reasoning.Type == gjson.String:
		plain = true
		if f.reasoning.Str != "" {
			dst = append(dst, Event{Type: EventThinking, Text: f.reasoning.Str})
		}
	}
	if !f.reasoningDetails.IsArray() {
		return dst
	}
	fam := OpenAIChat.Family()
	f.reasoningDetails.ForEach(func(_, rd gjson.Result) bool {
		switch rd.Get("type").String() {
		case "reasoning.text", "reasoning.summary":
			if !plain {
				t := rd.Get("text").String()
				if t == "" {
					t = rd.Get("summary").String()
				}
				if t != "" {
					dst = append(dst, Event{Type: EventThinking, Text: t})
				}
			}
			if s := rd.Get("signature").String(); s != "" {
				dst = append(dst, Event{Type: EventSignature, Signature: s, SignatureFamily: fam})
			}
		case "reasoning.encrypted":
			if s := rd.Get("data").String(); s != "" {
				dst = append(dst, Event{Type: EventSignature, Signature: s, SignatureFamily: fam, Redacted: true})
			}
		}
		return true
	})
	return dst
}

// toolCall handles one tool_calls delta.
func (d *ccStreamDecoder) toolCall(dst []Event, tc gjson.Result) []Event {
	var idx, id, fn, extra gjson.Result
	tc.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "index":
			idx = v
		case "id":
			id = v
		case "function":
			fn = v
		case "extra_content":
			extra = v
		}
		return true
	})
	n := -1
	switch {
	case idx.Type == gjson.Number:
		for i := len(d.calls) - 1; i >= 0; i-- {
			if d.calls[i].key == idx.Int() {
				n = i
				break
			}
		}
		// A different id under a known index is a new call: some servers
		// put every parallel call at index 0.
		if n >= 0 && id.Str != "" && d.calls[n].id != id.Str {
			n = -1
		}
	case id.Str != "":
		for i := range d.calls {
			if d.calls[i].id == id.Str {
				n = i
				break
			}
		}
	case len(d.calls) > 0:
		n = len(d.calls) - 1
	}
	if n < 0 {
		n = len(d.calls)
		call := ccStreamCall{key: idx.Int(), id: id.Str}
		if idx.Type != gjson.Number {
			call.key = int64(n)
		}
		if call.id == "" {
			call.id = oaiNewID("call_", 24)
		}
		d.calls = append(d.calls, call)
		dst = append(dst, Event{Type: EventToolCallStart, ToolIndex: n, ToolCallID: call.id,
			ToolName: fn.Get("name").String()})
	}
	if a := fn.Get("arguments"); a.Exists() {
		frag := a.Str
		if a.IsObject() { // a server that sends the arguments as an object
			frag = a.Raw
		}
		if frag != "" {
			dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: n, Text: frag})
		}
	}
	if s := extra.Get("google.thought_signature").String(); s != "" {
		d.calls[n].sig = s
	}
	return dst
}

// endCalls closes the open tool calls.
func (d *ccStreamDecoder) endCalls(dst []Event) []Event {
	for i := range d.calls {
		c := &d.calls[i]
		if c.ended {
			continue
		}
		c.ended = true
		ev := Event{Type: EventToolCallEnd, ToolIndex: i}
		if c.sig != "" {
			ev.Signature, ev.SignatureFamily = c.sig, OpenAIChat.Family()
		}
		dst = append(dst, ev)
	}
	return dst
}

// finish emits the owed tool-call ends and the single EventFinish.
func (d *ccStreamDecoder) finish(dst []Event) []Event {
	if d.finished {
		return dst
	}
	d.finished = true
	if !d.started {
		d.started = true
		dst = append(dst, Event{Type: EventStart})
	}
	dst = d.endCalls(dst)
	ev := Event{Type: EventFinish, StopReason: d.stop}
	switch {
	case d.stop == StopError:
	case len(d.calls) > 0:
		ev.StopReason = StopToolUse
	case d.refusal && (d.stop == StopEndTurn || d.stop == ""):
		ev.StopReason = StopRefusal
	case d.stop == "":
		ev.StopReason = StopEndTurn
	}
	if d.hasUsage {
		u := d.usage
		ev.Usage = &u
	}
	return append(dst, ev)
}

// Close implements StreamDecoder: a server that omits [DONE] still gets
// its finish.
func (d *ccStreamDecoder) Close(dst []Event) []Event { return d.finish(dst) }
