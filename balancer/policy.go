package balancer

import "time"

// Policy tunes breakers and rate-limit rests. The zero value means the
// defaults below; any field left zero takes its default.
type Policy struct {
	// Threshold is the number of consecutive failures that opens a
	// breaker. Default 3.
	Threshold int
	// Cooldown is how long a breaker stays open the first time. Default 30s.
	Cooldown time.Duration
	// MaxCooldown caps the doubling cooldown. Default 10m.
	MaxCooldown time.Duration
	// ProbeTimeout is how long a half-open probe may stay unreported
	// before another request may probe. Default 5m: the relay reports a
	// stream's success at its first byte, so this only has to cover the
	// wait for response headers.
	ProbeTimeout time.Duration
	// RetryAfter is the rest after a 429 that carried no Retry-After.
	// Default 10s.
	RetryAfter time.Duration
	// MaxRest caps a Retry-After, so a daily-quota answer is re-checked
	// within the hour. Default 1h.
	MaxRest time.Duration
}

// Defaults of Policy.
const (
	DefaultThreshold    = 3
	DefaultCooldown     = 30 * time.Second
	DefaultMaxCooldown  = 10 * time.Minute
	DefaultProbeTimeout = 5 * time.Minute
	DefaultRetryAfter   = 10 * time.Second
	DefaultMaxRest      = time.Hour
)

// withDefaults fills zero (or nonsensical negative) fields.
func (p Policy) withDefaults() Policy {
	if p.Threshold <= 0 {
		p.Threshold = DefaultThreshold
	}
	if p.Cooldown <= 0 {
		p.Cooldown = DefaultCooldown
	}
	if p.MaxCooldown <= 0 {
		p.MaxCooldown = DefaultMaxCooldown
	}
	if p.MaxCooldown < p.Cooldown {
		p.MaxCooldown = p.Cooldown
	}
	if p.ProbeTimeout <= 0 {
		p.ProbeTimeout = DefaultProbeTimeout
	}
	if p.RetryAfter <= 0 {
		p.RetryAfter = DefaultRetryAfter
	}
	if p.MaxRest <= 0 {
		p.MaxRest = DefaultMaxRest
	}
	return p
}

// cooldown returns the open period after trips earlier openings in a row:
// Cooldown doubled trips times, capped at MaxCooldown.
func (p *Policy) cooldown(trips int32) time.Duration {
	d := p.Cooldown
	for i := int32(0); i < trips && d < p.MaxCooldown; i++ {
		d *= 2
	}
	return min(d, p.MaxCooldown)
}

// rest returns how long a key rests after a 429 with the given
// Retry-After (<= 0: none given).
func (p *Policy) rest(retryAfter time.Duration) time.Duration {
	if retryAfter <= 0 {
		return p.RetryAfter
	}
	return min(retryAfter, p.MaxRest)
}
