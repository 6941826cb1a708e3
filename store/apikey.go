package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/apikey"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// APIKeySecretPrefix starts every generated client key, so keys are easy
// to recognise in logs and secret scanners.
const APIKeySecretPrefix = "sk-octo-"

// apiKeySecretChars is the random part's length: 43 base62 characters
// carry 256 bits.
const apiKeySecretChars = 43

// apiKeyDisplayPrefix is how many leading characters of a secret are kept
// for display ("sk-octo-AbCd").
const apiKeyDisplayPrefix = len(APIKeySecretPrefix) + 4

// APIKey is a client key of the gateway stored in the database. The secret
// itself is not stored; only its hash and a short prefix for display. As
// input to CreateAPIKey and UpdateAPIKey, ID, KeyHash, KeyPrefix, Spent,
// CreatedAt, UpdatedAt and LastUsedAt are ignored.
type APIKey struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// KeyHash is HashSecret of the secret.
	KeyHash string `json:"-"`
	// KeyPrefix is the start of the secret, for telling keys apart.
	KeyPrefix string `json:"key_prefix"`
	// Models lists the groups the key may use; all when empty.
	Models []string `json:"models"`
	// ExpiresAt is when the key stops working; never when nil.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// MaxCost is the spend limit in USD; unlimited when nil.
	MaxCost *float64 `json:"max_cost,omitempty"`
	Enabled bool     `json:"enabled"`
	// Spent is the USD spent so far.
	Spent      float64    `json:"spent"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Usable reports whether the key may be used at now: enabled, not expired
// and under its spend limit.
func (k *APIKey) Usable(now time.Time) bool {
	if !k.Enabled {
		return false
	}
	if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		return false
	}
	return k.MaxCost == nil || k.Spent < *k.MaxCost
}

// CreateAPIKey stores a new client key with a freshly generated secret and
// returns the secret. It is shown to the user once: only its hash is kept.
func (s *Store) CreateAPIKey(ctx context.Context, k APIKey) (secret string, _ *APIKey, _ error) {
	if err := checkAPIKey(&k); err != nil {
		return "", nil, err
	}
	secret = APIKeySecretPrefix + randomBase62(apiKeySecretChars)
	var out *ent.APIKey
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := apiKeyNameFree(ctx, tx, k.Name, 0); err != nil {
			return err
		}
		var err error
		out, err = tx.APIKey.Create().
			SetName(k.Name).
			SetKeyHash(HashSecret(secret)).
			SetKeyPrefix(secret[:apiKeyDisplayPrefix]).
			SetModels(k.Models).
			SetNillableExpiresAt(k.ExpiresAt).
			SetNillableMaxCost(k.MaxCost).
			SetEnabled(k.Enabled).
			Save(ctx)
		if err != nil {
			return mapErr(err, "api key", k.Name)
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return "", nil, err
	}
	return secret, apiKeyFromEnt(out), nil
}

// UpdateAPIKey replaces key id's name, models, expiry, spend limit and
// enabled flag. The secret does not change.
func (s *Store) UpdateAPIKey(ctx context.Context, id int, k APIKey) (*APIKey, error) {
	if err := checkAPIKey(&k); err != nil {
		return nil, err
	}
	var out *ent.APIKey
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := apiKeyNameFree(ctx, tx, k.Name, id); err != nil {
			return err
		}
		u := tx.APIKey.UpdateOneID(id).
			SetName(k.Name).
			SetModels(k.Models).
			SetEnabled(k.Enabled)
		if k.ExpiresAt != nil {
			u.SetExpiresAt(*k.ExpiresAt)
		} else {
			u.ClearExpiresAt()
		}
		if k.MaxCost != nil {
			u.SetMaxCost(*k.MaxCost)
		} else {
			u.ClearMaxCost()
		}
		var err error
		if out, err = u.Save(ctx); err != nil {
			return mapErr(err, "api key", id)
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return apiKeyFromEnt(out), nil
}

// GetAPIKey returns key id.
func (s *Store) GetAPIKey(ctx context.Context, id int) (*APIKey, error) {
	k, err := s.client.APIKey.Get(ctx, id)
	if err != nil {
		return nil, mapErr(err, "api key", id)
	}
	return apiKeyFromEnt(k), nil
}

// LookupAPIKey returns the key whose secret is secret, whether or not it is
// usable (see APIKey.Usable). The lookup is by hash, so its timing does not
// depend on how much of a guessed secret is right.
func (s *Store) LookupAPIKey(ctx context.Context, secret string) (*APIKey, error) {
	return s.GetAPIKeyByHash(ctx, HashSecret(secret))
}

// GetAPIKeyByHash returns the key whose HashSecret is hash.
func (s *Store) GetAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	k, err := s.client.APIKey.Query().Where(apikey.KeyHash(hash)).Only(ctx)
	if err != nil {
		if ent.IsNotFound(err) {
			// Never echo the hash: it identifies the secret.
			return nil, fmt.Errorf("api key: %w", ErrNotFound)
		}
		return nil, mapErr(err, "api key", "")
	}
	return apiKeyFromEnt(k), nil
}

// ListAPIKeys returns every key, ordered by name.
func (s *Store) ListAPIKeys(ctx context.Context) ([]*APIKey, error) {
	rows, err := s.client.APIKey.Query().Order(ent.Asc(apikey.FieldName)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list api keys: %w", err)
	}
	out := make([]*APIKey, len(rows))
	for i, r := range rows {
		out[i] = apiKeyFromEnt(r)
	}
	return out, nil
}

// DeleteAPIKey deletes key id. Its usage statistics and logs stay, under
// its name.
func (s *Store) DeleteAPIKey(ctx context.Context, id int) error {
	return s.withTx(ctx, func(tx *ent.Tx) error {
		if err := tx.APIKey.DeleteOneID(id).Exec(ctx); err != nil {
			return mapErr(err, "api key", id)
		}
		return bumpVersion(ctx, tx)
	})
}

// AddAPIKeySpend adds cost (USD) to the spend of the key called name and
// sets its last use, in one statement, so concurrent flushes add up. It is
// not a config change and does not bump the config version.
func (s *Store) AddAPIKeySpend(ctx context.Context, name string, cost float64, lastUsed time.Time) error {
	if math.IsNaN(cost) || math.IsInf(cost, 0) {
		return invalid("cost", "must be a finite number")
	}
	n, err := s.client.APIKey.Update().
		Where(apikey.Name(name)).
		AddSpent(cost).
		SetLastUsedAt(lastUsed.UTC()).
		Save(ctx)
	if err != nil {
		return mapErr(err, "api key", name)
	}
	if n == 0 {
		return notFound("api key", name)
	}
	return nil
}

// checkAPIKey validates k and normalizes it in place.
func checkAPIKey(k *APIKey) error {
	if err := checkName("name", k.Name, schema.NameMaxLen); err != nil {
		return err
	}
	models, err := uniqueList("models", k.Models, checkModel)
	if err != nil {
		return err
	}
	k.Models = models
	if k.MaxCost != nil {
		if v := *k.MaxCost; v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return invalid("max_cost", "must be a non-negative number")
		}
	}
	if k.ExpiresAt != nil {
		if k.ExpiresAt.IsZero() {
			k.ExpiresAt = nil
		} else {
			t := k.ExpiresAt.UTC()
			k.ExpiresAt = &t
		}
	}
	return nil
}

// apiKeyNameFree fails with a *ConflictError when another key than except
// is called name.
func apiKeyNameFree(ctx context.Context, tx *ent.Tx, name string, except int) error {
	q := tx.APIKey.Query().Where(apikey.Name(name))
	if except != 0 {
		q = q.Where(apikey.IDNEQ(except))
	}
	taken, err := q.Exist(ctx)
	if err != nil {
		return fmt.Errorf("store: check api key name: %w", err)
	}
	if taken {
		return conflict("an api key named %q already exists", name)
	}
	return nil
}

// apiKeyFromEnt converts a row.
func apiKeyFromEnt(k *ent.APIKey) *APIKey {
	out := &APIKey{
		ID: k.ID, Name: k.Name, KeyHash: k.KeyHash, KeyPrefix: k.KeyPrefix,
		Models: k.Models, ExpiresAt: utcPtr(k.ExpiresAt), MaxCost: k.MaxCost,
		Enabled: k.Enabled, Spent: k.Spent,
		CreatedAt: k.CreatedAt.UTC(), UpdatedAt: k.UpdatedAt.UTC(), LastUsedAt: utcPtr(k.LastUsedAt),
	}
	if out.Models == nil {
		out.Models = []string{}
	}
	return out
}
