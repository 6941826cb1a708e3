package balancer

import (
	"testing"
	"time"
)

func TestBreakersSurviveRecompile(t *testing.T) {
	s, c := newTest()
	g := Group{Name: "g", Members: keyed("a", "b"), Policy: Policy{Threshold: 1}}
	p1 := mustCompile(t, s, g)
	a, _ := attempt(t, p1, c.Now())
	a.Failure()
	p2 := mustCompile(t, s, g)
	if p2.Breaker(0, a.Key) != p1.Breaker(0, a.Key) {
		t.Fatal("recompiled plan got a new breaker for the same (channel, key, model)")
	}
	if p2.Breaker(0, a.Key).State(c.Now()) != Open {
		t.Fatal("open breaker lost on recompile")
	}
	if s.Breaker("c", []string{"a", "b"}[a.Key], "m") != p1.Breaker(0, a.Key) {
		t.Fatal("State.Breaker does not resolve to the plan's breaker")
	}
}

func TestRetain(t *testing.T) {
	s, c := newTest()
	old := mustCompile(t, s, Group{Name: "old", Members: []Member{{Channel: "gone", Model: "m", Keys: []string{"x", "y"}}}})
	keep := mustCompile(t, s, Group{Name: "keep", Members: keyed("a")})
	oldB := old.Breaker(0, 0)
	if len(s.Breakers(c.Now())) != 3 {
		t.Fatalf("%d breakers before Retain, want 3", len(s.Breakers(c.Now())))
	}
	s.Retain(keep, nil)
	list := s.Breakers(c.Now())
	if len(list) != 1 || list[0].Channel != "c" || list[0].Key != "a" || list[0].Model != "m" {
		t.Fatalf("after Retain: %+v, want only c/a/m", list)
	}
	if len(s.groups) != 1 || len(s.channels) != 0 {
		t.Fatalf("counters not pruned: groups %d channels %d", len(s.groups), len(s.channels))
	}
	// The old plan keeps working on its own breakers.
	if first(old, c.Now()) != 0 || old.Breaker(0, 0) != oldB {
		t.Fatal("old plan broken by Retain")
	}
	// A forgotten triple starts fresh.
	if s.Breaker("gone", "x", "m") == oldB {
		t.Fatal("Retain did not forget the breaker")
	}
}

func TestBreakersListing(t *testing.T) {
	s, c := newTest()
	p := mustCompile(t, s, Group{Name: "g", Members: []Member{
		{Channel: "z", Model: "m", Keys: []string{"k"}},
		{Channel: "a", Model: "m2", Keys: []string{"k2", "k1"}},
	}, Mode: Failover, Policy: Policy{Threshold: 1}})
	it := p.Attempts(c.Now())
	a, _ := it.Next() // z/k
	a.Failure()
	a, _ = it.Next() // a/k2
	a.RateLimited(time.Minute)
	list := s.Breakers(c.Now())
	if len(list) != 3 {
		t.Fatalf("%d breakers, want 3", len(list))
	}
	want := []struct {
		ch, key string
		st      BreakerState
	}{{"a", "k1", Closed}, {"a", "k2", Closed}, {"z", "k", Open}}
	for i, w := range want {
		got := list[i]
		if got.Channel != w.ch || got.Key != w.key || got.State != w.st {
			t.Errorf("listing[%d] = %+v, want %s/%s %v", i, got, w.ch, w.key, w.st)
		}
	}
	if z := list[2]; z.Failures != 1 || !z.OpenUntil.Equal(c.Now().Add(DefaultCooldown)) || !z.LastFailure.Equal(c.Now()) {
		t.Errorf("open breaker info %+v", z)
	}
	if k2 := list[1]; !k2.RestUntil.Equal(c.Now().Add(time.Minute)) || !k2.OpenUntil.IsZero() {
		t.Errorf("resting key info %+v", k2)
	}
}

func TestPolicyDefaults(t *testing.T) {
	p := Policy{Cooldown: time.Hour}.withDefaults()
	if p.Threshold != 3 || p.MaxCooldown != time.Hour || p.ProbeTimeout != DefaultProbeTimeout {
		t.Fatalf("defaults %+v", p)
	}
	if d := p.cooldown(100); d != time.Hour {
		t.Fatalf("cooldown(100) = %v, want the cap", d)
	}
	s, _ := newTest()
	pl := mustCompile(t, s, Group{Name: "g", Members: members(1)})
	if pl.Policy().Cooldown != DefaultCooldown || pl.Name() != "g" || pl.Mode() != RoundRobin {
		t.Fatalf("plan accessors: %+v %q %v", pl.Policy(), pl.Name(), pl.Mode())
	}
}

func TestRealClock(t *testing.T) {
	s := NewState(nil)
	p := mustCompile(t, s, Group{Name: "g", Members: members(1), Policy: Policy{Threshold: 1}})
	it := p.Attempts(time.Now())
	a, ok := it.Next()
	if !ok {
		t.Fatal("no attempt")
	}
	a.Failure()
	b := p.Breaker(0, -1)
	if b.State(s.Now()) != Open {
		t.Fatal("not open")
	}
	if d := time.Until(b.OpenUntil()); d < 29*time.Second || d > DefaultCooldown {
		t.Fatalf("open for %v, want about 30s", d)
	}
}
