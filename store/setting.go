package store

import (
	"context"
	"fmt"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/schema"
	"github.com/octopuscaddy/octopus/ent/setting"
)

// GetSetting returns the value of setting key, or an error wrapping
// ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	row, err := s.client.Setting.Query().Where(setting.Key(key)).Only(ctx)
	if err != nil {
		return "", mapErr(err, "setting", key)
	}
	return row.Value, nil
}

// Settings returns every setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.client.Setting.Query().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list settings: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out, nil
}

// SetSettings creates or replaces several settings in one transaction.
func (s *Store) SetSettings(ctx context.Context, values map[string]string) error {
	for k := range values {
		if err := checkName("key", k, schema.NameMaxLen); err != nil {
			return err
		}
	}
	if len(values) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *ent.Tx) error {
		for k, v := range values {
			err := tx.Setting.Create().SetKey(k).SetValue(v).SetUpdatedAt(schema.NowUTC()).
				OnConflictColumns(setting.FieldKey).
				UpdateValue().UpdateUpdatedAt().
				Exec(ctx)
			if err != nil {
				return mapErr(err, "setting", k)
			}
		}
		return bumpVersion(ctx, tx)
	})
}

// SetSetting creates or replaces setting key.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.SetSettings(ctx, map[string]string{key: value})
}

// DeleteSetting deletes setting key; deleting a missing key is not an error.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	return s.withTx(ctx, func(tx *ent.Tx) error {
		n, err := tx.Setting.Delete().Where(setting.Key(key)).Exec(ctx)
		if err != nil {
			return mapErr(err, "setting", key)
		}
		if n == 0 {
			return nil
		}
		return bumpVersion(ctx, tx)
	})
}
