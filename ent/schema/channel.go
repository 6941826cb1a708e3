package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
)

// Channel is one upstream provider account (one API type, one base URL,
// one or more keys) created from the panel.
type Channel struct{ ent.Schema }

// Mixin of the Channel.
func (Channel) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Channel.
func (Channel) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(NameMaxLen).Unique(),
		// type is a channel type name such as openai_chat or antigravity.
		field.String("type").NotEmpty().MaxLen(ShortMaxLen),
		// base_url is empty when the type's default applies.
		field.String("base_url").MaxLen(2048).Default(""),
		// keys are the upstream secrets; they must be readable to call the
		// upstream, so they are stored as given (Sensitive keeps them out of
		// String()).
		field.Strings("keys").Optional().Sensitive(),
		field.Strings("models").Optional(),
		field.JSON("headers", map[string]string{}).Optional(),
		field.String("proxy").MaxLen(2048).Default(""),
		// timeout and idle_timeout are nanoseconds; zero means the default.
		field.Int64("timeout").GoType(time.Duration(0)).Default(0),
		field.Int64("idle_timeout").GoType(time.Duration(0)).Default(0),
		field.Bool("enabled").Default(true),
		// auto_sync lets the model sync worker refresh models from the
		// upstream's model list.
		field.Bool("auto_sync").Default(false),
		field.String("anthropic_version").MaxLen(ShortMaxLen).Optional(),
		// project, token_url, client_id and client_secret are for OAuth
		// channel types (antigravity).
		field.String("project").MaxLen(255).Optional(),
		field.String("token_url").MaxLen(2048).Optional(),
		field.String("client_id").MaxLen(255).Optional(),
		field.String("client_secret").MaxLen(255).Optional().Sensitive(),
		field.Time("last_sync_at").SchemaType(timeType).Optional().Nillable(),
		field.JSON("last_sync_result", &SyncResult{}).Optional(),
	}
}

// Edges of the Channel.
func (Channel) Edges() []ent.Edge {
	return []ent.Edge{
		// RESTRICT: a channel that a group still uses cannot be deleted; the
		// store reports which groups, and the database is the backstop.
		edge.To("members", GroupMember.Type).Annotations(entsql.OnDelete(entsql.Restrict)),
	}
}
