package admin

import (
	"time"

	"github.com/octopuscaddy/octopus/balancer"
	"github.com/octopuscaddy/octopus/routing"
)

// Channel health statuses.
const (
	// HealthHealthy: every breaker is closed and no key is resting.
	HealthHealthy = "healthy"
	// HealthDegraded: some breakers are open or half open, or keys rest
	// after a 429.
	HealthDegraded = "degraded"
	// HealthDown: every breaker is open.
	HealthDown = "down"
	// HealthUnused: no group routes to the channel, so it has no breakers.
	HealthUnused = "unused"
)

// channelHealth is a channel's breakers, as the UI shows them.
type channelHealth struct {
	Status   string          `json:"status"`
	Breakers []breakerOutput `json:"breakers"`
}

// breakerOutput is the health of one (key, model) of a channel.
type breakerOutput struct {
	Model string `json:"model"`
	// Key is the masked key; its fingerprint when the key is no longer
	// configured.
	Key         string     `json:"key"`
	State       string     `json:"state"`
	Failures    int        `json:"failures"`
	Resting     bool       `json:"resting"`
	OpenUntil   *time.Time `json:"open_until,omitempty"`
	RestUntil   *time.Time `json:"rest_until,omitempty"`
	LastFailure *time.Time `json:"last_failure,omitempty"`
}

// healthIndex is every breaker at one instant, by channel name.
type healthIndex struct {
	now time.Time
	by  map[string][]balancer.BreakerInfo
}

// health reads the breakers once per request.
func (h *Handler) health() healthIndex {
	now := h.now()
	hi := healthIndex{now: now, by: map[string][]balancer.BreakerInfo{}}
	rt := h.b.Runtime()
	if rt == nil {
		return hi
	}
	for _, b := range rt.Balancer().Breakers(now) {
		hi.by[b.Channel] = append(hi.by[b.Channel], b)
	}
	return hi
}

// channel summarises the breakers of channel name, whose keys are keys.
func (hi healthIndex) channel(name string, keys []string) *channelHealth {
	infos := hi.by[name]
	out := &channelHealth{Status: HealthUnused, Breakers: make([]breakerOutput, 0, len(infos))}
	if len(infos) == 0 {
		return out
	}
	masked := make(map[string]string, len(keys))
	for _, k := range keys {
		masked[routing.Fingerprint(k)] = Mask(k)
	}
	open, troubled := 0, 0
	for _, b := range infos {
		o := breakerOutput{Model: b.Model, Key: b.Key, State: b.State.String(), Failures: b.Failures}
		if m, ok := masked[b.Key]; ok {
			o.Key = m
		}
		o.Resting = b.RestUntil.After(hi.now)
		if o.Resting {
			o.RestUntil = utc(b.RestUntil)
		}
		if b.State != balancer.Closed {
			o.OpenUntil = utc(b.OpenUntil)
		}
		o.LastFailure = utc(b.LastFailure)
		switch {
		case b.State == balancer.Open:
			open++
			troubled++
		case b.State != balancer.Closed || o.Resting:
			troubled++
		}
		out.Breakers = append(out.Breakers, o)
	}
	switch {
	case open == len(infos):
		out.Status = HealthDown
	case troubled > 0:
		out.Status = HealthDegraded
	default:
		out.Status = HealthHealthy
	}
	return out
}

// utc returns t in UTC without its monotonic reading, nil when zero.
func utc(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Round(0)
	return &u
}
