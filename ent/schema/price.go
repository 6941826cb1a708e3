package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Price is what one model costs, in USD per million tokens of each kind.
//
// A row with an empty channel is a default price for the model; a row that
// names a channel applies to that channel only. Channels are referred to by
// name, not by foreign key, because Caddyfile channels have no row. Prices
// the user sets (source "user") and prices synced from models.dev (source
// "models.dev") are separate rows, so a sync never overwrites the user's
// price and deleting the user's price falls back to the synced one.
//
// A default row with unpriced set is a placeholder for a model served
// without a price; it is listed for the admin to fill in.
type Price struct{ ent.Schema }

// Mixin of the Price.
func (Price) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Price.
func (Price) Fields() []ent.Field {
	return []ent.Field{
		field.String("model").NotEmpty().MaxLen(ModelMaxLen),
		field.String("channel").MaxLen(NameMaxLen).Default(""),
		field.String("source").NotEmpty().MaxLen(ShortMaxLen).Default("user"),
		field.Float("input").Min(0).Default(0),
		field.Float("output").Min(0).Default(0),
		// cache_read, cache_write and reasoning are NULL when the model has
		// no separate price for that kind (cost then uses input or output).
		field.Float("cache_read").Min(0).Optional().Nillable(),
		field.Float("cache_write").Min(0).Optional().Nillable(),
		field.Float("reasoning").Min(0).Optional().Nillable(),
		// Above long_context_threshold input tokens, the long_* prices
		// apply (e.g. Gemini and Claude long-context tiers).
		field.Int64("long_context_threshold").Positive().Optional().Nillable(),
		field.Float("long_input").Min(0).Optional().Nillable(),
		field.Float("long_output").Min(0).Optional().Nillable(),
		field.Float("long_cache_read").Min(0).Optional().Nillable(),
		field.Float("long_cache_write").Min(0).Optional().Nillable(),
		// unpriced marks a zero-price placeholder the gateway created for
		// a model it served without any price: it prices nothing (lookups
		// skip it) until the admin fills it in, which clears the flag.
		field.Bool("unpriced").Default(false),
	}
}

// Indexes of the Price.
func (Price) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("channel", "model", "source").Unique(),
		index.Fields("model"),
	}
}
