package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Session is a logged-in panel session. Only the SHA-256 of the cookie token
// is stored, so a leaked database does not leak live sessions.
type Session struct{ ent.Schema }

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("token_hash").NotEmpty().MaxLen(HashLen).Unique().Immutable().Sensitive(),
		field.Int("user_id").Immutable(),
		field.Time("expires_at").SchemaType(timeType),
		field.Time("created_at").SchemaType(timeType).Default(NowUTC).Immutable(),
		field.Time("last_seen").SchemaType(timeType).Default(NowUTC),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("sessions").Field("user_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		// Purging expired sessions is a range delete on expires_at.
		index.Fields("expires_at"),
	}
}
