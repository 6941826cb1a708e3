// Package schema is the hand-written ent schema of the Octopus store. Code
// generation (`go generate ./ent`) turns it into the ent client.
//
// Conventions shared by every entity:
//   - Times are stored in UTC. On MySQL they are datetime(6) rather than ent's
//     default timestamp, which would stop at 2038 and drop sub-seconds.
//   - Names that other rows or the Caddyfile refer to are capped at
//     NameMaxLen, so composite unique indexes stay inside MySQL's 3072-byte
//     key limit with utf8mb4.
package schema

import (
	"time"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// Column size limits. They are also enforced by the generated validators,
// so an over-long value is a validation error rather than a driver error.
const (
	// NameMaxLen bounds channel, group, API key and user names.
	NameMaxLen = 128
	// ModelMaxLen bounds model names (provider model ids can be long paths).
	ModelMaxLen = 255
	// ShortMaxLen bounds enum-like words such as types, modes and formats.
	ShortMaxLen = 32
	// HashLen is the length of a hex-encoded SHA-256 digest.
	HashLen = 64
)

// NowUTC is the default for every time column: stored times are UTC so they
// compare correctly as text on SQLite and need no zone on MySQL.
func NowUTC() time.Time { return time.Now().UTC() }

// timeType gives time columns a portable type (see the package comment);
// every time field sets it with SchemaType(timeType).
var timeType = map[string]string{dialect.MySQL: "datetime(6)"}

// TimeMixin adds created_at and updated_at, both maintained by ent.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").SchemaType(timeType).Default(NowUTC).Immutable(),
		field.Time("updated_at").SchemaType(timeType).Default(NowUTC).UpdateDefault(NowUTC),
	}
}
