package transform

import "unsafe"

// (p is a string so callers can pass gjson values, which alias their
// input, without converting.)

// arenaChunk is the size of the blocks a byteArena copies into: about a
// dozen typical stream events (an open stream holds one).
const arenaChunk = 2 << 10

// arenaMin is the smallest block after the first: a read that brought two
// or three small events (a busy gateway reads a trickling stream late)
// should not cost a large block.
const arenaMin = 64

// byteArena copies stream event payloads so that what a decoder hands out
// never aliases the caller's reused buffer, with one allocation per
// arenaChunk bytes instead of one per event. Copied bytes are never
// written again (a full block is left to the strings that point into it
// and a new one started), so the strings it returns stay immutable.
//
// An open stream spends its life waiting for the upstream, one event at a
// time; release drops the block while it waits, and the first copy after
// it gets a block of its own size, so a trickling stream holds no block
// and allocates what it would without an arena, while a burst still
// fills whole blocks.
type byteArena struct {
	buf  []byte
	idle bool // released: size the next block to its event
}

// release lets go of the current block (the strings already handed out
// keep what they point into).
func (a *byteArena) release() { a.buf, a.idle = nil, true }

// copy returns a copy of p in the arena.
func (a *byteArena) copy(p string) string {
	if len(p) == 0 {
		return ""
	}
	if cap(a.buf)-len(a.buf) < len(p) {
		// After a wait, the first event gets a block of its own size
		// (most reads of a trickling stream bring one event); blocks
		// then double, from arenaMin up to arenaChunk, while events
		// keep coming.
		size := len(p)
		if !a.idle {
			size = max(size, min(max(2*cap(a.buf), arenaMin), arenaChunk))
		}
		a.buf, a.idle = make([]byte, 0, size), false
	}
	start := len(a.buf)
	a.buf = append(a.buf, p...)
	return unsafe.String(&a.buf[start], len(p))
}
