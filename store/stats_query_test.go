package store_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// statsFixture is three hours of usage over two channels, models and keys.
func statsFixture(t *testing.T, s *store.Store) time.Time {
	t.Helper()
	h0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	d := func(hour int, ch, model, key string, req int64, cost float64) store.StatsDelta {
		return store.StatsDelta{Hour: h0.Add(time.Duration(hour) * time.Hour), Channel: ch, Model: model, APIKey: key,
			Requests: req, Successes: req - 1, Failures: 1, InputTokens: 10 * req, OutputTokens: 5 * req,
			CacheReadTokens: 2 * req, CacheWriteTokens: req, ReasoningTokens: 3 * req, Cost: cost}
	}
	unpriced := d(2, "a", "m2", "k2", 0, 0) // a bucket of its own: one INSERT may not upsert a row twice
	unpriced.Successes, unpriced.Failures, unpriced.UnpricedRequests = 0, 0, 3
	err := s.AddStats(ctx, []store.StatsDelta{
		unpriced,
		d(0, "a", "m1", "k1", 2, 0.5),
		d(0, "b", "m2", "k1", 3, 0.25),
		d(1, "a", "m1", "k2", 4, 1),
		d(2, "b", "m1", "", 5, 2),
	})
	if err != nil {
		t.Fatal(err)
	}
	return h0
}

func TestQueryStats(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		h0 := statsFixture(t, s)

		t.Run("total", func(t *testing.T) {
			rows, err := s.QueryStats(ctx, store.StatsFilter{}, store.StatsTotal)
			if err != nil {
				t.Fatal(err)
			}
			want := store.StatsTotals{Requests: 14, Successes: 10, Failures: 4, InputTokens: 140, OutputTokens: 70,
				CacheReadTokens: 28, CacheWriteTokens: 14, ReasoningTokens: 42, Cost: 3.75, UnpricedRequests: 3}
			if len(rows) != 1 || rows[0].StatsTotals != want {
				t.Fatalf("total = %+v, want one row %+v", rows, want)
			}
		})

		t.Run("empty total is one zero row", func(t *testing.T) {
			rows, err := s.QueryStats(ctx, store.StatsFilter{Channel: "none"}, store.StatsTotal)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].StatsTotals != (store.StatsTotals{}) {
				t.Fatalf("rows = %+v, want one zero row", rows)
			}
		})

		t.Run("by hour", func(t *testing.T) {
			// From inside hour 1 includes that hour whole; To excludes hour 2.
			f := store.StatsFilter{From: h0.Add(90 * time.Minute), To: h0.Add(2 * time.Hour)}
			rows, err := s.QueryStats(ctx, f, store.StatsByHour)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || !rows[0].Hour.Equal(h0.Add(time.Hour)) || rows[0].Requests != 4 || rows[0].Cost != 1 {
				t.Fatalf("rows = %+v, want hour 1 with 4 requests", rows)
			}
			rows, err = s.QueryStats(ctx, store.StatsFilter{}, store.StatsByHour)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(rows, func(a, b store.StatsRow) int { return a.Hour.Compare(b.Hour) })
			var got []int64
			for _, r := range rows {
				got = append(got, r.Requests)
				if r.Hour.Location() != time.UTC || r.Hour.Minute() != 0 {
					t.Errorf("hour %v is not a UTC hour", r.Hour)
				}
			}
			if !slices.Equal(got, []int64{5, 4, 5}) || !rows[0].Hour.Equal(h0) {
				t.Fatalf("requests per hour = %v from %v, want [5 4 5] from %v", got, rows[0].Hour, h0)
			}
		})

		for _, tc := range []struct {
			by     store.StatsGroup
			filter store.StatsFilter
			want   string // name=requests, sorted by name
		}{
			{store.StatsByChannel, store.StatsFilter{}, "a=6 b=8"},
			{store.StatsByModel, store.StatsFilter{}, "m1=11 m2=3"},
			{store.StatsByAPIKey, store.StatsFilter{}, "=5 k1=5 k2=4"},
			{store.StatsByChannel, store.StatsFilter{Model: "m1"}, "a=6 b=5"},
			{store.StatsByModel, store.StatsFilter{APIKey: "k1", Channel: "b"}, "m2=3"},
			{store.StatsByAPIKey, store.StatsFilter{From: h0.Add(time.Hour)}, "=5 k2=4"},
			{store.StatsByChannel, store.StatsFilter{Channel: "zzz"}, ""},
		} {
			t.Run("by "+string(tc.by), func(t *testing.T) {
				rows, err := s.QueryStats(ctx, tc.filter, tc.by)
				if err != nil {
					t.Fatal(err)
				}
				slices.SortFunc(rows, func(a, b store.StatsRow) int { return strings.Compare(a.Name, b.Name) })
				var parts []string
				for _, r := range rows {
					parts = append(parts, r.Name+"="+strconv.FormatInt(r.Requests, 10))
				}
				if got := strings.Join(parts, " "); got != tc.want {
					t.Fatalf("%s with %+v = %q, want %q", tc.by, tc.filter, got, tc.want)
				}
			})
		}

		if _, err := s.QueryStats(ctx, store.StatsFilter{}, "cost; DROP TABLE x"); err == nil {
			t.Fatal("an unknown grouping was accepted")
		}
	})
}
