// Package bufpool holds the 4 KiB buffers open streams borrow while data
// arrives and give back before they wait again: the SSE reader of a
// translated stream and the copy loop of a passthrough stream share them.
package bufpool

import "sync"

// Size is the length of every buffer.
const Size = 4 << 10

var pool = sync.Pool{New: func() any { b := make([]byte, Size); return &b }}

// Get returns a buffer of Size bytes, with any contents.
func Get() *[]byte { return pool.Get().(*[]byte) }

// Put gives b back; it must not be used afterwards.
func Put(b *[]byte) { pool.Put(b) }
