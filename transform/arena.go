package transform

import "unsafe"

// arenaChunk is the size of the blocks a byteArena copies into: about a
// dozen typical stream events (an open stream holds one).
const arenaChunk = 2 << 10

// byteArena copies stream event payloads so that what a decoder hands out
// never aliases the caller's reused buffer, with one allocation per
// arenaChunk bytes instead of one per event. Copied bytes are never
// written again (a full block is left to the strings that point into it
// and a new one started), so the strings it returns stay immutable.
type byteArena struct{ buf []byte }

// copy returns p as a string in the arena.
func (a *byteArena) copy(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	if cap(a.buf)-len(a.buf) < len(p) {
		a.buf = make([]byte, 0, max(arenaChunk, len(p)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, p...)
	return unsafe.String(&a.buf[start], len(p))
}
