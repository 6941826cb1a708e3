package transform

import (
	"io"
	"strings"
)

// rsStreamEncoder writes canonical events as a Responses stream:
// response.created and response.in_progress, then per output item its
// added event, content events and done event, and finally exactly one of
// response.completed, response.incomplete or response.failed carrying the
// full response. Every event has a sequence_number counting from 0.
//
// The terminal event must hold the whole output, and done events repeat
// the full text, so the encoder keeps the output items it wrote: that is
// the memory the format forces, nothing more.
type rsStreamEncoder struct {
	w    io.Writer
	req  *Request
	buf  []byte
	meta rsMeta
	seq  int64

	started  bool
	finished bool
	out      []rsOut
	// cur is the index in out of the open reasoning or message item, -1
	// when none. Function call items stay open until their end event.
	cur int
	// calls maps a canonical ToolIndex to its index in out.
	calls []int
	// partOpen is set while the open reasoning item has a summary part.
	partOpen bool
	usage    Usage
	failure  *Error
}

func newRSStreamEncoder(w io.Writer, req *Request) *rsStreamEncoder {
	e := &rsStreamEncoder{w: w, req: req, buf: make([]byte, 0, 1024), cur: -1}
	if req != nil {
		e.meta.model = req.Model
	}
	e.meta.req = req
	return e
}

// Encode implements StreamEncoder.
func (e *rsStreamEncoder) Encode(ev *Event) error {
	if e.finished {
		return nil
	}
	if !e.started {
		if err := e.start(ev); err != nil || ev.Type == EventStart {
			return err
		}
	}
	switch ev.Type {
	case EventThinking:
		if ev.Text == "" {
			return nil
		}
		if err := e.openReasoning(false); err != nil {
			return err
		}
		o := &e.out[e.cur]
		if !e.partOpen {
			e.partOpen = true
			w := e.event("response.reasoning_summary_part.added")
			e.itemRef(&w, o)
			w.fieldInt("summary_index", 0)
			w.key("part")
			w.objOpen()
			w.fieldStr("type", "summary_text")
			w.fieldStr("text", "")
			w.objClose()
			if err := e.emit(w); err != nil {
				return err
			}
		}
		o.text = append(o.text, ev.Text...)
		w := e.event("response.reasoning_summary_text.delta")
		e.itemRef(&w, o)
		w.fieldInt("summary_index", 0)
		w.fieldStr("delta", ev.Text)
		return e.emit(w)
	case EventSignature:
		if ev.Signature == "" {
			return nil
		}
		if err := e.openReasoning(ev.Redacted); err != nil {
			return err
		}
		e.out[e.cur].sig = ExportSignature(ev.Signature, ev.SignatureFamily, OpenAIResponses)
	case EventText:
		if ev.Text == "" {
			return nil
		}
		if e.cur < 0 || e.out[e.cur].kind != rsOutMessage {
			if err := e.closeCurrent(); err != nil {
				return err
			}
			if err := e.openItem(rsOut{kind: rsOutMessage, id: oaiNewHexID("msg_", 48)}); err != nil {
				return err
			}
			o := &e.out[e.cur]
			w := e.event("response.content_part.added")
			e.itemRef(&w, o)
			w.fieldInt("content_index", 0)
			w.key("part")
			rsWriteTextPart(&w, nil)
			if err := e.emit(w); err != nil {
				return err
			}
		}
		o := &e.out[e.cur]
		o.text = append(o.text, ev.Text...)
		w := e.event("response.output_text.delta")
		e.itemRef(&w, o)
		w.fieldInt("content_index", 0)
		w.fieldStr("delta", ev.Text)
		w.key("logprobs")
		w.arrOpen()
		w.arrClose()
		return e.emit(w)
	case EventToolCallStart:
		if !accToolIndexOK(ev.ToolIndex, len(e.calls)) {
			return nil
		}
		if err := e.closeCurrent(); err != nil {
			return err
		}
		for len(e.calls) <= ev.ToolIndex {
			e.calls = append(e.calls, -1)
		}
		e.calls[ev.ToolIndex] = len(e.out)
		cur := e.cur
		err := e.openItem(rsOut{kind: rsOutCall, id: oaiNewHexID("fc_", 48), callID: ev.ToolCallID, name: ev.ToolName})
		e.cur = cur // calls are closed by their own end event
		return err
	case EventToolCallArgs:
		o := e.callItem(ev.ToolIndex)
		if o == nil || ev.Text == "" {
			return nil
		}
		return e.callArgs(o, ev.Text)
	case EventToolCallEnd:
		if o := e.callItem(ev.ToolIndex); o != nil {
			return e.closeItem(o)
		}
	case EventUsage:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
	case EventError:
		return e.writeError(ev.Error)
	case EventFinish:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
		return e.finish(ev.StopReason)
	}
	return nil
}

// start fixes the response id and model and writes response.created and
// response.in_progress.
func (e *rsStreamEncoder) start(ev *Event) error {
	e.started = true
	e.meta.created = oaiNow()
	id := ""
	if ev.Type == EventStart {
		id = ev.ID
		if ev.Model != "" {
			e.meta.model = ev.Model
		}
	}
	if !strings.HasPrefix(id, "resp_") {
		id = oaiNewHexID("resp_", 48)
	}
	e.meta.id = id
	for _, name := range [...]string{"response.created", "response.in_progress"} {
		w := e.event(name)
		w.key("response")
		rsWriteResponse(&w, &e.meta, "in_progress", "", nil, nil, nil)
		if err := e.emit(w); err != nil {
			return err
		}
	}
	return nil
}

// event starts an event named name and returns a writer inside its
// payload, after type and sequence_number.
func (e *rsStreamEncoder) event(name string) jsonWriter {
	b := append(e.buf[:0], "event: "...)
	b = append(b, name...)
	b = append(b, "\ndata: "...)
	w := jsonWriter{b: b}
	w.objOpen()
	w.fieldStr("type", name)
	w.fieldInt("sequence_number", e.seq)
	e.seq++
	return w
}

// emit ends the payload and writes the event.
func (e *rsStreamEncoder) emit(w jsonWriter) error {
	w.objClose()
	w.b = append(w.b, '\n', '\n')
	e.buf = w.b
	_, err := e.w.Write(w.b)
	return err
}

// itemRef writes item_id and output_index for item o.
func (e *rsStreamEncoder) itemRef(w *jsonWriter, o *rsOut) {
	w.fieldStr("item_id", o.id)
	w.fieldInt("output_index", int64(e.index(o)))
}

// index is the output_index of o.
func (e *rsStreamEncoder) index(o *rsOut) int {
	for i := range e.out {
		if &e.out[i] == o {
			return i
		}
	}
	return len(e.out)
}

// openItem appends o, makes it current and writes output_item.added.
func (e *rsStreamEncoder) openItem(o rsOut) error {
	e.out = append(e.out, o)
	e.cur = len(e.out) - 1
	w := e.event("response.output_item.added")
	w.fieldInt("output_index", int64(e.cur))
	w.key("item")
	rsWriteItem(&w, &e.out[e.cur], "")
	return e.emit(w)
}

// openReasoning makes a reasoning item current. A redacted block, or a
// signature after one was set, starts a new item: each item carries one
// encrypted_content.
func (e *rsStreamEncoder) openReasoning(fresh bool) error {
	if e.cur >= 0 && e.out[e.cur].kind == rsOutReasoning && !fresh && e.out[e.cur].sig == "" {
		return nil
	}
	if err := e.closeCurrent(); err != nil {
		return err
	}
	return e.openItem(rsOut{kind: rsOutReasoning, id: oaiNewHexID("rs_", 48)})
}

func (e *rsStreamEncoder) callItem(i int) *rsOut {
	if i < 0 || i >= len(e.calls) || e.calls[i] < 0 {
		return nil
	}
	return &e.out[e.calls[i]]
}

func (e *rsStreamEncoder) callArgs(o *rsOut, frag string) error {
	o.args = append(o.args, frag...)
	w := e.event("response.function_call_arguments.delta")
	e.itemRef(&w, o)
	w.fieldStr("delta", frag)
	return e.emit(w)
}

// closeCurrent closes the open reasoning or message item.
func (e *rsStreamEncoder) closeCurrent() error {
	if e.cur < 0 {
		return nil
	}
	o := &e.out[e.cur]
	e.cur = -1
	return e.closeItem(o)
}

// closeItem writes the done events of o.
func (e *rsStreamEncoder) closeItem(o *rsOut) error {
	if o.done {
		return nil
	}
	o.done = true
	switch o.kind {
	case rsOutReasoning:
		if e.partOpen {
			e.partOpen = false
			w := e.event("response.reasoning_summary_text.done")
			e.itemRef(&w, o)
			w.fieldInt("summary_index", 0)
			w.fieldStr("text", string(o.text))
			if err := e.emit(w); err != nil {
				return err
			}
			w = e.event("response.reasoning_summary_part.done")
			e.itemRef(&w, o)
			w.fieldInt("summary_index", 0)
			w.key("part")
			w.objOpen()
			w.fieldStr("type", "summary_text")
			w.fieldStr("text", string(o.text))
			w.objClose()
			if err := e.emit(w); err != nil {
				return err
			}
		}
	case rsOutMessage:
		w := e.event("response.output_text.done")
		e.itemRef(&w, o)
		w.fieldInt("content_index", 0)
		w.fieldStr("text", string(o.text))
		w.key("logprobs")
		w.arrOpen()
		w.arrClose()
		if err := e.emit(w); err != nil {
			return err
		}
		w = e.event("response.content_part.done")
		e.itemRef(&w, o)
		w.fieldInt("content_index", 0)
		w.key("part")
		rsWriteTextPart(&w, o.text)
		if err := e.emit(w); err != nil {
			return err
		}
	case rsOutCall:
		if len(o.args) == 0 {
			// Clients parse the arguments: never leave them empty.
			o.done = false
			if err := e.callArgs(o, "{}"); err != nil {
				return err
			}
			o.done = true
		}
		w := e.event("response.function_call_arguments.done")
		e.itemRef(&w, o)
		w.key("arguments")
		w.str(string(o.args))
		if err := e.emit(w); err != nil {
			return err
		}
	}
	w := e.event("response.output_item.done")
	w.fieldInt("output_index", int64(e.index(o)))
	w.key("item")
	rsWriteItem(&w, o, "completed")
	return e.emit(w)
}

// writeError writes an error event; the terminal event becomes
// response.failed.
func (e *rsStreamEncoder) writeError(err *Error) error {
	if err == nil {
		err = &Error{Status: 502, Message: "upstream error"}
	}
	e.failure = err
	w := e.event("error")
	code := err.Code
	if code == "" {
		code = oaiErrorType(err)
	}
	w.fieldStr("code", code)
	w.fieldStr("message", err.Message)
	w.fieldStrOrNull("param", err.Param)
	return e.emit(w)
}

// finish closes every open item and writes the terminal event.
func (e *rsStreamEncoder) finish(stop StopReason) error {
	if err := e.closeCurrent(); err != nil {
		return err
	}
	for _, i := range e.calls {
		if i >= 0 {
			if err := e.closeItem(&e.out[i]); err != nil {
				return err
			}
		}
	}
	e.finished = true
	status, incomplete := rsStatus(stop)
	failure := e.failure
	if status == "failed" && failure == nil {
		failure = &Error{Status: 500, Message: "the upstream model failed to complete the response"}
	}
	if failure != nil {
		status, incomplete = "failed", ""
	}
	w := e.event(rsTerminalEvent(status))
	w.key("response")
	u := e.usage
	rsWriteResponse(&w, &e.meta, status, incomplete, failure, e.out, &u)
	return e.emit(w)
}

// Close implements StreamEncoder. A stream that ended without its finish
// is reported as failed: the client must not take a cut answer for a
// complete one.
func (e *rsStreamEncoder) Close() error {
	if e.finished {
		return nil
	}
	if !e.started {
		if err := e.start(&Event{Type: EventStart}); err != nil {
			return err
		}
	}
	if e.failure == nil {
		e.failure = &Error{Status: 502, Message: "the upstream stream ended before the response was complete"}
	}
	return e.finish(StopError)
}
