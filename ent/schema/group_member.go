package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// GroupMember is one entry of a group: a channel and the upstream model.
type GroupMember struct{ ent.Schema }

// Fields of the GroupMember.
func (GroupMember) Fields() []ent.Field {
	return []ent.Field{
		field.Int("group_id"),
		field.Int("channel_id"),
		field.String("model").NotEmpty().MaxLen(ModelMaxLen),
		// priority orders members in failover mode: lower first.
		field.Int("priority").Default(0),
		// weight is the member's share in weighted mode.
		field.Int("weight").NonNegative().Default(1),
		// missing marks a member whose model vanished from the channel's
		// synced model list; it is kept so the user sees what broke.
		field.Bool("missing").Default(false),
	}
}

// Edges of the GroupMember.
func (GroupMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("group", Group.Type).Ref("members").Field("group_id").Unique().Required(),
		edge.From("channel", Channel.Type).Ref("members").Field("channel_id").Unique().Required(),
	}
}

// Indexes of the GroupMember.
func (GroupMember) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("group_id", "channel_id", "model").Unique(),
		// Deleting a channel looks up its members; PostgreSQL does not index
		// foreign keys by itself.
		index.Fields("channel_id"),
	}
}
