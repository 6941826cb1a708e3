package store

import (
	"context"
	"fmt"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// ConfigVersion returns the config version: 0 on a fresh store, then one
// more after every committed change to channels, groups, API keys, prices
// or settings. Instances sharing a store poll it to know when to reload.
func (s *Store) ConfigVersion(ctx context.Context) (int64, error) {
	row, err := s.client.ConfigVersion.Get(ctx, schema.ConfigVersionID)
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read config version: %w", err)
	}
	return row.Version, nil
}

// BumpConfigVersion raises the config version by one and returns the new
// value, for changes made outside the store's functions.
func (s *Store) BumpConfigVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		row, err := tx.ConfigVersion.Get(ctx, schema.ConfigVersionID)
		if err != nil {
			return fmt.Errorf("store: read config version: %w", err)
		}
		v = row.Version
		return nil
	})
	return v, err
}
