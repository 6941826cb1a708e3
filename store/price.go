package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	entprice "github.com/octopuscaddy/octopus/ent/price"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// Price sources.
const (
	// PriceSourceUser marks prices set by the user.
	PriceSourceUser = "user"
	// PriceSourceModelsDev marks prices synced from models.dev.
	PriceSourceModelsDev = "models.dev"
)

// Price is what a model costs, in USD per million tokens of each kind. An
// empty Channel makes it the model's default price. Nil optional prices
// mean "no separate price for this kind". As input to SetPrice, ID,
// CreatedAt and UpdatedAt are ignored.
type Price struct {
	ID      int    `json:"id"`
	Model   string `json:"model"`
	Channel string `json:"channel"`
	// Source is PriceSourceUser (default) or PriceSourceModelsDev.
	Source     string   `json:"source"`
	Input      float64  `json:"input"`
	Output     float64  `json:"output"`
	CacheRead  *float64 `json:"cache_read,omitempty"`
	CacheWrite *float64 `json:"cache_write,omitempty"`
	Reasoning  *float64 `json:"reasoning,omitempty"`
	// Above LongContextThreshold input tokens the Long* prices apply.
	LongContextThreshold *int64   `json:"long_context_threshold,omitempty"`
	LongInput            *float64 `json:"long_input,omitempty"`
	LongOutput           *float64 `json:"long_output,omitempty"`
	LongCacheRead        *float64 `json:"long_cache_read,omitempty"`
	LongCacheWrite       *float64 `json:"long_cache_write,omitempty"`
	// Unpriced marks the zero-price placeholder the gateway creates for
	// a model it served without any price (EnsureUnpricedPrice). It
	// prices nothing until set with SetPrice, which clears the flag.
	Unpriced  bool      `json:"unpriced,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SetPrice creates or replaces the price of (Channel, Model, Source).
func (s *Store) SetPrice(ctx context.Context, p Price) (*Price, error) {
	if err := checkPrice(&p); err != nil {
		return nil, err
	}
	var out *ent.Price
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		cur, err := tx.Price.Query().
			Where(entprice.Channel(p.Channel), entprice.Model(p.Model), entprice.Source(p.Source)).
			Only(ctx)
		switch {
		case ent.IsNotFound(err):
			b := tx.Price.Create()
			applyPrice(b.Mutation(), &p, false)
			out, err = b.Save(ctx)
		case err == nil:
			u := cur.Update()
			applyPrice(u.Mutation(), &p, true)
			out, err = u.Save(ctx)
		}
		if err != nil {
			return mapErr(err, "price for model", p.Model)
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return priceFromEnt(out), nil
}

// EnsureUnpricedPrice creates the unpriced placeholder default price of
// model (no channel, source user, amounts zero) unless a default user
// price of model already exists, and reports whether it created one.
// Concurrent calls from several instances create at most one row. It does
// not bump the config version: a placeholder changes no price.
func (s *Store) EnsureUnpricedPrice(ctx context.Context, model string) (bool, error) {
	if err := checkModel("model", model); err != nil {
		return false, err
	}
	exists, err := s.client.Price.Query().
		Where(entprice.Channel(""), entprice.Model(model), entprice.Source(PriceSourceUser)).
		Exist(ctx)
	if err != nil {
		return false, fmt.Errorf("store: ensure unpriced price: %w", err)
	}
	if exists {
		return false, nil
	}
	err = s.client.Price.Create().
		SetModel(model).SetChannel("").SetSource(PriceSourceUser).
		SetInput(0).SetOutput(0).SetUnpriced(true).
		Exec(ctx)
	switch {
	case ent.IsConstraintError(err): // another instance was first
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: ensure unpriced price: %w", err)
	}
	return true, nil
}

// ListPrices returns every price, ordered by model, channel and source.
func (s *Store) ListPrices(ctx context.Context) ([]*Price, error) {
	rows, err := s.client.Price.Query().
		Order(ent.Asc(entprice.FieldModel), ent.Asc(entprice.FieldChannel), ent.Asc(entprice.FieldSource)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list prices: %w", err)
	}
	out := make([]*Price, len(rows))
	for i, r := range rows {
		out[i] = priceFromEnt(r)
	}
	return out, nil
}

// DeletePrice deletes price id.
func (s *Store) DeletePrice(ctx context.Context, id int) error {
	return s.withTx(ctx, func(tx *ent.Tx) error {
		if err := tx.Price.DeleteOneID(id).Exec(ctx); err != nil {
			return mapErr(err, "price", id)
		}
		return bumpVersion(ctx, tx)
	})
}

// checkPrice validates p and fills in the default source.
func checkPrice(p *Price) error {
	if err := checkModel("model", p.Model); err != nil {
		return err
	}
	if p.Channel != "" {
		if err := checkName("channel", p.Channel, schema.NameMaxLen); err != nil {
			return err
		}
	}
	if p.Source == "" {
		p.Source = PriceSourceUser
	}
	if err := checkWord("source", p.Source); err != nil {
		return err
	}
	amounts := []struct {
		name string
		v    *float64
	}{
		{"input", &p.Input}, {"output", &p.Output},
		{"cache_read", p.CacheRead}, {"cache_write", p.CacheWrite}, {"reasoning", p.Reasoning},
		{"long_input", p.LongInput}, {"long_output", p.LongOutput},
		{"long_cache_read", p.LongCacheRead}, {"long_cache_write", p.LongCacheWrite},
	}
	for _, a := range amounts {
		if a.v != nil && (*a.v < 0 || math.IsNaN(*a.v) || math.IsInf(*a.v, 0)) {
			return invalid(a.name, "must be a non-negative number")
		}
	}
	if p.LongContextThreshold != nil && *p.LongContextThreshold <= 0 {
		return invalid("long_context_threshold", "must be positive")
	}
	return nil
}

// applyPrice sets p's amounts on a create or update; on update, nil
// optional amounts clear the stored ones.
func applyPrice(m *ent.PriceMutation, p *Price, update bool) {
	m.SetModel(p.Model)
	m.SetChannel(p.Channel)
	m.SetSource(p.Source)
	m.SetInput(p.Input)
	m.SetOutput(p.Output)
	m.SetUnpriced(false) // a price set is a price, even when zero
	optional := []struct {
		v     *float64
		set   func(float64)
		clear func()
	}{
		{p.CacheRead, m.SetCacheRead, m.ClearCacheRead},
		{p.CacheWrite, m.SetCacheWrite, m.ClearCacheWrite},
		{p.Reasoning, m.SetReasoning, m.ClearReasoning},
		{p.LongInput, m.SetLongInput, m.ClearLongInput},
		{p.LongOutput, m.SetLongOutput, m.ClearLongOutput},
		{p.LongCacheRead, m.SetLongCacheRead, m.ClearLongCacheRead},
		{p.LongCacheWrite, m.SetLongCacheWrite, m.ClearLongCacheWrite},
	}
	for _, o := range optional {
		switch {
		case o.v != nil:
			o.set(*o.v)
		case update:
			o.clear()
		}
	}
	switch {
	case p.LongContextThreshold != nil:
		m.SetLongContextThreshold(*p.LongContextThreshold)
	case update:
		m.ClearLongContextThreshold()
	}
}

// priceFromEnt converts a row.
func priceFromEnt(r *ent.Price) *Price {
	return &Price{
		ID: r.ID, Model: r.Model, Channel: r.Channel, Source: r.Source,
		Input: r.Input, Output: r.Output,
		CacheRead: r.CacheRead, CacheWrite: r.CacheWrite, Reasoning: r.Reasoning,
		LongContextThreshold: r.LongContextThreshold,
		LongInput:            r.LongInput, LongOutput: r.LongOutput,
		LongCacheRead: r.LongCacheRead, LongCacheWrite: r.LongCacheWrite,
		Unpriced:  r.Unpriced,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}
