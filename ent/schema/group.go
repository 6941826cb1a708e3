package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Group is a public model name that clients send, served by one or more
// members (a channel and the upstream model to ask it for).
type Group struct{ ent.Schema }

// Mixin of the Group.
func (Group) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Group.
func (Group) Fields() []ent.Field {
	return []ent.Field{
		// name is a model name, so it gets the model length limit.
		field.String("name").NotEmpty().MaxLen(ModelMaxLen).Unique(),
		// mode is round_robin, random, failover or weighted.
		field.String("mode").MaxLen(ShortMaxLen).Default("round_robin"),
		// max_attempts bounds the attempts of one request; 0 means each
		// member once.
		field.Int("max_attempts").NonNegative().Default(0),
	}
}

// Edges of the Group.
func (Group) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("members", GroupMember.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}
