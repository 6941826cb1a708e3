// Package pricing prices finished requests in USD.
//
// A Table holds every known price: the user's per-channel and default
// prices (from the store) and the prices synced from models.dev. Tables
// are immutable; a Service swaps the current one atomically, so the
// request path (Service.Cost) looks prices up without taking a lock.
//
// Models.dev prices are kept in memory only, not written to the store:
// a sync brings thousands of models, and writing each as a row would bump
// the shared config version thousands of times. Every instance syncs on
// its own; until the first sync succeeds only user prices are known.
// Store rows whose source is models.dev (if any) are still honoured as
// models.dev prices, below the in-memory synced ones.
package pricing

// Price is what a model costs, in USD per million tokens of each kind.
// Nil optional prices mean "no separate price for this kind".
type Price struct {
	Input      float64  `json:"input"`
	Output     float64  `json:"output"`
	CacheRead  *float64 `json:"cache_read,omitempty"`
	CacheWrite *float64 `json:"cache_write,omitempty"`
	Reasoning  *float64 `json:"reasoning,omitempty"`
	// Above LongContextThreshold input tokens (0: no tier) the Long*
	// prices apply.
	LongContextThreshold int64    `json:"long_context_threshold,omitempty"`
	LongInput            *float64 `json:"long_input,omitempty"`
	LongOutput           *float64 `json:"long_output,omitempty"`
	LongCacheRead        *float64 `json:"long_cache_read,omitempty"`
	LongCacheWrite       *float64 `json:"long_cache_write,omitempty"`
}

// rates are a price tier with every fallback resolved, so Cost does only
// arithmetic.
type rates struct {
	input, output, cacheRead, cacheWrite, reasoning float64
	// hasReasoning is true when reasoning tokens have their own price;
	// otherwise they are part of the output at the output price.
	hasReasoning bool
}

// resolved is a Price ready for Cost.
type resolved struct {
	base rates
	// long applies when the input exceeds threshold (threshold > 0).
	long      rates
	threshold int64
}

// or returns *p, or def when p is nil.
func or(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// resolve fills in the fallbacks:
//   - a missing cache read or cache write price is the input price (the
//     tokens are then charged as if uncached: overcharging a little is
//     safer than charging nothing);
//   - a missing long-context price is the base price of the same kind;
//   - the reasoning price has no long-context variant and applies in
//     both tiers; without one, reasoning tokens are output tokens and so
//     take the tier's output price.
func (p *Price) resolve() resolved {
	base := rates{
		input:      p.Input,
		output:     p.Output,
		cacheRead:  or(p.CacheRead, p.Input),
		cacheWrite: or(p.CacheWrite, p.Input),
	}
	if p.Reasoning != nil {
		base.reasoning, base.hasReasoning = *p.Reasoning, true
	}
	r := resolved{base: base, long: base}
	if p.LongContextThreshold > 0 {
		r.threshold = p.LongContextThreshold
		r.long = rates{
			input:        or(p.LongInput, base.input),
			output:       or(p.LongOutput, base.output),
			cacheRead:    or(p.LongCacheRead, base.cacheRead),
			cacheWrite:   or(p.LongCacheWrite, base.cacheWrite),
			reasoning:    base.reasoning,
			hasReasoning: base.hasReasoning,
		}
	}
	return r
}

// Tokens are the counts of one request, as in transform.Usage: Input
// includes the cache reads and writes; Output includes the reasoning.
type Tokens struct {
	Input, Output, CacheRead, CacheWrite, Reasoning int64
}

// cost prices t. Counts that contradict each other (cache larger than
// the input, reasoning larger than the output) are clamped rather than
// producing a negative amount.
func (r *resolved) cost(t Tokens) float64 {
	rt := &r.base
	if r.threshold > 0 && t.Input > r.threshold {
		rt = &r.long
	}
	cr, cw := max(t.CacheRead, 0), max(t.CacheWrite, 0)
	uncached := max(t.Input-cr-cw, 0)
	out := max(t.Output, 0)
	usd := float64(uncached)*rt.input + float64(cr)*rt.cacheRead + float64(cw)*rt.cacheWrite
	if rt.hasReasoning {
		reason := min(max(t.Reasoning, 0), out)
		usd += float64(out-reason)*rt.output + float64(reason)*rt.reasoning
	} else {
		usd += float64(out) * rt.output
	}
	return usd / 1e6
}
