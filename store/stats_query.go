package store

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/predicate"
	"github.com/octopuscaddy/octopus/ent/statshourly"
)

// StatsFilter selects hourly statistics buckets. Zero fields select all.
type StatsFilter struct {
	// From selects buckets whose hour ends after it: the hour holding
	// From is included whole, since buckets cannot be split.
	From time.Time
	// To selects buckets whose hour starts before it.
	To time.Time
	// Channel, Model (upstream) and APIKey (name) select one value each
	// when not empty.
	Channel string
	Model   string
	APIKey  string
}

// fromHour is the first hour f selects (zero when unbounded).
func (f StatsFilter) fromHour() time.Time {
	if f.From.IsZero() {
		return time.Time{}
	}
	return f.From.UTC().Truncate(time.Hour)
}

// Matches reports whether the bucket of hour (any time inside it),
// channel, model and key passes f. It applies the same rules as
// QueryStats, for usage not yet in the store.
func (f StatsFilter) Matches(hour time.Time, channel, model, key string) bool {
	hour = hour.UTC().Truncate(time.Hour)
	switch {
	case !f.From.IsZero() && hour.Before(f.fromHour()),
		!f.To.IsZero() && !hour.Before(f.To),
		f.Channel != "" && channel != f.Channel,
		f.Model != "" && model != f.Model,
		f.APIKey != "" && key != f.APIKey:
		return false
	}
	return true
}

// predicates turns f into query conditions.
func (f StatsFilter) predicates() []predicate.StatsHourly {
	var ps []predicate.StatsHourly
	if !f.From.IsZero() {
		ps = append(ps, statshourly.HourGTE(f.fromHour()))
	}
	if !f.To.IsZero() {
		ps = append(ps, statshourly.HourLT(f.To.UTC()))
	}
	if f.Channel != "" {
		ps = append(ps, statshourly.Channel(f.Channel))
	}
	if f.Model != "" {
		ps = append(ps, statshourly.Model(f.Model))
	}
	if f.APIKey != "" {
		ps = append(ps, statshourly.APIKey(f.APIKey))
	}
	return ps
}

// StatsGroup is the column QueryStats groups by.
type StatsGroup string

// The groupings QueryStats supports.
const (
	// StatsTotal adds everything selected into one row.
	StatsTotal StatsGroup = ""
	// StatsByHour gives one row per hour (StatsRow.Hour).
	StatsByHour StatsGroup = statshourly.FieldHour
	// StatsByChannel, StatsByModel and StatsByAPIKey give one row per
	// value (StatsRow.Name).
	StatsByChannel StatsGroup = statshourly.FieldChannel
	StatsByModel   StatsGroup = statshourly.FieldModel
	StatsByAPIKey  StatsGroup = statshourly.FieldAPIKey
)

// StatsTotals are summed usage counters.
type StatsTotals struct {
	Requests         int64 `json:"requests"`
	Successes        int64 `json:"successes"`
	Failures         int64 `json:"failures"`
	InputTokens      int64 `json:"input_tokens"`
	OutputTokens     int64 `json:"output_tokens"`
	CacheReadTokens  int64 `json:"cache_read_tokens"`
	CacheWriteTokens int64 `json:"cache_write_tokens"`
	ReasoningTokens  int64 `json:"reasoning_tokens"`
	// Cost is the USD of the priced requests.
	Cost float64 `json:"cost"`
	// UnpricedRequests counts requests that used tokens of a model no
	// price covered: their cost is unknown, not $0, and is not in Cost.
	UnpricedRequests int64 `json:"unpriced_requests"`
}

// AddDelta adds the counters of d.
func (t *StatsTotals) AddDelta(d *StatsDelta) {
	t.Requests += d.Requests
	t.Successes += d.Successes
	t.Failures += d.Failures
	t.InputTokens += d.InputTokens
	t.OutputTokens += d.OutputTokens
	t.CacheReadTokens += d.CacheReadTokens
	t.CacheWriteTokens += d.CacheWriteTokens
	t.ReasoningTokens += d.ReasoningTokens
	t.Cost += d.Cost
	t.UnpricedRequests += d.UnpricedRequests
}

// Add adds o.
func (t *StatsTotals) Add(o StatsTotals) {
	t.Requests += o.Requests
	t.Successes += o.Successes
	t.Failures += o.Failures
	t.InputTokens += o.InputTokens
	t.OutputTokens += o.OutputTokens
	t.CacheReadTokens += o.CacheReadTokens
	t.CacheWriteTokens += o.CacheWriteTokens
	t.ReasoningTokens += o.ReasoningTokens
	t.Cost += o.Cost
	t.UnpricedRequests += o.UnpricedRequests
}

// StatsRow is one group of QueryStats.
type StatsRow struct {
	// Hour is the group's hour (UTC) with StatsByHour, zero otherwise.
	Hour time.Time
	// Name is the group's channel, model or API key name with those
	// groupings, "" otherwise.
	Name string
	StatsTotals
}

// statsSums are the summed columns, in StatsTotals order. Each sum is
// named after its column so one scan struct serves every grouping.
var statsSums = []string{
	statshourly.FieldRequests, statshourly.FieldSuccesses, statshourly.FieldFailures,
	statshourly.FieldInputTokens, statshourly.FieldOutputTokens,
	statshourly.FieldCacheReadTokens, statshourly.FieldCacheWriteTokens, statshourly.FieldReasoningTokens,
	statshourly.FieldCost, statshourly.FieldUnpricedRequests,
}

// statsScan receives one aggregated row. Sums over no rows are NULL and
// leave a field zero; PostgreSQL and MySQL return integer sums as
// NUMERIC/DECIMAL, which database/sql converts to int64.
type statsScan struct {
	Hour    time.Time `json:"hour"`
	Channel string    `json:"channel"`
	Model   string    `json:"model"`
	APIKey  string    `json:"api_key"`
	StatsTotals
}

// QueryStats sums the stored hourly buckets f selects, grouped by by, in
// SQL portable to every supported database. Rows come in no particular
// order. With StatsTotal it returns exactly one row, zero when nothing
// matched. Usage still in memory (usage.Counters) is not included.
func (s *Store) QueryStats(ctx context.Context, f StatsFilter, by StatsGroup) ([]StatsRow, error) {
	aggs := make([]ent.AggregateFunc, len(statsSums))
	for i, c := range statsSums {
		aggs[i] = func(sel *sql.Selector) string { return sql.As(sql.Sum(sel.C(c)), c) }
	}
	q := s.client.StatsHourly.Query().Where(f.predicates()...)
	var rows []statsScan
	var err error
	switch by {
	case StatsTotal:
		err = q.Aggregate(aggs...).Scan(ctx, &rows)
	case StatsByHour, StatsByChannel, StatsByModel, StatsByAPIKey:
		err = q.GroupBy(string(by)).Aggregate(aggs...).Scan(ctx, &rows)
	default:
		return nil, fmt.Errorf("store: query stats: unknown grouping %q", by)
	}
	if err != nil {
		return nil, fmt.Errorf("store: query stats: %w", err)
	}
	if by == StatsTotal && len(rows) == 0 {
		rows = append(rows, statsScan{})
	}
	out := make([]StatsRow, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i].StatsTotals = r.StatsTotals
		switch by {
		case StatsByHour:
			out[i].Hour = r.Hour.UTC()
		case StatsByChannel:
			out[i].Name = r.Channel
		case StatsByModel:
			out[i].Name = r.Model
		case StatsByAPIKey:
			out[i].Name = r.APIKey
		}
	}
	return out, nil
}
