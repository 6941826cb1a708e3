package sse

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	in := ": comment\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\n" +
		"data: line1\ndata: line2\n\n\n" +
		"data:nospace\n\n" +
		"event: last\ndata: " + strings.Repeat("x", 200000) // no trailing blank line
	r := NewReader(strings.NewReader(in))
	want := []struct{ ev, data string }{
		{"message_start", `{"a":1}`},
		{"", "line1\nline2"},
		{"", "nospace"},
		{"last", strings.Repeat("x", 200000)},
	}
	for i, w := range want {
		ev, data, err := r.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if string(ev) != w.ev || string(data) != w.data {
			t.Fatalf("event %d: got %q %q", i, ev, trunc(data))
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func trunc(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

func TestAppendEvent(t *testing.T) {
	got := string(AppendEvent(nil, "x", []byte("a\nb")))
	if got != "event: x\ndata: a\ndata: b\n\n" {
		t.Fatalf("got %q", got)
	}
	got = string(AppendEvent(nil, "", []byte(`{"k":1}`)))
	if got != "data: {\"k\":1}\n\n" {
		t.Fatalf("got %q", got)
	}
}

func BenchmarkReader(b *testing.B) {
	ev := "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello\"}}]}\n\n"
	in := strings.Repeat(ev, 100)
	rd := strings.NewReader(in)
	r := NewReader(rd)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		rd.Reset(in)
		r.Reset(rd)
		for {
			if _, _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

// Bytes a caller's bufio.Reader already buffered (a probe that looked
// ahead) are read first, not lost.
func TestReaderOverCallersBufio(t *testing.T) {
	long := strings.Repeat("y", 5000)
	br := bufio.NewReaderSize(strings.NewReader("data: a\n\ndata: "+long+"\n\n"), 16)
	if _, err := br.Peek(4); err != nil { // the caller probed ahead
		t.Fatal(err)
	}
	r := NewReader(br)
	for _, want := range []string{"a", long} {
		_, data, err := r.Next()
		if err != nil || string(data) != want {
			t.Fatalf("got %q, %v; want %q", trunc(data), err, trunc([]byte(want)))
		}
	}
	if r.Buffered() != 0 {
		t.Fatalf("Buffered %d at the end", r.Buffered())
	}
}

// chunkReader hands out its input in arrivals of the given sizes (the last
// size repeats): a read returns what is left of the current arrival, up
// to the room it is given, as a connection's buffered reader does.
type chunkReader struct {
	in     string
	sizes  []int
	left   int // of the current arrival
	onRead func(p []byte)
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.onRead != nil {
		c.onRead(p)
	}
	if c.in == "" {
		return 0, io.EOF
	}
	if c.left == 0 {
		c.left = c.sizes[0]
		if len(c.sizes) > 1 {
			c.sizes = c.sizes[1:]
		}
	}
	n := min(c.left, len(p), len(c.in))
	copy(p, c.in[:n])
	c.in = c.in[n:]
	c.left -= n
	return n, nil
}

// A stream is waited for on the small buffer: whenever the reader has
// consumed all it read and reads again, it holds no burst buffer. Bursts
// are read through the burst buffer, and every event comes out whole,
// whichever buffers it straddled.
func TestReaderBurstsAndTrickles(t *testing.T) {
	ev := func(i int) string {
		return "event: e\r\ndata: {\"n\":" + strings.Repeat("7", i%300) + "}\r\n\r\n"
	}
	var in strings.Builder
	var want []string
	sizes := []int{}
	add := func(k int, burst bool) {
		start := in.Len()
		for i := 0; i < k; i++ {
			e := ev(len(want))
			in.WriteString(e)
			want = append(want, "{\"n\":"+strings.Repeat("7", len(want)%300)+"}")
			if !burst {
				sizes = append(sizes, len(e))
			}
		}
		if burst {
			for left := in.Len() - start; left > 0; left -= 4096 {
				sizes = append(sizes, min(left, 4096))
			}
		}
	}
	add(5, false)
	add(60, true)
	add(5, false)
	cr := &chunkReader{in: in.String(), sizes: sizes}
	r := NewReader(cr)
	waits, heldWhileWaiting, reads := 0, 0, 0
	cr.onRead = func(p []byte) {
		if r.r == r.w { // everything read was consumed: this read waits
			waits++
			if r.big != nil {
				heldWhileWaiting++
			}
		}
		reads++
	}
	for i, w := range want {
		name, data, err := r.Next()
		if err != nil || string(name) != "e" || string(data) != w {
			t.Fatalf("event %d: got %q %q, %v", i, name, trunc(data), err)
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
	if waits < 10 || heldWhileWaiting > 0 {
		t.Fatalf("%d of %d waits held the burst buffer", heldWhileWaiting, waits)
	}
	// About 12 KB came in three bursts: through the burst buffer that is
	// a handful of reads, through the wait buffer alone it would be 200.
	if reads > 40 {
		t.Fatalf("%d reads for 70 events", reads)
	}
}

// Events split at every possible read size come out the same; lines longer
// than both buffers are joined.
func TestReaderAnySplit(t *testing.T) {
	long := strings.Repeat("z", 9000)
	in := "data: a\r\n\r\n: c\n\nevent: x\ndata: " + long + "\r\ndata: b\n\n" + "data: " + strings.Repeat("q", 511) + "\n\ndata: end"
	want := []struct{ ev, data string }{{"", "a"}, {"x", long + "\nb"}, {"", strings.Repeat("q", 511)}, {"", "end"}}
	for _, size := range []int{1, 2, 3, 7, 100, 511, 512, 513, 4095, 4096, 5000, 1 << 20} {
		r := NewReader(&chunkReader{in: in, sizes: []int{size}})
		for i, w := range want {
			ev, data, err := r.Next()
			if err != nil || string(ev) != w.ev || string(data) != w.data {
				t.Fatalf("read size %d, event %d: got %q %q, %v", size, i, ev, trunc(data), err)
			}
		}
		if _, _, err := r.Next(); err != io.EOF {
			t.Fatalf("read size %d: want EOF, got %v", size, err)
		}
	}
}

// A reader that returns nothing forever is an error, not a hang.
func TestReaderNoProgress(t *testing.T) {
	r := NewReader(readerFunc(func([]byte) (int, error) { return 0, nil }))
	if _, _, err := r.Next(); err != io.ErrNoProgress {
		t.Fatalf("got %v, want io.ErrNoProgress", err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// What a probe read ahead comes first, whatever its size, and the rest is
// read from the source.
func TestReaderBuffered(t *testing.T) {
	ev := func(n int) string { return "data: " + strings.Repeat("a", n) + "\n\n" }
	for _, size := range []int{0, 10, waitSize - 8, waitSize + 100, burstSize - 8, burstSize + 100, 3 * burstSize} {
		in := ev(size) + ev(7) + ev(3000)
		cut := len(ev(size)) / 2 // the probe stopped inside the first event
		ahead := []byte(in[:cut])
		r := NewReaderBuffered(ahead, &chunkReader{in: in[cut:], sizes: []int{100}})
		ahead[0] = 'X' // the reader copied it
		for i, want := range []int{size, 7, 3000} {
			_, data, err := r.Next()
			if err != nil || string(data) != strings.Repeat("a", want) {
				t.Fatalf("ahead %d, event %d: got %q, %v", size, i, trunc(data), err)
			}
		}
		if _, _, err := r.Next(); err != io.EOF {
			t.Fatalf("ahead %d: want EOF, got %v", size, err)
		}
		r.Release()
	}
}
