package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/schema"
	"github.com/octopuscaddy/octopus/ent/statshourly"
)

// StatsDelta is usage to add to one hourly bucket.
type StatsDelta struct {
	// Hour is any time inside the hour; it is truncated to the hour, UTC.
	Hour time.Time
	// Channel, Model (upstream) and APIKey (name) complete the bucket key.
	Channel string
	Model   string
	APIKey  string

	Requests         int64
	Successes        int64
	Failures         int64
	InputTokens      int64
	OutputTokens     int64
	CacheReadTokens  int64
	CacheWriteTokens int64
	ReasoningTokens  int64
	Cost             float64
	// UnpricedRequests counts requests with tokens but no price: their
	// cost is unknown and not in Cost.
	UnpricedRequests int64
	LatencyMSTotal   int64
	TTFTMSTotal      int64
	TTFTCount        int64
}

// statsChunk bounds the rows of one INSERT so the statement stays well
// under every driver's placeholder limit (18 columns × 200 rows).
const statsChunk = 200

// statsCounters are the columns AddStats adds to on conflict.
var statsCounters = []string{
	statshourly.FieldRequests, statshourly.FieldSuccesses, statshourly.FieldFailures,
	statshourly.FieldInputTokens, statshourly.FieldOutputTokens,
	statshourly.FieldCacheReadTokens, statshourly.FieldCacheWriteTokens, statshourly.FieldReasoningTokens,
	statshourly.FieldCost, statshourly.FieldUnpricedRequests, statshourly.FieldLatencyMsTotal, statshourly.FieldTtftMsTotal, statshourly.FieldTtftCount,
}

// AddStats adds deltas to their hourly buckets with additive upserts
// (count = count + new), so several gateway instances can flush into one
// store. All deltas are added in one transaction: when it fails, nothing
// was added and the caller can retry without counting twice.
//
// Names longer than their column are cut, rather than failing the flush
// and losing the whole batch.
func (s *Store) AddStats(ctx context.Context, deltas []StatsDelta) error {
	if len(deltas) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *ent.Tx) error {
		for start := 0; start < len(deltas); start += statsChunk {
			chunk := deltas[start:min(start+statsChunk, len(deltas))]
			builders := make([]*ent.StatsHourlyCreate, len(chunk))
			for i, d := range chunk {
				builders[i] = tx.StatsHourly.Create().
					SetHour(d.Hour.UTC().Truncate(time.Hour)).
					SetChannel(clip(d.Channel, schema.NameMaxLen)).
					SetModel(clip(d.Model, schema.ModelMaxLen)).
					SetAPIKey(clip(d.APIKey, schema.NameMaxLen)).
					SetRequests(d.Requests).
					SetSuccesses(d.Successes).
					SetFailures(d.Failures).
					SetInputTokens(d.InputTokens).
					SetOutputTokens(d.OutputTokens).
					SetCacheReadTokens(d.CacheReadTokens).
					SetCacheWriteTokens(d.CacheWriteTokens).
					SetReasoningTokens(d.ReasoningTokens).
					SetCost(d.Cost).
					SetUnpricedRequests(d.UnpricedRequests).
					SetLatencyMsTotal(d.LatencyMSTotal).
					SetTtftMsTotal(d.TTFTMSTotal).
					SetTtftCount(d.TTFTCount)
			}
			err := tx.StatsHourly.CreateBulk(builders...).
				OnConflict(
					sql.ConflictColumns(statshourly.FieldHour, statshourly.FieldChannel, statshourly.FieldModel, statshourly.FieldAPIKey),
					sql.ResolveWith(addExcluded(statsCounters)),
				).
				Exec(ctx)
			if err != nil {
				return fmt.Errorf("store: add stats: %w", err)
			}
		}
		return nil
	})
}

// addExcluded sets each column to its stored value plus the value the
// INSERT proposed: `c = t.c + excluded.c` (PostgreSQL, SQLite) or
// `c = t.c + VALUES(c)` (MySQL/MariaDB; MariaDB has no row alias syntax).
// ent's per-builder Add would add one constant to every row of a bulk.
func addExcluded(columns []string) func(*sql.UpdateSet) {
	return func(u *sql.UpdateSet) {
		for _, c := range columns {
			stored := u.Table().C(c)
			if u.UpdateBuilder.Dialect() == dialect.MySQL {
				u.Set(c, sql.ExprFunc(func(b *sql.Builder) {
					b.WriteString(stored).WriteString(" + VALUES(").Ident(c).WriteByte(')')
				}))
				continue
			}
			u.Set(c, sql.ExprFunc(func(b *sql.Builder) {
				b.WriteString(stored).WriteString(" + ").Ident("excluded").WriteByte('.').Ident(c)
			}))
		}
	}
}

// clip cuts s to at most n bytes (the limit ent's MaxLen validators
// check), without splitting a UTF-8 sequence.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
