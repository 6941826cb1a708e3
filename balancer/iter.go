package balancer

import (
	"math/rand/v2"
	"time"
)

// Iter walks the attempts of one request. It is a plain value meant to
// live on the caller's stack; it must not be copied after the first call
// to Next, and is not safe for concurrent use (one request, one Iter).
type Iter struct {
	p      *Plan
	now    int64 // tick of the request
	start  int32 // first position (RoundRobin, Random, Weighted)
	stride int32 // step between positions (Random; 1 otherwise)
	pos    int32 // next position to visit
	cur    int32 // slot in p.members of the member in use; -1 before any
	kstart int32 // first key index tried for cur
	kseen  int32 // keys of cur examined so far
	n      int32 // attempts yielded

	retryKey bool // the last attempt asked for another key of cur

	soonest int64 // soonest tick a skipped key becomes usable; 0: none
	sawOpen bool  // a key was skipped for its breaker
	sawRest bool  // a key was skipped for a 429 rest
}

// Attempts starts the attempt sequence of one request at now. The Iter is
// a value meant to live on the caller's stack.
func (p *Plan) Attempts(now time.Time) Iter {
	it := Iter{p: p, now: p.st.tick(now), stride: 1, cur: -1}
	n := uint32(len(p.members))
	if n < 2 {
		return it
	}
	// Counters are reduced in 32 bits: a 32-bit division is several
	// times cheaper than a 64-bit one, and the wrap every 2^32 requests
	// only restarts the rotation.
	switch p.mode {
	case RoundRobin:
		it.start = int32(uint32(p.rr.Add(1)-1) % n)
	case Weighted:
		it.start = p.sched[uint32(p.rr.Add(1)-1)%uint32(len(p.sched))]
	case Random:
		r := rand.Uint64()
		it.start = int32(uint32(r) % n)
		it.stride = p.strides[uint32(r>>32)%uint32(len(p.strides))]
	}
	return it
}

// memberAt maps a position of the walk to a slot of p.members:
// start + pos*stride modulo the member count, or the priority order.
func (it *Iter) memberAt(pos int32) int32 {
	if it.p.mode == Failover {
		return it.p.order[pos]
	}
	// 64-bit so huge groups cannot overflow into a negative index.
	m := int64(it.start) + int64(pos)*int64(it.stride)
	if n := int64(len(it.p.members)); m >= n {
		m %= n
	}
	return int32(m)
}

// Next returns the next attempt to make, or false when there is none
// left. The attempt is counted (and a half-open probe token taken) only
// here, so stopping early costs nothing.
func (it *Iter) Next() (Attempt, bool) {
	p := it.p
	if p == nil {
		return Attempt{}, false
	}
	for {
		if p.max > 0 && int(it.n) >= p.max {
			return Attempt{}, false
		}
		if it.retryKey {
			it.retryKey = false
			if k, b, tok, ok := it.pickKey(); ok {
				return it.attempt(k, b, tok), true
			}
		}
		if int(it.pos) >= len(p.members) {
			return Attempt{}, false
		}
		it.cur = it.memberAt(it.pos)
		it.pos++
		m := &p.members[it.cur]
		it.kseen = 0
		it.kstart = 0
		if m.rot != nil {
			it.kstart = int32(uint32(m.rot.Add(1)-1) % uint32(len(m.keys)))
		}
		if k, b, tok, ok := it.pickKey(); ok {
			return it.attempt(k, b, tok), true
		}
	}
}

// pickKey finds the next usable key of the current member, continuing
// the rotation from where it stopped. tok is the probe token, if any.
func (it *Iter) pickKey() (k int32, b *Breaker, tok int64, ok bool) {
	keys := it.p.members[it.cur].keys
	nk := int32(len(keys))
	for it.kseen < nk {
		k = it.kstart + it.kseen
		if k >= nk {
			k -= nk
		}
		it.kseen++
		b = keys[k]
		// Fast path, the common case: closed and not resting.
		if b.openUntil.Load() == 0 && b.restUntil.Load() <= it.now {
			return k, b, 0, true
		}
		t, got, avail, rest := b.acquire(it.now, &it.p.pol)
		if got {
			return k, b, t, true
		}
		if rest {
			it.sawRest = true
		} else {
			it.sawOpen = true
		}
		if it.soonest == 0 || avail < it.soonest {
			it.soonest = avail
		}
	}
	return 0, nil, 0, false
}

// attempt builds the Attempt on key k of the current member and counts it.
func (it *Iter) attempt(k int32, b *Breaker, tok int64) Attempt {
	m := &it.p.members[it.cur]
	key := int(k)
	if m.keyless {
		key = -1
	}
	a := Attempt{Member: int(m.index), Key: key, N: int(it.n), Probe: tok != 0, it: it, b: b, tok: tok}
	it.n++
	return a
}

// Count returns the number of attempts yielded so far.
func (it *Iter) Count() int { return int(it.n) }

// RetryAfter returns how long from the request's start until the soonest
// key skipped by this walk becomes usable again; 0 when none was skipped.
// Meant for the Retry-After of the 503 answered when nothing was left.
func (it *Iter) RetryAfter() time.Duration {
	if it.soonest == 0 {
		return 0
	}
	return max(0, time.Duration(it.soonest-it.now))
}

// RateLimitedOnly reports whether every key skipped by this walk was
// resting after a 429 (and none had an open breaker), so the relay may
// pass the rate limit on as 429 rather than 503.
func (it *Iter) RateLimitedOnly() bool { return it.sawRest && !it.sawOpen }

// Attempt is one upstream call to make: a member and one of its keys.
// Report its outcome exactly once with one of its methods.
type Attempt struct {
	// Member indexes Group.Members.
	Member int
	// Key indexes Member.Keys; -1 for a keyless member.
	Key int
	// N is the attempt's number in the request, from 0.
	N int
	// Probe tells that this attempt is a half-open breaker's probe.
	Probe bool

	it  *Iter
	b   *Breaker
	tok int64
}

// Success reports that the upstream answered, even with a client error
// such as 400: the key and upstream are healthy. Closes the breaker. For a
// stream, report it at the first byte.
func (a Attempt) Success() {
	if a.b != nil {
		a.b.success()
	}
}

// Failure reports a connect error, timeout, 5xx or unusable answer.
func (a Attempt) Failure() {
	if a.b != nil {
		a.b.failure(a.b.st.tick(a.b.st.clock()), a.tok, false, &a.it.p.pol)
	}
}

// RateLimited reports a 429. The key rests for retryAfter (<= 0: the
// policy's default) and the next attempt tries another key of the same
// member first.
func (a Attempt) RateLimited(retryAfter time.Duration) {
	if a.b != nil {
		a.b.rateLimited(a.b.st.tick(a.b.st.clock()), a.tok, a.it.p.pol.rest(retryAfter))
		a.it.retryKey = true
	}
}

// AuthFailed reports a 401 or 403: the key's breaker opens at once and
// the next attempt tries another key of the same member first.
func (a Attempt) AuthFailed() {
	if a.b != nil {
		a.b.failure(a.b.st.tick(a.b.st.clock()), a.tok, true, &a.it.p.pol)
		a.it.retryKey = true
	}
}

// Release reports that the attempt reached no verdict on the upstream
// (the client went away, the request could not be encoded for this
// channel): a probe token goes back unused and health is unchanged.
func (a Attempt) Release() {
	if a.b != nil {
		a.b.release(a.tok)
	}
}

// Outcome is an attempt's result, for callers that map status codes to
// a value before reporting.
type Outcome uint8

// Outcomes; see the Attempt methods of the same names.
const (
	Success Outcome = iota
	Failure
	RateLimited
	AuthFailed
	Released
)

// Report reports o; retryAfter is used only with RateLimited.
func (a Attempt) Report(o Outcome, retryAfter time.Duration) {
	switch o {
	case Success:
		a.Success()
	case Failure:
		a.Failure()
	case RateLimited:
		a.RateLimited(retryAfter)
	case AuthFailed:
		a.AuthFailed()
	default:
		a.Release()
	}
}
