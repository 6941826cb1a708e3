package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// Setting is one key/value pair of runtime settings changed from the panel.
// Values are strings; structured settings store JSON text.
type Setting struct{ ent.Schema }

// Fields of the Setting.
func (Setting) Fields() []ent.Field {
	return []ent.Field{
		field.String("key").NotEmpty().MaxLen(NameMaxLen).Unique().Immutable(),
		field.Text("value"),
		field.Time("updated_at").SchemaType(timeType).Default(NowUTC).UpdateDefault(NowUTC),
	}
}
