package relay

import (
	"bufio"
	"io"
	"sync"
)

// maxStreamProbe bounds how far into an upstream stream streamStarts looks
// (it must stay below the reader's buffer size, which Peek cannot exceed).
// The lines before the first data line are short.
const maxStreamProbe = 16 << 10

// probePool recycles the readers streams are probed through; one per
// request was the largest allocation on the stream path.
var probePool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, maxStreamProbe) }}

func getProbeReader(r io.Reader) *bufio.Reader {
	br := probePool.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// putProbeReader returns br to the pool; slices from it must not be used
// afterwards.
func putProbeReader(br *bufio.Reader) {
	br.Reset(nil)
	probePool.Put(br)
}

// streamStarts waits for the beginning of an upstream stream, without
// consuming it, and reports whether it is worth committing to: a JSON
// array for a Gemini array stream; otherwise SSE whose first data line
// carries JSON. Looking at the first data line, not just the first byte,
// is what catches a 200 stream of non-JSON events ("data: <html>…"): the
// SDKs either fail on it or, worse, end with an empty answer, and by then
// no other member can be tried. A comment line first is a live SSE server
// (keep-alives while the model thinks) and is trusted as before, so long
// waits before the first token are not cut short.
func streamStarts(br *bufio.Reader, jsonArray bool) bool {
	i := 0
	next := func() (byte, bool) {
		if i >= maxStreamProbe {
			return 0, false
		}
		b, err := br.Peek(i + 1)
		if err != nil {
			return 0, false
		}
		i++
		return b[i-1], true
	}
	c, ok := next()
	for ok && (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
		c, ok = next()
	}
	if !ok {
		return false
	}
	if jsonArray {
		return c == '['
	}
	for {
		// c is the first byte of a line.
		switch c {
		case ':':
			return true
		case 'd':
			for _, want := range []byte("ata:") {
				if c, ok = next(); !ok || c != want {
					return false
				}
			}
			c, ok = next()
			for ok && c == ' ' {
				c, ok = next()
			}
			return ok && (c == '{' || c == '[')
		case 'e', 'i', 'r': // event:, id:, retry: belong to the first event
			for ok && c != '\n' {
				c, ok = next()
			}
			for ok && (c == '\r' || c == '\n') {
				c, ok = next()
			}
			if !ok {
				return false
			}
		default:
			return false
		}
	}
}
