// Package sse reads and writes Server-Sent Events as the LLM APIs use them.
//
// It is hand-written rather than taken from a library because the relay's
// hot path needs a reader that allocates nothing per event, handles
// multi-megabyte data lines (inline images, signatures) and CRLF, never
// buffers more than one event, and holds little memory while it waits:
// an open stream spends nearly all its life blocked on the upstream.
package sse

import (
	"bytes"
	"errors"
	"io"

	"github.com/octopuscaddy/octopus/internal/bufpool"
)

// MaxEventSize bounds one event (all its data lines together).
const MaxEventSize = 64 << 20

// ErrEventTooLarge is returned when an event exceeds MaxEventSize.
var ErrEventTooLarge = errors.New("sse: event larger than 64 MiB")

const (
	// waitSize is the buffer a Reader waits for the stream with, once
	// everything it read is consumed. What arrives is buffered by the
	// source too (net/http's connection reader), so the wait needs no
	// room for a whole event: a read that fills it is followed at once by
	// one into the burst buffer, which takes what the source holds.
	waitSize = 64
	// burstSize is the pooled buffer (bufpool) it switches to when a read
	// fills the wait buffer; it goes back as soon as everything in it is
	// consumed.
	burstSize = bufpool.Size
	// keepData is the largest event buffer kept between events; a larger
	// one (an inline image) is let go rather than held for the stream's
	// life.
	keepData = 16 << 10
)

// Reader reads events from an SSE stream. It waits for the stream on a
// 64-byte buffer and reads events through a pooled 4 KiB one, which it
// gives back whenever it has consumed all it read: an open stream, which
// spends its life waiting, holds only the small one.
type Reader struct {
	src  io.Reader
	buf  []byte  // wait[:] or *burst
	r, w int     // unread bytes are buf[r:w]
	err  error   // the src error, returned once buf is drained
	big  *[]byte // the pooled burst buffer, when in use

	event []byte
	data  []byte
	line  []byte // a line longer than the buffer, joined
	wait  [waitSize]byte
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	rd := &Reader{src: r}
	rd.buf = rd.wait[:]
	return rd
}

// NewReaderBuffered returns a Reader over r that first reads ahead: bytes
// a caller already took from r (a probe that looked at the stream's
// start). ahead is copied, into the reader's own buffers when it fits.
func NewReaderBuffered(ahead []byte, r io.Reader) *Reader {
	if len(ahead) > burstSize {
		return NewReader(io.MultiReader(bytes.NewReader(bytes.Clone(ahead)), r))
	}
	rd := NewReader(r)
	if len(ahead) > waitSize {
		rd.big = bufpool.Get()
		rd.buf = *rd.big
	}
	rd.w = copy(rd.buf, ahead)
	return rd
}

// Buffered reports how many bytes can be read without reading from the
// underlying reader.
func (r *Reader) Buffered() int { return r.w - r.r }

// Reset makes the reader read from src, keeping its event buffers and
// giving back a burst buffer it holds.
func (r *Reader) Reset(src io.Reader) {
	r.Release()
	r.src, r.err = src, nil
	r.event, r.data, r.line = r.event[:0], r.data[:0], r.line[:0]
}

// Release gives back the burst buffer the reader holds, with anything
// still unread in it. Call it when done with the stream, so the buffer
// goes back to its pool.
func (r *Reader) Release() {
	if r.big != nil {
		bufpool.Put(r.big)
		r.big, r.buf = nil, r.wait[:]
	}
	r.r, r.w = 0, 0
}

// Next returns the next event's name (empty when the stream sets none) and
// data (data lines joined by "\n"). The slices are valid until the next
// call. At the end of the stream it returns io.EOF; a final event without
// its terminating blank line is still returned first.
func (r *Reader) Next() (event, data []byte, err error) {
	if cap(r.data) > keepData {
		r.data = nil
	}
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
			if !hasData && len(value) > 0 && r.blankNext() {
				// The whole event is in the buffer: its one data line
				// is handed out where it lies, without a copy. It
				// stays valid until the next call, which is the
				// first that may read again.
				return r.event, value, nil
			}
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

// blankNext consumes the blank line that ends an event when it is already
// buffered, reporting whether it was.
func (r *Reader) blankNext() bool {
	b := r.buf[r.r:r.w]
	switch {
	case len(b) > 0 && b[0] == '\n':
		r.r++
	case len(b) > 1 && b[0] == '\r' && b[1] == '\n':
		r.r += 2
	default:
		return false
	}
	return true
}

// readLine returns one line without its line ending. The line is valid
// until the next read.
func (r *Reader) readLine() ([]byte, error) {
	long := false // part of the line is in r.line
	for {
		if i := bytes.IndexByte(r.buf[r.r:r.w], '\n'); i >= 0 {
			line := r.buf[r.r : r.r+i]
			r.r += i + 1
			if long {
				if len(r.line)+len(line) > MaxEventSize {
					return nil, ErrEventTooLarge
				}
				r.line = append(r.line, line...)
				line = r.line
			}
			return bytes.TrimSuffix(line, []byte{'\r'}), nil
		}
		if r.err != nil {
			rest := r.buf[r.r:r.w]
			r.r = r.w
			if long {
				rest = append(r.line, rest...)
			}
			if len(rest) == 0 {
				return nil, r.err
			}
			return bytes.TrimSuffix(rest, []byte{'\r'}), nil // a last line without its ending
		}
		if r.big != nil && r.w == len(r.buf) {
			// The burst buffer is full: move a line longer than it aside,
			// or the unread bytes to the front. (A full wait buffer is
			// a burst: fill switches buffers.)
			if r.r == 0 {
				if !long {
					r.line, long = r.line[:0], true
				}
				if len(r.line)+r.w > MaxEventSize {
					return nil, ErrEventTooLarge
				}
				r.line = append(r.line, r.buf[:r.w]...)
				r.w = 0
			} else {
				r.w = copy(r.buf, r.buf[r.r:r.w])
				r.r = 0
			}
		}
		r.fill()
	}
}

// fill reads once from src into the free end of the buffer, first
// switching buffers: to the burst buffer when the wait buffer is full,
// back to the wait buffer when everything read is consumed.
func (r *Reader) fill() {
	switch {
	case r.big == nil && r.w == len(r.buf):
		r.big = bufpool.Get()
		n := copy(*r.big, r.buf[r.r:r.w])
		r.buf, r.r, r.w = *r.big, 0, n
	case r.r == r.w:
		r.Release()
	}
	for empty := 0; ; empty++ {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.err = err
			return
		}
		if n > 0 {
			return
		}
		if empty == 100 {
			r.err = io.ErrNoProgress
			return
		}
	}
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
