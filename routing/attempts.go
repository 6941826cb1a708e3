package routing

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/octopuscaddy/octopus/balancer"
)

// Outcome is what an attempt reports back to the balancer.
type Outcome uint8

const (
	// Success: the upstream answered (even with a client error).
	Success Outcome = iota
	// Failure: connect error, timeout, 408, 5xx, garbage.
	Failure
	// RateLimited: 429; the key rests for the Retry-After.
	RateLimited
	// AuthFailed: 401/403; the key's breaker opens.
	AuthFailed
	// Skipped: no verdict on the upstream (the client left, or the request
	// cannot be expressed for this channel); health is unchanged.
	Skipped
)

// Try is one attempt the relay should make: a member and one of its
// channel's keys.
type Try struct {
	Member *Member
	Key    string
	at     balancer.Attempt
}

// Attempts iterates the attempts of one request. It lives on the caller's
// stack and must not be copied once Next was called.
type Attempts struct {
	it balancer.Iter
	g  *Group
}

// Attempts starts the attempt sequence of one request.
func (g *Group) Attempts(now time.Time) Attempts {
	return Attempts{it: g.plan.Attempts(now), g: g}
}

// Next returns the next attempt to make.
func (a *Attempts) Next() (Try, bool) {
	at, ok := a.it.Next()
	if !ok {
		return Try{}, false
	}
	m := a.g.Members[at.Member]
	return Try{Member: m, Key: m.Channel.Keys[at.Key], at: at}, true
}

// Report records the outcome of t; call it exactly once per attempt.
func (a *Attempts) Report(t Try, o Outcome, retryAfter time.Duration) {
	switch o {
	case Success:
		t.at.Success()
	case Failure:
		t.at.Failure()
	case RateLimited:
		t.at.RateLimited(retryAfter)
	case AuthFailed:
		t.at.AuthFailed()
	default:
		t.at.Release()
	}
}

// RetryAfter is how long until a skipped member becomes available again.
func (a *Attempts) RetryAfter() time.Duration { return a.it.RetryAfter() }

// balanceState binds compiled groups to the balancer state kept across
// reloads.
type balanceState struct{ st *balancer.State }

func newBalanceState() *balanceState { return &balanceState{st: balancer.NewState(time.Now)} }

type plan = balancer.Plan

func (b *balanceState) plan(name, mode string, members []*Member, maxAttempts int) (*plan, error) {
	m := balancer.RoundRobin
	if mode != "" {
		var err error
		if m, err = balancer.ParseMode(mode); err != nil {
			return nil, err
		}
	}
	g := balancer.Group{Name: name, Mode: m, MaxAttempts: maxAttempts, Members: make([]balancer.Member, len(members))}
	for i, mb := range members {
		keys := make([]string, len(mb.Channel.Keys))
		for j, k := range mb.Channel.Keys {
			keys[j] = Fingerprint(k)
		}
		g.Members[i] = balancer.Member{
			Channel: mb.Channel.Name, Model: mb.Model, Keys: keys,
			Priority: mb.Priority, Weight: mb.Weight, Disabled: mb.Channel.Disabled,
		}
	}
	return b.st.Compile(g)
}

// Fingerprint identifies a channel key in health listings without
// revealing it.
func Fingerprint(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:4])
}

// Balancer returns the balancer state, for metrics and the admin API.
func (rt *Runtime) Balancer() *balancer.State { return rt.balance.st }
