package transform

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// Blocks grow from arenaMin to arenaChunk while events come together.
// Released, the arena holds no block; the next copy gets one of its own
// size and the ones after it grow again. Strings handed out before never
// change.
func TestArenaRelease(t *testing.T) {
	var a byteArena
	src := []byte("hello")
	s1 := a.copy(string(src))
	if cap(a.buf) != arenaMin {
		t.Fatalf("first block cap %d, want %d", cap(a.buf), arenaMin)
	}
	a.copy(strings.Repeat("a", arenaMin))
	if cap(a.buf) != 2*arenaMin {
		t.Fatalf("second block cap %d, want %d", cap(a.buf), 2*arenaMin)
	}
	for i := 0; i < 8; i++ {
		a.copy(strings.Repeat("a", arenaChunk/2+1))
	}
	if cap(a.buf) != arenaChunk {
		t.Fatalf("blocks grew to cap %d, want at most %d", cap(a.buf), arenaChunk)
	}
	a.copy(strings.Repeat("a", 3*arenaChunk))
	if cap(a.buf) != 3*arenaChunk {
		t.Fatalf("a large event got cap %d, want its size", cap(a.buf))
	}
	a.release()
	if a.buf != nil {
		t.Fatal("release kept the block")
	}
	s2 := a.copy("world!")
	if cap(a.buf) != len("world!") {
		t.Fatalf("block after release cap %d, want the event's size", cap(a.buf))
	}
	s3 := a.copy("x")
	if cap(a.buf) != arenaMin {
		t.Fatalf("block in a burst cap %d, want %d", cap(a.buf), arenaMin)
	}
	if s1 != "hello" || s2 != "world!" || s3 != "x" {
		t.Fatalf("strings changed: %q %q %q", s1, s2, s3)
	}
}

// A decoder told it is idle between every event yields exactly the events
// it yields when never told, and no event aliases the data it was fed: the
// buffer is scribbled over after every Feed, as the SSE reader reuses its
// own.
func TestAnthropicDecoderIdleSameEvents(t *testing.T) {
	files, _ := filepath.Glob("testdata/anthropic/stream_*.sse")
	if len(files) == 0 {
		t.Fatal("no Anthropic stream fixtures")
	}
	decode := func(b []byte, idle, scribble bool) []Event {
		dec := Get(Anthropic).NewStreamDecoder()
		var all []Event
		var buf []byte
		for _, ev := range anReadSSE(t, b) {
			buf = append(buf[:0], ev.data...)
			evs, _, err := dec.Feed(nil, []byte(ev.name), buf)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, evs...)
			if scribble {
				for i := range buf {
					buf[i] = 'X'
				}
			} else {
				buf = nil // a fresh buffer for every event
			}
			if idle {
				dec.(StreamIdler).Idle()
			}
		}
		return dec.Close(all)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := decode(b, false, false)
		for _, idle := range []bool{false, true} {
			if got := decode(b, idle, true); len(want) < 3 || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s (idle %v): got\n%+v\nwant\n%+v", f, idle, got, want)
			}
		}
	}
}

// writerOnly hides a writer's AvailableBuffer.
type writerOnly struct{ io.Writer }

// Stream encoders build their bytes in the writer's free space when it
// lends it and in a buffer of their own when not; both give the same bytes.
func TestStreamEncodersWithAndWithoutLentBuffer(t *testing.T) {
	files, _ := filepath.Glob("testdata/anthropic/stream_*.sse")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []Format{Anthropic, OpenAIChat} {
			encode := func(w io.Writer) {
				dec := Get(Anthropic).NewStreamDecoder()
				enc := Get(to).NewStreamEncoder(w, &Request{Model: "m", IncludeUsage: true})
				var evs []Event
				for _, ev := range anReadSSE(t, b) {
					evs, _, _ = dec.Feed(evs[:0], []byte(ev.name), []byte(ev.data))
					for i := range evs {
						if err := enc.Encode(&evs[i]); err != nil {
							t.Fatal(err)
						}
					}
				}
				for _, ev := range dec.Close(nil) {
					if err := enc.Encode(&ev); err != nil {
						t.Fatal(err)
					}
				}
				if err := enc.Close(); err != nil {
					t.Fatal(err)
				}
			}
			var lent, own bytes.Buffer
			encode(&lent)
			encode(writerOnly{&own})
			// Ids minted for the stream (and the second it began) differ.
			norm := regexp.MustCompile(`chatcmpl-[A-Za-z0-9]+|"created":[0-9]+`)
			if l, o := norm.ReplaceAllString(lent.String(), ""), norm.ReplaceAllString(own.String(), ""); lent.Len() < 100 || l != o {
				t.Fatalf("%s → %s: lent buffer gave\n%s\nown buffer\n%s", f, to, lent.String(), own.String())
			}
		}
	}
}
