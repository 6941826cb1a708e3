package store_test

import (
	"errors"
	"math"
	"testing"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestPrices(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		full := store.Price{
			Model: "gemini-2.5-pro", Input: 1.25, Output: 10,
			CacheRead: ptr(0.31), CacheWrite: ptr(4.5), Reasoning: ptr(10.0),
			LongContextThreshold: ptr(int64(200000)),
			LongInput:            ptr(2.5), LongOutput: ptr(15.0), LongCacheRead: ptr(0.625), LongCacheWrite: ptr(9.0),
		}
		p, err := s.SetPrice(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		if p.Source != store.PriceSourceUser || p.Channel != "" || *p.LongContextThreshold != 200000 || *p.LongCacheWrite != 9 {
			t.Fatalf("created price: %+v", p)
		}
		// The same (channel, model, source) is replaced, and nil clears.
		p2, err := s.SetPrice(ctx, store.Price{Model: "gemini-2.5-pro", Input: 2, Output: 12})
		if err != nil {
			t.Fatal(err)
		}
		if p2.ID != p.ID || p2.Input != 2 || p2.CacheRead != nil || p2.LongContextThreshold != nil || p2.LongInput != nil {
			t.Fatalf("replaced price: %+v", p2)
		}
		// Synced and channel prices are rows of their own.
		if _, err := s.SetPrice(ctx, store.Price{Model: "gemini-2.5-pro", Source: store.PriceSourceModelsDev, Input: 1.25, Output: 10}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetPrice(ctx, store.Price{Model: "gemini-2.5-pro", Channel: "ag", Input: 0, Output: 0}); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListPrices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 3 || list[0].Channel != "" || list[0].Source != store.PriceSourceModelsDev ||
			list[1].Source != store.PriceSourceUser || list[2].Channel != "ag" {
			t.Fatalf("ListPrices order/content: %+v %+v %+v", list[0], list[1], list[2])
		}
		for _, bad := range []store.Price{
			{Model: ""},
			{Model: "m", Input: -1},
			{Model: "m", Output: math.NaN()},
			{Model: "m", CacheRead: ptr(math.Inf(1))},
			{Model: "m", LongContextThreshold: ptr(int64(0))},
			{Model: "m", Channel: "bad name"},
			{Model: "m", Source: "Models Dev"},
		} {
			var ve *store.ValidationError
			if _, err := s.SetPrice(ctx, bad); !errors.As(err, &ve) {
				t.Errorf("SetPrice(%+v) = %v, want ValidationError", bad, err)
			}
		}
		if err := s.DeletePrice(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePrice(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete = %v", err)
		}
		if list, _ := s.ListPrices(ctx); len(list) != 2 {
			t.Fatalf("%d prices after delete, want 2", len(list))
		}
	})
}

func TestEnsureUnpricedPrice(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		// Several instances asking at once create one row.
		const callers = 4
		created := make(chan bool, callers)
		errs := make(chan error, callers)
		for range callers {
			go func() {
				ok, err := s.EnsureUnpricedPrice(ctx, "mystery-1")
				created <- ok
				errs <- err
			}()
		}
		n := 0
		for range callers {
			if <-created {
				n++
			}
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n > 1 {
			t.Fatalf("%d callers report creating the row", n)
		}
		rows, err := s.ListPrices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !rows[0].Unpriced || rows[0].Model != "mystery-1" || rows[0].Channel != "" ||
			rows[0].Source != store.PriceSourceUser || rows[0].Input != 0 || rows[0].Output != 0 {
			t.Fatalf("placeholder rows: %+v", rows)
		}
		// Filling it in (same model, no channel) replaces the row and
		// clears the flag.
		p, err := s.SetPrice(ctx, store.Price{Model: "mystery-1", Input: 1, Output: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != rows[0].ID || p.Unpriced {
			t.Fatalf("filled price: %+v (placeholder id %d)", p, rows[0].ID)
		}
		// A model with a default price gets no placeholder.
		if ok, err := s.EnsureUnpricedPrice(ctx, "mystery-1"); err != nil || ok {
			t.Fatalf("ensure on a priced model: created %v, %v", ok, err)
		}
		rows, err = s.ListPrices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Unpriced || rows[0].Input != 1 {
			t.Fatalf("rows after filling: %+v", rows)
		}
	})
}
