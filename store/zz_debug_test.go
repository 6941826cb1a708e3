package store_test

import (
	"os"
	"testing"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func TestZZDumpDDL(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		s2, err := store.Open(ctx, s.Driver(), "")
		_ = s2
		_ = err
		if err := s.Client().Schema.WriteTo(ctx, os.Stdout); err != nil {
			t.Fatal(err)
		}
	})
}
