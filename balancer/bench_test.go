package balancer

import (
	"fmt"
	"testing"
	"time"
)

func benchPlan(b *testing.B, mode Mode, n, keys int) *Plan {
	s := NewState(nil)
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{Channel: fmt.Sprintf("ch%d", i), Model: "m", Priority: i, Weight: i%3 + 1}
		for k := range keys {
			ms[i].Keys = append(ms[i].Keys, fmt.Sprintf("k%d", k))
		}
	}
	p, err := s.Compile(Group{Name: "g", Mode: mode, Members: ms})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

var modes = []Mode{RoundRobin, Random, Failover, Weighted}

// The loops use b.N rather than b.Loop: b.Loop keeps every value of its
// body alive, which makes the Iter of the for-clause form escape to the
// heap and reports an allocation the relay's loop does not have (see
// TestAttemptLoopDoesNotAllocate).

// BenchmarkPick is the common request: the first attempt succeeds.
func BenchmarkPick(b *testing.B) {
	for _, mode := range modes {
		for _, n := range []int{2, 8} {
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				p := benchPlan(b, mode, n, 1)
				now := time.Now()
				b.ReportAllocs()
				for range b.N {
					it := p.Attempts(now)
					a, ok := it.Next()
					if !ok {
						b.Fatal("no attempt")
					}
					a.Success()
				}
			})
		}
	}
}

// BenchmarkWalk walks every attempt (all members, 3 keys each rotating),
// reporting Failure on each: the worst case of the attempt loop, with
// breakers kept closed by a high threshold.
func BenchmarkWalk(b *testing.B) {
	for _, mode := range modes {
		for _, n := range []int{2, 8} {
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				p := benchPlan(b, mode, n, 3)
				p.pol.Threshold = 1 << 30
				now := time.Now()
				b.ReportAllocs()
				for range b.N {
					it := p.Attempts(now)
					for a, ok := it.Next(); ok; a, ok = it.Next() {
						a.Failure()
					}
				}
			})
		}
	}
}

// BenchmarkPickParallel measures contention on the shared counters.
func BenchmarkPickParallel(b *testing.B) {
	for _, mode := range modes {
		b.Run(fmt.Sprintf("%s/8", mode), func(b *testing.B) {
			p := benchPlan(b, mode, 8, 2)
			now := time.Now()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					it := p.Attempts(now)
					if a, ok := it.Next(); ok {
						a.Success()
					}
				}
			})
		})
	}
}
