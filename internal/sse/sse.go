// Package sse reads and writes Server-Sent Events as the LLM APIs use them.
//
// It is hand-written rather than taken from a library because the relay's
// hot path needs an allocation-free reader over a bufio.Reader that hands
// out slices into its buffer, handles multi-megabyte data lines (inline
// images, signatures) and CRLF, and never buffers more than one event.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxEventSize bounds one event (all its data lines together).
const MaxEventSize = 64 << 20

// ErrEventTooLarge is returned when an event exceeds MaxEventSize.
var ErrEventTooLarge = errors.New("sse: event larger than 64 MiB")

// Reader reads events from an SSE stream.
type Reader struct {
	br    *bufio.Reader
	event []byte
	data  []byte
	line  []byte
}

// NewReader returns a Reader over r. A *bufio.Reader is read as it is, of
// any size (longer lines are joined in a buffer of their own), so what a
// caller already buffered is kept and no second buffer is allocated per
// stream; any other reader gets a 4 KiB one.
func NewReader(r io.Reader) *Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return &Reader{br: br}
	}
	return &Reader{br: bufio.NewReaderSize(r, 4<<10)}
}

// Buffered reports how many bytes can be read without waiting for the
// underlying reader; the relay flushes its client when it is zero.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Reset makes the reader read from r, keeping its buffers.
func (r *Reader) Reset(rd io.Reader) {
	r.br.Reset(rd)
	r.event, r.data = r.event[:0], r.data[:0]
}

// Next returns the next event's name (empty when the stream sets none) and
// data (data lines joined by "\n"). The slices are valid until the next
// call. At the end of the stream it returns io.EOF; a final event without
// its terminating blank line is still returned first.
func (r *Reader) Next() (event, data []byte, err error) {
	r.event, r.data = r.event[:0], r.data[:0]
	hasData := false
	for {
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF && (hasData || len(r.event) > 0) {
				return r.event, r.data, nil
			}
			return nil, nil, err
		}
		if len(line) == 0 { // blank line: dispatch
			if hasData || len(r.event) > 0 {
				return r.event, r.data, nil
			}
			continue
		}
		if line[0] == ':' { // comment
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			if hasData {
				r.data = append(r.data, '\n')
			}
			if len(r.data)+len(value) > MaxEventSize {
				return nil, nil, ErrEventTooLarge
			}
			r.data = append(r.data, value...)
			hasData = true
		case "event":
			r.event = append(r.event[:0], value...)
		}
	}
}

// readLine returns one line without its line ending.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.line = append(r.line[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			if len(r.line)+len(line) > MaxEventSize {
				return nil, ErrEventTooLarge
			}
			r.line = append(r.line, line...)
		}
		line = r.line
	}
	if err != nil && !(err == io.EOF && len(line) > 0) {
		return nil, err
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return line, nil
}

// AppendEvent appends one event in wire form to dst: an optional event
// line, one data line per line of data, and the blank line.
func AppendEvent(dst []byte, event string, data []byte) []byte {
	if event != "" {
		dst = append(dst, "event: "...)
		dst = append(dst, event...)
		dst = append(dst, '\n')
	}
	for {
		i := bytes.IndexByte(data, '\n')
		dst = append(dst, "data: "...)
		if i < 0 {
			dst = append(dst, data...)
			break
		}
		dst = append(dst, data[:i]...)
		dst = append(dst, '\n')
		data = data[i+1:]
	}
	return append(dst, '\n', '\n')
}
