package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("fresh store has %d users, %v", n, err)
		}
		u, err := s.CreateUser(ctx, "admin", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		row, err := s.Client().User.Get(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(row.PasswordHash, "$2") || strings.Contains(row.PasswordHash, "correct horse") {
			t.Fatalf("password not stored as a bcrypt hash: %q", row.PasswordHash)
		}
		var ce *store.ConflictError
		if _, err := s.CreateUser(ctx, "admin", "x"); !errors.As(err, &ce) {
			t.Fatalf("duplicate user = %v, want ConflictError", err)
		}
		var ve *store.ValidationError
		if _, err := s.CreateUser(ctx, "bob", ""); !errors.As(err, &ve) || ve.Field != "password" {
			t.Fatalf("empty password = %v", err)
		}
		if _, err := s.CreateUser(ctx, "bob", strings.Repeat("p", store.MaxPasswordLen+1)); !errors.As(err, &ve) {
			t.Fatalf("too long password = %v", err)
		}

		if got, err := s.Authenticate(ctx, "admin", "correct horse"); err != nil || got.ID != u.ID {
			t.Fatalf("Authenticate = %+v, %v", got, err)
		}
		for _, c := range [][2]string{{"admin", "wrong"}, {"nobody", "correct horse"}, {"admin", ""}} {
			if _, err := s.Authenticate(ctx, c[0], c[1]); !errors.Is(err, store.ErrBadCredentials) {
				t.Errorf("Authenticate(%q, %q) = %v, want ErrBadCredentials", c[0], c[1], err)
			}
		}

		// Changing the password ends the user's sessions.
		tok, _, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, u.ID, "battery staple"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session survived a password change: %v", err)
		}
		if _, err := s.Authenticate(ctx, "admin", "correct horse"); !errors.Is(err, store.ErrBadCredentials) {
			t.Fatal("old password still works")
		}
		if _, err := s.Authenticate(ctx, "admin", "battery staple"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if err := s.SetPassword(ctx, 999999, "pw"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SetPassword of a missing user = %v", err)
		}

		if got, err := s.GetUserByName(ctx, "admin"); err != nil || got.ID != u.ID {
			t.Fatalf("GetUserByName = %+v, %v", got, err)
		}
		if got, err := s.GetUser(ctx, u.ID); err != nil || got.Username != "admin" {
			t.Fatalf("GetUser = %+v, %v", got, err)
		}
		if list, err := s.ListUsers(ctx); err != nil || len(list) != 1 {
			t.Fatalf("ListUsers = %+v, %v", list, err)
		}

		// Deleting a user deletes their sessions too.
		tok, _, err = s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session of a deleted user: %v", err)
		}
		if n, _ := s.CountUsers(ctx); n != 0 {
			t.Fatalf("%d users after delete", n)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		u, err := s.CreateUser(ctx, "admin", "pw")
		if err != nil {
			t.Fatal(err)
		}
		tok, sess, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) < 40 || sess.Username != "admin" || sess.ExpiresAt.Sub(time.Now()) < 59*time.Minute {
			t.Fatalf("CreateSession = %q, %+v", tok, sess)
		}
		row := s.Client().Session.Query().OnlyX(ctx)
		if row.TokenHash != store.HashSecret(tok) {
			t.Fatal("the stored token is not the token's hash")
		}

		got, err := s.GetSession(ctx, tok)
		if err != nil || got.ID != sess.ID || got.UserID != u.ID || got.Username != "admin" {
			t.Fatalf("GetSession = %+v, %v", got, err)
		}
		if _, err := s.GetSession(ctx, tok[:len(tok)-1]); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetSession of a wrong token = %v", err)
		}

		// Sliding expiry.
		later := time.Now().Add(48 * time.Hour)
		if err := s.TouchSession(ctx, sess.ID, later); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetSession(ctx, tok); got.ExpiresAt.Sub(later).Abs() > time.Millisecond || !got.LastSeen.After(sess.LastSeen.Add(-time.Millisecond)) {
			t.Fatalf("after touch: %+v", got)
		}

		// An expired session is not found and is purged.
		if err := s.TouchSession(ctx, sess.ID, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session = %v", err)
		}
		live, _, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.PurgeExpiredSessions(ctx); err != nil || n != 1 {
			t.Fatalf("PurgeExpiredSessions = %d, %v; want 1", n, err)
		}
		if _, err := s.GetSession(ctx, live); err != nil {
			t.Fatalf("live session purged: %v", err)
		}

		if err := s.DeleteSession(ctx, live); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetSession(ctx, live); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session after logout = %v", err)
		}
		if err := s.DeleteSession(ctx, live); err != nil {
			t.Fatalf("logout twice: %v", err)
		}

		if _, _, err := s.CreateSession(ctx, 999999, time.Hour); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session for a missing user = %v", err)
		}
		var ve *store.ValidationError
		if _, _, err := s.CreateSession(ctx, u.ID, 0); !errors.As(err, &ve) {
			t.Fatalf("zero ttl = %v", err)
		}
	})
}
