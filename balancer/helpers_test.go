package balancer

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct{ ns atomic.Int64 }

var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func (c *fakeClock) Now() time.Time          { return base.Add(time.Duration(c.ns.Load())) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// newTest returns a state on a fake clock.
func newTest() (*State, *fakeClock) {
	c := &fakeClock{}
	return NewState(c.Now), c
}

// members builds n enabled keyless members ch0..ch(n-1) of model m.
func members(n int) []Member {
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{Channel: fmt.Sprintf("ch%d", i), Model: "m"}
	}
	return ms
}

func mustCompile(t testing.TB, s *State, g Group) *Plan {
	t.Helper()
	p, err := s.Compile(g)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

// walk returns the members of every attempt of one request, releasing
// each attempt without a verdict.
func walk(p *Plan, now time.Time) []int {
	var out []int
	it := p.Attempts(now)
	for a, ok := it.Next(); ok; a, ok = it.Next() {
		out = append(out, a.Member)
		a.Release()
	}
	return out
}

// first returns the member of the first attempt of one request, or -1.
func first(p *Plan, now time.Time) int {
	it := p.Attempts(now)
	a, ok := it.Next()
	if !ok {
		return -1
	}
	a.Release()
	return a.Member
}
