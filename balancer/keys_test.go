package balancer

import (
	"slices"
	"testing"
	"time"
)

func keyed(keys ...string) []Member {
	return []Member{{Channel: "c", Model: "m", Keys: keys}}
}

// keyOf returns the key of the first attempt of one request, reporting
// success; -2 when there was no attempt.
func keyOf(p *Plan, now time.Time) int {
	it := p.Attempts(now)
	a, ok := it.Next()
	if !ok {
		return -2
	}
	a.Success()
	return a.Key
}

func TestKeyRotation(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: keyed("a", "b", "c")})
	var got []int
	for range 7 {
		got = append(got, keyOf(p, c.Now()))
	}
	if want := []int{0, 1, 2, 0, 1, 2, 0}; !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
}

func TestKeyRotationIsPerChannel(t *testing.T) {
	// Two groups using the same channel share its rotation, so the
	// channel's keys share its load even when each group sees little.
	s, c := newTest()
	p1 := mustCompile(t, s, Group{Name: "g1", Members: keyed("a", "b")})
	p2 := mustCompile(t, s, Group{Name: "g2", Members: []Member{{Channel: "c", Model: "other", Keys: []string{"a", "b"}}}})
	got := []int{keyOf(p1, c.Now()), keyOf(p2, c.Now()), keyOf(p1, c.Now()), keyOf(p2, c.Now())}
	if want := []int{0, 1, 0, 1}; !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
}

func TestKeylessMember(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: members(1)})
	if k := keyOf(p, c.Now()); k != -1 {
		t.Fatalf("keyless member: Key = %d, want -1", k)
	}
	if p.Breaker(0, -1) == nil || p.Breaker(0, 0) != nil || p.Breaker(5, -1) != nil {
		t.Fatal("Plan.Breaker lookups wrong for a keyless member")
	}
}

func TestRateLimitedKeyRestsForRetryAfter(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: keyed("a", "b", "c")})
	// Request 1 gets key 0, which answers 429 Retry-After 20s: the same
	// request retries on key 1 of the same member.
	it := p.Attempts(c.Now())
	a, _ := it.Next()
	if a.Key != 0 {
		t.Fatalf("first key %d, want 0", a.Key)
	}
	a.RateLimited(20 * time.Second)
	a, ok := it.Next()
	if !ok || a.Member != 0 || a.Key != 1 || a.N != 1 {
		t.Fatalf("after 429: %+v %v, want key 1 of member 0 as attempt 1", a, ok)
	}
	a.Success()
	b0 := p.Breaker(0, 0)
	if b0.State(c.Now()) != Closed || b0.Failures() != 0 {
		t.Fatal("a 429 counted as a breaker failure")
	}
	// For 20s key 0 is skipped, whatever the rotation says.
	for i := range 30 {
		if k := keyOf(p, c.Now()); k == 0 {
			t.Fatalf("request %d used resting key 0", i)
		}
		c.Advance(time.Second / 2)
	}
	c.Advance(5 * time.Second) // 20s have passed
	seen := false
	for range 3 {
		seen = seen || keyOf(p, c.Now()) == 0
	}
	if !seen {
		t.Fatal("key 0 not used again after its Retry-After")
	}
}

func TestRateLimitDefaultsAndCap(t *testing.T) {
	for _, tc := range []struct {
		retryAfter time.Duration
		pol        Policy
		want       time.Duration
	}{
		{0, Policy{}, DefaultRetryAfter},
		{-time.Second, Policy{}, DefaultRetryAfter},
		{3 * time.Second, Policy{}, 3 * time.Second},
		{24 * time.Hour, Policy{}, DefaultMaxRest},
		{24 * time.Hour, Policy{MaxRest: 2 * time.Hour}, 2 * time.Hour},
		{0, Policy{RetryAfter: time.Minute}, time.Minute},
	} {
		s, c := newTest()
		p, b := one(t, s, tc.pol)
		a, _ := attempt(t, p, c.Now())
		a.RateLimited(tc.retryAfter)
		if got := b.RestUntil().Sub(c.Now()); got != tc.want {
			t.Errorf("RateLimited(%v) with %+v: rest %v, want %v", tc.retryAfter, tc.pol, got, tc.want)
		}
	}
}

func TestRestNeverShortened(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	a1, _ := attempt(t, p, c.Now())
	a2, _ := attempt(t, p, c.Now())
	a1.RateLimited(time.Minute)
	a2.RateLimited(time.Second) // a later, shorter answer
	if got := b.RestUntil().Sub(c.Now()); got != time.Minute {
		t.Fatalf("rest %v, want 1m (the longer one is kept)", got)
	}
}

func TestAllKeysResting(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: keyed("a", "b")})
	it := p.Attempts(c.Now())
	a, _ := it.Next()
	a.RateLimited(40 * time.Second)
	a, _ = it.Next()
	a.RateLimited(15 * time.Second)
	if _, ok := it.Next(); ok {
		t.Fatal("attempt after every key got 429")
	}
	it = p.Attempts(c.Now())
	if _, ok := it.Next(); ok {
		t.Fatal("attempt while every key rests")
	}
	if !it.RateLimitedOnly() {
		t.Fatal("RateLimitedOnly false though only rests blocked")
	}
	if ra := it.RetryAfter(); ra != 15*time.Second {
		t.Fatalf("RetryAfter %v, want the soonest rest end 15s", ra)
	}
}

func TestRetryAfterSoonestOverMembers(t *testing.T) {
	s, c := newTest()
	ms := members(2)
	p := mustCompile(t, s, Group{Name: "g", Mode: Failover, Members: ms, Policy: Policy{Threshold: 1}})
	it := p.Attempts(c.Now())
	a, _ := it.Next()
	a.Failure() // member 0 open for 30s
	a, _ = it.Next()
	c.Advance(10 * time.Second)
	a.Failure() // member 1 open until 40s
	c.Advance(5 * time.Second)
	it = p.Attempts(c.Now())
	if _, ok := it.Next(); ok {
		t.Fatal("attempt with every breaker open")
	}
	if it.RateLimitedOnly() {
		t.Fatal("RateLimitedOnly with open breakers")
	}
	if ra := it.RetryAfter(); ra != 15*time.Second {
		t.Fatalf("RetryAfter %v, want 15s (member 0 reopens at 30s, now is 15s)", ra)
	}
}

func TestRateLimitIsPerModel(t *testing.T) {
	s, c := newTest()
	p1 := mustCompile(t, s, Group{Name: "g1", Members: []Member{{Channel: "c", Model: "m1", Keys: []string{"k"}}}})
	p2 := mustCompile(t, s, Group{Name: "g2", Members: []Member{{Channel: "c", Model: "m2", Keys: []string{"k"}}}})
	a, _ := attempt(t, p1, c.Now())
	a.RateLimited(time.Minute)
	if keyOf(p1, c.Now()) != -2 {
		t.Fatal("m1 still served by the resting key")
	}
	if keyOf(p2, c.Now()) != 0 {
		t.Fatal("a 429 on m1 blocked the key for m2")
	}
}

func TestRateLimitedProbeReleasesToken(t *testing.T) {
	s, c := newTest()
	p, b := one(t, s, Policy{})
	for range 3 {
		a, _ := attempt(t, p, c.Now())
		a.Failure()
	}
	c.Advance(DefaultCooldown)
	a, _ := attempt(t, p, c.Now())
	if !a.Probe {
		t.Fatal("not a probe")
	}
	a.RateLimited(time.Second)
	c.Advance(time.Second)
	a, _ = attempt(t, p, c.Now())
	if !a.Probe {
		t.Fatal("after a 429 on the probe, the next request is not a probe")
	}
	a.Success()
	if b.State(c.Now()) != Closed {
		t.Fatal("not closed")
	}
}
