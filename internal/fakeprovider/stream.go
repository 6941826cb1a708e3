package fakeprovider

import (
	"net/http"
	"unicode/utf8"
)

// startStream writes the headers of a streamed answer.
func (x *exchange) startStream() {
	h := x.w.Header()
	switch {
	case x.geArray:
		h.Set("Content-Type", "application/json; charset=UTF-8")
	case x.f == Gemini || x.f == Antigravity:
		h.Set("Content-Type", "text/event-stream")
	default:
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
	}
	h.Set("Cache-Control", "no-cache")
	x.setRequestIDHeader()
	x.w.WriteHeader(http.StatusOK)
	x.w.Flush()
}

// send writes one stream event in the format's framing and flushes it. It
// reports false when the client has gone away, after which the handler
// should return. With CutStreamAfter it drops the connection after that
// many events.
func (x *exchange) send(event string, data []byte) bool {
	if x.events > 0 && !x.sleep(x.delay) {
		return false
	}
	if x.r.Context().Err() != nil {
		x.markCancelled()
		return false
	}
	if n := x.fault.StreamErrorAfter; n > 0 && x.events == n {
		x.writeStreamError()
		return false
	}
	buf := make([]byte, 0, len(data)+len(event)+24)
	switch {
	case x.geArray:
		// The non-SSE Gemini stream is one JSON array of pretty-printed
		// objects, written piecewise.
		if x.events == 0 {
			buf = append(buf, '[')
		} else {
			buf = append(buf, "\n,\r\n"...)
		}
		buf = append(buf, indentJSON(data, "  ")...)
	case x.f == Gemini || x.f == Antigravity:
		// Google separates SSE events with CRLF pairs and spaces its JSON.
		buf = append(append(append(buf, "data: "...), colonSpaced(data)...), "\r\n\r\n"...)
	case event == "":
		buf = append(append(append(buf, "data: "...), data...), "\n\n"...)
	default:
		buf = append(append(append(append(buf, "event: "...), event...), "\ndata: "...), data...)
		buf = append(buf, "\n\n"...)
	}
	_, err := x.w.Write(buf)
	x.w.Flush()
	x.events++
	if err != nil {
		x.markCancelled()
		return false
	}
	if x.fault.CutStreamAfter > 0 && x.events >= x.fault.CutStreamAfter {
		// Abort without the terminator, like a dropped upstream connection.
		panic(http.ErrAbortHandler)
	}
	return true
}

// writeStreamError writes the format's in-stream error frame; the stream
// ends after it.
func (x *exchange) writeStreamError() {
	var frame string
	switch x.f {
	case OpenAIChat:
		frame = "data: " + string(obj("error", obj("message", faultMessage(x.f, 500), "type", "server_error", "param", nil, "code", nil))) + "\n\n"
	case OpenAIResponses:
		frame = "event: error\ndata: " + string(obj("type", "error", "sequence_number", x.events, "code", "server_error", "message", faultMessage(x.f, 500), "param", nil)) + "\n\n"
	case Anthropic:
		frame = "event: error\ndata: " + string(obj("type", "error", "error", obj("type", "overloaded_error", "message", "Overloaded"))) + "\n\n"
	default:
		body := obj("error", obj("code", 500, "message", faultMessage(x.f, 500), "status", "INTERNAL"))
		if x.geArray {
			frame = "\n,\r\n" + string(indentJSON(body, "  ")) + "\n]"
		} else {
			frame = "data: " + string(body) + "\r\n\r\n"
		}
	}
	_, _ = x.w.Write([]byte(frame))
	x.w.Flush()
}

// endStream writes what closes the stream for formats whose end is not an
// event of its own.
func (x *exchange) endStream() {
	if x.geArray {
		if x.events == 0 {
			_, _ = x.w.Write([]byte("["))
		}
		_, _ = x.w.Write([]byte("\n]"))
		x.w.Flush()
	}
}

// splitText cuts s into stream chunks of two words each (a word keeps its
// leading space), so every answer arrives in several deltas.
func splitText(s string) []string {
	var out []string
	start, words := 0, 0
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' && s[i-1] != ' ' {
			words++
			if words == 2 {
				out = append(out, s[start:i])
				start, words = i, 0
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// splitArgs cuts a JSON text into three fragments on rune boundaries, so
// argument streams never arrive as one valid JSON piece.
func splitArgs(s string) []string {
	if len(s) < 3 {
		return []string{s}
	}
	var out []string
	size := (len(s) + 2) / 3
	for len(s) > 0 {
		n := min(size, len(s))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}
