package balancer

import (
	"errors"
	"fmt"
	"slices"
)

// Group describes one group for Compile.
type Group struct {
	// Name binds the plan to its rotation counter in the State, so the
	// rotation continues across reloads.
	Name string
	Mode Mode
	// Members in declaration order. Attempt.Member indexes this slice.
	Members []Member
	// MaxAttempts bounds the attempts of one request, key retries
	// included. 0: no bound beyond each member once (plus key retries
	// after 429/401/403, each key at most once).
	MaxAttempts int
	// Policy tunes the breakers; zero fields take the defaults. A breaker
	// is shared by every group using its (channel, key, model) and obeys
	// the policy of the plan reporting to it, so give groups one policy.
	Policy Policy
}

// Member is one channel + upstream model of a group.
type Member struct {
	// Channel names the channel; its keys rotate per channel, across
	// every group that uses it.
	Channel string
	// Model is the upstream model; health is kept per model.
	Model string
	// Keys identify the channel's keys, in the channel's order;
	// Attempt.Key indexes this slice. Empty: a keyless channel (one
	// implicit key, Attempt.Key = -1). See State.Breaker about what to
	// pass.
	Keys []string
	// Priority orders members in Failover mode: lower first.
	Priority int
	// Weight is the share in Weighted mode; <= 0 counts as 1.
	Weight int
	// Disabled members are never chosen.
	Disabled bool
}

// maxSchedule bounds the weighted schedule. Weights whose sum (after
// dividing by their gcd) is larger are scaled down proportionally, which
// keeps shares exact to within 1/maxSchedule.
const maxSchedule = 4096

// Plan is the compiled, immutable form of a group. It is safe for
// concurrent use; per-request work is done by the Iter it returns.
type Plan struct {
	name    string
	mode    Mode
	members []member // enabled members only
	// order maps positions to members (Failover: by priority).
	order []int32
	// sched is the smooth weighted round robin cycle (Weighted).
	sched []int32
	// strides are the steps coprime with len(members) (Random), so
	// start + k*stride visits every member once.
	strides []int32
	rr      *counter
	max     int
	pol     Policy
	st      *State
}

// member is an enabled member with its resolved state pointers.
type member struct {
	index   int32      // position in Group.Members
	keyless bool       // Keys was empty: Attempt.Key is -1
	keys    []*Breaker // one per key, in Keys order
	rot     *counter   // key rotation of the channel; nil with one key
}

// Compile builds the plan of g, resolving its counters and breakers in s.
// It takes s's mutex; call it when compiling a snapshot, not per request.
func (s *State) Compile(g Group) (*Plan, error) {
	if g.Name == "" {
		return nil, errors.New("group without a name")
	}
	if g.Mode > Weighted {
		return nil, fmt.Errorf("group %q: unknown mode %d", g.Name, g.Mode)
	}
	if g.MaxAttempts < 0 {
		return nil, fmt.Errorf("group %q: max attempts must not be negative", g.Name)
	}
	for i, m := range g.Members {
		if m.Channel == "" {
			return nil, fmt.Errorf("group %q: member %d has no channel", g.Name, i)
		}
	}
	p := &Plan{name: g.Name, mode: g.Mode, max: g.MaxAttempts, pol: g.Policy.withDefaults(), st: s}

	s.mu.Lock()
	p.rr = counterLocked(s.groups, g.Name)
	for i, m := range g.Members {
		if m.Disabled {
			continue
		}
		cm := member{index: int32(i)}
		if len(m.Keys) == 0 {
			cm.keyless = true
			cm.keys = []*Breaker{s.breakerLocked(triple{m.Channel, "", m.Model})}
		} else {
			cm.keys = make([]*Breaker, len(m.Keys))
			for k, id := range m.Keys {
				cm.keys[k] = s.breakerLocked(triple{m.Channel, id, m.Model})
			}
			if len(m.Keys) > 1 {
				cm.rot = counterLocked(s.channels, m.Channel)
			}
		}
		p.members = append(p.members, cm)
	}
	s.mu.Unlock()

	n := len(p.members)
	switch g.Mode {
	case Failover:
		p.order = make([]int32, n)
		for i := range p.order {
			p.order[i] = int32(i)
		}
		prio := func(i int32) int { return g.Members[p.members[i].index].Priority }
		slices.SortStableFunc(p.order, func(a, b int32) int { return prio(a) - prio(b) })
	case Weighted:
		w := make([]int, n)
		for i := range w {
			w[i] = max(1, g.Members[p.members[i].index].Weight)
		}
		p.sched = smoothSchedule(w)
	case Random:
		for k := 1; k < n; k++ {
			if gcd(k, n) == 1 {
				p.strides = append(p.strides, int32(k))
			}
		}
	}
	return p, nil
}

// Name returns the group name.
func (p *Plan) Name() string { return p.name }

// Mode returns the group's mode.
func (p *Plan) Mode() Mode { return p.mode }

// Len returns the number of enabled members.
func (p *Plan) Len() int { return len(p.members) }

// Policy returns the plan's policy with defaults filled in.
func (p *Plan) Policy() Policy { return p.pol }

// Breaker returns the breaker of member (a Group.Members index) and key
// (a Member.Keys index, -1 for a keyless member), or nil when the member
// is disabled or out of range.
func (p *Plan) Breaker(member, key int) *Breaker {
	for i := range p.members {
		m := &p.members[i]
		if int(m.index) != member {
			continue
		}
		if m.keyless {
			if key == -1 {
				return m.keys[0]
			}
			return nil
		}
		if key < 0 || key >= len(m.keys) {
			return nil
		}
		return m.keys[key]
	}
	return nil
}

// smoothSchedule returns one cycle of nginx's smooth weighted round robin
// over weights w: every step adds each weight to its member's current
// value, picks the largest and subtracts the total from it. Over a cycle
// each member appears exactly w[i] times, spread as evenly as possible.
func smoothSchedule(w []int) []int32 {
	if len(w) == 0 {
		return nil
	}
	g := 0
	for _, x := range w {
		g = gcd(g, x)
	}
	total := 0
	for i := range w {
		w[i] /= g
		total += w[i]
	}
	if total > maxSchedule {
		scaled := 0
		for i := range w {
			w[i] = max(1, w[i]*maxSchedule/total)
			scaled += w[i]
		}
		total = scaled
	}
	cur := make([]int, len(w))
	out := make([]int32, total)
	for s := range out {
		best := 0
		for i := range w {
			cur[i] += w[i]
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		out[s] = int32(best)
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
