package store

import (
	"context"
	"fmt"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/configversion"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// withTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise, so a failed multi-row change leaves nothing half-written.
// A panic in fn rolls back too, then continues unwinding.
func (s *Store) withTx(ctx context.Context, fn func(tx *ent.Tx) error) (err error) {
	tx, err := s.client.Tx(ctx)
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
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback failed: %v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
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
