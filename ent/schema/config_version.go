package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
)

// ConfigVersionID is the id of the only ConfigVersion row.
const ConfigVersionID = 1

// ConfigVersion is a single row whose version is bumped on every change to
// channels, groups, API keys, prices or settings. Gateway instances that
// share a store poll it and reload their routing snapshot when it moves.
type ConfigVersion struct{ ent.Schema }

// Annotations of the ConfigVersion.
func (ConfigVersion) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "config_version"}}
}

// Fields of the ConfigVersion.
func (ConfigVersion) Fields() []ent.Field {
	return []ent.Field{
		// id is set explicitly (always ConfigVersionID) so the bump can be
		// an upsert on it.
		field.Int("id"),
		field.Int64("version").Default(0),
		field.Time("updated_at").SchemaType(timeType).Default(NowUTC).UpdateDefault(NowUTC),
	}
}
