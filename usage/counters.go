// Package usage accumulates per-request usage in memory and flushes it to
// the store's hourly statistics buckets.
//
// Counters is the relay.Observer on the request path: it only updates an
// in-memory map, sharded so concurrent requests rarely meet on one mutex.
// A Flusher writes the accumulated counts to the store every interval
// with additive upserts, so nothing is lost at a config reload when the
// Flusher is held in a caddy.UsagePool and shared by successive configs.
package usage

import (
	"cmp"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

// CostFunc prices one finished request in USD. priced is false when no
// price is known for its model; the request then adds no cost.
type CostFunc func(rec *relay.Record) (usd float64, priced bool)

// Counters accumulates usage per hourly bucket (hour UTC, channel, model,
// API key). It implements relay.Observer and is safe for concurrent use.
// The zero value is not usable; call NewCounters.
type Counters struct {
	shards []shard
	mask   uint64
	cost   atomic.Pointer[CostFunc]
	now    func() time.Time

	// flushMu serialises Flush so batches reach the store one at a time
	// and a failed batch is merged back before the next one drains.
	flushMu sync.Mutex
	// inflightMu guards inflight: the buckets a running Flush drained but
	// has not yet committed, so Snapshot still reports them. Lock order:
	// inflightMu before any shard's mu; Observe takes only a shard's.
	inflightMu sync.Mutex
	inflight   map[bucketKey]*counts
	// flushed is the cost written by successful Flushes, per API key
	// (guarded by flushMu), for Spend.Refresh.
	flushed map[string]float64
}

// shard is one mutex-guarded part of the counts, padded to its own cache
// lines so neighbouring shards' locks do not share a line.
type shard struct {
	mu sync.Mutex
	m  map[bucketKey]*counts
	_  [48]byte
}

// bucketKey identifies one hourly bucket. hour is Unix seconds of the
// start of the hour, cheaper to compute and hash than a time.Time.
type bucketKey struct {
	hour                int64
	channel, model, key string
}

// counts are the additive columns of one bucket.
type counts struct {
	requests, successes, failures                int64
	input, output, cacheRead, cacheWrite, reason int64
	cost                                         float64
	unpriced                                     int64
	latencyMS, ttftMS, ttftCount                 int64
}

func (c *counts) add(o *counts) {
	c.requests += o.requests
	c.successes += o.successes
	c.failures += o.failures
	c.input += o.input
	c.output += o.output
	c.cacheRead += o.cacheRead
	c.cacheWrite += o.cacheWrite
	c.reason += o.reason
	c.cost += o.cost
	c.unpriced += o.unpriced
	c.latencyMS += o.latencyMS
	c.ttftMS += o.ttftMS
	c.ttftCount += o.ttftCount
}

// NewCounters returns empty counters. now is the clock used for records
// without a Start time (nil: time.Now).
func NewCounters(now func() time.Time) *Counters {
	if now == nil {
		now = time.Now
	}
	// A few shards per P keep the chance that two concurrent requests
	// pick the same shard low; a power of two makes the pick a mask.
	n := 1 << bits.Len(uint(4*runtime.GOMAXPROCS(0)-1))
	n = min(max(n, 8), 256)
	c := &Counters{shards: make([]shard, n), mask: uint64(n - 1), now: now}
	for i := range c.shards {
		c.shards[i].m = map[bucketKey]*counts{}
	}
	return c
}

// SetCost sets the pricing hook used by later observations (nil: no
// cost). It may be called at any time, for example when a reload brings
// new prices.
func (c *Counters) SetCost(fn CostFunc) {
	if fn == nil {
		c.cost.Store(nil)
		return
	}
	c.cost.Store(&fn)
}

// Observe adds one finished request. It takes only one shard's mutex for
// a few map operations and allocates only when a bucket is new.
func (c *Counters) Observe(rec *relay.Record) {
	if rec == nil {
		return
	}
	var d counts
	d.requests = 1
	if rec.Status >= 200 && rec.Status < 300 {
		d.successes = 1
	} else {
		d.failures = 1
	}
	u := &rec.Usage
	d.input, d.output = u.InputTokens, u.OutputTokens
	d.cacheRead, d.cacheWrite, d.reason = u.CacheReadTokens, u.CacheWriteTokens, u.ReasoningTokens
	d.latencyMS = rec.Duration.Milliseconds()
	if rec.TTFT > 0 {
		d.ttftMS, d.ttftCount = rec.TTFT.Milliseconds(), 1
	}
	if fn := c.cost.Load(); fn != nil {
		usd, ok := (*fn)(rec)
		switch {
		case ok && usd > 0:
			d.cost = usd
		case !ok && !u.IsZero():
			// Tokens were used but nothing prices them: the cost is
			// unknown, not zero.
			d.unpriced = 1
		}
	}
	start := rec.Start
	if start.IsZero() {
		start = c.now()
	}
	k := bucketKey{hour: hourOf(start), channel: rec.Channel, model: rec.Model, key: rec.Key}

	// A random shard (runtime-backed, per-thread generator: no lock)
	// rather than a hash of the key spreads even one hot bucket over all
	// shards; Flush and Snapshot merge the parts.
	s := &c.shards[rand.Uint64()&c.mask]
	s.mu.Lock()
	if b := s.m[k]; b != nil {
		b.add(&d)
	} else {
		// A copy, so d stays on the stack in the common (existing
		// bucket) case.
		nb := new(counts)
		*nb = d
		s.m[k] = nb
	}
	s.mu.Unlock()
}

// hourOf returns the Unix seconds of the start of t's hour, UTC.
func hourOf(t time.Time) int64 {
	sec := t.Unix()
	h := sec / 3600
	if sec < 0 && sec%3600 != 0 {
		h-- // floor, not truncation toward zero
	}
	return h * 3600
}

// Snapshot returns the counts still in memory (not yet written by a
// completed Flush), one delta per bucket, so totals can add them to what
// the store holds. While a Flush is committing, its buckets are reported
// until it returns; a reader that queried the store just after the commit
// may therefore count them twice for that instant.
func (c *Counters) Snapshot() []store.StatsDelta {
	all := map[bucketKey]*counts{}
	// Holding inflightMu throughout keeps a concurrent Flush from moving
	// buckets from a shard into inflight between the two reads, which
	// would count them twice or not at all.
	c.inflightMu.Lock()
	defer c.inflightMu.Unlock()
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		mergeInto(all, s.m, true)
		s.mu.Unlock()
	}
	mergeInto(all, c.inflight, true)
	return deltas(all)
}

// mergeInto adds src into dst. With copyVals, src's values are copied so
// dst can be modified while src stays owned by someone else.
func mergeInto(dst, src map[bucketKey]*counts, copyVals bool) {
	for k, v := range src {
		if b := dst[k]; b != nil {
			b.add(v)
			continue
		}
		if copyVals {
			cp := *v
			v = &cp
		}
		dst[k] = v
	}
}

// deltas converts buckets to store deltas, sorted by bucket key: a fixed
// row order makes concurrent upserts from several gateway instances take
// row locks in the same order, so they wait rather than deadlock.
func deltas(m map[bucketKey]*counts) []store.StatsDelta {
	if len(m) == 0 {
		return nil
	}
	out := make([]store.StatsDelta, 0, len(m))
	for k, v := range m {
		out = append(out, store.StatsDelta{
			Hour:    time.Unix(k.hour, 0).UTC(),
			Channel: k.channel, Model: k.model, APIKey: k.key,
			Requests: v.requests, Successes: v.successes, Failures: v.failures,
			InputTokens: v.input, OutputTokens: v.output,
			CacheReadTokens: v.cacheRead, CacheWriteTokens: v.cacheWrite, ReasoningTokens: v.reason,
			Cost: v.cost, UnpricedRequests: v.unpriced,
			LatencyMSTotal: v.latencyMS, TTFTMSTotal: v.ttftMS, TTFTCount: v.ttftCount,
		})
	}
	slices.SortFunc(out, func(a, b store.StatsDelta) int {
		return cmp.Or(a.Hour.Compare(b.Hour), strings.Compare(a.Channel, b.Channel),
			strings.Compare(a.Model, b.Model), strings.Compare(a.APIKey, b.APIKey))
	})
	return out
}
