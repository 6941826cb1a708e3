package usage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

func TestSpendSeedOnceAndObserve(t *testing.T) {
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
	for i := 0; i < 2; i++ { // a reload seeds again: must not double
		if err := s.Seed(ctx, st); err != nil {
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
