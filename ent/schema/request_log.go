package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RequestLog is one relayed request, written asynchronously in batches and
// pruned after the retention period.
type RequestLog struct{ ent.Schema }

// Fields of the RequestLog.
func (RequestLog) Fields() []ent.Field {
	return []ent.Field{
		field.Time("time").SchemaType(timeType).Default(NowUTC).Immutable(),
		// request_id correlates with Caddy's access log.
		field.String("request_id").MaxLen(64).Default(""),
		field.String("api_key").MaxLen(NameMaxLen).Default(""),
		// group is the model name the client asked for.
		field.String("group").MaxLen(ModelMaxLen).Default(""),
		// channel is the channel that answered (or the last one tried).
		field.String("channel").MaxLen(NameMaxLen).Default(""),
		field.String("upstream_model").MaxLen(ModelMaxLen).Default(""),
		field.String("inbound_format").MaxLen(ShortMaxLen).Default(""),
		field.String("outbound_format").MaxLen(ShortMaxLen).Default(""),
		field.Bool("stream").Default(false),
		// status is the HTTP status sent to the client.
		field.Int("status").Default(0),
		field.JSON("attempts", []Attempt{}).Optional(),
		field.Text("error").Optional(),
		field.Int64("input_tokens").Default(0),
		field.Int64("output_tokens").Default(0),
		field.Int64("cache_read_tokens").Default(0),
		field.Int64("cache_write_tokens").Default(0),
		field.Int64("reasoning_tokens").Default(0),
		field.Float("cost").Default(0),
		// unpriced is true when no price was found for the model, so the
		// cost of 0 is unknown rather than free.
		field.Bool("unpriced").Default(false),
		// ttft_ms is 0 for non-streamed requests.
		field.Int64("ttft_ms").Default(0),
		field.Int64("duration_ms").Default(0),
		// The bodies are kept only when body logging is on.
		field.Text("request_body").Optional().Nillable(),
		field.Text("response_body").Optional().Nillable(),
		// A body longer than log_body_max_bytes is cut to it and flagged
		// here, so a cut body is never mistaken for the whole one.
		field.Bool("request_body_truncated").Default(false),
		field.Bool("response_body_truncated").Default(false),
	}
}

// Indexes of the RequestLog: the log view filters by one of these columns
// and sorts by time; retention deletes by time.
func (RequestLog) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("time"),
		index.Fields("api_key", "time"),
		index.Fields("group", "time"),
		index.Fields("channel", "time"),
		index.Fields("status", "time"),
	}
}
