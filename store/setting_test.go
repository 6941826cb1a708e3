package store_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		if _, err := s.GetSetting(ctx, "log_bodies"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing setting = %v", err)
		}
		if err := s.SetSetting(ctx, "log_bodies", "true"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, "log_bodies", "false"); err != nil {
			t.Fatalf("overwrite: %v", err)
		}
		if v, err := s.GetSetting(ctx, "log_bodies"); err != nil || v != "false" {
			t.Fatalf("GetSetting = %q, %v", v, err)
		}
		big := `{"retention":"7d","note":"ünïcødé ✓"}`
		if err := s.SetSettings(ctx, map[string]string{"ui": big, "empty": ""}); err != nil {
			t.Fatal(err)
		}
		all, err := s.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"log_bodies": "false", "ui": big, "empty": ""}; !reflect.DeepEqual(all, want) {
			t.Fatalf("Settings = %v, want %v", all, want)
		}
		var ve *store.ValidationError
		if err := s.SetSetting(ctx, "", "x"); !errors.As(err, &ve) {
			t.Fatalf("empty key = %v", err)
		}
		if err := s.DeleteSetting(ctx, "ui"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSetting(ctx, "ui"); err != nil {
			t.Fatalf("deleting a missing setting: %v", err)
		}
		if _, err := s.GetSetting(ctx, "ui"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted setting = %v", err)
		}
	})
}

// TestConfigVersion checks that every committed config change bumps the
// version once, and that failed changes and non-config writes do not.
func TestConfigVersion(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		v, err := s.ConfigVersion(ctx)
		if err != nil || v != 0 {
			t.Fatalf("fresh version = %d, %v", v, err)
		}
		step := func(what string, bumps bool, fn func() error) {
			t.Helper()
			before, _ := s.ConfigVersion(ctx)
			err := fn()
			after, verr := s.ConfigVersion(ctx)
			if verr != nil {
				t.Fatal(verr)
			}
			want := before
			if bumps {
				want++
			}
			if after != want {
				t.Errorf("%s (err %v): version %d → %d, want %d", what, err, before, after, want)
			}
		}
		var ch *store.Channel
		step("create channel", true, func() (err error) {
			ch, err = s.CreateChannel(ctx, store.Channel{Name: "c", Type: "openai_chat"})
			return err
		})
		step("update channel", true, func() error {
			_, err := s.UpdateChannel(ctx, ch.ID, store.Channel{Name: "c", Type: "anthropic"})
			return err
		})
		step("duplicate channel", false, func() error {
			_, err := s.CreateChannel(ctx, store.Channel{Name: "c", Type: "openai_chat"})
			return err
		})
		var g *store.Group
		step("create group", true, func() (err error) {
			g, err = s.CreateGroup(ctx, store.Group{Name: "g", Members: []store.Member{{Channel: "c", Model: "m"}}})
			return err
		})
		step("delete used channel", false, func() error { return s.DeleteChannel(ctx, ch.ID) })
		step("group with unknown channel", false, func() error {
			_, err := s.UpdateGroup(ctx, g.ID, store.Group{Name: "g", Members: []store.Member{{Channel: "x", Model: "m"}}})
			return err
		})
		var key *store.APIKey
		step("create key", true, func() (err error) {
			_, key, err = s.CreateAPIKey(ctx, store.APIKey{Name: "k"})
			return err
		})
		step("spend is no config change", false, func() error { return s.AddAPIKeySpend(ctx, "k", 1, key.CreatedAt) })
		step("set setting", true, func() error { return s.SetSetting(ctx, "a", "b") })
		step("set price", true, func() error {
			_, err := s.SetPrice(ctx, store.Price{Model: "m", Input: 1})
			return err
		})
		step("delete group", true, func() error { return s.DeleteGroup(ctx, g.ID) })
		step("delete channel", true, func() error { return s.DeleteChannel(ctx, ch.ID) })
		step("explicit bump", true, func() error {
			_, err := s.BumpConfigVersion(ctx)
			return err
		})

		got, err := s.BumpConfigVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur, _ := s.ConfigVersion(ctx); cur != got {
			t.Fatalf("BumpConfigVersion returned %d, ConfigVersion says %d", got, cur)
		}
	})
}

// TestConfigVersionIsShared opens two stores on one database, as two
// gateway instances would, and checks that each sees the other's bumps,
// including concurrent ones.
func TestConfigVersionIsShared(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			dsn := storetest.NewDatabase(t, d)
			open := func() *store.Store {
				s, err := store.Open(ctx, d, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return s
			}
			a, b := open(), open()
			if _, err := a.CreateChannel(ctx, store.Channel{Name: "c", Type: "gemini"}); err != nil {
				t.Fatal(err)
			}
			if v, err := b.ConfigVersion(ctx); err != nil || v != 1 {
				t.Fatalf("other instance sees version %d, %v; want 1", v, err)
			}
			const n = 10
			errs := make(chan error, 2*n)
			for range n {
				for _, s := range []*store.Store{a, b} {
					go func() {
						_, err := s.BumpConfigVersion(ctx)
						errs <- err
					}()
				}
			}
			for range 2 * n {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			if v, err := a.ConfigVersion(ctx); err != nil || v != 1+2*n {
				t.Fatalf("after %d concurrent bumps: version %d, %v; want %d", 2*n, v, err, 1+2*n)
			}
		})
	}
}
