package usage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

func TestSpendRefreshAndObserve(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = st.AddStats(ctx, []store.StatsDelta{
		{Hour: now, Channel: "a", Model: "m", APIKey: "team", Requests: 1, Cost: 1.5},
		{Hour: now.Add(-2 * time.Hour), Channel: "b", Model: "m", APIKey: "team", Requests: 1, Cost: 2},
		{Hour: now, Channel: "a", Model: "m", APIKey: "other", Requests: 1, Cost: 0.25},
	})
	if err != nil {
		t.Fatal(err)
	}
	var s Spend
	for i := 0; i < 2; i++ { // a reload refreshes again: must not double
		if err := s.Refresh(ctx, st, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Spent("team"); got != 3.5 {
		t.Fatalf("team spent %v, want 3.5", got)
	}
	s.Observe(&relay.Record{Key: "team"}) // no pricing yet: nothing added
	s.SetCost(func(rec *relay.Record) (float64, bool) { return 0.5, true })
	s.Observe(&relay.Record{Key: "team"})
	if got, other := s.Spent("team"), s.Spent("other"); got != 4 || other != 0.25 {
		t.Fatalf("team %v other %v", got, other)
	}
}

// TestSpendConvergesAcrossInstances: two instances (counters and spend
// each) on one store. Each sees its own requests at once and the other's
// once they are flushed and it refreshed; nothing counts twice.
func TestSpendConvergesAcrossInstances(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	price := func(*relay.Record) (float64, bool) { return 0.5, true }
	type instance struct {
		c *Counters
		s *Spend
	}
	newInstance := func() instance {
		in := instance{NewCounters(nil), new(Spend)}
		in.c.SetCost(price)
		in.s.SetCost(price)
		if err := in.s.Refresh(ctx, st, in.c); err != nil {
			t.Fatal(err)
		}
		return in
	}
	a, b := newInstance(), newInstance()
	serve := func(in instance, n int) {
		for range n {
			rec := &relay.Record{Key: "team", Channel: "ch", Model: "m", Status: 200, Start: time.Now()}
			in.c.Observe(rec)
			in.s.Observe(rec)
		}
	}
	check := func(when string, wantA, wantB float64) {
		t.Helper()
		if ga, gb := a.s.Spent("team"), b.s.Spent("team"); ga != wantA || gb != wantB {
			t.Fatalf("%s: A spent %v, B %v; want %v, %v", when, ga, gb, wantA, wantB)
		}
	}
	refresh := func(ins ...instance) {
		t.Helper()
		for _, in := range ins {
			if err := in.s.Refresh(ctx, st, in.c); err != nil {
				t.Fatal(err)
			}
		}
	}
	flush := func(in instance) {
		t.Helper()
		if err := in.c.Flush(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	serve(a, 3)
	serve(b, 2)
	check("unflushed", 1.5, 1)
	refresh(a, b)
	check("refreshed before any flush", 1.5, 1)
	flush(a)
	refresh(a, b)
	check("A flushed", 1.5, 2.5)
	flush(b)
	refresh(a, b)
	check("both flushed", 2.5, 2.5)
	serve(a, 1)
	refresh(a, b)
	check("A served one more, unflushed", 3, 2.5)
	flush(a)
	refresh(a, b)
	refresh(a, b)
	check("all flushed, refreshed twice", 3, 3)
	// A new instance (a restart) starts from the stored total.
	check2 := newInstance()
	if got := check2.s.Spent("team"); got != 3 {
		t.Fatalf("restarted instance: %v, want 3", got)
	}
}

func BenchmarkSpendObserve(b *testing.B) {
	var s Spend
	s.SetCost(func(*relay.Record) (float64, bool) { return 0.001, true })
	rec := &relay.Record{Key: "team"}
	b.ReportAllocs()
	for b.Loop() {
		s.Observe(rec)
		_ = s.Spent("team")
	}
}
