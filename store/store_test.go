package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// ctx is the context of every store call in these tests.
var ctx = context.Background()

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		// storetest.Open migrated once; data written in between must survive
		// two more runs, and the runs must not fail on existing objects.
		if _, err := s.CreateChannel(ctx, store.Channel{Name: "c1", Type: "openai_chat", Enabled: true}); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("migrate run %d: %v", i+2, err)
			}
		}
		if _, err := s.GetChannelByName(ctx, "c1"); err != nil {
			t.Fatalf("channel lost across migrations: %v", err)
		}
	})
}

func TestOpenRejectsUnknownDriver(t *testing.T) {
	t.Parallel()
	_, err := store.Open(ctx, "oracle", "x")
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Open(oracle) = %v, want *ValidationError", err)
	}
}
