package balancer

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// one returns a single-member, single-key plan and its breaker.
func one(t *testing.T, s *State, pol Policy) (*Plan, *Breaker) {
	t.Helper()
	p := mustCompile(t, s, Group{Name: "g", Members: []Member{{Channel: "c", Model: "m", Keys: []string{"k"}}}, Policy: pol})
	return p, p.Breaker(0, 0)
}

// attempt makes one request and returns its first attempt.
func attempt(t *testing.T, p *Plan, now time.Time) (Attempt, Iter) {
	t.Helper()
	it := p.Attempts(now)
	a, ok := it.Next()
	if !ok {
		t.Fatalf("no attempt at %v", now.Sub(base))
	}
	return a, it
}

func TestBreakerOpensAfterThreshold(t *testing.T) {
	for _, threshold := range []int{0, 1, 5} { // 0: the default, 3
		want := threshold
		if want == 0 {
			want = DefaultThreshold
		}
		s, c := newTest()
		p, b := one(t, s, Policy{Threshold: threshold})
		for i := 1; i <= want; i++ {
			if st := b.State(c.Now()); st != Closed {
				t.Fatalf("threshold %d: after %d failures state %v, want closed", want, i-1, st)
			}
			a, _ := attempt(t, p, c.Now())
			a.Failure()
			if b.Failures() != i {
				t.Fatalf("Failures() = %d, want %d", b.Failures(), i)
			}
		}
		if st := b.State(c.Now()); st != Open {
			t.Fatalf("threshold %d: state %v after %d failures, want open", want, st, want)
		}
		it := p.Attempts(c.Now())
		if _, ok := it.Next(); ok {
			t.Fatal("open breaker let a request through")
		}
		if ra := it.RetryAfter(); ra != DefaultCooldown {
			t.Fatalf("RetryAfter = %v, want %v", ra, DefaultCooldown)
		}
		if it.RateLimitedOnly() {
			t.Fatal("RateLimitedOnly with an open breaker")
		}
		if got := b.OpenUntil(); !got.Equal(c.Now().Add(DefaultCooldown)) {
			t.Fatalf("OpenUntil = %v, want now+30s", got.Sub(base))
		}
	}
}

func TestSuccessResetsFailureCount(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	for range 5 { // fail, fail, succeed: never three in a row
		a, _ := attempt(t, p, c.Now())
		a.Failure()
		a, _ = attempt(t, p, c.Now())
		a.Failure()
		a, _ = attempt(t, p, c.Now())
		a.Success()
	}
	if st := b.State(c.Now()); st != Closed || b.Failures() != 0 {
		t.Fatalf("state %v failures %d, want closed 0", st, b.Failures())
	}
}

func TestCooldownDoublesToCap(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	for range 3 {
		a, _ := attempt(t, p, c.Now())
		a.Failure()
	}
	want := []time.Duration{30, 60, 120, 240, 480, 600, 600, 600}
	for i, w := range want {
		w *= time.Second
		if got := b.OpenUntil().Sub(c.Now()); got != w {
			t.Fatalf("opening %d: cooldown %v, want %v", i+1, got, w)
		}
		c.Advance(w - time.Nanosecond)
		if b.State(c.Now()) != Open {
			t.Fatalf("opening %d: not open just before the cooldown ends", i+1)
		}
		if _, ok := (func() (Attempt, bool) { it := p.Attempts(c.Now()); return it.Next() })(); ok {
			t.Fatalf("opening %d: attempt allowed during cooldown", i+1)
		}
		c.Advance(time.Nanosecond)
		if b.State(c.Now()) != HalfOpen {
			t.Fatalf("opening %d: state %v at cooldown end, want half_open", i+1, b.State(c.Now()))
		}
		a, _ := attempt(t, p, c.Now())
		if !a.Probe {
			t.Fatalf("opening %d: attempt after cooldown is not a probe", i+1)
		}
		a.Failure() // the probe fails: reopen, doubled
	}
	// A successful probe closes it and the next opening starts at 30s.
	c.Advance(10 * time.Minute)
	a, _ := attempt(t, p, c.Now())
	a.Success()
	if st := b.State(c.Now()); st != Closed || !b.OpenUntil().IsZero() {
		t.Fatalf("after a successful probe: %v until %v, want closed", st, b.OpenUntil())
	}
	for range 3 {
		a, _ := attempt(t, p, c.Now())
		a.Failure()
	}
	if got := b.OpenUntil().Sub(c.Now()); got != 30*time.Second {
		t.Fatalf("cooldown after reclosing: %v, want 30s", got)
	}
}

func TestExactlyOneProbeConcurrently(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	for range 3 {
		a, _ := attempt(t, p, c.Now())
		a.Failure()
	}
	for round := range 20 {
		c.Advance(time.Hour) // past any cooldown: half-open
		now := c.Now()
		var got atomic.Int32
		var probe atomic.Pointer[Attempt]
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 32 {
			wg.Go(func() {
				<-start
				it := p.Attempts(now)
				if a, ok := it.Next(); ok {
					got.Add(1)
					probe.Store(&a)
				}
			})
		}
		close(start)
		wg.Wait()
		if got.Load() != 1 {
			t.Fatalf("round %d: %d requests passed a half-open breaker, want exactly 1", round, got.Load())
		}
		a := probe.Load()
		if !a.Probe {
			t.Fatal("the passing attempt is not marked as probe")
		}
		if round%2 == 0 {
			a.Release() // no verdict: the next round probes again
		} else {
			a.Failure()
		}
		if b.State(c.Now()) == Closed {
			t.Fatal("breaker closed without a success")
		}
	}
}

func TestProbeTokenOnlyTakenWhenYielded(t *testing.T) {
	s, c := newTest()
	ms := []Member{{Channel: "a", Model: "m", Priority: 1}, {Channel: "b", Model: "m", Priority: 2}}
	p := mustCompile(t, s, Group{Name: "g", Mode: Failover, Members: ms})
	b0, b1 := p.Breaker(0, -1), p.Breaker(1, -1)
	// Open member 1 only.
	for range 3 {
		it := p.Attempts(c.Now())
		a, _ := it.Next()
		a.Failure()
		a, _ = it.Next()
		a.Failure()
		b0.Reset()
	}
	if b1.State(c.Now()) != Open || b0.State(c.Now()) != Closed {
		t.Fatalf("setup: states %v %v", b0.State(c.Now()), b1.State(c.Now()))
	}
	c.Advance(DefaultCooldown)
	// Requests served by member 0 never reach half-open member 1 and
	// must leave its probe token alone.
	for range 5 {
		it := p.Attempts(c.Now())
		a, _ := it.Next()
		if a.Member != 0 || a.Probe {
			t.Fatalf("first attempt %+v, want member 0, no probe", a)
		}
		a.Success()
		if b1.probe.Load() != 0 {
			t.Fatal("probe token of member 1 taken by a request that never tried it")
		}
	}
	// When member 0 fails, the fallback is member 1's probe.
	it := p.Attempts(c.Now())
	a, _ := it.Next()
	a.Failure()
	a, ok := it.Next()
	if !ok || a.Member != 1 || !a.Probe {
		t.Fatalf("fallback %+v %v, want the probe on member 1", a, ok)
	}
	a.Success()
	if b1.State(c.Now()) != Closed {
		t.Fatal("probe success did not close member 1")
	}
}

func TestLostProbeExpires(t *testing.T) {
	s, c := newTest()
	p, _ := one(t, s, Policy{ProbeTimeout: time.Minute})
	for range 3 {
		a, _ := attempt(t, p, c.Now())
		a.Failure()
	}
	c.Advance(DefaultCooldown)
	lost, _ := attempt(t, p, c.Now()) // never reported
	if !lost.Probe {
		t.Fatal("not a probe")
	}
	c.Advance(time.Minute - time.Nanosecond)
	it := p.Attempts(c.Now())
	if _, ok := it.Next(); ok {
		t.Fatal("second probe while the first is outstanding")
	}
	c.Advance(time.Nanosecond)
	a, _ := attempt(t, p, c.Now())
	if !a.Probe {
		t.Fatal("probe after the timeout is not a probe")
	}
	// The lost probe reporting late must not reopen the breaker twice.
	lost.Failure()
	a.Success()
	if st := p.Breaker(0, 0).State(c.Now()); st != Closed {
		t.Fatalf("state %v, want closed", st)
	}
}

func TestConcurrentFailuresTripOnce(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	// Ten requests in flight while the breaker is closed all fail: the
	// breaker opens once, with the first cooldown, not 2^7 times it.
	var as []Attempt
	for range 10 {
		it := p.Attempts(c.Now())
		a, ok := it.Next()
		if !ok {
			t.Fatal("closed breaker refused")
		}
		as = append(as, a)
	}
	var wg sync.WaitGroup
	for _, a := range as {
		wg.Go(a.Failure)
	}
	wg.Wait()
	if got := b.OpenUntil().Sub(c.Now()); got != DefaultCooldown {
		t.Fatalf("cooldown %v, want %v", got, DefaultCooldown)
	}
	if b.Failures() != 10 {
		t.Fatalf("Failures = %d, want 10", b.Failures())
	}
}

func TestAuthFailedOpensAtOnceAndTriesNextKey(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: []Member{{Channel: "c", Model: "m", Keys: []string{"k0", "k1"}}}})
	it := p.Attempts(c.Now())
	a, _ := it.Next()
	k := a.Key
	a.AuthFailed()
	if st := p.Breaker(0, k).State(c.Now()); st != Open {
		t.Fatalf("after 401 the key's breaker is %v, want open", st)
	}
	a, ok := it.Next()
	if !ok || a.Member != 0 || a.Key == k {
		t.Fatalf("after 401: %+v %v, want the other key of the same member", a, ok)
	}
	a.Success()
	// Later requests only use the healthy key.
	for range 4 {
		it := p.Attempts(c.Now())
		a, _ := it.Next()
		if a.Key == k {
			t.Fatal("request used the key that got 401")
		}
		a.Success()
	}
}

func TestFailureMovesToNextMember(t *testing.T) {
	s, c := newTest()
	ms := []Member{{Channel: "a", Model: "m", Keys: []string{"1", "2"}}, {Channel: "b", Model: "m", Keys: []string{"1"}}}
	p := mustCompile(t, s, Group{Name: "g", Mode: Failover, Members: ms})
	it := p.Attempts(c.Now())
	a, _ := it.Next()
	a.Failure()
	a, ok := it.Next()
	if !ok || a.Member != 1 {
		t.Fatalf("after a 5xx: %+v, want member 1 (not another key of member 0)", a)
	}
	a.Failure()
	if _, ok := it.Next(); ok {
		t.Fatal("more attempts than members after plain failures")
	}
	if it.Count() != 2 {
		t.Fatalf("Count = %d, want 2", it.Count())
	}
}

func TestBreakerReset(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{Threshold: 1})
	a, _ := attempt(t, p, c.Now())
	a.Failure()
	if b.State(c.Now()) != Open || b.LastFailure().IsZero() {
		t.Fatal("breaker not open after a failure at threshold 1")
	}
	b.Reset()
	if b.State(c.Now()) != Closed || b.Failures() != 0 {
		t.Fatal("Reset did not close the breaker")
	}
	if a, _ := attempt(t, p, c.Now()); a.Probe {
		t.Fatal("attempt after Reset marked as probe")
	}
}

func TestReportOutcomes(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	a, _ := attempt(t, p, c.Now())
	a.Report(AuthFailed, 0)
	if b.State(c.Now()) != Open {
		t.Fatal("Report(AuthFailed) did not open the breaker")
	}
	b.Reset()
	a, _ = attempt(t, p, c.Now())
	a.Report(RateLimited, 7*time.Second)
	if got := b.RestUntil().Sub(c.Now()); got != 7*time.Second {
		t.Fatalf("Report(RateLimited, 7s) rest %v", got)
	}
	b.Reset()
	a, _ = attempt(t, p, c.Now())
	a.Report(Failure, 0)
	a, _ = attempt(t, p, c.Now())
	a.Report(Released, 0)
	if b.Failures() != 1 {
		t.Fatalf("Failures = %d after Failure+Released, want 1", b.Failures())
	}
	a, _ = attempt(t, p, c.Now())
	a.Report(Success, 0)
	if b.Failures() != 0 {
		t.Fatal("Report(Success) did not reset failures")
	}
}

func TestBreakerStateString(t *testing.T) {
	for st, want := range map[BreakerState]string{Closed: "closed", Open: "open", HalfOpen: "half_open", 9: "unknown"} {
		if st.String() != want {
			t.Errorf("%d.String() = %q, want %q", st, st.String(), want)
		}
	}
}
