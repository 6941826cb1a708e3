package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// memberKeys reduces members to comparable (channel, model, priority,
// weight) tuples.
func memberKeys(ms []store.Member) []store.Member {
	out := make([]store.Member, len(ms))
	for i, m := range ms {
		out[i] = store.Member{Channel: m.Channel, Model: m.Model, Priority: m.Priority, Weight: m.Weight}
	}
	return out
}

func TestGroupCRUD(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		a := mustChannel(t, s, "a")
		mustChannel(t, s, "b")
		g, err := s.CreateGroup(ctx, store.Group{Name: "openai/gpt-4o:beta", Mode: "failover", MaxAttempts: 3, Members: []store.Member{
			{Channel: "b", Model: "gpt-4o", Priority: 2},
			{Channel: "a", Model: "gpt-4o", Priority: 1, Weight: 5},
			{Channel: "a", Model: "gpt-4o-mini", Priority: 2},
		}})
		if err != nil {
			t.Fatal(err)
		}
		// Members come back ordered by priority, then as entered; weight 0
		// became 1; ChannelID is filled in.
		want := []store.Member{
			{Channel: "a", Model: "gpt-4o", Priority: 1, Weight: 5},
			{Channel: "b", Model: "gpt-4o", Priority: 2, Weight: 1},
			{Channel: "a", Model: "gpt-4o-mini", Priority: 2, Weight: 1},
		}
		if g.Name != "openai/gpt-4o:beta" || g.Mode != "failover" || g.MaxAttempts != 3 || !reflect.DeepEqual(memberKeys(g.Members), want) {
			t.Fatalf("created group: %+v", g)
		}
		if g.Members[0].ChannelID != a.ID {
			t.Fatalf("ChannelID = %d, want %d", g.Members[0].ChannelID, a.ID)
		}

		// Update replaces the members wholesale; an empty mode is the default.
		u, err := s.UpdateGroup(ctx, g.ID, store.Group{Name: "renamed", Members: []store.Member{{Channel: "b", Model: "x"}}})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "renamed" || u.Mode != store.DefaultGroupMode || u.MaxAttempts != 0 ||
			!reflect.DeepEqual(memberKeys(u.Members), []store.Member{{Channel: "b", Model: "x", Weight: 1}}) {
			t.Fatalf("updated group: %+v", u)
		}
		if got, err := s.GetGroupByName(ctx, "renamed"); err != nil || got.ID != g.ID || len(got.Members) != 1 {
			t.Fatalf("GetGroupByName = %+v, %v", got, err)
		}

		empty, err := s.CreateGroup(ctx, store.Group{Name: "empty", Mode: "weighted"})
		if err != nil {
			t.Fatal(err)
		}
		if empty.Members == nil || len(empty.Members) != 0 {
			t.Fatalf("group without members: %+v", empty)
		}
		list, err := s.ListGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "empty" || list[1].Name != "renamed" || len(list[1].Members) != 1 {
			t.Fatalf("ListGroups: %+v", list)
		}

		if _, err := s.UpdateGroup(ctx, 999999, store.Group{Name: "ghost"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing group = %v", err)
		}
		if err := s.DeleteGroup(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetGroup(ctx, g.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
		if err := s.DeleteGroup(ctx, g.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if n, err := s.Client().GroupMember.Query().Count(ctx); err != nil || n != 0 {
			t.Fatalf("members left after deleting their group: %d, %v", n, err)
		}
	})
}

func TestGroupNameClash(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		g1, err := s.CreateGroup(ctx, store.Group{Name: "smart"})
		if err != nil {
			t.Fatal(err)
		}
		g2, err := s.CreateGroup(ctx, store.Group{Name: "fast"})
		if err != nil {
			t.Fatal(err)
		}
		var ce *store.ConflictError
		if _, err := s.CreateGroup(ctx, store.Group{Name: "smart"}); !errors.As(err, &ce) {
			t.Fatalf("duplicate create = %v, want ConflictError", err)
		}
		if _, err := s.UpdateGroup(ctx, g2.ID, store.Group{Name: "smart"}); !errors.As(err, &ce) {
			t.Fatalf("rename onto a taken name = %v, want ConflictError", err)
		}
		if _, err := s.UpdateGroup(ctx, g1.ID, store.Group{Name: "smart", Mode: "random"}); err != nil {
			t.Fatalf("update keeping the name: %v", err)
		}
	})
}

func TestGroupValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field string
		g     store.Group
	}{
		{"name", store.Group{Name: ""}},
		{"name", store.Group{Name: "two words"}},
		{"name", store.Group{Name: strings.Repeat("m", 256)}},
		{"mode", store.Group{Name: "g", Mode: "fastest"}},
		{"max_attempts", store.Group{Name: "g", MaxAttempts: -1}},
		{"members[0].channel", store.Group{Name: "g", Members: []store.Member{{Model: "m"}}}},
		{"members[0].model", store.Group{Name: "g", Members: []store.Member{{Channel: "c"}}}},
		{"members[0].weight", store.Group{Name: "g", Members: []store.Member{{Channel: "c", Model: "m", Weight: -1}}}},
		{"members[1]", store.Group{Name: "g", Members: []store.Member{{Channel: "c", Model: "m"}, {Channel: "c", Model: "m", Priority: 3}}}},
		// Names resolved against the database.
		{"members[1].channel", store.Group{Name: "g", Members: []store.Member{{Channel: "c", Model: "m"}, {Channel: "nope", Model: "m"}}}},
	}
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		mustChannel(t, s, "c")
		for _, tc := range tests {
			_, err := s.CreateGroup(ctx, tc.g)
			var ve *store.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("CreateGroup(%+v) = %v, want ValidationError on %q", tc.g, err, tc.field)
			}
		}
		var ve *store.ValidationError
		_, err := s.CreateGroup(ctx, tests[len(tests)-1].g)
		if !errors.As(err, &ve) || !strings.Contains(ve.Reason, `"nope"`) {
			t.Fatalf("unknown channel error does not name it: %v", err)
		}
		if n, err := s.Client().Group.Query().Count(ctx); err != nil || n != 0 {
			t.Fatalf("rejected groups were written: %d rows, %v", n, err)
		}
	})
}

func TestGroupNamingDeletedChannel(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		c := mustChannel(t, s, "gone")
		if err := s.DeleteChannel(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.CreateGroup(ctx, store.Group{Name: "g", Members: []store.Member{{Channel: "gone", Model: "m"}}})
		var ve *store.ValidationError
		if !errors.As(err, &ve) || ve.Field != "members[0].channel" || !strings.Contains(ve.Reason, `unknown channel "gone"`) {
			t.Fatalf("group naming a deleted channel = %v", err)
		}
	})
}

// TestGroupUpdateIsAtomic changes the name and members of a group, with
// the last member naming an unknown channel. The update writes the group
// row and deletes the old members before it finds that out, so only the
// transaction stands between the store and a half-written group.
func TestGroupUpdateIsAtomic(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		mustChannel(t, s, "a")
		mustChannel(t, s, "b")
		before, err := s.CreateGroup(ctx, store.Group{Name: "g", Mode: "failover", Members: []store.Member{
			{Channel: "a", Model: "m1"}, {Channel: "b", Model: "m2", Priority: 1},
		}})
		if err != nil {
			t.Fatal(err)
		}
		v0, err := s.ConfigVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.UpdateGroup(ctx, before.ID, store.Group{Name: "g-new", Mode: "random", Members: []store.Member{
			{Channel: "b", Model: "m3"}, {Channel: "missing", Model: "m4"},
		}})
		var ve *store.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("update = %v, want ValidationError", err)
		}
		after, err := s.GetGroup(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Name != "g" || after.Mode != "failover" || !reflect.DeepEqual(memberKeys(after.Members), memberKeys(before.Members)) {
			t.Fatalf("failed update left a half-written group:\nbefore %+v\nafter  %+v", before, after)
		}
		if v1, _ := s.ConfigVersion(ctx); v1 != v0 {
			t.Fatalf("failed update bumped the config version %d → %d", v0, v1)
		}
	})
}
