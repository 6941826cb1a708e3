package transform

import (
	"net/http"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"
)

// anBlockKind is the kind of an open upstream content block.
type anBlockKind uint8

const (
	anBlockOther anBlockKind = iota // server tools and the like: ignored
	anBlockText
	anBlockThinking
	anBlockTool
	anBlockRedacted
)

// anMaxOpenBlocks bounds the blocks the decoder tracks at once; the API
// opens one at a time, so more only comes from a broken upstream.
const anMaxOpenBlocks = 16

// anOpenBlock is an upstream content block between its start and stop.
type anOpenBlock struct {
	index   int64
	kind    anBlockKind
	tool    int  // canonical tool ordinal for tool blocks
	hasArgs bool // a non-empty input_json_delta was seen
}

// anStreamDecoder reads an Anthropic SSE stream (protocols.md §3.5, §7.1).
// It keeps only the blocks currently open (the API opens one at a time)
// and the running usage.
type anStreamDecoder struct {
	started, finished bool
	open              []anOpenBlock
	tools             int // tool calls seen so far (next ordinal)
	stop              string
	stopSeq           string
	sawDelta          bool // a message_delta arrived (the answer ended normally)
	usage             anUsage
	arena             byteArena
}

// Idle implements StreamIdler: the arena's block goes while the stream
// waits.
func (d *anStreamDecoder) Idle() { d.arena.release() }

// Feed implements StreamDecoder.
func (d *anStreamDecoder) Feed(dst []Event, event, data []byte) ([]Event, bool, error) {
	if d.finished {
		return dst, true, nil
	}
	if len(data) == 0 {
		return dst, false, nil
	}
	// Most of a stream is text, thinking or tool-argument deltas: read
	// those in one pass that also validates them; anything else (or any
	// surprise in one) takes the general path below.
	if out, ok := d.fastDelta(dst, data); ok {
		return out, false, nil
	}
	if !gjson.ValidBytes(data) {
		return dst, false, &Error{Status: http.StatusBadGateway, Kind: KindServer, Message: "upstream sent a stream event that is not valid JSON"}
	}
	e := anEventOf(data)
	typ, index := e.typ, e.index
	if typ == "" {
		typ = string(event)
	}
	switch typ {
	case "message_start":
		dst = d.messageStart(dst, e.message)
	case "content_block_start":
		dst = d.start(dst, "", "")
		dst = d.blockStart(dst, index, e.block)
	case "content_block_delta":
		dst = d.start(dst, "", "")
		dst = d.blockDelta(dst, index, e.delta)
	case "content_block_stop":
		dst = d.blockStop(dst, index)
	case "message_delta":
		dst = d.messageDelta(dst, e.delta, e.usage)
	case "message_stop":
		dst = d.start(dst, "", "")
		dst = d.finish(dst, anToolStop(anStopReason(d.stop), d.tools > 0))
		return dst, true, nil
	case "error":
		return d.streamError(dst, e.errObj), true, nil
	}
	// ping and unknown events carry nothing.
	return dst, false, nil
}

// fastDelta decodes data when scanAnDelta recognises it.
//
//go:noinline // keeps its fields out of Feed's frame (see messageStart)
func (d *anStreamDecoder) fastDelta(dst []Event, data []byte) ([]Event, bool) {
	var f anDeltaFields
	index, ok := scanAnDelta(data, &f)
	if !ok {
		return dst, false
	}
	dst = d.start(dst, "", "")
	return d.applyDelta(dst, index, &f), true
}

// anEvent is an Anthropic stream event's members.
type anEvent struct {
	typ                                  string
	index                                int64
	message, block, delta, usage, errObj gjson.Result
}

// anEventOf reads a valid event's members in one pass; Get would rescan
// per key. The event is parsed in place (data outlives the decoder's use
// only until the caller reads again), and the strings handed out in
// events are copied (own): a consumer keeping one (the fuzz target, an
// accumulator) must never see it change.
func anEventOf(data []byte) (e anEvent) {
	gjson.Parse(unsafe.String(&data[0], len(data))).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			e.typ = v.Str
		case "index":
			e.index = v.Int()
		case "message":
			e.message = v
		case "content_block":
			e.block = v
		case "delta":
			e.delta = v
		case "usage":
			e.usage = v
		case "error":
			e.errObj = v
		}
		return true
	})
	return e
}

// own returns v's string value, never aliasing the event data: a string
// gjson had to unescape is a fresh one already; any other is copied into
// the arena.
func (d *anStreamDecoder) own(v gjson.Result) string {
	if v.Type != gjson.String || len(v.Raw) != len(v.Str)+2 {
		return v.Str
	}
	return d.arena.copy(v.Str)
}

// The handlers below are kept out of Feed (noinline): gjson's lookups
// inlined into one function gave Feed a 4 KiB stack frame, and the
// goroutine of every open translated stream grew its stack to fit it.

//go:noinline
func (d *anStreamDecoder) messageStart(dst []Event, message gjson.Result) []Event {
	dst = d.start(dst, strings.Clone(message.Get("id").Str), strings.Clone(message.Get("model").Str))
	if u := message.Get("usage"); u.IsObject() {
		d.usage.merge(u)
		dst = d.appendUsage(dst)
	}
	return dst
}

//go:noinline
func (d *anStreamDecoder) messageDelta(dst []Event, delta, usage gjson.Result) []Event {
	dst = d.start(dst, "", "")
	d.sawDelta = true
	if r := delta.Get("stop_reason"); r.Type == gjson.String {
		d.stop = strings.Clone(r.Str)
	}
	if s := delta.Get("stop_sequence"); s.Type == gjson.String {
		d.stopSeq = strings.Clone(s.Str)
	}
	if usage.IsObject() {
		d.usage.merge(usage)
		dst = d.appendUsage(dst)
	}
	return dst
}

//go:noinline
func (d *anStreamDecoder) streamError(dst []Event, e gjson.Result) []Event {
	dst = d.start(dst, "", "")
	status := anErrorStatus(e.Get("type").Str)
	msg := strings.Clone(e.Get("message").Str)
	if msg == "" {
		msg = "upstream stream error"
	}
	dst = append(dst, Event{Type: EventError, Error: &Error{Status: status, Kind: KindForStatus(status), Message: msg, Code: strings.Clone(e.Get("type").Str)}})
	return d.finish(dst, StopError)
}

// Close implements StreamDecoder. An upstream that ended after its
// message_delta but before message_stop still finished its answer; one
// that ended earlier was cut off, which is reported as StopError.
func (d *anStreamDecoder) Close(dst []Event) []Event {
	if d.finished {
		return dst
	}
	dst = d.start(dst, "", "")
	for len(d.open) > 0 {
		dst = d.blockStop(dst, d.open[0].index)
	}
	reason := StopError
	if d.sawDelta {
		reason = anToolStop(anStopReason(d.stop), d.tools > 0)
	}
	return d.finish(dst, reason)
}

// start emits EventStart once, before anything else.
//
//go:noinline // see messageStart
func (d *anStreamDecoder) start(dst []Event, id, model string) []Event {
	if d.started {
		return dst
	}
	d.started = true
	return append(dst, Event{Type: EventStart, ID: id, Model: model})
}

func (d *anStreamDecoder) appendUsage(dst []Event) []Event {
	u := d.usage.canonical()
	return append(dst, Event{Type: EventUsage, Usage: &u})
}

//go:noinline // see messageStart
func (d *anStreamDecoder) finish(dst []Event, reason StopReason) []Event {
	d.finished = true
	u := d.usage.canonical()
	return append(dst, Event{Type: EventFinish, StopReason: reason, StopSequence: d.stopSeq, Usage: &u})
}

func (d *anStreamDecoder) find(index int64) *anOpenBlock {
	for i := range d.open {
		if d.open[i].index == index {
			return &d.open[i]
		}
	}
	return nil
}

//go:noinline // see messageStart
func (d *anStreamDecoder) blockStart(dst []Event, index int64, cb gjson.Result) []Event {
	if d.find(index) != nil || len(d.open) >= anMaxOpenBlocks {
		return dst // a repeated start for an open block: keep the first
	}
	blk := anOpenBlock{index: index}
	switch cb.Get("type").Str {
	case "text":
		blk.kind = anBlockText
		if t := d.own(cb.Get("text")); t != "" {
			dst = append(dst, Event{Type: EventText, Text: t})
		}
	case "thinking":
		blk.kind = anBlockThinking
		if t := d.own(cb.Get("thinking")); t != "" {
			dst = append(dst, Event{Type: EventThinking, Text: t})
		}
		if s := cb.Get("signature").Str; s != "" {
			dst = append(dst, Event{Type: EventSignature, Signature: strings.Clone(s), SignatureFamily: Anthropic.Family()})
		}
	case "redacted_thinking":
		// Complete in its start event; there are no deltas.
		if data := cb.Get("data").Str; data != "" {
			dst = append(dst, Event{Type: EventSignature, Signature: strings.Clone(data), SignatureFamily: Anthropic.Family(), Redacted: true})
		}
	case "tool_use":
		blk.kind, blk.tool = anBlockTool, d.tools
		d.tools++
		dst = append(dst, Event{Type: EventToolCallStart, ToolIndex: blk.tool,
			ToolCallID: strings.Clone(anRestoreToolID(cb.Get("id").Str)), ToolName: strings.Clone(cb.Get("name").Str)})
		// The API streams the input in deltas and starts with {}; an
		// input given whole in the start event is passed on as one
		// fragment.
		if in := cb.Get("input"); in.IsObject() && anHasKeys(in) {
			blk.hasArgs = true
			dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: blk.tool, Text: d.arena.copy(in.Raw)})
		}
	}
	d.open = append(d.open, blk)
	return dst
}

//go:noinline // see messageStart
func (d *anStreamDecoder) blockDelta(dst []Event, index int64, delta gjson.Result) []Event {
	f := anDeltaFieldsOf(delta)
	return d.applyDelta(dst, index, &f)
}

// anDeltaFieldsOf reads a delta's members in one pass (the bulk of a
// stream): Get would parse its path and rescan the object for each.
func anDeltaFieldsOf(delta gjson.Result) (f anDeltaFields) {
	delta.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			f.typ = v.Str
		case "text":
			f.text = v
		case "thinking":
			f.thinking = v
		case "signature":
			f.signature = v
		case "partial_json":
			f.partial = v
		}
		return true
	})
	return f
}

// anDeltaFields are the members of a content_block_delta's delta.
type anDeltaFields struct {
	typ                                string
	text, thinking, signature, partial gjson.Result
}

func (d *anStreamDecoder) applyDelta(dst []Event, index int64, f *anDeltaFields) []Event {
	blk := d.find(index)
	if blk == nil {
		return dst
	}
	switch f.typ {
	case "text_delta":
		if f.text.Str != "" {
			dst = append(dst, Event{Type: EventText, Text: d.own(f.text)})
		}
	case "thinking_delta":
		if f.thinking.Str != "" {
			dst = append(dst, Event{Type: EventThinking, Text: d.own(f.thinking)})
		}
	case "signature_delta":
		if f.signature.Str != "" {
			dst = append(dst, Event{Type: EventSignature, Signature: strings.Clone(f.signature.Str), SignatureFamily: Anthropic.Family()})
		}
	case "input_json_delta":
		if f.partial.Str != "" && blk.kind == anBlockTool {
			blk.hasArgs = true
			dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: blk.tool, Text: d.own(f.partial)})
		}
	}
	return dst
}

//go:noinline // see messageStart
func (d *anStreamDecoder) blockStop(dst []Event, index int64) []Event {
	for i := range d.open {
		if d.open[i].index != index {
			continue
		}
		blk := d.open[i]
		d.open = append(d.open[:i], d.open[i+1:]...)
		if blk.kind == anBlockTool {
			if !blk.hasArgs {
				// No input fragments means an empty input.
				dst = append(dst, Event{Type: EventToolCallArgs, ToolIndex: blk.tool, Text: "{}"})
			}
			dst = append(dst, Event{Type: EventToolCallEnd, ToolIndex: blk.tool})
		}
		return dst
	}
	return dst // a stop for a block that is not open: dropped (§7.3 rule 7)
}

// anHasKeys reports whether a JSON object has at least one member.
func anHasKeys(obj gjson.Result) bool {
	has := false
	obj.ForEach(func(_, _ gjson.Result) bool { has = true; return false })
	return has
}
