package transform

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A 1×1 PNG.
var fetchPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

func fetchServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		switch r.URL.Path {
		case "/cat.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(fetchPNG)
		case "/untyped":
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(fetchPNG)
		case "/doc.pdf":
			w.Header().Set("Content-Type", "application/pdf; qs=0.9")
			w.Write([]byte("%PDF-1.4 tiny"))
		case "/big":
			w.Header().Set("Content-Type", "image/png")
			w.Write(make([]byte, 2048))
		case "/big-chunked":
			w.Header().Set("Content-Type", "image/png")
			for i := 0; i < 4; i++ {
				w.Write(make([]byte, 512))
				w.(http.Flusher).Flush()
			}
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInlineRemoteMedia(t *testing.T) {
	var hits atomic.Int32
	srv := fetchServer(t, &hits)
	req := &Request{Messages: []Message{
		{Role: RoleUser, Parts: []Part{
			gemText("look"),
			{Type: PartImage, URL: srv.URL + "/cat.png"},
			{Type: PartImage, URL: srv.URL + "/cat.png"}, // fetched once
			{Type: PartImage, URL: srv.URL + "/untyped"},
			{Type: PartFile, URL: srv.URL + "/doc.pdf", MediaType: "application/x-guess"},
			{Type: PartImage, URL: "data:image/png;base64,AAAA"},
			{Type: PartImage, URL: "https://www.youtube.com/watch?v=x"},
			{Type: PartFile, URL: "https://generativelanguage.googleapis.com/v1beta/files/abc"},
			{Type: PartImage, URL: "gs://bucket/x.png"},
		}},
		{Role: RoleUser, Parts: []Part{{Type: PartToolResult, ToolCallID: "c", Content: []Part{
			gemText("screenshot"), {Type: PartImage, URL: srv.URL + "/untyped", MediaType: "image/webp"},
		}}}},
	}}
	if err := InlineRemoteMedia(context.Background(), req, srv.Client(), 1<<20); err != nil {
		t.Fatal(err)
	}
	png := base64.StdEncoding.EncodeToString(fetchPNG)
	p := req.Messages[0].Parts
	for _, i := range []int{1, 2} {
		if p[i].Data != png || p[i].MediaType != "image/png" || p[i].URL != "" {
			t.Errorf("part %d = %+v", i, p[i])
		}
	}
	if p[3].MediaType != "image/png" || p[3].Data != png {
		t.Errorf("sniffed part = %+v", p[3])
	}
	if p[4].MediaType != "application/pdf" || p[4].Data != base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 tiny")) {
		t.Errorf("pdf part = %+v", p[4])
	}
	for _, i := range []int{5, 6, 7, 8} {
		if p[i].URL == "" || p[i].Data != "" {
			t.Errorf("part %d should be left alone: %+v", i, p[i])
		}
	}
	// The sniffed type of the bytes wins over the client's guess.
	if r := req.Messages[1].Parts[0].Content[1]; r.Data != png || r.URL != "" || r.MediaType != "image/png" {
		t.Errorf("tool result image = %+v", r)
	}
	if got := hits.Load(); got != 3 {
		t.Errorf("server hit %d times, want 3 (one per distinct URL)", got)
	}
}

func TestInlineRemoteMediaErrors(t *testing.T) {
	srv := fetchServer(t, nil)
	tests := []struct {
		path string
		max  int64
		want string
	}{
		{"/missing", 1 << 20, "failed: HTTP 404"},
		{"/big", 1024, "2048 bytes, more than the 1024-byte limit"},
		{"/big-chunked", 1024, "more than the 1024-byte limit"},
		{"/slow", 1 << 20, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			u := srv.URL + tt.path
			req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{{Type: PartImage, URL: u}}}}}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := InlineRemoteMedia(ctx, req, srv.Client(), tt.max)
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || !strings.Contains(e.Message, tt.want) || !strings.Contains(e.Message, u) {
				t.Fatalf("err = %v, want 400 naming %s and containing %q", err, u, tt.want)
			}
			if req.Messages[0].Parts[0].URL != u {
				t.Error("part changed despite the error")
			}
		})
	}
	// No http parts: no requests, no error, nil client allowed.
	if err := InlineRemoteMedia(context.Background(), &Request{}, nil, 0); err != nil {
		t.Fatal(err)
	}
}

// NewMediaClient refuses internal addresses, such as the loopback test
// server, while the plain client reaches it.
func TestNewMediaClientRefusesInternalAddresses(t *testing.T) {
	srv := fetchServer(t, nil)
	req := &Request{Messages: []Message{{Role: RoleUser, Parts: []Part{{Type: PartImage, URL: srv.URL + "/cat.png"}}}}}
	err := InlineRemoteMedia(context.Background(), req, NewMediaClient(5*time.Second), 1<<20)
	if err == nil || !strings.Contains(err.Error(), "not public") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	for addr, public := range map[string]bool{
		"127.0.0.1": false, "10.1.2.3": false, "169.254.169.254": false, "100.64.0.1": false,
		"::1": false, "fd00::1": false, "::ffff:127.0.0.1": false, "0.0.0.0": false, "224.0.0.1": false,
		"8.8.8.8": true, "2606:4700:4700::1111": true, "1.1.1.1": true,
	} {
		if got := fetchPublicAddr(netip.MustParseAddr(addr)); got != public {
			t.Errorf("fetchPublicAddr(%s) = %v, want %v", addr, got, public)
		}
	}
}
