package admin

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// apiKeyOutput is a client key as the API shows it. Secret is set only in
// the answer to its creation: the store keeps only a hash.
type apiKeyOutput struct {
	ID     any    `json:"id"`
	Source string `json:"source"`
	Name   string `json:"name"`
	Secret string `json:"secret,omitempty"`
	// KeyPrefix tells keys apart without revealing them.
	KeyPrefix  string     `json:"key_prefix"`
	Models     []string   `json:"models"`
	MaxCost    *float64   `json:"max_cost"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Enabled    bool       `json:"enabled"`
	Spent      float64    `json:"spent"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	CreatedAt  *time.Time `json:"created_at,omitempty"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
}

// apiKeyInput is the body of POST and PUT /api-keys; on PUT only the
// fields sent change. null clears max_cost and expires_at.
type apiKeyInput struct {
	Name      opt[string]   `json:"name"`
	Models    opt[[]string] `json:"models"`
	MaxCost   opt[float64]  `json:"max_cost"`
	ExpiresAt opt[Time]     `json:"expires_at"`
	Enabled   opt[bool]     `json:"enabled"`
	// Output fields a client may send back; ignored.
	ID         json.RawMessage `json:"id"`
	Source     json.RawMessage `json:"source"`
	KeyPrefix  json.RawMessage `json:"key_prefix"`
	Spent      json.RawMessage `json:"spent"`
	LastUsedAt json.RawMessage `json:"last_used_at"`
	CreatedAt  json.RawMessage `json:"created_at"`
	UpdatedAt  json.RawMessage `json:"updated_at"`
}

func (in *apiKeyInput) applyTo(k *store.APIKey) error {
	in.Name.apply(&k.Name)
	in.Models.apply(&k.Models)
	in.Enabled.apply(&k.Enabled)
	if in.MaxCost.Set {
		k.MaxCost = nil
		if !in.MaxCost.Null {
			v := in.MaxCost.V
			// The router reads a zero limit as "no limit", so a zero here
			// would silently mean the opposite of what it says.
			if !(v > 0) || math.IsInf(v, 0) {
				return badField("max_cost", "must be a positive number of USD; send null for no limit")
			}
			k.MaxCost = &v
		}
	}
	if in.ExpiresAt.Set {
		k.ExpiresAt = nil
		if !in.ExpiresAt.Null {
			t := in.ExpiresAt.V.UTC()
			k.ExpiresAt = &t
		}
	}
	return nil
}

func (h *Handler) checkAPIKey(k *store.APIKey) error {
	for _, s := range h.b.StaticConfig().Keys {
		if s.Name == k.Name {
			return staticClash("api key", k.Name)
		}
	}
	return nil
}

func storedAPIKeyOutput(k *store.APIKey) apiKeyOutput {
	created, updated := k.CreatedAt, k.UpdatedAt
	return apiKeyOutput{
		ID: k.ID, Source: SourceStore, Name: k.Name, KeyPrefix: k.KeyPrefix + ellipsis,
		Models: nonNil(k.Models), MaxCost: k.MaxCost, ExpiresAt: k.ExpiresAt, Enabled: k.Enabled,
		Spent: k.Spent, LastUsedAt: k.LastUsedAt, CreatedAt: &created, UpdatedAt: &updated,
	}
}

func staticAPIKeyOutput(k *routing.APIKeyConfig) apiKeyOutput {
	out := apiKeyOutput{
		ID: staticID(k.Name), Source: SourceCaddyfile, Name: k.Name, KeyPrefix: Mask(k.Secret),
		Models: nonNil(k.Models), Enabled: !k.Disabled,
	}
	if k.MaxCost > 0 {
		v := k.MaxCost
		out.MaxCost = &v
	}
	if !k.Expires.IsZero() {
		t := k.Expires.UTC()
		out.ExpiresAt = &t
	}
	return out
}

func (h *Handler) listAPIKeys(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	stored, err := st.ListAPIKeys(c.r.Context())
	if err != nil {
		return err
	}
	static := h.b.StaticConfig().Keys
	out := make([]apiKeyOutput, 0, len(static)+len(stored))
	for i := range static {
		out = append(out, staticAPIKeyOutput(&static[i]))
	}
	for _, k := range stored {
		out = append(out, storedAPIKeyOutput(k))
	}
	slices.SortStableFunc(out, func(a, b apiKeyOutput) int { return strings.Compare(a.Name, b.Name) })
	return c.ok(out)
}

func (h *Handler) findAPIKey(ctx context.Context, param string) (*store.APIKey, *routing.APIKeyConfig, error) {
	id, err := parseID("api key", param)
	if err != nil {
		return nil, nil, err
	}
	if id.static != "" {
		static := h.b.StaticConfig().Keys
		for i := range static {
			if static[i].Name == id.static {
				return nil, &static[i], nil
			}
		}
		return nil, nil, notFound("no api key " + quote(id.static) + " in the Caddyfile")
	}
	st, err := h.store()
	if err != nil {
		return nil, nil, err
	}
	k, err := st.GetAPIKey(ctx, id.n)
	return k, nil, err
}

func (h *Handler) getAPIKey(c *call) error {
	k, static, err := h.findAPIKey(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if static != nil {
		return c.ok(staticAPIKeyOutput(static))
	}
	return c.ok(storedAPIKeyOutput(k))
}

// createAPIKey stores a new key with a generated secret, shown once.
func (h *Handler) createAPIKey(c *call) error {
	var in apiKeyInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	k := store.APIKey{Enabled: true}
	if err := in.applyTo(&k); err != nil {
		return err
	}
	if err := h.checkAPIKey(&k); err != nil {
		return err
	}
	var secret string
	out, err := write(h, c, "created api key", func(ctx context.Context, st *store.Store) (out *store.APIKey, err error) {
		secret, out, err = st.CreateAPIKey(ctx, k)
		return out, err
	}, apiKeyName)
	if err != nil {
		return err
	}
	o := storedAPIKeyOutput(out)
	o.Secret = secret
	return c.created(o)
}

func (h *Handler) updateAPIKey(c *call) error {
	prev, static, err := h.findAPIKey(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if static != nil {
		return readOnly("api key", static.Name)
	}
	var in apiKeyInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	k := *prev
	if err := in.applyTo(&k); err != nil {
		return err
	}
	if err := h.checkAPIKey(&k); err != nil {
		return err
	}
	out, err := write(h, c, "updated api key", func(ctx context.Context, st *store.Store) (*store.APIKey, error) {
		return st.UpdateAPIKey(ctx, prev.ID, k)
	}, apiKeyName)
	if err != nil {
		return err
	}
	return c.ok(storedAPIKeyOutput(out))
}

func (h *Handler) deleteAPIKey(c *call) error {
	k, static, err := h.findAPIKey(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if static != nil {
		return readOnly("api key", static.Name)
	}
	if err := remove(h, c, "deleted api key", k.Name, func(ctx context.Context, st *store.Store) error {
		return st.DeleteAPIKey(ctx, k.ID)
	}); err != nil {
		return err
	}
	return c.noContent()
}
