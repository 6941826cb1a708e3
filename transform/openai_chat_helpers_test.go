package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/octopuscaddy/octopus/internal/sse"
)

// Test helpers shared by the OpenAI codec and accumulator tests.

var oaiUpdate = flag.Bool("update-openai", false, "rewrite the OpenAI golden .want files")

// oaiDeterministic makes ids and timestamps reproducible for the test.
func oaiDeterministic(t testing.TB) {
	t.Helper()
	id, hexID, now := oaiNewID, oaiNewHexID, oaiNow
	n := 0
	oaiNewID = func(prefix string, _ int) string {
		n++
		return fmt.Sprintf("%stest%06d", prefix, n)
	}
	oaiNewHexID = func(prefix string, _ int) string {
		n++
		return fmt.Sprintf("%s%08x", prefix, n)
	}
	oaiNow = func() int64 { return 1700000000 }
	t.Cleanup(func() { oaiNewID, oaiNewHexID, oaiNow = id, hexID, now })
}

// oaiJSONEqual reports whether a and b hold the same JSON value, ignoring key
// order and number spelling.
func oaiJSONEqual(a, b []byte) (bool, error) {
	var va, vb any
	da := json.NewDecoder(bytes.NewReader(a))
	da.UseNumber()
	if err := da.Decode(&va); err != nil {
		return false, fmt.Errorf("first value: %w", err)
	}
	db := json.NewDecoder(bytes.NewReader(b))
	db.UseNumber()
	if err := db.Decode(&vb); err != nil {
		return false, fmt.Errorf("second value: %w", err)
	}
	return reflect.DeepEqual(oaiNormNumbers(va), oaiNormNumbers(vb)), nil
}

// oaiNormNumbers turns json.Numbers into float64 so 1 and 1.0 compare equal.
func oaiNormNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = oaiNormNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = oaiNormNumbers(e)
		}
	}
	return v
}

func oaiIndentJSON(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}

func oaiAssertJSON(t testing.TB, got, want []byte) {
	t.Helper()
	ok, err := oaiJSONEqual(got, want)
	if err != nil {
		t.Fatalf("invalid JSON: %v\ngot:\n%s", err, got)
	}
	if !ok {
		t.Errorf("JSON differs\ngot:\n%s\nwant:\n%s", oaiIndentJSON(got), oaiIndentJSON(want))
	}
}

// oaiSSEEvent is one SSE event of a test stream.
type oaiSSEEvent struct {
	name string
	data []byte
}

func oaiReadSSE(t testing.TB, b []byte) []oaiSSEEvent {
	t.Helper()
	r := sse.NewReader(bytes.NewReader(b))
	var out []oaiSSEEvent
	for {
		ev, data, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading SSE: %v", err)
		}
		out = append(out, oaiSSEEvent{name: string(ev), data: append([]byte(nil), data...)})
	}
}

// oaiDecodeAll feeds a whole SSE stream to a decoder of codec and closes it.
func oaiDecodeAll(t testing.TB, c Codec, stream []byte) []Event {
	t.Helper()
	d := c.NewStreamDecoder()
	var evs []Event
	done := false
	for _, e := range oaiReadSSE(t, stream) {
		var err error
		evs, done, err = d.Feed(evs, []byte(e.name), e.data)
		if err != nil {
			t.Fatalf("Feed(%s): %v", e.data, err)
		}
		if done {
			break
		}
	}
	return d.Close(evs)
}

// oaiEncodeAll writes events with a stream encoder of codec.
func oaiEncodeAll(t testing.TB, c Codec, req *Request, evs []Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := c.NewStreamEncoder(&buf, req)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			t.Fatalf("Encode(%+v): %v", evs[i], err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

// oaiAssertSSE compares two SSE streams event by event: same names, data
// equal as JSON (or byte-equal when not JSON, such as [DONE]).
func oaiAssertSSE(t testing.TB, got, want []byte) {
	t.Helper()
	g, w := oaiReadSSE(t, got), oaiReadSSE(t, want)
	for i := 0; i < len(g) || i < len(w); i++ {
		if i >= len(g) {
			t.Fatalf("event %d missing, want %s %s", i, w[i].name, w[i].data)
		}
		if i >= len(w) {
			t.Fatalf("extra event %d: %s %s", i, g[i].name, g[i].data)
		}
		if g[i].name != w[i].name {
			t.Fatalf("event %d name = %q, want %q", i, g[i].name, w[i].name)
		}
		if !json.Valid(w[i].data) {
			if !bytes.Equal(g[i].data, w[i].data) {
				t.Fatalf("event %d data = %s, want %s", i, g[i].data, w[i].data)
			}
			continue
		}
		ok, err := oaiJSONEqual(g[i].data, w[i].data)
		if err != nil {
			t.Fatalf("event %d: %v (%s)", i, err, g[i].data)
		}
		if !ok {
			t.Fatalf("event %d differs\ngot:  %s\nwant: %s", i, g[i].data, w[i].data)
		}
	}
}

// oaiGolden compares got with the file want, or rewrites it with -update-openai.
func oaiGolden(t testing.TB, path string, got []byte, sse bool) {
	t.Helper()
	if *oaiUpdate {
		out := got
		if !sse {
			out = []byte(oaiIndentJSON(got) + "\n")
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-openai to create it)", err)
	}
	if sse {
		oaiAssertSSE(t, got, want)
	} else {
		oaiAssertJSON(t, got, want)
	}
}

// oaiFixtures lists testdata files of dir matching pattern.
func oaiFixtures(t testing.TB, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.Contains(filepath.Base(f), ".want.") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures %s/%s", dir, pattern)
	}
	return out
}

// oaiWantPath is the golden file for fixture f: f.want.<ext>.
func oaiWantPath(f string) string {
	ext := filepath.Ext(f)
	return strings.TrimSuffix(f, ext) + ".want" + ext
}

func oaiRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
