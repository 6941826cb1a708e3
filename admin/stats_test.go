package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func (nilBackend) UnflushedStats() []store.StatsDelta { return nil }

// statsBackend is a started app with stored and in-memory usage.
type statsBackend struct {
	nilBackend
	s   *store.Store
	mem []store.StatsDelta
}

func (b statsBackend) Store() *store.Store { return b.s }
func (b statsBackend) UnflushedStats() []store.StatsDelta {
	// A copy, as Counters.Snapshot returns, so a handler that modified
	// it would not change the next answer.
	return append([]store.StatsDelta(nil), b.mem...)
}

var statsNow = time.Date(2026, 3, 5, 12, 30, 0, 0, time.UTC)

// newStatsHandler stores usage on 4 and 5 March and keeps some in memory:
//
//	stored:    03-04 10h a/m1/k1 2 req, 03-04 23h b/m2/k2 3 req, 03-05 11h a/m2/k1 4 req
//	in memory: 03-05 11h a/m2/k1 1 req (same bucket), 03-05 12h c/m1/"" 5 req
func newStatsHandler(t *testing.T) *Handler {
	t.Helper()
	s := storetest.Open(t, store.SQLite)
	d := func(at string, ch, model, key string, req int64) store.StatsDelta {
		h, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		return store.StatsDelta{Hour: h, Channel: ch, Model: model, APIKey: key,
			Requests: req, Successes: req, InputTokens: 100 * req, OutputTokens: 10 * req,
			CacheReadTokens: req, CacheWriteTokens: 2 * req, ReasoningTokens: 3 * req, Cost: float64(req) / 4}
	}
	err := s.AddStats(context.Background(), []store.StatsDelta{
		d("2026-03-04T10:00:00Z", "a", "m1", "k1", 2),
		d("2026-03-04T23:00:00Z", "b", "m2", "k2", 3),
		d("2026-03-05T11:00:00Z", "a", "m2", "k1", 4),
	})
	if err != nil {
		t.Fatal(err)
	}
	mem := []store.StatsDelta{
		d("2026-03-05T11:10:00Z", "a", "m2", "k1", 1),
		d("2026-03-05T12:20:00Z", "c", "m1", "", 5),
	}
	mem[1].Failures, mem[1].Successes = 2, 3
	return New(Config{Backend: statsBackend{s: s, mem: mem}, Now: func() time.Time { return statsNow }})
}

// getStats runs a stats handler on target and decodes its answer into v.
func getStats(t *testing.T, h *Handler, fn handlerFunc, target string, v any) error {
	t.Helper()
	rec := httptest.NewRecorder()
	c := &call{w: rec, r: httptest.NewRequest(http.MethodGet, target, nil)}
	if err := fn(h, c); err != nil {
		return err
	}
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status %d", target, rec.Code)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("%s: %v in %s", target, err, rec.Body)
	}
	return nil
}

func TestStatsSummary(t *testing.T) {
	h := newStatsHandler(t)
	for _, tc := range []struct {
		query    string
		requests int64
	}{
		{"", 15}, // all time, in-memory usage included
		{"?channel=a", 7},
		{"?channel=a&model=m2&api_key=k1", 5},
		{"?api_key=k2", 3},
		{"?model=m1", 7},
		{"?from=2026-03-05T00:00:00Z", 10},
		{"?from=2026-03-05T11:59:00Z", 10}, // the hour holding from counts whole
		{"?to=2026-03-05T12:00:00Z", 10},
		{"?from=2026-03-04T11:00:00Z&to=2026-03-05T11:00:00Z", 3},
		{"?channel=none", 0},
	} {
		var got store.StatsTotals
		if err := getStats(t, h, (*Handler).statsSummary, "/api/v1/stats/summary"+tc.query, &got); err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		if got.Requests != tc.requests {
			t.Errorf("summary%s: %d requests, want %d", tc.query, got.Requests, tc.requests)
		}
	}

	var all store.StatsTotals
	if err := getStats(t, h, (*Handler).statsSummary, "/api/v1/stats/summary", &all); err != nil {
		t.Fatal(err)
	}
	want := store.StatsTotals{Requests: 15, Successes: 13, Failures: 2, InputTokens: 1500, OutputTokens: 150,
		CacheReadTokens: 15, CacheWriteTokens: 30, ReasoningTokens: 45, Cost: 3.75}
	if all != want {
		t.Fatalf("summary = %+v, want %+v", all, want)
	}
}

func TestStatsSeries(t *testing.T) {
	h := newStatsHandler(t)
	type point struct {
		Time     time.Time `json:"time"`
		Requests int64     `json:"requests"`
		Cost     float64   `json:"cost"`
	}
	series := func(query string) []point {
		t.Helper()
		var got []point
		if err := getStats(t, h, (*Handler).statsSeries, "/api/v1/stats/series"+query, &got); err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		return got
	}

	// Default: the last 24 h by hour, ending now (12:30), zeros included.
	got := series("")
	if len(got) != 25 || !got[0].Time.Equal(statsNow.Add(-24*time.Hour).Truncate(time.Hour)) {
		t.Fatalf("default series has %d points from %v, want 25 from 03-04 12:00", len(got), got[0].Time)
	}
	byTime := map[string]int64{}
	var sum int64
	for _, p := range got {
		byTime[p.Time.Format("01-02T15")] = p.Requests
		sum += p.Requests
	}
	if byTime["03-04T23"] != 3 || byTime["03-05T11"] != 5 || byTime["03-05T12"] != 5 || sum != 13 {
		t.Fatalf("default series = %v", byTime)
	}

	got = series("?interval=day&from=2026-03-03T00:00:00Z&to=2026-03-06T00:00:00Z")
	var reqs []int64
	for i, p := range got {
		if want := time.Date(2026, 3, 3+i, 0, 0, 0, 0, time.UTC); !p.Time.Equal(want) {
			t.Errorf("day %d at %v, want %v", i, p.Time, want)
		}
		reqs = append(reqs, p.Requests)
	}
	if len(reqs) != 3 || reqs[0] != 0 || reqs[1] != 5 || reqs[2] != 10 {
		t.Fatalf("daily requests = %v, want [0 5 10]", reqs)
	}

	got = series("?interval=day&from=2026-03-05T00:00:00Z&channel=a")
	if len(got) != 1 || got[0].Requests != 5 || got[0].Cost != 1.25 {
		t.Fatalf("one day of channel a = %+v, want 5 requests costing 1.25", got)
	}
}

func TestStatsRankings(t *testing.T) {
	h := newStatsHandler(t)
	for _, tc := range []struct {
		query string
		want  string // name=requests, in answer order
	}{
		{"", "a=7 c=5 b=3"},
		{"?by=channel", "a=7 c=5 b=3"},
		{"?by=model", "m2=8 m1=7"},
		{"?by=api_key", "k1=7 =5 k2=3"},
		{"?by=model&from=2026-03-05T00:00:00Z", "m1=5 m2=5"}, // equal requests and cost: by name
		{"?by=api_key&channel=b", "k2=3"},
		{"?by=model&channel=none", ""},
	} {
		var rows []struct {
			Name     string `json:"name"`
			Requests int64  `json:"requests"`
		}
		if err := getStats(t, h, (*Handler).statsRankings, "/api/v1/stats/rankings"+tc.query, &rows); err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		var parts []string
		for _, r := range rows {
			parts = append(parts, r.Name+"="+strconv.FormatInt(r.Requests, 10))
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("rankings%s = %q, want %q", tc.query, got, tc.want)
		}
	}
}

func TestStatsBadQueries(t *testing.T) {
	h := newStatsHandler(t)
	for _, tc := range []struct {
		fn    handlerFunc
		query string
		field string
	}{
		{(*Handler).statsSummary, "?from=yesterday", "from"},
		{(*Handler).statsSummary, "?to=2026-03-05", "to"},
		{(*Handler).statsSummary, "?from=2026-03-05T00:00:00Z&to=2026-03-04T00:00:00Z", "to"},
		{(*Handler).statsSeries, "?interval=week", "interval"},
		{(*Handler).statsSeries, "?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "interval"},
		{(*Handler).statsRankings, "?by=cost", "by"},
	} {
		var v any
		err := getStats(t, h, tc.fn, "/api/v1/stats/x"+tc.query, &v)
		ae, ok := err.(*apiError)
		if !ok || ae.Status != http.StatusBadRequest || ae.Field != tc.field {
			t.Errorf("%s: error %v, want a 400 about %s", tc.query, err, tc.field)
		}
	}

	// Before the app started there is no store: 503, not a panic.
	h = New(Config{Backend: nilBackend{}})
	var v any
	err := getStats(t, h, (*Handler).statsSummary, "/api/v1/stats/summary", &v)
	if ae, ok := err.(*apiError); !ok || ae.Status != http.StatusServiceUnavailable {
		t.Fatalf("without a store: %v, want 503", err)
	}
}
