package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/schema"
	entuser "github.com/octopuscaddy/octopus/ent/user"
)

// MaxPasswordLen is bcrypt's limit: it ignores (newer versions refuse)
// bytes past the 72nd, so longer passwords are refused up front.
const MaxPasswordLen = 72

// PasswordCost is the bcrypt cost of new password hashes (about 50 ms a
// check on a small server: slow for guessing, fine for logins).
const PasswordCost = bcrypt.DefaultCost

// dummyHash is compared against when a username is unknown, so a login
// for a missing user costs as long as one with a wrong password. It is made
// on first use rather than at init, which would slow every program start.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("octopus-dummy-password"), PasswordCost)
	return h
})

// User is an admin account of the web panel.
type User struct {
	ID        int       `json:"id"`
	Username  string    `json:"username"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CreateUser stores a new user with a bcrypt hash of password.
func (s *Store) CreateUser(ctx context.Context, username, password string) (*User, error) {
	if err := checkName("username", username, schema.NameMaxLen); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	var out *ent.User
	err = s.withTx(ctx, func(tx *ent.Tx) error {
		taken, err := tx.User.Query().Where(entuser.Username(username)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("store: check username: %w", err)
		}
		if taken {
			return conflict("a user named %q already exists", username)
		}
		out, err = tx.User.Create().SetUsername(username).SetPasswordHash(hash).Save(ctx)
		return mapErr(err, "user", username)
	})
	if err != nil {
		return nil, err
	}
	return userFromEnt(out), nil
}

// Authenticate returns the user when password is theirs, and
// ErrBadCredentials otherwise (unknown user or wrong password alike).
func (s *Store) Authenticate(ctx context.Context, username, password string) (*User, error) {
	u, err := s.client.User.Query().Where(entuser.Username(username)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("store: look up user: %w", err)
	}
	hash := dummyHash()
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil {
		return nil, ErrBadCredentials
	}
	return userFromEnt(u), nil
}

// SetPassword replaces user id's password and ends all their sessions, so
// a changed password locks out whoever knew the old one.
func (s *Store) SetPassword(ctx context.Context, id int, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.withTx(ctx, func(tx *ent.Tx) error {
		if err := tx.User.UpdateOneID(id).SetPasswordHash(hash).Exec(ctx); err != nil {
			return mapErr(err, "user", id)
		}
		return deleteUserSessions(ctx, tx, id)
	})
}

// GetUser returns user id.
func (s *Store) GetUser(ctx context.Context, id int) (*User, error) {
	u, err := s.client.User.Get(ctx, id)
	if err != nil {
		return nil, mapErr(err, "user", id)
	}
	return userFromEnt(u), nil
}

// GetUserByName returns the user called username.
func (s *Store) GetUserByName(ctx context.Context, username string) (*User, error) {
	u, err := s.client.User.Query().Where(entuser.Username(username)).Only(ctx)
	if err != nil {
		return nil, mapErr(err, "user", username)
	}
	return userFromEnt(u), nil
}

// ListUsers returns every user, ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]*User, error) {
	rows, err := s.client.User.Query().Order(ent.Asc(entuser.FieldUsername)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	out := make([]*User, len(rows))
	for i, r := range rows {
		out[i] = userFromEnt(r)
	}
	return out, nil
}

// CountUsers returns how many users exist (0 on first boot).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	n, err := s.client.User.Query().Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// DeleteUser deletes user id and their sessions.
func (s *Store) DeleteUser(ctx context.Context, id int) error {
	return s.withTx(ctx, func(tx *ent.Tx) error {
		if err := deleteUserSessions(ctx, tx, id); err != nil {
			return err
		}
		return mapErr(tx.User.DeleteOneID(id).Exec(ctx), "user", id)
	})
}

// hashPassword validates password and returns its bcrypt hash.
func hashPassword(password string) (string, error) {
	if password == "" {
		return "", invalid("password", "must not be empty")
	}
	if len(password) > MaxPasswordLen {
		return "", invalid("password", "must be at most %d bytes", MaxPasswordLen)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if errors.Is(err, bcrypt.ErrPasswordTooLong) {
		return "", invalid("password", "must be at most %d bytes", MaxPasswordLen)
	}
	if err != nil {
		return "", fmt.Errorf("store: hash password: %w", err)
	}
	return string(h), nil
}

// userFromEnt converts a row (never the password hash).
func userFromEnt(u *ent.User) *User {
	return &User{ID: u.ID, Username: u.Username, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}
