package balancer

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// State is the balancer state that outlives one config: rotation
// counters and breakers. It is safe for concurrent use. Its mutex is
// taken only by Compile, Breaker, Retain and Breakers, never per request.
type State struct {
	clock func() time.Time
	// epoch anchors ticks. It is one second before the first clock
	// reading so every tick of a real time is > 0.
	epoch time.Time

	mu       sync.Mutex
	breakers map[triple]*Breaker
	groups   map[string]*counter // first-member rotation per group
	channels map[string]*counter // key rotation per channel
}

// counter is an atomic counter alone on its cache line, so hot counters
// of different groups do not slow each other down.
type counter struct {
	atomic.Uint64
	_ [56]byte
}

// NewState returns an empty state. clock is the time source (nil:
// time.Now); tests inject a fake one.
func NewState(clock func() time.Time) *State {
	if clock == nil {
		clock = time.Now
	}
	return &State{
		clock:    clock,
		epoch:    clock().Add(-time.Second),
		breakers: map[triple]*Breaker{},
		groups:   map[string]*counter{},
		channels: map[string]*counter{},
	}
}

// Now returns the state's clock reading.
func (s *State) Now() time.Time { return s.clock() }

// tick converts t to the state's timeline. With time.Now readings the
// difference uses the monotonic clock, so wall-clock jumps do not shorten
// or stretch cooldowns.
func (s *State) tick(t time.Time) int64 { return int64(t.Sub(s.epoch)) }

// time converts a tick back; 0 (none) becomes the zero time.
func (s *State) time(tk int64) time.Time {
	if tk == 0 {
		return time.Time{}
	}
	return s.epoch.Add(time.Duration(tk))
}

// Breaker returns the breaker of (channel, key, model), creating it
// closed. key is the caller's identifier of the channel key ("" for a
// keyless channel); it is kept in memory and returned by Breakers, so pass
// a fingerprint rather than the secret if listings leave the process.
// Call it when compiling a routing snapshot, never per request.
func (s *State) Breaker(channel, key, model string) *Breaker {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.breakerLocked(triple{channel, key, model})
}

func (s *State) breakerLocked(t triple) *Breaker {
	b, ok := s.breakers[t]
	if !ok {
		b = &Breaker{st: s, key: t}
		s.breakers[t] = b
	}
	return b
}

func counterLocked(m map[string]*counter, name string) *counter {
	c, ok := m[name]
	if !ok {
		c = new(counter)
		m[name] = c
	}
	return c
}

// Retain forgets breakers and counters that none of plans uses, so
// channels, keys and groups removed from the config do not accumulate.
// Old plans still holding forgotten pointers keep working; they simply no
// longer share state with new plans. Call it after a reload compiled all
// its plans, with all of them.
func (s *State) Retain(plans ...*Plan) {
	keepB := map[*Breaker]bool{}
	keepG := map[string]bool{}
	keepC := map[*counter]bool{}
	for _, p := range plans {
		if p == nil {
			continue
		}
		keepG[p.name] = true
		for i := range p.members {
			m := &p.members[i]
			for _, b := range m.keys {
				keepB[b] = true
			}
			if m.rot != nil {
				keepC[m.rot] = true
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, b := range s.breakers {
		if !keepB[b] {
			delete(s.breakers, k)
		}
	}
	for k := range s.groups {
		if !keepG[k] {
			delete(s.groups, k)
		}
	}
	for k, c := range s.channels {
		if !keepC[c] {
			delete(s.channels, k)
		}
	}
}

// BreakerInfo is a breaker as shown by metrics and the UI.
type BreakerInfo struct {
	Channel, Key, Model string
	State               BreakerState
	Failures            int
	OpenUntil           time.Time // zero when closed
	RestUntil           time.Time // zero or past when not resting
	LastFailure         time.Time // zero if never failed
}

// Breakers lists every breaker at now, sorted by channel, model, key.
func (s *State) Breakers(now time.Time) []BreakerInfo {
	s.mu.Lock()
	bs := make([]*Breaker, 0, len(s.breakers))
	for _, b := range s.breakers {
		bs = append(bs, b)
	}
	s.mu.Unlock()
	out := make([]BreakerInfo, len(bs))
	for i, b := range bs {
		out[i] = BreakerInfo{
			Channel:     b.key.channel,
			Key:         b.key.key,
			Model:       b.key.model,
			State:       b.State(now),
			Failures:    b.Failures(),
			OpenUntil:   b.OpenUntil(),
			RestUntil:   b.RestUntil(),
			LastFailure: b.LastFailure(),
		}
	}
	slices.SortFunc(out, func(a, b BreakerInfo) int {
		return cmp.Or(cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Key, b.Key))
	})
	return out
}
