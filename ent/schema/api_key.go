package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// APIKey is a client key of the gateway created from the panel. Only the
// SHA-256 of the secret is stored; the secret is shown once at creation.
type APIKey struct{ ent.Schema }

// Mixin of the APIKey.
func (APIKey) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(NameMaxLen).Unique(),
		// key_hash is the hex SHA-256 of the secret, the lookup key.
		field.String("key_hash").NotEmpty().MaxLen(HashLen).Unique().Sensitive(),
		// key_prefix is the start of the secret, for telling keys apart.
		field.String("key_prefix").MaxLen(ShortMaxLen).Default(""),
		// models lists the groups this key may use; all when empty.
		field.Strings("models").Optional(),
		field.Time("expires_at").SchemaType(timeType).Optional().Nillable(),
		// max_cost is the spend limit in USD; unlimited when NULL.
		field.Float("max_cost").Optional().Nillable().Min(0),
		field.Bool("enabled").Default(true),
		// spent is the USD spent so far, raised by the usage flusher.
		field.Float("spent").Default(0),
		field.Time("last_used_at").SchemaType(timeType).Optional().Nillable(),
	}
}
