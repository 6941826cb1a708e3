package balancer

import (
	"testing"
	"time"
)

// TestAttemptLoopDoesNotAllocate guards the hot path: the documented
// attempt loop, with every kind of outcome, allocates nothing.
func TestAttemptLoopDoesNotAllocate(t *testing.T) {
	for _, mode := range []Mode{RoundRobin, Random, Failover, Weighted} {
		s, c := newTest()
		ms := make([]Member, 4)
		for i := range ms {
			ms[i] = Member{Channel: string(rune('a' + i)), Model: "m", Keys: []string{"1", "2"}, Weight: i + 1}
		}
		p := mustCompile(t, s, Group{Name: "g", Mode: mode, Members: ms, Policy: Policy{Threshold: 1 << 30}})
		now := c.Now()
		allocs := testing.AllocsPerRun(200, func() {
			it := p.Attempts(now)
			for a, ok := it.Next(); ok; a, ok = it.Next() {
				switch a.N % 4 {
				case 0:
					a.Failure()
				case 1:
					a.RateLimited(time.Nanosecond)
				case 2:
					a.Release()
				default:
					a.Success()
				}
			}
			_ = it.RetryAfter()
		})
		if allocs != 0 {
			t.Errorf("%v: %.1f allocations per request, want 0", mode, allocs)
		}
	}
}
