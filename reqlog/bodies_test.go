package reqlog

import (
	"testing"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

func TestBodyText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"ascii", []byte(`{"a":1}`), `{"a":1}`},
		{"whole multibyte", []byte("héllo €"), "héllo €"},
		{"cut in a 3-byte rune", []byte("ab€")[:4], "ab"},
		{"cut in a 4-byte rune", []byte("x😀")[:3], "x"},
		{"invalid inside", []byte("a\xffb"), "a\uFFFDb"},
		{"NUL", []byte("a\x00b"), "a\uFFFDb"},
		{"empty", []byte{}, ""},
	} {
		if got := *bodyText(tc.in); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestToRowBodies: rows carry captured bodies as copies, with their
// truncation flags; without a capture they carry none.
func TestToRowBodies(t *testing.T) {
	w := &Writer{}
	rec := record(0)
	if row := w.toRow(rec); row.RequestBody != nil || row.ResponseBody != nil {
		t.Fatalf("bodies without capture: %+v", row)
	}
	req := []byte(`{"model":"smart"}`)
	rec.Bodies = &relay.Bodies{Request: req, Response: []byte("data: {}\n\n"), ResponseTruncated: true}
	row := w.toRow(rec)
	if row.RequestBody == nil || *row.RequestBody != `{"model":"smart"}` || row.RequestBodyTruncated ||
		row.ResponseBody == nil || *row.ResponseBody != "data: {}\n\n" || !row.ResponseBodyTruncated {
		t.Fatalf("row bodies: %+v", row)
	}
	copy(req, "XXXXXXXX") // the relay reuses its buffer
	if *row.RequestBody != `{"model":"smart"}` {
		t.Fatal("the row aliases the relay's buffer")
	}
	// And they reach the store.
	s := openStore(t)
	if err := s.InsertRequestLogs(ctx, []store.RequestLog{row}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Client().RequestLog.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.RequestBody == nil || *got.RequestBody != `{"model":"smart"}` || !got.ResponseBodyTruncated || got.RequestBodyTruncated {
		t.Fatalf("stored: %+v", got)
	}
}
