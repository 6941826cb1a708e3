package store

import (
	"context"
	"fmt"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	entsession "github.com/octopuscaddy/octopus/ent/session"
)

// sessionTokenChars is the length of a session token: 43 base62 characters
// carry 256 bits.
const sessionTokenChars = 43

// Session is a logged-in panel session.
type Session struct {
	ID        int       `json:"id"`
	UserID    int       `json:"user_id"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// CreateSession starts a session for user id lasting ttl and returns its
// token, for the cookie. Only the token's hash is stored.
func (s *Store) CreateSession(ctx context.Context, userID int, ttl time.Duration) (token string, _ *Session, _ error) {
	if ttl <= 0 {
		return "", nil, invalid("ttl", "must be positive")
	}
	u, err := s.client.User.Get(ctx, userID)
	if err != nil {
		return "", nil, mapErr(err, "user", userID)
	}
	token = randomBase62(sessionTokenChars)
	now := time.Now().UTC()
	row, err := s.client.Session.Create().
		SetTokenHash(HashSecret(token)).
		SetUserID(userID).
		SetCreatedAt(now).
		SetLastSeen(now).
		SetExpiresAt(now.Add(ttl)).
		Save(ctx)
	if err != nil {
		// A foreign-key error here means the user was deleted meanwhile.
		if ent.IsConstraintError(err) {
			return "", nil, notFound("user", userID)
		}
		return "", nil, fmt.Errorf("store: create session: %w", err)
	}
	row.Edges.User = u
	return token, sessionFromEnt(row), nil
}

// GetSession returns the live session whose token is token. An unknown or
// expired token is ErrNotFound.
func (s *Store) GetSession(ctx context.Context, token string) (*Session, error) {
	row, err := s.client.Session.Query().
		Where(entsession.TokenHash(HashSecret(token)), entsession.ExpiresAtGT(time.Now().UTC())).
		WithUser().
		Only(ctx)
	if err != nil {
		if ent.IsNotFound(err) {
			return nil, fmt.Errorf("session: %w", ErrNotFound)
		}
		return nil, fmt.Errorf("store: look up session: %w", err)
	}
	return sessionFromEnt(row), nil
}

// TouchSession records a use of session id and moves its expiry to
// expiresAt (sliding sessions). A zero expiresAt keeps the expiry.
func (s *Store) TouchSession(ctx context.Context, id int, expiresAt time.Time) error {
	u := s.client.Session.UpdateOneID(id).SetLastSeen(time.Now().UTC())
	if !expiresAt.IsZero() {
		u.SetExpiresAt(expiresAt.UTC())
	}
	return mapErr(u.Exec(ctx), "session", id)
}

// DeleteSession ends the session whose token is token (logout). Ending an
// unknown session is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.client.Session.Delete().Where(entsession.TokenHash(HashSecret(token))).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of user id.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int) error {
	return s.withTx(ctx, func(tx *ent.Tx) error { return deleteUserSessions(ctx, tx, userID) })
}

// PurgeExpiredSessions deletes sessions that expired before now and
// returns how many.
func (s *Store) PurgeExpiredSessions(ctx context.Context) (int, error) {
	n, err := s.client.Session.Delete().Where(entsession.ExpiresAtLTE(time.Now().UTC())).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: purge sessions: %w", err)
	}
	return n, nil
}

// deleteUserSessions deletes user id's sessions inside tx.
func deleteUserSessions(ctx context.Context, tx *ent.Tx, userID int) error {
	if _, err := tx.Session.Delete().Where(entsession.UserID(userID)).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// sessionFromEnt converts a row loaded with its user.
func sessionFromEnt(r *ent.Session) *Session {
	out := &Session{
		ID: r.ID, UserID: r.UserID,
		ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(), LastSeen: r.LastSeen.UTC(),
	}
	if r.Edges.User != nil {
		out.Username = r.Edges.User.Username
	}
	return out
}
