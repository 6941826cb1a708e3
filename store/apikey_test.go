package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func TestAPIKeyLifecycle(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
		maxCost := 50.0
		secret, k, err := s.CreateAPIKey(ctx, store.APIKey{
			Name: "team-a", Models: []string{"smart", "fast"}, ExpiresAt: &exp, MaxCost: &maxCost, Enabled: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, store.APIKeySecretPrefix) || len(secret) != len(store.APIKeySecretPrefix)+43 {
			t.Fatalf("secret %q has the wrong shape", secret)
		}
		if k.KeyHash != store.HashSecret(secret) || !strings.HasPrefix(secret, k.KeyPrefix) || len(k.KeyPrefix) != 12 {
			t.Fatalf("hash/prefix do not match the secret: %+v", k)
		}
		if strings.Contains(k.KeyHash, secret) || k.KeyHash == secret {
			t.Fatal("the secret itself is stored")
		}
		if !k.ExpiresAt.Equal(exp) || k.ExpiresAt.Location() != time.UTC || *k.MaxCost != 50 || !k.Enabled || k.Spent != 0 {
			t.Fatalf("created key: %+v", k)
		}

		got, err := s.LookupAPIKey(ctx, secret)
		if err != nil || got.ID != k.ID || !reflect.DeepEqual(got.Models, []string{"smart", "fast"}) {
			t.Fatalf("LookupAPIKey = %+v, %v", got, err)
		}
		if _, err := s.LookupAPIKey(ctx, secret+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("lookup of a wrong secret = %v", err)
		}
		if got, err := s.GetAPIKey(ctx, k.ID); err != nil || got.Name != "team-a" {
			t.Fatalf("GetAPIKey = %+v, %v", got, err)
		}

		// Two keys never share a secret.
		secret2, k2, err := s.CreateAPIKey(ctx, store.APIKey{Name: "team-b"})
		if err != nil {
			t.Fatal(err)
		}
		if secret2 == secret || k2.KeyHash == k.KeyHash {
			t.Fatal("two keys got the same secret")
		}
		if k2.Enabled || k2.ExpiresAt != nil || k2.MaxCost != nil || k2.Models == nil {
			t.Fatalf("minimal key: %+v", k2)
		}

		// Update keeps the secret, clears what is nil.
		u, err := s.UpdateAPIKey(ctx, k.ID, store.APIKey{Name: "team-a2", Enabled: false})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "team-a2" || u.ExpiresAt != nil || u.MaxCost != nil || len(u.Models) != 0 || u.KeyHash != k.KeyHash {
			t.Fatalf("updated key: %+v", u)
		}
		if got, err := s.LookupAPIKey(ctx, secret); err != nil || got.Name != "team-a2" {
			t.Fatalf("secret no longer works after update: %+v, %v", got, err)
		}

		// Spend adds up and sets the last use.
		used := time.Now()
		for range 2 {
			if err := s.AddAPIKeySpend(ctx, "team-a2", 1.25, used); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = s.GetAPIKey(ctx, k.ID)
		if got.Spent != 2.5 || got.LastUsedAt == nil || got.LastUsedAt.Sub(used).Abs() > time.Millisecond {
			t.Fatalf("after spending: %+v", got)
		}
		if err := s.AddAPIKeySpend(ctx, "nobody", 1, used); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("spend on an unknown key = %v", err)
		}

		list, err := s.ListAPIKeys(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "team-a2" || list[1].Name != "team-b" {
			t.Fatalf("ListAPIKeys = %+v, %v", list, err)
		}
		if err := s.DeleteAPIKey(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupAPIKey(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted key still found: %v", err)
		}
		if err := s.DeleteAPIKey(ctx, k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete = %v", err)
		}
	})
}

func TestAPIKeyValidationAndClash(t *testing.T) {
	t.Parallel()
	neg := -1.0
	tests := []struct {
		field string
		k     store.APIKey
	}{
		{"name", store.APIKey{}},
		{"name", store.APIKey{Name: "a b"}},
		{"models[1]", store.APIKey{Name: "k", Models: []string{"g", "g"}}},
		{"max_cost", store.APIKey{Name: "k", MaxCost: &neg}},
	}
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		for _, tc := range tests {
			var ve *store.ValidationError
			if _, _, err := s.CreateAPIKey(ctx, tc.k); !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("CreateAPIKey(%+v) = %v, want ValidationError on %q", tc.k, err, tc.field)
			}
		}
		_, a, err := s.CreateAPIKey(ctx, store.APIKey{Name: "dup"})
		if err != nil {
			t.Fatal(err)
		}
		_, b, err := s.CreateAPIKey(ctx, store.APIKey{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		var ce *store.ConflictError
		if _, _, err := s.CreateAPIKey(ctx, store.APIKey{Name: "dup"}); !errors.As(err, &ce) {
			t.Fatalf("duplicate name = %v, want ConflictError", err)
		}
		if _, err := s.UpdateAPIKey(ctx, b.ID, store.APIKey{Name: "dup"}); !errors.As(err, &ce) {
			t.Fatalf("rename onto a taken name = %v, want ConflictError", err)
		}
		if _, err := s.UpdateAPIKey(ctx, a.ID, store.APIKey{Name: "dup", Enabled: true}); err != nil {
			t.Fatalf("update keeping the name: %v", err)
		}
	})
}

func TestAPIKeyUsable(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	limit := 10.0
	tests := []struct {
		name string
		k    store.APIKey
		want bool
	}{
		{"enabled", store.APIKey{Enabled: true}, true},
		{"disabled", store.APIKey{}, false},
		{"expired", store.APIKey{Enabled: true, ExpiresAt: &past}, false},
		{"expires at now", store.APIKey{Enabled: true, ExpiresAt: &now}, false},
		{"not yet expired", store.APIKey{Enabled: true, ExpiresAt: &future}, true},
		{"under limit", store.APIKey{Enabled: true, MaxCost: &limit, Spent: 9.99}, true},
		{"at limit", store.APIKey{Enabled: true, MaxCost: &limit, Spent: 10}, false},
	}
	for _, tc := range tests {
		if got := tc.k.Usable(now); got != tc.want {
			t.Errorf("%s: Usable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
