package relay

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestBodiesCapture(t *testing.T) {
	if newBodies(nil, []byte("x")) != nil {
		t.Fatal("nil limit captured")
	}
	var limit atomic.Int64
	if newBodies(&limit, []byte("x")) != nil {
		t.Fatal("zero limit captured")
	}
	limit.Store(8)
	b := newBodies(&limit, []byte("0123456789"))
	if string(b.Request) != "01234567" || !b.RequestTruncated {
		t.Fatalf("request %q truncated %v", b.Request, b.RequestTruncated)
	}
	rw := httptest.NewRecorder()
	cw := &captureWriter{ResponseWriter: rw, b: b}
	for _, p := range []string{"abc", "defgh", "ijk", "lm"} {
		if n, err := cw.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("write %q: %d %v", p, n, err)
		}
	}
	// The client gets everything; the capture stops at the cap.
	if rw.Body.String() != "abcdefghijklm" || string(b.Response) != "abcdefgh" || !b.ResponseTruncated || cap(b.Response) > 8 {
		t.Fatalf("client %q, captured %q (cap %d) truncated %v", rw.Body.String(), b.Response, cap(b.Response), b.ResponseTruncated)
	}
	// Flushes reach the real writer.
	if err := http.NewResponseController(cw).Flush(); err != nil || !rw.Flushed {
		t.Fatalf("flush through the capture: %v", err)
	}

	limit.Store(1 << 20)
	b = newBodies(&limit, []byte("{}"))
	cw = &captureWriter{ResponseWriter: httptest.NewRecorder(), b: b}
	_, _ = cw.Write([]byte(strings.Repeat("z", 100)))
	if len(b.Response) != 100 || b.ResponseTruncated || b.RequestTruncated || string(b.Request) != "{}" {
		t.Fatalf("under the cap: %d bytes, truncated %v/%v", len(b.Response), b.RequestTruncated, b.ResponseTruncated)
	}
}
