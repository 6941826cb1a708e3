package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octopuscaddy/octopus/internal/sse"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// gemUpdate rewrites the golden "want" files of the Gemini and Antigravity
// tests from the current output (go test -run Gemini -gem.update). Review
// the diff before keeping it.
var gemUpdate = flag.Bool("gem.update", false, "rewrite Gemini/Antigravity golden files")

func gemFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gemGolden compares got with the golden file name semantically (JSON
// equality ignoring key order and whitespace), or rewrites it with
// -gem.update.
func gemGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *gemUpdate {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, got, "", "  "); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, got)
		}
		pretty.WriteByte('\n')
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gemJSONEqual(t, got, want)
}

// gemJSONEqual fails unless got and want are the same JSON value.
func gemJSONEqual(t testing.TB, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output is not valid JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not valid JSON: %v\n%s", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("JSON differs\n got: %s\nwant: %s", gemCompact(got), gemCompact(want))
	}
}

func gemCompact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// gemMask replaces the value at path (when present) so volatile fields
// such as generated ids compare equal.
func gemMask(t testing.TB, b []byte, paths ...string) []byte {
	t.Helper()
	for _, p := range paths {
		if gjson.GetBytes(b, p).Exists() {
			var err error
			if b, err = sjson.SetBytes(b, p, "MASKED"); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

// gemSSEData returns the data payloads of an SSE stream.
func gemSSEData(t testing.TB, stream []byte) [][]byte {
	t.Helper()
	r := sse.NewReader(bytes.NewReader(stream))
	var out [][]byte
	for {
		_, data, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatal(err)
		}
		out = append(out, append([]byte(nil), data...))
	}
}

// gemDecodeStream runs every data payload of an SSE stream through a
// decoder and returns all events, Close included.
func gemDecodeStream(t testing.TB, f Format, stream []byte) []Event {
	t.Helper()
	d := Get(f).NewStreamDecoder()
	var evs []Event
	for _, data := range gemSSEData(t, stream) {
		var err error
		evs, _, err = d.Feed(evs, nil, data)
		if err != nil {
			t.Fatal(err)
		}
	}
	return d.Close(evs)
}

// gemEncodeStream writes events with a format's stream encoder.
func gemEncodeStream(t testing.TB, f Format, req *Request, evs []Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := Get(f).NewStreamEncoder(&buf, req)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gemGoldenStream compares an SSE stream event by event with a golden
// file (or rewrites it with -gem.update).
func gemGoldenStream(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var masked []byte
	for _, d := range gemSSEData(t, got) {
		masked = sse.AppendEvent(masked, "", gemMask(t, d, "traceId"))
	}
	got = masked
	if *gemUpdate {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, w := gemSSEData(t, got), gemSSEData(t, want)
	if len(g) != len(w) {
		t.Fatalf("stream has %d events, want %d\n got: %s\nwant: %s", len(g), len(w), got, want)
	}
	for i := range g {
		gemJSONEqual(t, g[i], w[i])
	}
}

// gemQuietSDK silences the genai SDK, which logs a warning whenever
// Text() is called on a response that also has function calls.
func gemQuietSDK(t *testing.T) {
	prev := log.Writer()
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(prev) })
}

// gemEventString renders events compactly for comparisons and messages.
func gemEventString(evs []Event) string {
	var b strings.Builder
	for _, ev := range evs {
		b.WriteString(gemEventLine(ev))
		b.WriteByte('\n')
	}
	return b.String()
}

func gemEventLine(ev Event) string {
	switch ev.Type {
	case EventStart:
		return "start id=" + ev.ID + " model=" + ev.Model
	case EventText:
		return "text " + ev.Text
	case EventThinking:
		return "thinking " + ev.Text
	case EventSignature:
		return "signature " + ev.SignatureFamily + ":" + ev.Signature
	case EventToolCallStart:
		return "call_start " + gemItoa(ev.ToolIndex) + " " + ev.ToolCallID + " " + ev.ToolName
	case EventToolCallArgs:
		return "call_args " + gemItoa(ev.ToolIndex) + " " + ev.Text
	case EventToolCallEnd:
		return "call_end " + gemItoa(ev.ToolIndex) + " " + ev.SignatureFamily + ":" + ev.Signature
	case EventUsage:
		return "usage " + gemUsageString(ev.Usage)
	case EventFinish:
		return "finish " + string(ev.StopReason) + " " + gemUsageString(ev.Usage)
	case EventError:
		if ev.Error != nil {
			return "error " + ev.Error.Message
		}
		return "error"
	}
	return "?"
}

func gemUsageString(u *Usage) string {
	if u == nil {
		return "nil"
	}
	return "in=" + gemItoa64(u.InputTokens) + " out=" + gemItoa64(u.OutputTokens) + " cache=" + gemItoa64(u.CacheReadTokens) +
		" reasoning=" + gemItoa64(u.ReasoningTokens)
}

func gemItoa(n int) string { return gemItoa64(int64(n)) }

func gemItoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
