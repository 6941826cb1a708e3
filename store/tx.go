package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/configversion"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// txAttempts is how often withTx tries a transaction that the database
// aborted to break a deadlock or a serialization conflict.
const txAttempts = 3

// withTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise, so a failed multi-row change leaves nothing half-written.
// A panic in fn rolls back too, then continues unwinding.
//
// When the database aborts the transaction as a deadlock victim (MySQL
// under concurrent upserts from several instances, PostgreSQL likewise), fn
// runs again from the start: every fn here derives all it writes from its
// inputs and what it reads inside the transaction, so a rerun is safe.
func (s *Store) withTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return retryTx(ctx, func() error {
		return runTx(func() (*ent.Tx, error) { return s.client.Tx(ctx) }, fn)
	})
}

// withSQLTx is withTx on database/sql's transaction, for the statements
// written by hand (InsertRequestLogs).
func (s *Store) withSQLTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retryTx(ctx, func() error {
		return runTx(func() (*sql.Tx, error) { return s.db.BeginTx(ctx, nil) }, fn)
	})
}

// retryTx runs try until it succeeds, fails for good, or was tried
// txAttempts times; see withTx.
func retryTx(ctx context.Context, try func() error) (err error) {
	for attempt := 1; ; attempt++ {
		err = try()
		if err == nil || attempt == txAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
}

// retryable reports whether err is a deadlock or serialization failure,
// after which the whole transaction may simply be run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 // ER_LOCK_DEADLOCK
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001" // deadlock_detected, serialization_failure
	}
	return false
}

// transaction is what runTx needs of ent's and database/sql's.
type transaction interface {
	Commit() error
	Rollback() error
}

// runTx is one attempt of withTx: begin, fn, commit or roll back.
func runTx[T transaction](begin func() (T, error), fn func(T) error) (err error) {
	tx, err := begin()
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !txEnded(rerr) {
			return fmt.Errorf("%w (rollback failed: %v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// txEnded reports whether a failed rollback found the transaction already
// over: SQLite ends it itself when an INSERT OR ROLLBACK fails (the
// request log's batches), so there was nothing left to roll back.
func txEnded(err error) bool {
	return errors.Is(err, sql.ErrTxDone) || strings.Contains(err.Error(), "no transaction is active")
}

// bumpVersion raises the config version inside tx, so the bump commits or
// rolls back together with the change it announces. The upsert also takes
// the row lock that serialises concurrent config writers on PostgreSQL and
// MySQL.
func bumpVersion(ctx context.Context, tx *ent.Tx) error {
	now := time.Now().UTC()
	err := tx.ConfigVersion.Create().
		SetID(schema.ConfigVersionID).
		SetVersion(1).
		SetUpdatedAt(now).
		OnConflictColumns(configversion.FieldID).
		Update(func(u *ent.ConfigVersionUpsert) {
			u.AddVersion(1)
			u.SetUpdatedAt(now)
		}).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: bump config version: %w", err)
	}
	return nil
}
