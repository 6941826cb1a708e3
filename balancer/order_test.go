package balancer

import (
	"slices"
	"testing"
)

func TestRoundRobinOrder(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Mode: RoundRobin, Members: members(3)})
	want := [][]int{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 1, 2}, {1, 2, 0}}
	for i, w := range want {
		if got := walk(p, c.Now()); !slices.Equal(got, w) {
			t.Fatalf("request %d: order %v, want %v", i, got, w)
		}
	}
}

func TestRoundRobinAlternatesExactly(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: members(2)})
	for i := range 101 {
		if got := first(p, c.Now()); got != i%2 {
			t.Fatalf("pick %d = member %d, want %d", i, got, i%2)
		}
	}
}

func TestFailoverOrder(t *testing.T) {
	s, c := newTest()
	ms := members(5)
	for i, prio := range []int{2, 1, 3, 1, 0} {
		ms[i].Priority = prio
	}
	p := mustCompile(t, s, Group{Name: "g", Mode: Failover, Members: ms})
	// Lowest priority first; ties (1, 1) keep declaration order; the
	// order is the same on every request.
	want := []int{4, 1, 3, 0, 2}
	for i := range 5 {
		if got := walk(p, c.Now()); !slices.Equal(got, want) {
			t.Fatalf("request %d: order %v, want %v", i, got, want)
		}
	}
}

func TestFailoverFallsBackOnFailure(t *testing.T) {
	s, c := newTest()
	ms := members(3)
	ms[0].Priority, ms[1].Priority, ms[2].Priority = 1, 2, 3
	p := mustCompile(t, s, Group{Name: "g", Mode: Failover, Members: ms})
	// Member 0 fails three requests in a row: every time the request
	// falls back to member 1 and succeeds there.
	for i := range 3 {
		it := p.Attempts(c.Now())
		a, ok := it.Next()
		if !ok || a.Member != 0 || a.N != 0 {
			t.Fatalf("request %d: first attempt %+v, %v; want member 0", i, a, ok)
		}
		a.Failure()
		a, ok = it.Next()
		if !ok || a.Member != 1 || a.N != 1 {
			t.Fatalf("request %d: fallback %+v, %v; want member 1", i, a, ok)
		}
		a.Success()
	}
	// Member 0's breaker is open now: requests start at member 1.
	if got := walk(p, c.Now()); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("with member 0 open: order %v, want [1 2]", got)
	}
}

func TestWeightedShares(t *testing.T) {
	s, c := newTest()
	ms := members(2)
	ms[0].Weight, ms[1].Weight = 3, 1
	p := mustCompile(t, s, Group{Name: "g", Mode: Weighted, Members: ms})
	const picks = 2000
	var count [2]int
	run, longest, prev := 0, 0, -1
	for range picks {
		m := first(p, c.Now())
		count[m]++
		if m == prev {
			run++
		} else {
			run = 1
		}
		prev = m
		if m == 1 && run > 1 {
			t.Fatal("weight-1 member picked twice in a row")
		}
		longest = max(longest, run)
	}
	share := float64(count[0]) / picks
	if share < 0.70 || share > 0.80 {
		t.Errorf("weight 3:1 gave %d:%d (share %.3f), want 0.75±0.05", count[0], count[1], share)
	}
	if longest > 3 {
		t.Errorf("longest run of the weight-3 member is %d, want <= 3 (smooth)", longest)
	}
}

func TestSmoothScheduleNginxSequence(t *testing.T) {
	// The sequence nginx documents for weights a=5, b=1, c=1.
	got := smoothSchedule([]int{5, 1, 1})
	want := []int32{0, 0, 1, 0, 2, 0, 0}
	if !slices.Equal(got, want) {
		t.Fatalf("schedule %v, want %v", got, want)
	}
	// Common factors are removed: 30:10 is the 3:1 cycle.
	if got := smoothSchedule([]int{30, 10}); len(got) != 4 {
		t.Fatalf("30:10 cycle has %d entries, want 4", len(got))
	}
}

func TestSmoothScheduleCapsHugeWeights(t *testing.T) {
	got := smoothSchedule([]int{1_000_000, 7, 1})
	if len(got) > maxSchedule+3 {
		t.Fatalf("schedule has %d entries, want <= %d", len(got), maxSchedule+3)
	}
	var count [3]int
	for _, m := range got {
		count[m]++
	}
	if count[1] < 1 || count[2] < 1 {
		t.Fatalf("small weights vanished: %v", count)
	}
	if float64(count[0])/float64(len(got)) < 0.99 {
		t.Fatalf("big weight share too small: %v", count)
	}
}

func TestWeightedFallbacks(t *testing.T) {
	s, c := newTest()
	ms := members(3)
	ms[0].Weight, ms[1].Weight, ms[2].Weight = 1, 2, 1
	p := mustCompile(t, s, Group{Name: "g", Mode: Weighted, Members: ms})
	for range 8 {
		got := walk(p, c.Now())
		if len(got) != 3 {
			t.Fatalf("walk %v: want all 3 members", got)
		}
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if !slices.Equal(sorted, []int{0, 1, 2}) {
			t.Fatalf("walk %v is not a permutation", got)
		}
	}
}

func TestRandomUniform(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Mode: Random, Members: members(4)})
	const picks = 20000
	var count [4]int
	for range picks {
		got := walk(p, c.Now())
		count[got[0]]++
		sorted := slices.Clone(got)
		slices.Sort(sorted)
		if !slices.Equal(sorted, []int{0, 1, 2, 3}) {
			t.Fatalf("walk %v is not a permutation of the members", got)
		}
	}
	// Expected 5000 each, standard deviation ~61; ±10% is > 8 sigma.
	for m, n := range count {
		if n < 4500 || n > 5500 {
			t.Errorf("member %d picked first %d times of %d, want 5000±500", m, n, picks)
		}
	}
}

func TestRandomFallbacksVary(t *testing.T) {
	// With a random stride, a dead member's load must not all land on
	// one neighbour: the second member after a given first one varies.
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Mode: Random, Members: members(5)})
	seconds := map[int]bool{}
	for range 500 {
		if got := walk(p, c.Now()); got[0] == 0 {
			seconds[got[1]] = true
		}
	}
	if len(seconds) < 2 {
		t.Fatalf("after member 0 the fallback was always %v", seconds)
	}
}

func TestDisabledMembersSkipped(t *testing.T) {
	for _, mode := range []Mode{RoundRobin, Random, Failover, Weighted} {
		t.Run(mode.String(), func(t *testing.T) {
			s, c := newTest()
			ms := members(4)
			ms[1].Disabled = true
			ms[3].Disabled = true
			p := mustCompile(t, s, Group{Name: "g", Mode: mode, Members: ms})
			if p.Len() != 2 {
				t.Fatalf("Len = %d, want 2", p.Len())
			}
			for range 50 {
				got := walk(p, c.Now())
				sorted := slices.Clone(got)
				slices.Sort(sorted)
				if !slices.Equal(sorted, []int{0, 2}) {
					t.Fatalf("walk %v, want members 0 and 2 only", got)
				}
			}
		})
	}
}

func TestNoMembers(t *testing.T) {
	s, c := newTest()
	ms := members(1)
	ms[0].Disabled = true
	p := mustCompile(t, s, Group{Name: "g", Members: ms})
	it := p.Attempts(c.Now())
	if _, ok := it.Next(); ok {
		t.Fatal("attempt from a group whose members are all disabled")
	}
	if it.RetryAfter() != 0 || it.RateLimitedOnly() {
		t.Fatalf("RetryAfter %v, RateLimitedOnly %v: want 0, false", it.RetryAfter(), it.RateLimitedOnly())
	}
	var zero Iter
	if _, ok := zero.Next(); ok {
		t.Fatal("zero Iter yielded an attempt")
	}
}

func TestMaxAttempts(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: members(5), MaxAttempts: 2})
	if got := walk(p, c.Now()); len(got) != 2 {
		t.Fatalf("walk %v, want 2 attempts", got)
	}
}

func TestCompileErrors(t *testing.T) {
	s, _ := newTest()
	for _, g := range []Group{
		{Name: "", Members: members(1)},
		{Name: "g", Mode: Mode(7), Members: members(1)},
		{Name: "g", MaxAttempts: -1, Members: members(1)},
		{Name: "g", Members: []Member{{Model: "m"}}},
	} {
		if _, err := s.Compile(g); err == nil {
			t.Errorf("Compile(%+v) succeeded, want an error", g)
		}
	}
}

func TestRotationSurvivesRecompile(t *testing.T) {
	s, c := newTest()
	g := Group{Name: "g", Members: members(3)}
	p1 := mustCompile(t, s, g)
	if first(p1, c.Now()) != 0 {
		t.Fatal("first pick not member 0")
	}
	p2 := mustCompile(t, s, g) // a reload
	if got := first(p2, c.Now()); got != 1 {
		t.Fatalf("after recompile the pick is %d, want 1 (rotation continues)", got)
	}
}
