package balancer

import "fmt"

// Mode is how a group picks the member of the first attempt.
type Mode uint8

// The balancing modes.
const (
	// RoundRobin rotates the first member over requests; fallbacks follow
	// in declaration order after it.
	RoundRobin Mode = iota
	// Random picks the first member uniformly; fallbacks follow in a
	// random permutation so a dead member's load spreads over the others.
	Random
	// Failover always starts with the lowest Priority number; members of
	// equal priority keep declaration order.
	Failover
	// Weighted is smooth weighted round robin (nginx): shares follow
	// Weight and no member gets long runs.
	Weighted
)

var modeNames = [...]string{RoundRobin: "round_robin", Random: "random", Failover: "failover", Weighted: "weighted"}

// String returns the configuration name of m.
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// ParseMode parses a configuration name; "" means RoundRobin.
func ParseMode(s string) (Mode, error) {
	if s == "" {
		return RoundRobin, nil
	}
	for i, n := range modeNames {
		if n == s {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown balancing mode %q (want round_robin, random, failover or weighted)", s)
}
