package transform

import (
	"bytes"

	"github.com/tidwall/gjson"
)

// NewStreamDecoder reads a Gemini stream: each SSE data payload (or each
// element of the JSON-array form) is a whole GenerateContentResponse with
// only the new parts; Antigravity wraps each in {"response": …}. There is
// no terminator: the finish is emitted by Close, because usage may still
// arrive after the chunk that carries finishReason.
func (c *geminiCodec) NewStreamDecoder() StreamDecoder {
	return &gemStreamDecoder{format: c.format}
}

type gemStreamDecoder struct {
	format   Format
	started  bool
	finished bool
	sawCall  bool
	sawText  bool
	blocked  bool
	nextTool int
	finish   string
	usage    Usage
}

// Feed implements StreamDecoder.
func (d *gemStreamDecoder) Feed(dst []Event, _, data []byte) ([]Event, bool, error) {
	if d.finished {
		return dst, true, nil
	}
	data = gemTrimArrayFraming(data)
	if len(data) == 0 {
		return dst, false, nil
	}
	if !gjson.ValidBytes(data) {
		return dst, false, gemUpstreamError(d.format, "sent a stream chunk that is not valid JSON")
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return dst, false, gemUpstreamError(d.format, "sent a stream chunk that is not a JSON object")
	}
	if d.format == Antigravity {
		root = agUnwrap(root)
	}
	if e := root.Get("error"); e.IsObject() && !root.Get("candidates").Exists() {
		dst = d.start(dst, root)
		status := int(e.Get("code").Int())
		if status < 400 {
			status = 500
		}
		u := d.usage
		dst = append(dst,
			Event{Type: EventError, Error: DecodeError(d.format, status, nil, []byte(root.Raw))},
			Event{Type: EventFinish, StopReason: StopError, Usage: &u})
		d.finished = true
		return dst, true, nil
	}
	dst = d.start(dst, root)
	var usage gjson.Result
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "candidates":
			dst = d.candidate(dst, v)
		case "usageMetadata", "usage_metadata":
			usage = v
		case "promptFeedback", "prompt_feedback":
			if gemGet(v, "blockReason", "block_reason").String() != "" {
				d.blocked = true
			}
		}
		return true
	})
	if usage.Exists() {
		// Cumulative: the latest value replaces the earlier one.
		d.usage = gemUsage(usage)
		u := d.usage
		dst = append(dst, Event{Type: EventUsage, Usage: &u})
	}
	return dst, false, nil
}

// gemTrimArrayFraming strips the JSON-array stream's brackets and commas
// from an element in case the caller split the array loosely.
func gemTrimArrayFraming(b []byte) []byte {
	b = bytes.TrimSpace(b)
	for len(b) > 0 && (b[0] == '[' || b[0] == ',') {
		b = bytes.TrimSpace(b[1:])
	}
	for len(b) > 0 && (b[len(b)-1] == ']' || b[len(b)-1] == ',') {
		// Only trailing framing: a chunk object itself ends in '}'.
		b = bytes.TrimSpace(b[:len(b)-1])
	}
	return b
}

func (d *gemStreamDecoder) start(dst []Event, root gjson.Result) []Event {
	if d.started {
		return dst
	}
	d.started = true
	return append(dst, Event{
		Type:  EventStart,
		ID:    gemGet(root, "responseId", "response_id").String(),
		Model: gemGet(root, "modelVersion", "model_version").String(),
	})
}

func (d *gemStreamDecoder) candidate(dst []Event, candidates gjson.Result) []Event {
	parts, fr := gemCandidate(candidates)
	family := d.format.Family()
	parts.ForEach(func(_, pv gjson.Result) bool {
		p, ok := gemUpstreamPart(pv, family)
		if !ok {
			return true
		}
		switch p.Type {
		case PartToolCall:
			d.sawCall = true
			idx := d.nextTool
			d.nextTool++
			dst = append(dst,
				Event{Type: EventToolCallStart, ToolIndex: idx, ToolCallID: p.ToolCallID, ToolName: p.ToolName},
				Event{Type: EventToolCallArgs, ToolIndex: idx, Text: string(p.Arguments)},
				Event{Type: EventToolCallEnd, ToolIndex: idx, Signature: p.Signature, SignatureFamily: p.SignatureFamily})
		case PartText, PartThinking:
			if p.Text != "" {
				t := EventText
				if p.Type == PartThinking {
					t = EventThinking
				} else {
					d.sawText = true
				}
				dst = append(dst, Event{Type: t, Text: p.Text})
			}
			if p.Signature != "" {
				dst = append(dst, Event{Type: EventSignature, Signature: p.Signature, SignatureFamily: p.SignatureFamily})
			}
		}
		// Generated images have no stream event in the canonical model.
		return true
	})
	if fr != "" {
		d.finish = fr
	}
	return dst
}

// Close implements StreamDecoder: it emits the finish, which a Gemini
// stream never sends as an event of its own.
func (d *gemStreamDecoder) Close(dst []Event) []Event {
	if d.finished {
		return dst
	}
	d.finished = true
	u := d.usage
	if !d.started {
		d.started = true
		return append(dst,
			Event{Type: EventStart},
			Event{Type: EventError, Error: gemUpstreamError(d.format, "ended the stream without sending anything")},
			Event{Type: EventFinish, StopReason: StopError, Usage: &u})
	}
	stop := gemStopReason(d.finish)
	switch {
	case d.sawCall:
		stop = StopToolUse
	case d.blocked && !d.sawText:
		stop = StopContentFilter
	}
	return append(dst, Event{Type: EventFinish, StopReason: stop, Usage: &u})
}
