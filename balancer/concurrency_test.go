package balancer

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestConcurrentUse hammers plans of every mode from many goroutines with
// random outcomes while the clock moves and plans are recompiled. Run
// with -race. Every walk must stay well-formed: no member twice except for
// key retries, no key twice, attempts numbered in order.
func TestConcurrentUse(t *testing.T) {
	s, c := newTest()
	mk := func(mode Mode) Group {
		ms := make([]Member, 4)
		for i := range ms {
			ms[i] = Member{Channel: string(rune('a' + i)), Model: "m", Keys: []string{"k1", "k2", "k3"}, Priority: i, Weight: i + 1}
		}
		ms[2].Disabled = true
		return Group{Name: mode.String(), Mode: mode, Members: ms, Policy: Policy{Threshold: 2, Cooldown: 10 * time.Millisecond, MaxCooldown: 40 * time.Millisecond}}
	}
	var mu sync.Mutex
	plans := map[Mode]*Plan{}
	for _, m := range []Mode{RoundRobin, Random, Failover, Weighted} {
		plans[m] = mustCompile(t, s, mk(m))
	}
	get := func(m Mode) *Plan { mu.Lock(); defer mu.Unlock(); return plans[m] }

	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range 2000 {
				p := get(Mode(i % 4))
				it := p.Attempts(c.Now())
				seen := map[[2]int]bool{}
				n := 0
				for a, ok := it.Next(); ok; a, ok = it.Next() {
					if a.N != n || a.Member == 2 || seen[[2]int{a.Member, a.Key}] {
						errs <- "malformed walk"
						return
					}
					seen[[2]int{a.Member, a.Key}] = true
					n++
					switch r.IntN(6) {
					case 0:
						a.Success()
					case 1, 2:
						a.Failure()
					case 3:
						a.RateLimited(time.Duration(r.IntN(20)) * time.Millisecond)
					case 4:
						a.AuthFailed()
					default:
						a.Release()
					}
				}
				_ = it.RetryAfter()
				c.Advance(time.Millisecond)
			}
		})
	}
	wg.Go(func() { // reloads and UI reads meanwhile
		for i := range 200 {
			m := Mode(i % 4)
			p, err := s.Compile(mk(m))
			if err != nil {
				errs <- err.Error()
				return
			}
			mu.Lock()
			plans[m] = p
			ps := []*Plan{plans[0], plans[1], plans[2], plans[3]}
			mu.Unlock()
			s.Retain(ps...)
			_ = s.Breakers(c.Now())
		}
	})
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
