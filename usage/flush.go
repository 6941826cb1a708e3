package usage

import (
	"context"
	"errors"

	"github.com/octopuscaddy/octopus/store"
)

// ErrNoStore is returned by Flush without a store.
var ErrNoStore = errors.New("usage: no store to flush to")

// Flush writes every bucket accumulated so far to st in one AddStats
// batch (one transaction) and forgets them. When the write fails the
// drained counts are merged back, so a later Flush retries them and
// nothing is lost or counted twice. Calls are serialised.
func (c *Counters) Flush(ctx context.Context, st *store.Store) error {
	if st == nil {
		return ErrNoStore
	}
	c.flushMu.Lock()
	defer c.flushMu.Unlock()

	drained := c.drain()
	if len(drained) == 0 {
		return nil
	}
	err := st.AddStats(ctx, deltas(drained))

	c.inflightMu.Lock()
	defer c.inflightMu.Unlock()
	c.inflight = nil
	if err != nil {
		// AddStats is one transaction: on error nothing was added, so the
		// whole batch goes back. Shard 0 is as good as any: Flush and
		// Snapshot merge all shards.
		s := &c.shards[0]
		s.mu.Lock()
		mergeInto(s.m, drained, false)
		s.mu.Unlock()
		return err
	}
	for k, v := range drained {
		if v.cost != 0 {
			if c.flushed == nil {
				c.flushed = map[string]float64{}
			}
			c.flushed[k.key] += v.cost
		}
	}
	return nil
}

// withFlushed runs fn with the cost flushed so far per API key, holding
// off flushes meanwhile, so what fn reads from the store holds exactly
// that much of this instance's usage.
func (c *Counters) withFlushed(fn func(flushed map[string]float64) error) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	return fn(c.flushed)
}

// drain swaps every shard's map for an empty one and returns the merged
// contents, published as inflight for Snapshot.
func (c *Counters) drain() map[bucketKey]*counts {
	c.inflightMu.Lock()
	defer c.inflightMu.Unlock()
	var drained map[bucketKey]*counts
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		old := s.m
		if len(old) == 0 {
			s.mu.Unlock() // old stays the live map: do not touch it
			continue
		}
		// Sized like the old map: the same buckets usually come back
		// within the next interval, so the map need not grow again.
		s.m = make(map[bucketKey]*counts, len(old))
		s.mu.Unlock()
		if drained == nil {
			drained = old // owned now: reuse rather than copy
			continue
		}
		mergeInto(drained, old, false)
	}
	c.inflight = drained
	return drained
}
