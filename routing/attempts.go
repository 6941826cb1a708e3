package routing

import (
	"sync"
	"sync/atomic"
	"time"
)

// Outcome is what an attempt reports back to the balancer.
type Outcome uint8

const (
	// Success: the upstream answered (even with a client error).
	Success Outcome = iota
	// Failure: connect error, timeout, 5xx, garbage.
	Failure
	// RateLimited: 429; the key rests for the Retry-After.
	RateLimited
	// AuthFailed: 401/403; the key is marked unhealthy.
	AuthFailed
	// Skipped: the attempt was not made (no translation for this pair).
	Skipped
)

// Try is one attempt the relay should make: a member and one of its
// channel's keys.
type Try struct {
	Member *Member
	Key    string
	idx    int
	keyIdx int
}

// balanceState is a placeholder until the balancer package lands.
type balanceState struct {
	mu       sync.Mutex
	counters map[string]*atomic.Uint64
}

func newBalanceState() *balanceState { return &balanceState{counters: map[string]*atomic.Uint64{}} }

type plan struct {
	members []*Member
	counter *atomic.Uint64
}

func (b *balanceState) plan(name, mode string, members []*Member) (*plan, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.counters[name]
	if !ok {
		c = new(atomic.Uint64)
		b.counters[name] = c
	}
	return &plan{members: members, counter: c}, nil
}

// Attempts iterates the attempts of one request.
type Attempts struct {
	g     *Group
	start int
	n     int
}

// Attempts starts the attempt sequence of one request.
func (g *Group) Attempts(now time.Time) Attempts {
	return Attempts{g: g, start: int(g.plan.counter.Add(1) - 1)}
}

// Next returns the next attempt to make.
func (it *Attempts) Next() (Try, bool) {
	ms := it.g.Members
	max := len(ms)
	if it.g.MaxAttempts > 0 && it.g.MaxAttempts < max {
		max = it.g.MaxAttempts
	}
	if it.n >= max {
		return Try{}, false
	}
	i := (it.start + it.n) % len(ms)
	it.n++
	m := ms[i]
	return Try{Member: m, Key: m.Channel.Keys[0], idx: i}, true
}

// Report records the outcome of t.
func (it *Attempts) Report(t Try, o Outcome, retryAfter time.Duration) {}

// RetryAfter is the soonest time a member becomes available again.
func (it *Attempts) RetryAfter() time.Duration { return 0 }
