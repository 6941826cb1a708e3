package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/statshourly"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// bucket reads one hourly bucket.
func bucket(t *testing.T, s *store.Store, hour time.Time, channel, model, key string) *ent.StatsHourly {
	t.Helper()
	row, err := s.Client().StatsHourly.Query().Where(
		statshourly.Hour(hour), statshourly.Channel(channel), statshourly.Model(model), statshourly.APIKey(key),
	).Only(ctx)
	if err != nil {
		t.Fatalf("bucket %v/%s/%s/%s: %v", hour, channel, model, key, err)
	}
	return row
}

func TestAddStatsIsAdditive(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		hour := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		d := store.StatsDelta{
			// Any time inside the hour, in any zone, lands in the bucket.
			Hour:    time.Date(2026, 3, 4, 11, 59, 59, 999, time.FixedZone("CET", 3600)),
			Channel: "c", Model: "m", APIKey: "k",
			Requests: 3, Successes: 2, Failures: 1,
			InputTokens: 100, OutputTokens: 50, CacheReadTokens: 7, CacheWriteTokens: 5, ReasoningTokens: 11,
			Cost: 0.25, LatencyMSTotal: 900, TTFTMSTotal: 300, TTFTCount: 2,
		}
		other := d
		other.Model = "m2"
		other.Hour = hour.Add(time.Hour)
		if err := s.AddStats(ctx, []store.StatsDelta{d, other}); err != nil {
			t.Fatal(err)
		}
		d2 := d
		d2.Hour = hour.Add(30 * time.Minute)
		d2.Requests, d2.Successes, d2.Failures = 1, 1, 0
		d2.InputTokens, d2.Cost, d2.TTFTCount = 10, 0.5, 0
		if err := s.AddStats(ctx, []store.StatsDelta{d2}); err != nil {
			t.Fatal(err)
		}

		got := bucket(t, s, hour, "c", "m", "k")
		want := []int64{4, 3, 1, 110, 100, 14, 10, 22, 1800, 600, 2}
		have := []int64{got.Requests, got.Successes, got.Failures, got.InputTokens, got.OutputTokens,
			got.CacheReadTokens, got.CacheWriteTokens, got.ReasoningTokens, got.LatencyMsTotal, got.TtftMsTotal, got.TtftCount}
		for i := range want {
			if have[i] != want[i] {
				t.Fatalf("counters after two upserts = %v, want %v", have, want)
			}
		}
		if got.Cost != 0.75 {
			t.Fatalf("cost = %v, want 0.75", got.Cost)
		}
		if o := bucket(t, s, hour.Add(time.Hour), "c", "m2", "k"); o.Requests != 3 {
			t.Fatalf("other bucket requests = %d, want 3", o.Requests)
		}
		if n := s.Client().StatsHourly.Query().CountX(ctx); n != 2 {
			t.Fatalf("%d rows, want 2 buckets", n)
		}
	})
}

// TestAddStatsConcurrentInstances flushes overlapping buckets from two
// stores on one database at once, as two gateway instances do, in batches
// bigger than one INSERT, and checks that nothing is lost.
func TestAddStatsConcurrentInstances(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			dsn := storetest.NewDatabase(t, d)
			var stores []*store.Store
			for range 2 {
				s, err := store.Open(ctx, d, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
			}
			hour := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			batch := make([]store.StatsDelta, 0, 250)
			for i := range 250 {
				batch = append(batch, store.StatsDelta{Hour: hour, Channel: "c", Model: "m", APIKey: fmt.Sprintf("k%03d", i), Requests: 1, InputTokens: 2})
			}
			const flushes = 3
			var wg sync.WaitGroup
			errs := make(chan error, 2*flushes)
			for _, s := range stores {
				for range flushes {
					wg.Go(func() { errs <- s.AddStats(ctx, batch) })
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			var total, tokens int64
			rows, err := stores[0].Client().StatsHourly.Query().All(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				total += r.Requests
				tokens += r.InputTokens
			}
			if len(rows) != 250 || total != 250*2*flushes || tokens != 2*250*2*flushes {
				t.Fatalf("%d rows, %d requests, %d tokens; want 250, %d, %d", len(rows), total, tokens, 250*2*flushes, 2*250*2*flushes)
			}
		})
	}
}
