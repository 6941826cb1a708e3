package transform

import (
	"io"
)

// NewStreamEncoder writes a Gemini stream for a client: SSE "data:" events,
// or, when the client called streamGenerateContent without alt=sse
// (req.StreamArray), one JSON array written element by element. Each chunk
// is a GenerateContentResponse holding only the new parts; the last one
// carries finishReason and usageMetadata. Function calls are whole in
// Gemini, so argument fragments are collected until the call ends.
func (c *geminiCodec) NewStreamEncoder(w io.Writer, req *Request) StreamEncoder {
	e := &gemStreamEncoder{w: w, format: c.format}
	if req != nil {
		e.array = req.StreamArray
		e.model = req.Model
	}
	return e
}

type gemStreamEncoder struct {
	w      io.Writer
	format Format
	array  bool
	id     string
	model  string
	trace  string // Antigravity traceId, one per stream

	wrote     bool // an array element has been written
	closed    bool // the stream's ending is written
	errored   bool
	lastThink bool // the latest part written was a thought
	usage     Usage
	calls     []gemStreamCall
	buf       []byte
}

// gemStreamCall is a function call being collected.
type gemStreamCall struct {
	index int
	id    string
	name  string
	args  []byte
}

// Encode implements StreamEncoder.
func (e *gemStreamEncoder) Encode(ev *Event) error {
	if e.closed {
		return nil
	}
	switch ev.Type {
	case EventStart:
		if ev.ID != "" {
			e.id = ev.ID
		}
		if ev.Model != "" {
			e.model = ev.Model
		}
	case EventText:
		if ev.Text == "" {
			return nil
		}
		e.lastThink = false
		return e.chunk(func(w *jsonWriter) {
			w.objOpen()
			w.fieldStr("text", ev.Text)
			w.objClose()
		}, "", nil)
	case EventThinking:
		if ev.Text == "" {
			return nil
		}
		e.lastThink = true
		return e.chunk(func(w *jsonWriter) {
			w.objOpen()
			w.fieldStr("text", ev.Text)
			w.fieldBool("thought", true)
			w.objClose()
		}, "", nil)
	case EventSignature:
		sig := gemExportSignature(ev.Signature, ev.SignatureFamily, e.format)
		if sig == "" || ev.Redacted {
			// Redacted thinking has no Gemini form.
			return nil
		}
		// A signature-only part, as Gemini itself sends; the decoder of
		// the client's next request joins it to the part before it.
		thought := e.lastThink
		return e.chunk(func(w *jsonWriter) {
			w.objOpen()
			w.fieldStr("text", "")
			if thought {
				w.fieldBool("thought", true)
			}
			w.fieldStr("thoughtSignature", sig)
			w.objClose()
		}, "", nil)
	case EventToolCallStart:
		e.calls = append(e.calls, gemStreamCall{index: ev.ToolIndex, id: ev.ToolCallID, name: ev.ToolName})
	case EventToolCallArgs:
		if c := e.call(ev.ToolIndex); c != nil {
			c.args = append(c.args, ev.Text...)
		}
	case EventToolCallEnd:
		for i := range e.calls {
			if e.calls[i].index == ev.ToolIndex {
				c := e.calls[i]
				e.calls = append(e.calls[:i], e.calls[i+1:]...)
				return e.writeCall(&c, gemExportSignature(ev.Signature, ev.SignatureFamily, e.format))
			}
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
		return e.finish(gemFinishReason(ev.StopReason))
	}
	return nil
}

func (e *gemStreamEncoder) call(index int) *gemStreamCall {
	for i := range e.calls {
		if e.calls[i].index == index {
			return &e.calls[i]
		}
	}
	return nil
}

func (e *gemStreamEncoder) writeCall(c *gemStreamCall, sig string) error {
	e.lastThink = false
	return e.chunk(func(w *jsonWriter) {
		w.objOpen()
		w.key("functionCall")
		w.objOpen()
		if c.id != "" {
			w.fieldStr("id", c.id)
		}
		w.fieldStr("name", c.name)
		w.fieldRaw("args", gemArgsForWire(c.args))
		w.objClose()
		if sig != "" {
			w.fieldStr("thoughtSignature", sig)
		}
		w.objClose()
	}, "", nil)
}

// finish writes calls still open, the last chunk and the array's end.
func (e *gemStreamEncoder) finish(reason string) error {
	for len(e.calls) > 0 {
		c := e.calls[0]
		e.calls = e.calls[1:]
		if err := e.writeCall(&c, ""); err != nil {
			return err
		}
	}
	if !e.errored {
		u := e.usage
		if err := e.chunk(nil, reason, &u); err != nil {
			return err
		}
	}
	e.closed = true
	if e.array {
		if !e.wrote {
			_, err := e.w.Write([]byte("[]"))
			return err
		}
		_, err := e.w.Write([]byte("\n]"))
		return err
	}
	return nil
}

// writeError writes an in-stream error in Google's error shape. Gemini has
// no standard for errors inside a stream; an error object is what the
// JSON-array form carries and what the SDKs raise on.
func (e *gemStreamEncoder) writeError(er *Error) error {
	if er == nil {
		er = &Error{Status: 500, Message: "upstream error"}
	}
	_, body := EncodeError(e.format, er)
	e.errored = true
	e.buf = e.frame(e.buf[:0], body)
	_, err := e.w.Write(e.buf)
	return err
}

// frame wraps one JSON element in the stream's framing.
func (e *gemStreamEncoder) frame(dst, body []byte) []byte {
	if e.array {
		if e.wrote {
			dst = append(dst, ",\r\n"...)
		} else {
			dst = append(dst, '[')
		}
		e.wrote = true
		return append(dst, body...)
	}
	dst = append(dst, "data: "...)
	dst = append(dst, body...)
	return append(dst, '\n', '\n')
}

// chunk writes one GenerateContentResponse: parts written by fill (none
// when fill is nil), then finishReason and usage when given.
func (e *gemStreamEncoder) chunk(fill func(*jsonWriter), finishReason string, usage *Usage) error {
	if e.id == "" {
		e.id = gemNewID("", 22)
	}
	w := jsonWriter{b: e.buf[:0]}
	if e.array {
		if e.wrote {
			w.b = append(w.b, ",\r\n"...)
		} else {
			w.b = append(w.b, '[')
		}
		e.wrote = true
	} else {
		w.b = append(w.b, "data: "...)
	}
	if e.format == Antigravity {
		w.objOpen()
		w.key("response")
	}
	w.objOpen()
	w.key("candidates")
	w.arrOpen()
	w.objOpen()
	if fill != nil {
		w.key("content")
		w.objOpen()
		w.fieldStr("role", "model")
		w.key("parts")
		w.arrOpen()
		fill(&w)
		w.arrClose()
		w.objClose()
	}
	if finishReason != "" {
		w.fieldStr("finishReason", finishReason)
	}
	w.fieldInt("index", 0)
	w.objClose()
	w.arrClose()
	if usage != nil {
		gemWriteUsage(&w, *usage)
	}
	if e.model != "" {
		w.fieldStr("modelVersion", e.model)
	}
	w.fieldStr("responseId", e.id)
	w.objClose()
	if e.format == Antigravity {
		if e.trace == "" {
			e.trace = gemNewHex(16)
		}
		w.fieldStr("traceId", e.trace)
		w.objClose()
	}
	if !e.array {
		w.b = append(w.b, '\n', '\n')
	}
	e.buf = w.b
	_, err := e.w.Write(w.b)
	return err
}

// Close implements StreamEncoder: a stream that never got EventFinish is
// still ended properly, with finishReason OTHER since the answer may be
// incomplete.
func (e *gemStreamEncoder) Close() error {
	if e.closed {
		return nil
	}
	return e.finish("OTHER")
}
