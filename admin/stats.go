package admin

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/store"
)

// Stats routes: usage totals, a time series and rankings, read from the
// store's hourly buckets plus what this instance has counted but not yet
// flushed (Backend.UnflushedStats), so the numbers are current.

// defaultSeriesSpan is the range of a series when the query gives none.
const defaultSeriesSpan = 24 * time.Hour

// maxSeriesPoints bounds a series so a wide range at interval=hour cannot
// make a huge answer (a bit over a year of hours, 27 years of days).
const maxSeriesPoints = 10000

// statsFilter reads from, to (RFC 3339), channel, model and api_key from
// the query string. With series, a missing bound defaults so the range is
// the last defaultSeriesSpan (ending at to when only to is given).
func (h *Handler) statsFilter(c *call, series bool) (store.StatsFilter, error) {
	q := c.r.URL.Query()
	f := store.StatsFilter{Channel: q.Get("channel"), Model: q.Get("model"), APIKey: q.Get("api_key")}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return f, badField(p.name, "is not an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		*p.dst = t.UTC()
	}
	if series {
		if f.To.IsZero() {
			if f.From.IsZero() {
				f.To = h.now().UTC()
			} else {
				f.To = f.From.Add(defaultSeriesSpan)
			}
		}
		if f.From.IsZero() {
			f.From = f.To.Add(-defaultSeriesSpan)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, badField("to", "must be after from")
	}
	return f, nil
}

// unflushed returns the in-memory deltas f selects.
func (h *Handler) unflushed(f store.StatsFilter) []store.StatsDelta {
	all := h.b.UnflushedStats()
	out := all[:0:0]
	for i := range all {
		d := &all[i]
		if f.Matches(d.Hour, d.Channel, d.Model, d.APIKey) {
			out = append(out, *d)
		}
	}
	return out
}

// statsSummary serves GET /api/v1/stats/summary: totals over the range,
// all time when from and to are absent.
func (h *Handler) statsSummary(c *call) error {
	s, err := h.store()
	if err != nil {
		return err
	}
	f, err := h.statsFilter(c, false)
	if err != nil {
		return err
	}
	rows, err := s.QueryStats(c.r.Context(), f, store.StatsTotal)
	if err != nil {
		return err
	}
	var total store.StatsTotals
	for _, r := range rows {
		total.Add(r.StatsTotals)
	}
	for _, d := range h.unflushed(f) {
		total.AddDelta(&d)
	}
	return c.ok(total)
}

// seriesPoint is one interval of a series.
type seriesPoint struct {
	Time time.Time `json:"time"`
	store.StatsTotals
}

// statsSeries serves GET /api/v1/stats/series: one point per hour or
// (UTC) day over the range, empty intervals included as zeros so charts
// need no gap filling.
func (h *Handler) statsSeries(c *call) error {
	s, err := h.store()
	if err != nil {
		return err
	}
	var step time.Duration
	switch iv := c.r.URL.Query().Get("interval"); iv {
	case "", "hour":
		step = time.Hour
	case "day":
		step = 24 * time.Hour
	default:
		return badField("interval", "must be hour or day, not "+quote(iv))
	}
	f, err := h.statsFilter(c, true)
	if err != nil {
		return err
	}
	// Unix time has no leap seconds, so truncating to 24 h gives UTC
	// midnight.
	start := f.From.Truncate(step)
	n := int((f.To.Sub(start) + step - 1) / step)
	if n > maxSeriesPoints {
		return badField("interval", "gives more than 10000 points over this range; narrow from/to or use interval=day")
	}
	points := make([]seriesPoint, n)
	for i := range points {
		points[i].Time = start.Add(time.Duration(i) * step)
	}
	// at returns the point holding hour, nil outside the range (which
	// the filter already excludes; the check keeps a bad row harmless).
	at := func(hour time.Time) *seriesPoint {
		i := int(hour.Sub(start) / step)
		if hour.Before(start) || i >= n {
			return nil
		}
		return &points[i]
	}
	rows, err := s.QueryStats(c.r.Context(), f, store.StatsByHour)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if p := at(r.Hour); p != nil {
			p.Add(r.StatsTotals)
		}
	}
	for _, d := range h.unflushed(f) {
		if p := at(d.Hour.UTC().Truncate(time.Hour)); p != nil {
			p.AddDelta(&d)
		}
	}
	return c.ok(points)
}

// rankingRow is one channel, model or API key of a ranking.
type rankingRow struct {
	Name string `json:"name"`
	store.StatsTotals
}

// rankingGroups maps the by parameter to the store grouping.
var rankingGroups = map[string]store.StatsGroup{
	"channel": store.StatsByChannel,
	"model":   store.StatsByModel,
	"api_key": store.StatsByAPIKey,
}

// statsRankings serves GET /api/v1/stats/rankings?by=channel|model|api_key:
// one row per value over the range (all time by default), most requests
// first, then highest cost, then by name.
func (h *Handler) statsRankings(c *call) error {
	s, err := h.store()
	if err != nil {
		return err
	}
	by := c.r.URL.Query().Get("by")
	if by == "" {
		by = "channel"
	}
	group, known := rankingGroups[by]
	if !known {
		return badField("by", "must be channel, model or api_key, not "+quote(by))
	}
	f, err := h.statsFilter(c, false)
	if err != nil {
		return err
	}
	rows, err := s.QueryStats(c.r.Context(), f, group)
	if err != nil {
		return err
	}
	byName := make(map[string]*rankingRow, len(rows))
	out := make([]*rankingRow, 0, len(rows))
	row := func(name string) *rankingRow {
		if r := byName[name]; r != nil {
			return r
		}
		r := &rankingRow{Name: name}
		byName[name] = r
		out = append(out, r)
		return r
	}
	for _, r := range rows {
		row(r.Name).Add(r.StatsTotals)
	}
	for _, d := range h.unflushed(f) {
		name := d.Channel
		switch group {
		case store.StatsByModel:
			name = d.Model
		case store.StatsByAPIKey:
			name = d.APIKey
		}
		row(name).AddDelta(&d)
	}
	slices.SortFunc(out, func(a, b *rankingRow) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(b.Cost, a.Cost), strings.Compare(a.Name, b.Name))
	})
	return c.ok(out)
}
