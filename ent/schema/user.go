package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// User is an admin account of the web panel.
type User struct{ ent.Schema }

// Mixin of the User.
func (User) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").NotEmpty().MaxLen(NameMaxLen).Unique(),
		// password_hash is a bcrypt hash; the password itself is never stored.
		field.String("password_hash").NotEmpty().Sensitive(),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		// Deleting a user logs them out everywhere.
		edge.To("sessions", Session.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}
