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

// A caller's *bufio.Reader is used as it is: bytes it already buffered are
// not lost, and lines longer than its buffer still come out whole.
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
