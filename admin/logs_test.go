package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/store"
)

// logsBackend is a started app with a store and a log writer.
type logsBackend struct {
	nilBackend
	s *store.Store
	w *reqlog.Writer
}

func (b logsBackend) Store() *store.Store         { return b.s }
func (b logsBackend) RequestLogs() *reqlog.Writer { return b.w }

func openLogStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "admin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// callRoute runs fn as the route would, without the session check.
func callRoute(h *Handler, fn handlerFunc, target, param string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	c := &call{w: rec, r: httptest.NewRequest("GET", target, nil), param: param}
	if err := fn(h, c); err != nil {
		writeError(h, c, err)
	}
	return rec
}

func TestListLogs(t *testing.T) {
	s := openLogStore(t)
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var rows []store.RequestLog
	body := "secret prompt"
	for i := range 37 {
		rows = append(rows, store.RequestLog{
			// Pairs of rows share a time, so the id breaks ties.
			Time:   base.Add(time.Duration(i/2) * time.Minute),
			APIKey: []string{"team-a", "team-b"}[i%2], Group: "smart",
			Channel: []string{"openai", "claude", "gemini"}[i%3],
			Status:  []int{200, 429, 502, 503}[i%4], RequestBody: &body,
		})
	}
	if err := s.InsertRequestLogs(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	h := New(Config{Backend: logsBackend{s: s}})

	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 37},
		{"api_key=team-a", 19},
		{"channel=claude", 12},
		{"status=5xx", 18},
		{"status=429", 9},
		{"status=4xx&api_key=team-b", 9},
		{"group=nope", 0},
		{"from=2026-05-01T12:05:00Z", 27},
		{"to=2026-05-01T12:05:00Z", 10},
		{"from=2026-05-01T12:05:00Z&to=2026-05-01T12:10:00Z&channel=openai", 3},
	} {
		t.Run(tc.query, func(t *testing.T) {
			seen := map[int]bool{}
			cursor, pages := "", 0
			var last time.Time
			for {
				q, _ := url.ParseQuery(tc.query)
				q.Set("limit", "5")
				if cursor != "" {
					q.Set("cursor", cursor)
				}
				rec := callRoute(h, (*Handler).listLogs, "/api/v1/logs?"+q.Encode(), "")
				if rec.Code != 200 {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				var page logPage
				if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
					t.Fatal(err)
				}
				pages++
				if len(page.Logs) > 5 {
					t.Fatalf("page of %d rows over the limit", len(page.Logs))
				}
				for _, l := range page.Logs {
					if seen[l.ID] {
						t.Fatalf("row %d on two pages", l.ID)
					}
					seen[l.ID] = true
					if !last.IsZero() && l.Time.After(last) {
						t.Fatalf("row %d at %v after an older one", l.ID, l.Time)
					}
					last = l.Time
					if l.RequestBody != nil {
						t.Fatal("the list shows bodies")
					}
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
				if pages > 20 {
					t.Fatal("paging does not end")
				}
			}
			if len(seen) != tc.want {
				t.Errorf("%d rows, want %d", len(seen), tc.want)
			}
		})
	}

	for _, q := range []string{"limit=0", "limit=x", "from=yesterday", "status=5x", "status=abc", "cursor=%%%", "cursor=bm9wZQ"} {
		if rec := callRoute(h, (*Handler).listLogs, "/api/v1/logs?"+strings.ReplaceAll(q, "%%%", "%25%25"), ""); rec.Code != 400 {
			t.Errorf("%s: status %d, want 400", q, rec.Code)
		}
	}
	rec := callRoute(h, (*Handler).listLogs, "/api/v1/logs?limit=100000", "")
	var page logPage
	_ = json.Unmarshal(rec.Body.Bytes(), &page)
	if rec.Code != 200 || len(page.Logs) != 37 || page.NextCursor != "" {
		t.Errorf("big limit: status %d, %d rows, cursor %q", rec.Code, len(page.Logs), page.NextCursor)
	}

	one := page.Logs[0]
	rec = callRoute(h, (*Handler).getLog, "/api/v1/logs/x", strconv.Itoa(one.ID))
	var got store.RequestLog
	_ = json.Unmarshal(rec.Body.Bytes(), &got)
	if rec.Code != 200 || got.ID != one.ID || got.RequestBody == nil || *got.RequestBody != body {
		t.Errorf("get: status %d, %+v", rec.Code, got)
	}
	for _, p := range []string{"999", "abc", "0"} {
		if rec := callRoute(h, (*Handler).getLog, "/api/v1/logs/x", p); rec.Code != 404 {
			t.Errorf("get %s: status %d, want 404", p, rec.Code)
		}
	}
}

func TestLogsWithoutStore(t *testing.T) {
	h := New(Config{Backend: nilBackend{}})
	if rec := callRoute(h, (*Handler).listLogs, "/api/v1/logs", ""); rec.Code != 503 {
		t.Errorf("list: status %d, want 503", rec.Code)
	}
	if rec := callRoute(h, (*Handler).streamLogs, "/api/v1/logs/stream", ""); rec.Code != 503 {
		t.Errorf("stream: status %d, want 503", rec.Code)
	}
}

func TestStreamLogs(t *testing.T) {
	s := openLogStore(t)
	w, err := reqlog.New(reqlog.Config{Sink: s, FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	h := New(Config{Backend: logsBackend{s: s, w: w}})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c := &call{w: rw, r: r}
		if err := h.streamLogs(c); err != nil {
			writeError(h, c, err)
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	br := bufio.NewReader(resp.Body)
	// The opening comment means the subscription is in place.
	if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, ":") {
		t.Fatalf("first line %q, %v", line, err)
	}
	w.Observe(&relay.Record{Start: time.Now(), Key: "team-a", Group: "smart", Status: 502, Error: "upstream down"})
	var event string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "event: ") {
			event = strings.TrimPrefix(line, "event: ")
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var row store.RequestLog
			if err := json.Unmarshal([]byte(data), &row); err != nil {
				t.Fatal(err)
			}
			if event != "log" || row.APIKey != "team-a" || row.Status != 502 || row.Error != "upstream down" {
				t.Errorf("event %q row %+v", event, row)
			}
			break
		}
	}
	// Stopping the writer ends the stream.
	w.Stop()
	if _, err := io.ReadAll(br); err != nil {
		t.Errorf("reading to the end: %v", err)
	}
}

func TestStatusFilter(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"200", true}, {"5xx", true}, {"4XX", true}, {"0", true},
		{"6xx", false}, {"x5x", false}, {"", false}, {"1000", false}, {"-1", false},
	} {
		if _, err := statusFilter(tc.in); (err == nil) != tc.ok {
			t.Errorf("statusFilter(%q): %v", tc.in, err)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)
	got, id, ok := decodeCursor(encodeCursor(at, 42))
	if !ok || !got.Equal(at) || id != 42 {
		t.Errorf("decoded %v %d %v", got, id, ok)
	}
}

func TestLogRoutes(t *testing.T) {
	h := New(Config{})
	for path, want := range map[string]string{"logs": "logs", "logs/stream": "logs/stream", "logs/12": "logs/{}"} {
		rt, _, _, ok := h.match("GET", path)
		if !ok || joinSegs(rt.segs) != want || rt.public {
			t.Errorf("GET %s matched %v, want %s behind a session", path, ok && rt != nil, want)
		}
	}
}
