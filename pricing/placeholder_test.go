package pricing

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/transform"
)

// waitFor polls cond until it holds; the deadline only ends a test that
// would otherwise hang, it measures nothing.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUnpricedPlaceholder(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := NewService(Config{Store: st})
	defer s.Close()
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	rec := func(model string, status int) *relay.Record {
		return &relay.Record{Channel: "c", Model: model, Status: status,
			Usage: transform.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}}
	}
	// Many concurrent requests for one unknown model ask for one row.
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, ok := s.Cost(rec("mystery", 200)); ok {
				t.Error("unknown model priced")
			}
		})
	}
	// A failed request does not make a placeholder.
	if _, ok := s.Cost(rec("typo-model", 502)); ok {
		t.Error("unknown model priced")
	}
	wg.Wait()
	waitFor(t, "the placeholder", func() bool { return s.Table().HasPlaceholder("mystery") })
	rows, err := st.ListPrices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Model != "mystery" || !rows[0].Unpriced || rows[0].Channel != "" {
		t.Fatalf("price rows: %+v", rows)
	}
	// The placeholder prices nothing.
	if usd, ok := s.Cost(rec("mystery", 200)); ok || usd != 0 {
		t.Fatalf("placeholder priced a request: %v %v", usd, ok)
	}
	// A models.dev price that arrives later is not shadowed by it.
	s.setDev([]Entry{{Model: "mystery", Price: Price{Input: 1, Output: 1}}}, time.Now())
	if usd, ok := s.Cost(rec("mystery", 200)); !ok || !near(usd, 2) {
		t.Fatalf("models.dev price behind a placeholder: %v %v", usd, ok)
	}
	s.setDev(nil, time.Now())
	// Filled in by the admin, it prices the next requests.
	if _, err := st.SetPrice(ctx, store.Price{Model: "mystery", Input: 3, Output: 5}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if usd, ok := s.Cost(rec("mystery", 200)); !ok || !near(usd, 8) {
		t.Fatalf("filled placeholder: %v %v, want 8", usd, ok)
	}
	if s.Table().HasPlaceholder("mystery") {
		t.Fatal("filled row still a placeholder")
	}
	rows, err = st.ListPrices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("rows after filling: %+v", rows)
	}
}
