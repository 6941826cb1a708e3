package store_test

import (
	"testing"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// TestForeignKeysEnforced goes around the store's own checks, straight to
// the ent client, to prove the database itself enforces the foreign keys
// (on SQLite that needs the foreign_keys pragma on every connection).
func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		c := mustChannel(t, s, "c")
		g, err := s.CreateGroup(ctx, store.Group{Name: "g", Members: []store.Member{{Channel: "c", Model: "m"}}})
		if err != nil {
			t.Fatal(err)
		}
		client := s.Client()

		// A member naming a channel that does not exist.
		if err := client.GroupMember.Create().SetGroupID(g.ID).SetChannelID(c.ID + 1000).SetModel("m2").Exec(ctx); err == nil {
			t.Fatal("inserted a member whose channel does not exist")
		}
		// Deleting a channel a member refers to (ON DELETE RESTRICT).
		if err := client.Channel.DeleteOneID(c.ID).Exec(ctx); err == nil {
			t.Fatal("deleted a channel that a group member refers to")
		}
		// Deleting a group deletes its members (ON DELETE CASCADE).
		if err := client.Group.DeleteOneID(g.ID).Exec(ctx); err != nil {
			t.Fatalf("delete group: %v", err)
		}
		if n := client.GroupMember.Query().CountX(ctx); n != 0 {
			t.Fatalf("%d members outlived their group", n)
		}
		// A session for a user who does not exist.
		if err := client.Session.Create().SetTokenHash(store.HashSecret("t")).SetUserID(424242).
			SetExpiresAt(c.CreatedAt).Exec(ctx); err == nil {
			t.Fatal("inserted a session whose user does not exist")
		}
	})
}

// TestSQLitePragmas checks the connection settings Open promises for SQLite
// on every pooled connection, not just the first.
func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, store.SQLite)
	db := s.DB()
	conns := make([]interface{ Close() error }, 0, 3)
	for range 3 {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		var fk int
		var mode string
		var busy int
		if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || mode != "wal" || busy != 5000 {
			t.Fatalf("connection %d: foreign_keys=%d journal_mode=%s busy_timeout=%d", len(conns), fk, mode, busy)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}
