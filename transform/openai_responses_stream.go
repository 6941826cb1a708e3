package transform

import (
	"bytes"

	"github.com/tidwall/gjson"
)

// rsStreamDecoder reads a Responses stream. It dispatches on the payload's
// type (the event name as fallback) and keeps one small record per
// function call and for the item being streamed, never text.
type rsStreamDecoder struct {
	started  bool
	finished bool
	errored  bool
	refusal  bool
	usage    Usage
	hasUsage bool
	calls    []rsStreamCall
	// item is the id of the reasoning or message item whose deltas were
	// seen, so that a done event without deltas (some servers send only
	// that) still yields its content, and one with deltas yields nothing.
	item      string
	itemDelta bool
}

// rsStreamCall is one function call; its position is the ToolIndex.
type rsStreamCall struct {
	itemID   string
	output   int64
	argsSeen bool
	ended    bool
}

// Feed implements StreamDecoder.
func (d *rsStreamDecoder) Feed(dst []Event, event, data []byte) ([]Event, bool, error) {
	if d.finished {
		return dst, true, nil
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, ccDone) {
		return dst, false, nil
	}
	if !gjson.ValidBytes(data) {
		return dst, false, oaiBadUpstream(OpenAIResponses, "stream sent an event that is not valid JSON")
	}
	root := gjson.ParseBytes(data)
	var typ, response, item, itemID, outIdx, delta gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			typ = v
		case "response":
			response = v
		case "item":
			item = v
		case "item_id":
			itemID = v
		case "output_index":
			outIdx = v
		case "delta":
			delta = v
		}
		return true
	})
	t := typ.Str
	if t == "" {
		t = string(event)
	}
	if !d.started {
		d.started = true
		dst = append(dst, Event{Type: EventStart, ID: response.Get("id").String(), Model: response.Get("model").String()})
	}
	switch t {
	case "response.output_item.added":
		switch item.Get("type").String() {
		case "function_call":
			dst = d.startCall(dst, item, outIdx.Int())
		case "reasoning", "message":
			d.item, d.itemDelta = item.Get("id").String(), false
		}
	case "response.reasoning_summary_part.added":
		if root.Get("summary_index").Int() > 0 {
			dst = append(dst, Event{Type: EventThinking, Text: "\n\n"})
		}
	case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		dst = d.delta(dst, EventThinking, itemID.Str, delta.Str)
	case "response.output_text.delta":
		dst = d.delta(dst, EventText, itemID.Str, delta.Str)
	case "response.refusal.delta":
		d.refusal = true
		dst = d.delta(dst, EventText, itemID.Str, delta.Str)
	case "response.function_call_arguments.delta":
		if n := d.call(itemID.Str, outIdx); n >= 0 && delta.Str != "" {
			d.calls[n].argsSeen = true
			dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: n, Text: delta.Str})
		}
	case "response.function_call_arguments.done":
		if n := d.call(itemID.Str, outIdx); n >= 0 && !d.calls[n].argsSeen {
			if a := root.Get("arguments").Str; a != "" {
				d.calls[n].argsSeen = true
				dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: n, Text: a})
			}
		}
	case "response.output_item.done":
		dst = d.itemDone(dst, item, outIdx)
	case "response.completed", "response.incomplete", "response.failed":
		return d.terminal(dst, response), true, nil
	case "error":
		if !d.errored {
			d.errored = true
			dst = append(dst, Event{Type: EventError, Error: oaiErrorFrom(root, 502)})
		}
	}
	return dst, false, nil
}

// delta emits a text or thinking fragment of item id.
func (d *rsStreamDecoder) delta(dst []Event, typ EventType, id, text string) []Event {
	if id != "" && id != d.item {
		d.item = id // deltas of an item whose added event was missing
	}
	d.itemDelta = true
	if text == "" {
		return dst
	}
	return append(dst, Event{Type: typ, Text: text})
}

func (d *rsStreamDecoder) startCall(dst []Event, item gjson.Result, out int64) []Event {
	n := len(d.calls)
	d.calls = append(d.calls, rsStreamCall{itemID: item.Get("id").String(), output: out})
	callID := item.Get("call_id").String()
	if callID == "" {
		callID = oaiNewID("call_", 24)
	}
	dst = append(dst, Event{Type: EventToolCallStart, ToolIndex: n, ToolCallID: callID, ToolName: item.Get("name").String()})
	if a := item.Get("arguments").String(); a != "" {
		d.calls[n].argsSeen = true
		dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: n, Text: a})
	}
	return dst
}

// call finds a function call by item id, else by output index; -1 when
// unknown.
func (d *rsStreamDecoder) call(itemID string, out gjson.Result) int {
	for i := range d.calls {
		if itemID != "" && d.calls[i].itemID == itemID {
			return i
		}
	}
	if itemID == "" && out.Exists() {
		for i := range d.calls {
			if d.calls[i].output == out.Int() {
				return i
			}
		}
	}
	return -1
}

func (d *rsStreamDecoder) itemDone(dst []Event, item, outIdx gjson.Result) []Event {
	id := item.Get("id").String()
	switch item.Get("type").String() {
	case "function_call":
		n := d.call(id, outIdx)
		if n < 0 {
			dst = d.startCall(dst, item, outIdx.Int())
			n = len(d.calls) - 1
		} else if !d.calls[n].argsSeen {
			if a := item.Get("arguments").String(); a != "" {
				d.calls[n].argsSeen = true
				dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: n, Text: a})
			}
		}
		if !d.calls[n].ended {
			d.calls[n].ended = true
			dst = append(dst, Event{Type: EventToolCallEnd, ToolIndex: n})
		}
	case "reasoning":
		if !d.streamed(id) {
			if t := rsReasoningText(item.Get("summary"), item.Get("content")); t != "" {
				dst = append(dst, Event{Type: EventThinking, Text: t})
			}
		}
		if enc := item.Get("encrypted_content").String(); enc != "" {
			dst = append(dst, Event{Type: EventSignature, Signature: enc, SignatureFamily: OpenAIResponses.Family()})
		}
	case "message":
		if !d.streamed(id) {
			item.Get("content").ForEach(func(_, c gjson.Result) bool {
				t := c.Get("text").String()
				if c.Get("type").String() == "refusal" {
					d.refusal = true
					t = c.Get("refusal").String()
				}
				if t != "" {
					dst = append(dst, Event{Type: EventText, Text: t})
				}
				return true
			})
		}
	}
	return dst
}

// streamed reports whether the content of item id already came as deltas
// (deltas without item ids count for the item being streamed).
func (d *rsStreamDecoder) streamed(id string) bool {
	return d.itemDelta && (d.item == "" || d.item == id)
}

// terminal handles response.completed, .incomplete and .failed: the final
// usage, the stop reason from the status, an error for a failure.
func (d *rsStreamDecoder) terminal(dst []Event, response gjson.Result) []Event {
	if u := response.Get("usage"); u.IsObject() {
		d.usage, d.hasUsage = rsDecodeUsage(u), true
		uc := d.usage
		dst = append(dst, Event{Type: EventUsage, Usage: &uc})
	}
	stop := rsStopReason(response.Get("status").String(), response.Get("incomplete_details.reason").String())
	if stop == StopError && !d.errored {
		d.errored = true
		e := oaiErrorFrom(response.Get("error"), 502)
		if !response.Get("error").IsObject() {
			e.Message = "upstream response failed"
		}
		dst = append(dst, Event{Type: EventError, Error: e})
	}
	return d.finish(dst, stop)
}

func (d *rsStreamDecoder) finish(dst []Event, stop StopReason) []Event {
	if d.finished {
		return dst
	}
	d.finished = true
	if !d.started {
		d.started = true
		dst = append(dst, Event{Type: EventStart})
	}
	for i := range d.calls {
		if !d.calls[i].ended {
			d.calls[i].ended = true
			dst = append(dst, Event{Type: EventToolCallEnd, ToolIndex: i})
		}
	}
	if d.errored {
		stop = StopError
	}
	switch {
	case stop == StopEndTurn && len(d.calls) > 0:
		stop = StopToolUse
	case stop == StopEndTurn && d.refusal:
		stop = StopRefusal
	}
	ev := Event{Type: EventFinish, StopReason: stop}
	if d.hasUsage {
		u := d.usage
		ev.Usage = &u
	}
	return append(dst, ev)
}

// Close implements StreamDecoder: a stream cut before its terminal event
// still finishes (as an error when an error event came).
func (d *rsStreamDecoder) Close(dst []Event) []Event { return d.finish(dst, StopEndTurn) }
