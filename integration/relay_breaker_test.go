package integration

import (
	"slices"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/octopuscaddy/octopus"
	"github.com/octopuscaddy/octopus/balancer"
	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/routing"
)

// liveBreaker returns the running gateway's breaker of (channel, key, model).
func liveBreaker(t *testing.T, channel, key, model string) *balancer.Breaker {
	t.Helper()
	app, err := caddy.ActiveContext().App("octopus")
	if err != nil {
		t.Fatalf("octopus app: %v", err)
	}
	return app.(*octopus.App).Runtime().Balancer().Breaker(channel, routing.Fingerprint(key), model)
}

// TestBreakerOpensAndKeepsTrafficAway runs the breaker through the gateway:
// three consecutive failures open it, and while it is open not a single
// request reaches the member, even once the upstream has recovered. The
// 30 s cooldown is not waited out here; the breaker's state at its end is
// read from the live breaker, and TestBreakerProbesAfterCooldown drives the
// probe with a fake clock.
func TestBreakerOpensAndKeepsTrafficAway(t *testing.T) {
	fake := fakeprovider.New(t)
	base := baseURL(fake, "openai_chat")
	in := startGateway(t, channel("brk", "openai_chat", base, "sk-brk", "gpt-4o")+
		channel("good", "openai_chat", base, "sk-good", "gpt-4o")+
		group("g", "failover", "channel brk gpt-4o priority 1", "channel good gpt-4o priority 2")+
		apiKey())
	fake.Fail("sk-brk", fakeprovider.Fault{Status: 500})
	c := httpClient()

	for i := 1; i <= balancer.DefaultThreshold; i++ {
		chat(t, c, in, "g") // fails over: the client never notices
		if got := fake.CountFor("sk-brk"); got != i {
			t.Fatalf("after %d requests the failing member was called %d times", i, got)
		}
	}
	b := liveBreaker(t, "brk", "sk-brk", "gpt-4o")
	now := time.Now()
	if st := b.State(now); st != balancer.Open {
		t.Fatalf("breaker is %s after %d failures, want open", st, balancer.DefaultThreshold)
	}
	if until := b.OpenUntil(); until.After(now.Add(balancer.DefaultCooldown)) || until.Before(now.Add(balancer.DefaultCooldown/2)) {
		t.Fatalf("breaker open until %s from now, want about %s", until.Sub(now), balancer.DefaultCooldown)
	}
	if st := b.State(b.OpenUntil()); st != balancer.HalfOpen {
		t.Fatalf("breaker would be %s when the cooldown ends, want half_open (probing)", st)
	}

	// The upstream recovers, but the open breaker still keeps traffic away.
	fake.Clear("sk-brk")
	for range 10 {
		chat(t, c, in, "g")
	}
	if got := fake.CountFor("sk-brk"); got != balancer.DefaultThreshold {
		t.Fatalf("the member with an open breaker was called %d more times", got-balancer.DefaultThreshold)
	}
	if got := fake.CountFor("sk-good"); got != balancer.DefaultThreshold+10 {
		t.Fatalf("the healthy member served %d requests, want %d", got, balancer.DefaultThreshold+10)
	}
	if b.Failures() < balancer.DefaultThreshold {
		t.Fatalf("breaker counts %d failures", b.Failures())
	}
}

// fakeClock is a settable clock for the balancer.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// TestBreakerProbesAfterCooldown drives the same group shape as
// TestBreakerOpensAndKeepsTrafficAway (failover, a failing first member)
// through the balancer with a fake clock, the way the relay does: the
// cooldown ends, exactly one request probes the member, a failed probe
// reopens it for twice as long, and a good probe brings traffic back.
func TestBreakerProbesAfterCooldown(t *testing.T) {
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := balancer.NewState(clk.now)
	plan, err := st.Compile(balancer.Group{Name: "g", Mode: balancer.Failover, Members: []balancer.Member{
		{Channel: "brk", Model: "gpt-4o", Keys: []string{"k1"}, Priority: 1},
		{Channel: "good", Model: "gpt-4o", Keys: []string{"k2"}, Priority: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	const brk, good = 0, 1
	// request makes one request: upstream answers for member brk with
	// brkOK, member good always works. It returns the members called.
	request := func(brkOK bool) []int {
		var called []int
		it := plan.Attempts(clk.now())
		for a, ok := it.Next(); ok; a, ok = it.Next() {
			called = append(called, a.Member)
			if a.Member == brk && !brkOK {
				a.Failure()
				continue
			}
			a.Success()
			break
		}
		return called
	}
	breaker := st.Breaker("brk", "k1", "gpt-4o")

	for range balancer.DefaultThreshold {
		if got := request(false); !slices.Equal(got, []int{brk, good}) {
			t.Fatalf("while closed: called %v, want brk then good", got)
		}
	}
	if got := request(true); !slices.Equal(got, []int{good}) {
		t.Fatalf("while open: called %v, want only good", got)
	}
	clk.advance(balancer.DefaultCooldown - time.Second)
	if got := request(true); !slices.Equal(got, []int{good}) {
		t.Fatalf("a second before the cooldown ends: called %v, want only good", got)
	}
	clk.advance(time.Second)
	if s := breaker.State(clk.now()); s != balancer.HalfOpen {
		t.Fatalf("after the cooldown the breaker is %s", s)
	}

	// One probe at a time: a request that starts while the probe is out
	// goes to the healthy member.
	probe := plan.Attempts(clk.now())
	a, ok := probe.Next()
	if !ok || a.Member != brk || !a.Probe {
		t.Fatalf("first request after the cooldown: %+v, want a probe of brk", a)
	}
	if got := request(true); !slices.Equal(got, []int{good}) {
		t.Fatalf("while the probe is out: called %v, want only good", got)
	}
	a.Failure() // the probe fails: open again, for twice as long
	if s := breaker.State(clk.now()); s != balancer.Open {
		t.Fatalf("after a failed probe the breaker is %s", s)
	}
	if d := breaker.OpenUntil().Sub(clk.now()); d != 2*balancer.DefaultCooldown {
		t.Fatalf("reopened for %s, want %s", d, 2*balancer.DefaultCooldown)
	}
	clk.advance(2 * balancer.DefaultCooldown)
	if got := request(true); !slices.Equal(got, []int{brk}) {
		t.Fatalf("the second probe: called %v, want brk", got)
	}
	if s := breaker.State(clk.now()); s != balancer.Closed {
		t.Fatalf("after a good probe the breaker is %s, want closed", s)
	}
	for range 3 {
		if got := request(true); !slices.Equal(got, []int{brk}) {
			t.Fatalf("after recovery: called %v, want brk", got)
		}
	}
}
