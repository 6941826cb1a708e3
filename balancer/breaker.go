package balancer

import (
	"sync/atomic"
	"time"
)

// BreakerState is the position of a breaker in its cycle.
type BreakerState uint8

// Breaker states.
const (
	// Closed: requests flow.
	Closed BreakerState = iota
	// Open: requests are refused until the cooldown ends.
	Open
	// HalfOpen: the cooldown has ended; one probe request may pass.
	HalfOpen
)

var stateNames = [...]string{Closed: "closed", Open: "open", HalfOpen: "half_open"}

// String returns closed, open or half_open.
func (s BreakerState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Breaker is the health of one (channel, key, model). All fields are
// atomics so the request path reads and updates it without locks.
//
// Times are ticks: nanoseconds on the owning State's monotonic timeline,
// always > 0 for a real time, so 0 can mean "none".
type Breaker struct {
	openUntil atomic.Int64 // 0: closed; else the end of the cooldown
	probe     atomic.Int64 // 0: no probe out; else the tick it was taken
	restUntil atomic.Int64 // end of a 429 rest; 0 or past: not resting
	lastFail  atomic.Int64 // tick of the last failure, for the UI
	failures  atomic.Int32 // consecutive failures
	trips     atomic.Int32 // openings since the last success

	st  *State
	key triple
}

// triple identifies a breaker.
type triple struct{ channel, key, model string }

// State reports the breaker's state at now.
func (b *Breaker) State(now time.Time) BreakerState {
	ou := b.openUntil.Load()
	switch {
	case ou == 0:
		return Closed
	case ou > b.st.tick(now):
		return Open
	default:
		return HalfOpen
	}
}

// Failures returns the number of consecutive failures.
func (b *Breaker) Failures() int { return int(b.failures.Load()) }

// OpenUntil returns the end of the current or last cooldown; zero when
// the breaker is closed.
func (b *Breaker) OpenUntil() time.Time { return b.st.time(b.openUntil.Load()) }

// RestUntil returns the end of the 429 rest; zero when none was set.
func (b *Breaker) RestUntil() time.Time { return b.st.time(b.restUntil.Load()) }

// LastFailure returns when the last failure was reported; zero if never.
func (b *Breaker) LastFailure() time.Time { return b.st.time(b.lastFail.Load()) }

// Reset closes the breaker and ends any rest (admin action).
func (b *Breaker) Reset() {
	b.openUntil.Store(0)
	b.probe.Store(0)
	b.restUntil.Store(0)
	b.failures.Store(0)
	b.trips.Store(0)
}

// acquire decides whether a request may use b at tick now. It returns
// ok and, when the request is the half-open probe, the probe token (the
// tick stored in b.probe). avail is the tick at which b becomes usable
// when it is refused, and rest tells whether a 429 rest is the reason.
func (b *Breaker) acquire(now int64, pol *Policy) (tok int64, ok bool, avail int64, rest bool) {
	ru := b.restUntil.Load()
	ou := b.openUntil.Load()
	if ru > now {
		return 0, false, max(ru, ou), true
	}
	if ou == 0 {
		return 0, true, 0, false
	}
	if ou > now {
		return 0, false, ou, false
	}
	// Half-open: one probe at a time. A token older than ProbeTimeout
	// was lost (its outcome never reported) and may be taken over.
	p := b.probe.Load()
	if p != 0 && now-p < int64(pol.ProbeTimeout) {
		return 0, false, now + int64(time.Second), false
	}
	if !b.probe.CompareAndSwap(p, now) {
		return 0, false, now + int64(time.Second), false
	}
	// Re-check: a concurrent success or reopening may have happened
	// between the loads and the CAS.
	if cur := b.openUntil.Load(); cur == 0 || cur > now {
		b.probe.CompareAndSwap(now, 0)
		if cur == 0 {
			return 0, true, 0, false
		}
		return 0, false, cur, false
	}
	return now, true, 0, false
}

// success closes the breaker.
func (b *Breaker) success() {
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
	if b.openUntil.Load() != 0 {
		b.trips.Store(0)
		b.openUntil.Store(0)
		b.probe.Store(0)
	}
}

// failure counts one failure at tick now. tok is the probe token when the
// attempt was the half-open probe. force opens at once (401/403).
func (b *Breaker) failure(now, tok int64, force bool, pol *Policy) {
	b.lastFail.Store(now)
	n := b.failures.Add(1)
	if tok != 0 && b.probe.Load() == tok {
		// The probe failed: reopen with the next, doubled cooldown.
		// openUntil is moved before the token is cleared so no reader
		// sees "half-open, no probe out" in between.
		t := b.trips.Add(1) - 1
		b.openUntil.Store(now + int64(pol.cooldown(t)))
		b.probe.CompareAndSwap(tok, 0)
		return
	}
	if !force && int(n) < pol.Threshold {
		return
	}
	// Closed -> open exactly once, however many in-flight requests fail
	// together; failures of requests started before the breaker opened
	// change nothing else.
	t := b.trips.Load()
	if b.openUntil.CompareAndSwap(0, now+int64(pol.cooldown(t))) {
		b.trips.Add(1)
	}
}

// rateLimited makes the key rest for d from tick now and returns a probe
// token unused: a 429 says nothing about the upstream's health.
func (b *Breaker) rateLimited(now, tok int64, d time.Duration) {
	until := now + int64(d)
	for {
		cur := b.restUntil.Load()
		if cur >= until || b.restUntil.CompareAndSwap(cur, until) {
			break
		}
	}
	b.release(tok)
}

// release gives a probe token back without a verdict.
func (b *Breaker) release(tok int64) {
	if tok != 0 {
		b.probe.CompareAndSwap(tok, 0)
	}
}
