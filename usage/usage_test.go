package usage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/transform"
	"github.com/octopuscaddy/octopus/usage"
)

var hour0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// rec returns a successful streamed request on (channel, model, key).
func rec(channel, model, key string, start time.Time) *relay.Record {
	return &relay.Record{
		Start: start, Duration: 1500 * time.Millisecond, TTFT: 200 * time.Millisecond,
		Key: key, Channel: channel, Model: model, Status: 200, UsageKnown: true,
		Usage: transform.Usage{InputTokens: 100, OutputTokens: 40, CacheReadTokens: 30, CacheWriteTokens: 10, ReasoningTokens: 5},
	}
}

// openStore opens a migrated SQLite store in a temporary folder.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "octopus.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// find returns the delta of one bucket in ds.
func find(ds []store.StatsDelta, hour time.Time, channel, model, key string) (store.StatsDelta, bool) {
	for _, d := range ds {
		if d.Hour.Equal(hour) && d.Channel == channel && d.Model == model && d.APIKey == key {
			return d, true
		}
	}
	return store.StatsDelta{}, false
}

// rows reads every bucket of the store as deltas.
func rows(t *testing.T, st *store.Store) []store.StatsDelta {
	t.Helper()
	all, err := st.Client().StatsHourly.Query().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]store.StatsDelta, len(all))
	for i, r := range all {
		out[i] = store.StatsDelta{
			Hour: r.Hour.UTC(), Channel: r.Channel, Model: r.Model, APIKey: r.APIKey,
			Requests: r.Requests, Successes: r.Successes, Failures: r.Failures,
			InputTokens: r.InputTokens, OutputTokens: r.OutputTokens,
			CacheReadTokens: r.CacheReadTokens, CacheWriteTokens: r.CacheWriteTokens, ReasoningTokens: r.ReasoningTokens,
			Cost: r.Cost, LatencyMSTotal: r.LatencyMsTotal, TTFTMSTotal: r.TtftMsTotal, TTFTCount: r.TtftCount,
		}
	}
	return out
}

// scaled is the delta of n records made by rec, the first fails of them failed.
func scaled(hour time.Time, channel, model, key string, n, failed int64) store.StatsDelta {
	return store.StatsDelta{
		Hour: hour, Channel: channel, Model: model, APIKey: key,
		Requests: n, Successes: n - failed, Failures: failed,
		InputTokens: 100 * n, OutputTokens: 40 * n, CacheReadTokens: 30 * n, CacheWriteTokens: 10 * n, ReasoningTokens: 5 * n,
		LatencyMSTotal: 1500 * n, TTFTMSTotal: 200 * n, TTFTCount: n,
	}
}

func TestObserveConcurrentExactTotals(t *testing.T) {
	t.Parallel()
	c := usage.NewCounters(nil)
	const goroutines, per = 8, 2000
	keys := []string{"k1", "k2", "k3"}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				r := rec("ch", "m", keys[(g+i)%len(keys)], hour0.Add(time.Duration(i%60)*time.Minute))
				if i%10 == 0 {
					r.Status = 502
				}
				c.Observe(r)
			}
		}()
	}
	wg.Wait()
	snap := c.Snapshot()
	if len(snap) != len(keys) {
		t.Fatalf("%d buckets, want %d: %+v", len(snap), len(keys), snap)
	}
	var total store.StatsDelta
	for _, d := range snap {
		if !d.Hour.Equal(hour0) {
			t.Errorf("bucket hour %v, want %v", d.Hour, hour0)
		}
		total.Requests += d.Requests
		total.Successes += d.Successes
		total.Failures += d.Failures
		total.InputTokens += d.InputTokens
		total.TTFTCount += d.TTFTCount
		total.LatencyMSTotal += d.LatencyMSTotal
	}
	n := int64(goroutines * per)
	want := store.StatsDelta{Requests: n, Successes: n - n/10, Failures: n / 10, InputTokens: 100 * n, TTFTCount: n, LatencyMSTotal: 1500 * n}
	if total != want {
		t.Fatalf("totals = %+v, want %+v", total, want)
	}
}

func TestHourBucketing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		name  string
		start time.Time
		want  time.Time
	}{
		{"start of hour", hour0, hour0},
		{"last nanosecond of hour", hour0.Add(time.Hour - 1), hour0},
		{"next hour", hour0.Add(time.Hour), hour0.Add(time.Hour)},
		{"other zone", time.Date(2026, 3, 4, 11, 30, 0, 0, time.FixedZone("CET", 3600)), hour0},
		{"half-hour zone", time.Date(2026, 3, 4, 16, 0, 0, 0, time.FixedZone("IST", 5*3600+1800)), hour0},
		{"zero start uses clock", time.Time{}, time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)},
		{"before 1970", time.Date(1969, 12, 31, 23, 30, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := usage.NewCounters(func() time.Time { return now })
			c.Observe(rec("c", "m", "k", tc.start))
			snap := c.Snapshot()
			if len(snap) != 1 || !snap[0].Hour.Equal(tc.want) || snap[0].Hour.Location() != time.UTC {
				t.Fatalf("snapshot = %+v, want one bucket at %v UTC", snap, tc.want)
			}
		})
	}
}

func TestObserveCountsAndCost(t *testing.T) {
	t.Parallel()
	c := usage.NewCounters(nil)
	c.SetCost(func(r *relay.Record) (float64, bool) {
		if r.Model == "unpriced" {
			return 0, false
		}
		return float64(r.Usage.InputTokens) * 0.001, true
	})
	noTTFT := rec("c", "m", "k", hour0)
	noTTFT.TTFT = 0
	noTTFT.Status = 429
	for _, r := range []*relay.Record{rec("c", "m", "k", hour0), noTTFT, rec("c", "unpriced", "k", hour0), nil} {
		c.Observe(r)
	}
	snap := c.Snapshot()
	got, _ := find(snap, hour0, "c", "m", "k")
	want := scaled(hour0, "c", "m", "k", 2, 1)
	want.TTFTCount, want.TTFTMSTotal = 1, 200
	want.Cost = 0.2
	if got != want {
		t.Fatalf("bucket = %+v\nwant     %+v", got, want)
	}
	if u, _ := find(snap, hour0, "c", "unpriced", "k"); u.Cost != 0 || u.Requests != 1 || u.UnpricedRequests != 1 {
		t.Fatalf("unpriced bucket = %+v, want 1 unpriced request at no cost", u)
	}
	// No tokens, nothing to price: a failure is not unpriced.
	empty := rec("c", "unpriced", "k", hour0)
	empty.Usage = transform.Usage{}
	c.Observe(empty)
	if u, _ := find(c.Snapshot(), hour0, "c", "unpriced", "k"); u.Requests != 2 || u.UnpricedRequests != 1 {
		t.Fatalf("unpriced bucket after a tokenless request = %+v", u)
	}
	c.SetCost(nil)
	c.Observe(rec("c", "m", "k", hour0))
	if got, _ := find(c.Snapshot(), hour0, "c", "m", "k"); got.Cost != 0.2 || got.Requests != 3 {
		t.Fatalf("after SetCost(nil): %+v, want cost unchanged at 0.2 and 3 requests", got)
	}
}

func TestFlushWritesExactCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	defer st.Close()
	c := usage.NewCounters(nil)
	for range 5 {
		c.Observe(rec("a", "m1", "k", hour0.Add(10*time.Minute)))
	}
	for range 3 {
		c.Observe(rec("b", "m2", "k", hour0.Add(time.Hour)))
	}
	if err := c.Flush(ctx, st); err != nil {
		t.Fatal(err)
	}
	if s := c.Snapshot(); len(s) != 0 {
		t.Fatalf("snapshot after flush = %+v, want empty", s)
	}
	// A second flush adds to the stored buckets.
	c.Observe(rec("a", "m1", "k", hour0))
	if err := c.Flush(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx, st); err != nil { // nothing to write
		t.Fatal(err)
	}
	got := rows(t, st)
	for _, want := range []store.StatsDelta{scaled(hour0, "a", "m1", "k", 6, 0), scaled(hour0.Add(time.Hour), "b", "m2", "k", 3, 0)} {
		if d, _ := find(got, want.Hour, want.Channel, want.Model, want.APIKey); d != want {
			t.Errorf("stored %+v\nwant   %+v", d, want)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d rows, want 2", len(got))
	}
}

func TestFailedFlushKeepsCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := usage.NewCounters(nil)
	for range 4 {
		c.Observe(rec("a", "m", "k", hour0))
	}
	before := c.Snapshot()

	broken := openStore(t)
	if err := broken.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx, broken); err == nil {
		t.Fatal("flush to a closed store succeeded")
	}
	if err := c.Flush(ctx, nil); !errors.Is(err, usage.ErrNoStore) {
		t.Fatalf("flush without store: %v, want ErrNoStore", err)
	}
	c.Observe(rec("a", "m", "k", hour0)) // arrives after the failure
	after := c.Snapshot()
	want := scaled(hour0, "a", "m", "k", 5, 0)
	if len(before) != 1 || len(after) != 1 || after[0] != want {
		t.Fatalf("after failed flush: %+v, want %+v", after, want)
	}

	st := openStore(t)
	defer st.Close()
	if err := c.Flush(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, st); len(got) != 1 || got[0] != want {
		t.Fatalf("stored after retry = %+v, want %+v", got, want)
	}
}

// TestFlushConcurrentWithObserve checks that flushing while requests
// arrive neither loses nor double-counts any of them.
func TestFlushConcurrentWithObserve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	defer st.Close()
	c := usage.NewCounters(nil)
	const goroutines, per = 4, 500
	var wg sync.WaitGroup
	var stop atomic.Bool
	flushes := make(chan error, 1)
	go func() {
		var err error
		for !stop.Load() {
			if e := c.Flush(ctx, st); e != nil && err == nil {
				err = e
			}
			// Snapshot + stored totals never exceed what was observed.
			_ = c.Snapshot()
		}
		flushes <- err
	}()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				c.Observe(rec(fmt.Sprint("ch", g%2), "m", "k", hour0))
				if i%50 == 0 {
					time.Sleep(time.Millisecond) // let flushes interleave
				}
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	if err := <-flushes; err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx, st); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, d := range rows(t, st) {
		n += d.Requests
	}
	if n != goroutines*per {
		t.Fatalf("stored %d requests, want %d", n, goroutines*per)
	}
}

func TestFlusherLoopAndStop(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	defer st.Close()
	f := usage.NewFlusher(nil)
	var errs atomic.Int32
	f.SetErrorHandler(func(err error) { errs.Add(1); t.Log("flush error:", err) })
	f.SetInterval(10 * time.Millisecond)
	f.Start()
	f.Start() // idempotent

	// Without a store, ticks keep the counts.
	f.Counters().Observe(rec("a", "m", "k", hour0))
	time.Sleep(30 * time.Millisecond)
	if s := f.Counters().Snapshot(); len(s) != 1 {
		t.Fatalf("counts without store = %+v, want kept", s)
	}
	f.SetStore(st)
	deadline := time.Now().Add(5 * time.Second)
	for len(f.Counters().Snapshot()) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("loop never flushed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A long interval: only Stop's final flush can write this one.
	f.SetInterval(time.Hour)
	f.Counters().Observe(rec("a", "m", "k", hour0))
	if err := f.Destruct(); err != nil {
		t.Fatal(err)
	}
	if err := f.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if got := rows(t, st); len(got) != 1 || got[0].Requests != 2 {
		t.Fatalf("stored = %+v, want 2 requests", got)
	}
	if errs.Load() != 0 {
		t.Fatalf("%d flush errors reported", errs.Load())
	}
	f.Start() // after Stop: must not start a loop
}

func TestFlusherStopWithoutStore(t *testing.T) {
	t.Parallel()
	f := usage.NewFlusher(nil)
	f.Start()
	if err := f.Stop(); err != nil {
		t.Fatalf("empty stop: %v", err)
	}
	g := usage.NewFlusher(nil)
	g.Counters().Observe(rec("a", "m", "k", hour0))
	if err := g.Stop(); !errors.Is(err, usage.ErrNoStore) {
		t.Fatalf("stop with unflushed counts and no store: %v, want ErrNoStore", err)
	}
}

func BenchmarkObserve(b *testing.B) {
	c := usage.NewCounters(nil)
	c.SetCost(func(*relay.Record) (float64, bool) { return 0.001, true })
	r := rec("channel-a", "claude-sonnet-4", "team-key", hour0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Observe(r)
		}
	})
}
