package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// StatsHourly is one hour of usage for one (channel, model, API key). The
// usage flusher writes it with additive upserts (count = count + ?) on the
// unique key, so several gateway instances can share one store.
type StatsHourly struct{ ent.Schema }

// Annotations of the StatsHourly.
func (StatsHourly) Annotations() []schema.Annotation {
	return []schema.Annotation{entsql.Annotation{Table: "stats_hourly"}}
}

// Fields of the StatsHourly.
func (StatsHourly) Fields() []ent.Field {
	return []ent.Field{
		// hour is the start of the hour, UTC.
		field.Time("hour").SchemaType(timeType),
		field.String("channel").MaxLen(NameMaxLen).Default(""),
		// model is the upstream model.
		field.String("model").MaxLen(ModelMaxLen).Default(""),
		// api_key is the client key's name ("" for unauthenticated).
		field.String("api_key").MaxLen(NameMaxLen).Default(""),
		field.Int64("requests").Default(0),
		field.Int64("successes").Default(0),
		field.Int64("failures").Default(0),
		field.Int64("input_tokens").Default(0),
		field.Int64("output_tokens").Default(0),
		field.Int64("cache_read_tokens").Default(0),
		field.Int64("cache_write_tokens").Default(0),
		field.Int64("reasoning_tokens").Default(0),
		field.Float("cost").Default(0),
		// unpriced_requests counts the requests no price covered: their
		// cost is unknown, not zero, and is not in cost.
		field.Int64("unpriced_requests").Default(0),
		// latency_ms_total / requests is the mean latency.
		field.Int64("latency_ms_total").Default(0),
		// ttft_ms_total / ttft_count is the mean time to first token; only
		// streamed requests measure one, hence the separate count.
		field.Int64("ttft_ms_total").Default(0),
		field.Int64("ttft_count").Default(0),
	}
}

// Indexes of the StatsHourly.
func (StatsHourly) Indexes() []ent.Index {
	return []ent.Index{
		// The upsert key; hour leads, so it also serves time-range queries.
		index.Fields("hour", "channel", "model", "api_key").Unique(),
	}
}
