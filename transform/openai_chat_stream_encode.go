package transform

import (
	"io"
	"strings"
)

// ccStreamEncoder writes canonical events as Chat Completions chunks, the
// way OpenAI streams them: a first chunk with the role, content and
// tool-call deltas, a chunk with an empty delta and the finish_reason, a
// usage chunk with empty choices only when the client asked for
// include_usage (clients that did not ask index choices[0] and crash on
// it), then data: [DONE].
type ccStreamEncoder struct {
	w   io.Writer
	ab  availableBuffer // w, when it lends its free space (then buf stays nil)
	buf []byte
	// prefix is every chunk's fixed start, "data: {id…model…" up to
	// inside its delta; built once the id and model are fixed (start).
	prefix       []byte
	id           string
	model        string
	created      int64
	includeUsage bool

	started   bool
	finished  bool
	errored   bool
	toolSeen  bool
	usage     Usage
	reasoning int // reasoning_details entries written
}

func newCCStreamEncoder(w io.Writer, req *Request) *ccStreamEncoder {
	e := &ccStreamEncoder{w: w}
	e.ab, _ = w.(availableBuffer)
	if req != nil {
		e.includeUsage = req.IncludeUsage
		e.model = req.Model
	}
	return e
}

// Encode implements StreamEncoder.
func (e *ccStreamEncoder) Encode(ev *Event) error {
	if e.finished {
		return nil
	}
	if !e.started {
		if err := e.start(ev); err != nil || ev.Type == EventStart {
			return err
		}
	}
	switch ev.Type {
	case EventText:
		if ev.Text == "" {
			return nil
		}
		w := e.open()
		w.fieldStr("content", ev.Text)
		return e.close(w, "")
	case EventThinking:
		if ev.Text == "" {
			return nil
		}
		w := e.open()
		w.fieldStr("reasoning_content", ev.Text)
		return e.close(w, "")
	case EventSignature:
		if ev.Signature == "" {
			return nil
		}
		w := e.open()
		w.key("reasoning_details")
		w.arrOpen()
		ccWriteReasoningDetail(&w, e.reasoning, "", ExportSignature(ev.Signature, ev.SignatureFamily, OpenAIChat), ev.Redacted)
		w.arrClose()
		e.reasoning++
		return e.close(w, "")
	case EventToolCallStart:
		e.toolSeen = true
		w := e.open()
		w.key("tool_calls")
		w.arrOpen()
		w.objOpen()
		w.fieldInt("index", int64(ev.ToolIndex))
		w.fieldStr("id", ev.ToolCallID)
		w.fieldStr("type", "function")
		w.key("function")
		w.objOpen()
		w.fieldStr("name", ev.ToolName)
		w.fieldStr("arguments", "")
		w.objClose()
		w.objClose()
		w.arrClose()
		return e.close(w, "")
	case EventToolCallArgs:
		if ev.Text == "" {
			return nil
		}
		w := e.open()
		w.key("tool_calls")
		w.arrOpen()
		w.objOpen()
		w.fieldInt("index", int64(ev.ToolIndex))
		w.key("function")
		w.objOpen()
		w.fieldStr("arguments", ev.Text)
		w.objClose()
		w.objClose()
		w.arrClose()
		return e.close(w, "")
	case EventToolCallEnd:
		if ev.Signature == "" {
			return nil
		}
		w := e.open()
		w.key("tool_calls")
		w.arrOpen()
		w.objOpen()
		w.fieldInt("index", int64(ev.ToolIndex))
		ccWriteExtraContent(&w, ExportSignature(ev.Signature, ev.SignatureFamily, OpenAIChat))
		w.objClose()
		w.arrClose()
		return e.close(w, "")
	case EventUsage:
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
	case EventError:
		return e.writeError(ev.Error)
	case EventFinish:
		return e.finish(ev)
	}
	return nil
}

// start fixes the stream's id and model and writes the role chunk.
func (e *ccStreamEncoder) start(ev *Event) error {
	e.started = true
	e.prefix = nil // id, model and created change here
	e.created = oaiNow()
	if ev.Type == EventStart {
		if ev.Model != "" {
			e.model = ev.Model
		}
		e.id = ev.ID
	}
	if !strings.HasPrefix(e.id, "chatcmpl-") {
		e.id = oaiNewID("chatcmpl-", 29)
	}
	w := e.open()
	w.fieldStr("role", "assistant")
	w.fieldStr("content", "")
	w.fieldNull("refusal")
	return e.close(w, "")
}

// open starts a chunk and returns a writer positioned inside its delta.
// The part before the delta is the same in every chunk of a stream, so it
// is rendered once.
func (e *ccStreamEncoder) open() jsonWriter {
	if e.prefix == nil {
		// Sized once: the prefix is about 100 bytes plus the id and model.
		w := jsonWriter{b: append(make([]byte, 0, 128+len(e.id)+len(e.model)), "data: "...)}
		e.header(&w)
		w.key("choices")
		w.arrOpen()
		w.objOpen()
		w.fieldInt("index", 0)
		w.key("delta")
		w.objOpen()
		e.prefix = w.b
	}
	return jsonWriter{b: append(e.scratch(), e.prefix...)}
}

func (e *ccStreamEncoder) header(w *jsonWriter) {
	w.objOpen()
	w.fieldStr("id", e.id)
	w.fieldStr("object", "chat.completion.chunk")
	w.fieldInt("created", e.created)
	w.fieldStr("model", e.model)
}

// close ends the delta and the chunk, with finish as the finish_reason
// (null when empty), and writes it.
func (e *ccStreamEncoder) close(w jsonWriter, finish string) error {
	w.objClose()
	w.fieldNull("logprobs")
	w.fieldStrOrNull("finish_reason", finish)
	w.objClose()
	w.arrClose()
	if e.includeUsage {
		w.fieldNull("usage")
	}
	w.objClose()
	return e.flush(w)
}

// scratch is where the next chunk is built: the writer's free space when
// it lends it, else the encoder's own buffer.
func (e *ccStreamEncoder) scratch() []byte {
	if e.ab != nil {
		return e.ab.AvailableBuffer()
	}
	return e.buf[:0]
}

func (e *ccStreamEncoder) flush(w jsonWriter) error {
	w.b = append(w.b, '\n', '\n')
	if e.ab == nil {
		e.buf = w.b
	}
	_, err := e.w.Write(w.b)
	return err
}

// writeError writes the in-stream error chunk OpenAI-compatible servers
// use; the OpenAI SDKs raise it as an error.
func (e *ccStreamEncoder) writeError(err *Error) error {
	if err == nil {
		err = &Error{Status: 502, Message: "upstream error"}
	}
	e.errored = true
	w := jsonWriter{b: append(e.scratch(), "data: "...)}
	w.objOpen()
	w.key("error")
	w.objOpen()
	w.fieldStr("message", err.Message)
	w.fieldStr("type", oaiErrorType(err))
	w.fieldStrOrNull("param", err.Param)
	w.fieldStrOrNull("code", err.Code)
	w.objClose()
	w.objClose()
	return e.flush(w)
}

func (e *ccStreamEncoder) finish(ev *Event) error {
	e.finished = true
	if ev.Usage != nil {
		e.usage = *ev.Usage
	}
	if !e.errored {
		w := e.open()
		if err := e.close(w, ccFinishReason(ev.StopReason, e.toolSeen)); err != nil {
			return err
		}
		if e.includeUsage {
			w := jsonWriter{b: append(e.scratch(), "data: "...)}
			e.header(&w)
			w.key("choices")
			w.arrOpen()
			w.arrClose()
			w.key("usage")
			ccWriteUsage(&w, e.usage)
			w.objClose()
			if err := e.flush(w); err != nil {
				return err
			}
		}
	}
	_, err := e.w.Write(append(e.scratch(), "data: [DONE]\n\n"...))
	return err
}

// Close implements StreamEncoder: a stream that never got its finish is
// still ended the way clients expect.
func (e *ccStreamEncoder) Close() error {
	if e.finished {
		return nil
	}
	if !e.started {
		if err := e.start(&Event{Type: EventStart}); err != nil {
			return err
		}
	}
	return e.finish(&Event{Type: EventFinish, StopReason: StopEndTurn})
}
