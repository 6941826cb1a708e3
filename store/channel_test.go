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

// fullChannel sets every editable field, so a round trip proves each column.
func fullChannel(name string) store.Channel {
	return store.Channel{
		Name: name, Type: "antigravity", BaseURL: "https://cloudcode.example.com",
		Keys:             []string{"1//refresh-a", "ya29.access-b"},
		Models:           []string{"gemini-2.5-flash", "claude-sonnet-4-5"},
		Headers:          map[string]string{"X-Goog-User-Project": "p1", "anthropic-version": "2023-06-01"},
		Proxy:            "socks5://127.0.0.1:1080",
		Timeout:          90 * time.Second,
		IdleTimeout:      2 * time.Minute,
		Enabled:          true,
		AutoSync:         true,
		AnthropicVersion: "2023-06-01",
		Project:          "my-project",
		TokenURL:         "https://oauth2.googleapis.com/token",
		ClientID:         "client-id",
		ClientSecret:     "client-secret",
	}
}

// editable strips the fields the store owns, for comparing input and output.
func editable(c *store.Channel) store.Channel {
	out := *c
	out.ID, out.CreatedAt, out.UpdatedAt, out.LastSyncAt, out.LastSyncResult = 0, time.Time{}, time.Time{}, nil, nil
	return out
}

func TestChannelCRUD(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		in := fullChannel("ag")
		c, err := s.CreateChannel(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.CreatedAt.IsZero() || c.UpdatedAt.IsZero() {
			t.Fatalf("created channel lacks id or times: %+v", c)
		}
		got, err := s.GetChannel(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(editable(got), in) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", editable(got), in)
		}
		if byName, err := s.GetChannelByName(ctx, "ag"); err != nil || byName.ID != c.ID {
			t.Fatalf("GetChannelByName = %+v, %v", byName, err)
		}

		// A minimal channel reads back with empty, non-nil collections.
		min, err := s.CreateChannel(ctx, store.Channel{Name: "a-min", Type: "openai_chat"})
		if err != nil {
			t.Fatal(err)
		}
		if min.Keys == nil || min.Models == nil || min.Headers == nil || min.Enabled {
			t.Fatalf("minimal channel: %+v", min)
		}

		// Update replaces every editable field, including a rename.
		upd := store.Channel{Name: "ag2", Type: "gemini", Keys: []string{"AIza-1"}, Enabled: false}
		u, err := s.UpdateChannel(ctx, c.ID, upd)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(editable(u), store.Channel{Name: "ag2", Type: "gemini", Keys: []string{"AIza-1"}, Models: []string{}, Headers: map[string]string{}}) {
			t.Fatalf("after update: %+v", editable(u))
		}
		if _, err := s.GetChannelByName(ctx, "ag"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old name still found after rename: %v", err)
		}

		list, err := s.ListChannels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "a-min" || list[1].Name != "ag2" {
			t.Fatalf("list not sorted by name: %v", names(list))
		}

		if err := s.DeleteChannel(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetChannel(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
		if err := s.DeleteChannel(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := s.UpdateChannel(ctx, 999999, upd); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing channel: %v", err)
		}
	})
}

func names(cs []*store.Channel) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func TestChannelNameClash(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		a, err := s.CreateChannel(ctx, store.Channel{Name: "one", Type: "anthropic"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateChannel(ctx, store.Channel{Name: "two", Type: "anthropic"})
		if err != nil {
			t.Fatal(err)
		}
		var ce *store.ConflictError
		if _, err := s.CreateChannel(ctx, store.Channel{Name: "one", Type: "gemini"}); !errors.As(err, &ce) || !strings.Contains(ce.Reason, `"one"`) {
			t.Fatalf("duplicate create = %v, want ConflictError naming it", err)
		}
		if _, err := s.UpdateChannel(ctx, b.ID, store.Channel{Name: "one", Type: "gemini"}); !errors.As(err, &ce) {
			t.Fatalf("rename onto a taken name = %v, want ConflictError", err)
		}
		// Keeping one's own name is not a clash; names are case-sensitive.
		if _, err := s.UpdateChannel(ctx, a.ID, store.Channel{Name: "one", Type: "gemini"}); err != nil {
			t.Fatalf("update keeping the name: %v", err)
		}
		if _, err := s.CreateChannel(ctx, store.Channel{Name: "ONE", Type: "gemini"}); err != nil {
			t.Fatalf("names must be case-sensitive on every database: %v", err)
		}
	})
}

func TestChannelValidation(t *testing.T) {
	t.Parallel()
	ok := store.Channel{Name: "ok", Type: "openai_chat"}
	tests := []struct {
		field string
		edit  func(c *store.Channel)
	}{
		{"name", func(c *store.Channel) { c.Name = "" }},
		{"name", func(c *store.Channel) { c.Name = "has space" }},
		{"name", func(c *store.Channel) { c.Name = strings.Repeat("x", 129) }},
		{"type", func(c *store.Channel) { c.Type = "" }},
		{"type", func(c *store.Channel) { c.Type = "Open AI" }},
		{"type", func(c *store.Channel) { c.Type = "cohere" }}, // not in SetChannelTypes
		{"base_url", func(c *store.Channel) { c.BaseURL = "api.openai.com/v1" }},
		{"base_url", func(c *store.Channel) { c.BaseURL = "ftp://api.openai.com" }},
		{"keys[1]", func(c *store.Channel) { c.Keys = []string{"k", " "} }},
		{"keys[0]", func(c *store.Channel) { c.Keys = []string{"k\r\nX-Evil: 1"} }},
		{"models[1]", func(c *store.Channel) { c.Models = []string{"m", "m"} }},
		{"models[0]", func(c *store.Channel) { c.Models = []string{""} }},
		{"headers", func(c *store.Channel) { c.Headers = map[string]string{"Bad Name": "v"} }},
		{"headers", func(c *store.Channel) { c.Headers = map[string]string{"X-A": "v\nX-B: w"} }},
		{"proxy", func(c *store.Channel) { c.Proxy = "gopher://proxy:70" }},
		{"timeout", func(c *store.Channel) { c.Timeout = -time.Second }},
		{"idle_timeout", func(c *store.Channel) { c.IdleTimeout = -time.Second }},
		{"token_url", func(c *store.Channel) { c.TokenURL = "not a url" }},
	}
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		s.SetChannelTypes("openai_chat", "anthropic", "gemini")
		existing, err := s.CreateChannel(ctx, ok)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			c := ok
			c.Name = "other"
			tc.edit(&c)
			var ve *store.ValidationError
			if _, err := s.CreateChannel(ctx, c); !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("create %+v: err = %v, want ValidationError on %q", c, err, tc.field)
			}
			if _, err := s.UpdateChannel(ctx, existing.ID, c); !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("update %+v: err = %v, want ValidationError on %q", c, err, tc.field)
			}
		}
		// Nothing invalid was written.
		list, err := s.ListChannels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || !reflect.DeepEqual(editable(list[0]), editable(existing)) {
			t.Fatalf("invalid input changed the store: %+v", list)
		}
	})
}

func TestDeleteChannelInUse(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		ch := mustChannel(t, s, "shared")
		mustChannel(t, s, "spare")
		for _, g := range []string{"zeta", "alpha"} {
			if _, err := s.CreateGroup(ctx, store.Group{Name: g, Members: []store.Member{
				{Channel: "shared", Model: "m1"}, {Channel: "shared", Model: "m2"}, {Channel: "spare", Model: "m1"},
			}}); err != nil {
				t.Fatal(err)
			}
		}
		err := s.DeleteChannel(ctx, ch.ID)
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("delete of a used channel = %v, want ConflictError", err)
		}
		if !reflect.DeepEqual(ce.UsedBy, []string{"alpha", "zeta"}) {
			t.Fatalf("UsedBy = %v, want [alpha zeta] (sorted, once each)", ce.UsedBy)
		}
		if !strings.Contains(ce.Error(), `"alpha"`) || !strings.Contains(ce.Error(), `"zeta"`) {
			t.Fatalf("message does not name the groups: %v", ce)
		}
		if _, err := s.GetChannel(ctx, ch.ID); err != nil {
			t.Fatalf("used channel is gone: %v", err)
		}
		// Once no group uses it, it can go.
		for _, g := range []string{"alpha", "zeta"} {
			grp, err := s.GetGroupByName(ctx, g)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteGroup(ctx, grp.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteChannel(ctx, ch.ID); err != nil {
			t.Fatalf("delete of an unused channel: %v", err)
		}
	})
}

func TestRecordChannelSync(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		c := mustChannel(t, s, "sync", "m1", "m2")
		if _, err := s.CreateGroup(ctx, store.Group{Name: "g", Members: []store.Member{
			{Channel: "sync", Model: "m1"}, {Channel: "sync", Model: "m2", Priority: 1},
		}}); err != nil {
			t.Fatal(err)
		}
		missing := func() []bool {
			g, err := s.GetGroupByName(ctx, "g")
			if err != nil {
				t.Fatal(err)
			}
			return []bool{g.Members[0].Missing, g.Members[1].Missing}
		}

		// m2 vanished upstream.
		if err := s.RecordChannelSync(ctx, c.ID, []string{"m1", "m3"}, store.SyncResult{OK: true, Added: []string{"m3"}, Removed: []string{"m2"}}); err != nil {
			t.Fatal(err)
		}
		if got := missing(); !reflect.DeepEqual(got, []bool{false, true}) {
			t.Fatalf("missing after m2 vanished = %v", got)
		}
		got, err := s.GetChannel(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Models, []string{"m1", "m3"}) || got.LastSyncAt == nil ||
			got.LastSyncResult == nil || !reflect.DeepEqual(got.LastSyncResult.Added, []string{"m3"}) {
			t.Fatalf("channel after sync: %+v", got)
		}

		// A failed sync records the error and changes nothing else.
		if err := s.RecordChannelSync(ctx, c.ID, nil, store.SyncResult{Error: "401"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetChannel(ctx, c.ID); !reflect.DeepEqual(got.Models, []string{"m1", "m3"}) || got.LastSyncResult.Error != "401" {
			t.Fatalf("channel after failed sync: %+v", got)
		}

		// m2 is back.
		if err := s.RecordChannelSync(ctx, c.ID, []string{"m1", "m2"}, store.SyncResult{OK: true}); err != nil {
			t.Fatal(err)
		}
		if got := missing(); !reflect.DeepEqual(got, []bool{false, false}) {
			t.Fatalf("missing after m2 came back = %v", got)
		}
	})
}

// mustChannel creates an openai_chat channel serving models.
func mustChannel(t *testing.T, s *store.Store, name string, models ...string) *store.Channel {
	t.Helper()
	c, err := s.CreateChannel(ctx, store.Channel{Name: name, Type: "openai_chat", Models: models, Enabled: true})
	if err != nil {
		t.Fatalf("create channel %q: %v", name, err)
	}
	return c
}
