package transform

import (
	"io"
	"strconv"
)

// anPendingTool is a tool call that started while another tool_use block
// was open. Anthropic blocks are strictly sequential, so its start and
// argument fragments wait until the open one closes (protocols.md §7.3
// rule 4: a CC upstream may interleave parallel calls).
type anPendingTool struct {
	index    int
	id, name string
	args     []byte
	ended    bool
	sig, fam string
}

// anStreamEncoder writes canonical events as an Anthropic SSE stream.
type anStreamEncoder struct {
	w   io.Writer
	ab  availableBuffer // w, when it lends its free space (then buf is only ever that)
	buf []byte
	err error

	id, model string
	usage     Usage
	started   bool // message_start written
	done      bool // message_stop or error written

	index    int         // index of the open block, or of the next one
	open     anBlockKind // anBlockOther means none is open
	openTool int         // ToolIndex of the open tool_use block
	// sig is the signature for the open thinking block, written as its
	// one signature_delta right before its stop.
	sig     string
	sawTool bool
	pending []anPendingTool
}

func newAnStreamEncoder(w io.Writer, req *Request) *anStreamEncoder {
	e := &anStreamEncoder{w: w}
	e.ab, _ = w.(availableBuffer)
	if req != nil {
		e.model = req.Model
	}
	return e
}

// Encode implements StreamEncoder.
func (e *anStreamEncoder) Encode(ev *Event) error {
	if e.err != nil || e.done {
		return e.err
	}
	e.buf = e.scratch()
	switch ev.Type {
	case EventStart:
		if ev.ID != "" {
			e.id = ev.ID
		}
		if ev.Model != "" {
			e.model = ev.Model
		}
		// message_start waits for the first content so that usage
		// reported before it (Anthropic and Gemini upstreams) is in it.
	case EventUsage:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
	case EventText:
		if ev.Text == "" {
			break
		}
		e.ensureStarted()
		if e.open != anBlockText {
			e.closeAll()
			e.openBlock(anBlockText, `{"type":"text","text":""}`)
		}
		e.delta(`{"type":"text_delta","text":`, ev.Text)
	case EventThinking:
		if ev.Text == "" {
			break
		}
		e.ensureStarted()
		if e.open != anBlockThinking {
			e.closeAll()
			e.openBlock(anBlockThinking, `{"type":"thinking","thinking":"","signature":""}`)
		}
		e.delta(`{"type":"thinking_delta","thinking":`, ev.Text)
	case EventSignature:
		e.signature(ev)
	case EventToolCallStart:
		e.toolStart(ev)
	case EventToolCallArgs:
		e.toolArgs(ev)
	case EventToolCallEnd:
		e.toolEnd(ev)
	case EventFinish:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
		e.finish(ev.StopReason, ev.StopSequence)
	case EventError:
		e.writeError(ev.Error)
	}
	return e.flush()
}

// Close implements StreamEncoder: a stream that never got EventFinish is
// still ended the way the API ends one.
func (e *anStreamEncoder) Close() error {
	if e.err != nil || e.done {
		return e.err
	}
	e.buf = e.scratch()
	e.finish(StopEndTurn, "")
	return e.flush()
}

// scratch is where the next event is built: the writer's free space when
// it lends it, else the encoder's own buffer.
func (e *anStreamEncoder) scratch() []byte {
	if e.ab != nil {
		return e.ab.AvailableBuffer()
	}
	return e.buf[:0]
}

func (e *anStreamEncoder) flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	if _, err := e.w.Write(e.buf); err != nil {
		e.err = err
	}
	if e.ab != nil {
		e.buf = nil // it was the writer's memory
	}
	return e.err
}

// event appends one SSE event; payload is compact JSON without newlines.
func (e *anStreamEncoder) event(name string, payload []byte) {
	e.buf = append(e.buf, "event: "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, "\ndata: "...)
	e.buf = append(e.buf, payload...)
	e.buf = append(e.buf, '\n', '\n')
}

// begin appends the head of an event whose payload is written in place,
// and end closes it; this avoids a second buffer on the per-delta path.
func (e *anStreamEncoder) begin(name string) {
	e.buf = append(e.buf, "event: "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, "\ndata: "...)
}

func (e *anStreamEncoder) end() { e.buf = append(e.buf, '\n', '\n') }

func (e *anStreamEncoder) ensureStarted() {
	if e.started {
		return
	}
	e.started = true
	e.id = anMessageID(e.id)
	e.begin("message_start")
	b := append(e.buf, `{"type":"message_start","message":{`...)
	b = anAppendStringField(b, "id", e.id)
	b = append(b, `,"type":"message","role":"assistant"`...)
	b = anAppendStringField(b, "model", e.model)
	b = append(b, `,"content":[],"stop_reason":null,"stop_sequence":null,"usage":`...)
	// Output is conventionally 1 here; the real count comes in message_delta.
	b = anAppendUsage(b, Usage{InputTokens: e.usage.InputTokens, CacheReadTokens: e.usage.CacheReadTokens,
		CacheWriteTokens: e.usage.CacheWriteTokens}, 1)
	e.buf = append(b, "}}"...)
	e.end()
}

// openBlock writes content_block_start for a new block.
func (e *anStreamEncoder) openBlock(kind anBlockKind, contentBlock string) {
	e.begin("content_block_start")
	e.buf = append(e.buf, `{"type":"content_block_start","index":`...)
	e.buf = strconv.AppendInt(e.buf, int64(e.index), 10)
	e.buf = append(e.buf, `,"content_block":`...)
	e.buf = append(e.buf, contentBlock...)
	e.buf = append(e.buf, '}')
	e.end()
	e.open = kind
	e.sig = ""
}

// delta writes a content_block_delta for the open block; head is the
// delta object up to its string value, which is text.
func (e *anStreamEncoder) delta(head, text string) {
	e.begin("content_block_delta")
	e.buf = append(e.buf, `{"type":"content_block_delta","index":`...)
	e.buf = strconv.AppendInt(e.buf, int64(e.index), 10)
	e.buf = append(e.buf, `,"delta":`...)
	e.buf = append(e.buf, head...)
	e.buf = appendJSONString(e.buf, text)
	e.buf = append(e.buf, "}}"...)
	e.end()
}

// closeOpen writes content_block_stop for the open block (a thinking block
// first gets its signature_delta).
func (e *anStreamEncoder) closeOpen() {
	if e.open == anBlockOther {
		return
	}
	if e.open == anBlockThinking {
		e.delta(`{"type":"signature_delta","signature":`, e.sig)
		e.sig = ""
	}
	e.begin("content_block_stop")
	e.buf = append(e.buf, `{"type":"content_block_stop","index":`...)
	e.buf = strconv.AppendInt(e.buf, int64(e.index), 10)
	e.buf = append(e.buf, '}')
	e.end()
	e.open = anBlockOther
	e.index++
}

// closeAll closes the open block and writes out every queued tool call,
// complete, so that something else can start.
func (e *anStreamEncoder) closeAll() {
	e.closeOpen()
	for len(e.pending) > 0 {
		e.flushPending()
		e.closeOpen()
	}
}

// flushPending opens the first queued tool call, writes what it buffered
// and closes it again if it already ended; an unfinished one stays open.
func (e *anStreamEncoder) flushPending() {
	p := e.pending[0]
	e.pending = e.pending[1:]
	e.openToolBlock(p.index, p.id, p.name)
	if len(p.args) > 0 {
		e.delta(`{"type":"input_json_delta","partial_json":`, string(p.args))
	}
	if p.ended {
		e.closeOpen()
		e.partSignature(p.sig, p.fam)
	}
}

func (e *anStreamEncoder) openToolBlock(index int, id, name string) {
	if id == "" {
		id = anNewID("toolu_")
	}
	cb := make([]byte, 0, 64+len(id)+len(name))
	cb = append(cb, `{"type":"tool_use"`...)
	cb = anAppendStringField(cb, "id", id)
	cb = anAppendStringField(cb, "name", name)
	cb = append(cb, `,"input":{}}`...)
	e.openBlock(anBlockTool, string(cb))
	e.openTool = index
}

func (e *anStreamEncoder) pendingTool(index int) *anPendingTool {
	for i := range e.pending {
		if e.pending[i].index == index {
			return &e.pending[i]
		}
	}
	return nil
}

func (e *anStreamEncoder) toolStart(ev *Event) {
	e.ensureStarted()
	e.sawTool = true
	if e.open == anBlockTool {
		if e.openTool != ev.ToolIndex && e.pendingTool(ev.ToolIndex) == nil {
			e.pending = append(e.pending, anPendingTool{index: ev.ToolIndex, id: ev.ToolCallID, name: ev.ToolName})
		}
		return
	}
	e.closeAll()
	e.openToolBlock(ev.ToolIndex, ev.ToolCallID, ev.ToolName)
}

func (e *anStreamEncoder) toolArgs(ev *Event) {
	if ev.Text == "" {
		return
	}
	if e.open == anBlockTool && e.openTool == ev.ToolIndex {
		e.delta(`{"type":"input_json_delta","partial_json":`, ev.Text)
		return
	}
	if p := e.pendingTool(ev.ToolIndex); p != nil {
		p.args = append(p.args, ev.Text...)
	}
	// Fragments for a call whose block had to be closed already cannot be
	// placed any more and are dropped.
}

func (e *anStreamEncoder) toolEnd(ev *Event) {
	if e.open == anBlockTool && e.openTool == ev.ToolIndex {
		e.closeOpen()
		e.partSignature(ev.Signature, ev.SignatureFamily)
		for len(e.pending) > 0 && e.open == anBlockOther {
			e.flushPending()
		}
		return
	}
	if p := e.pendingTool(ev.ToolIndex); p != nil {
		p.ended, p.sig, p.fam = true, ev.Signature, ev.SignatureFamily
	}
}

// partSignature writes a signature another provider put on the part just
// closed as a signature-only thinking block (see anAppendPartSignature).
func (e *anStreamEncoder) partSignature(sig, family string) {
	if sig == "" {
		return
	}
	e.openBlock(anBlockThinking, `{"type":"thinking","thinking":"","signature":""}`)
	e.sig = ExportSignature(sig, family, Anthropic)
	e.closeOpen()
}

func (e *anStreamEncoder) signature(ev *Event) {
	if ev.Signature == "" {
		return
	}
	e.ensureStarted()
	sig := ExportSignature(ev.Signature, ev.SignatureFamily, Anthropic)
	if ev.Redacted {
		e.closeAll()
		cb := make([]byte, 0, 48+len(sig))
		cb = append(cb, `{"type":"redacted_thinking"`...)
		cb = anAppendStringField(cb, "data", sig)
		cb = append(cb, '}')
		e.openBlock(anBlockRedacted, string(cb))
		e.closeOpen()
		return
	}
	if e.open == anBlockThinking {
		e.sig = sig
		return
	}
	// A signature with no thinking text before it gets a thinking block of
	// its own (protocols.md §7.3 rule 3).
	e.closeAll()
	e.openBlock(anBlockThinking, `{"type":"thinking","thinking":"","signature":""}`)
	e.sig = sig
	e.closeOpen()
}

func (e *anStreamEncoder) finish(reason StopReason, stopSeq string) {
	e.ensureStarted()
	e.closeAll()
	e.begin("message_delta")
	b := append(e.buf, `{"type":"message_delta","delta":{`...)
	b = anAppendStringField(b, "stop_reason", anStopReasonString(anToolStop(reason, e.sawTool)))
	b = anAppendKey(b, "stop_sequence")
	if stopSeq != "" {
		b = appendJSONString(b, stopSeq)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `},"usage":`...)
	b = anAppendUsage(b, e.usage, e.usage.OutputTokens)
	e.buf = append(b, '}')
	e.end()
	e.event("message_stop", []byte(`{"type":"message_stop"}`))
	e.done = true
}

// writeError writes an in-stream error event; the API ends the stream
// right after one, so nothing follows.
func (e *anStreamEncoder) writeError(err *Error) {
	if err == nil {
		err = &Error{Status: 500, Message: "upstream error"}
	}
	kind := err.Kind
	if kind == "" {
		kind = KindForStatus(err.Status)
	}
	e.begin("error")
	b := append(e.buf, `{"type":"error","error":{`...)
	b = anAppendStringField(b, "type", anthropicType(kind))
	b = anAppendStringField(b, "message", err.Message)
	e.buf = append(b, "}}"...)
	e.end()
	e.done = true
}
