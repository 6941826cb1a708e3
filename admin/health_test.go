package admin

import (
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/balancer"
	"github.com/octopuscaddy/octopus/routing"
)

func TestChannelHealth(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	key1, key2 := "sk-health-key-one-1111", "sk-health-key-two-2222"
	fp1, fp2 := routing.Fingerprint(key1), routing.Fingerprint(key2)
	closed := func(key, model string) balancer.BreakerInfo {
		return balancer.BreakerInfo{Channel: "c", Key: key, Model: model, State: balancer.Closed}
	}
	open := func(key, model string) balancer.BreakerInfo {
		return balancer.BreakerInfo{Channel: "c", Key: key, Model: model, State: balancer.Open, Failures: 3,
			OpenUntil: now.Add(30 * time.Second), LastFailure: now.Add(-time.Second)}
	}
	resting := closed(fp2, "m1")
	resting.RestUntil = now.Add(10 * time.Second)
	rested := closed(fp2, "m1")
	rested.RestUntil = now.Add(-time.Second) // over

	for _, tc := range []struct {
		name  string
		infos []balancer.BreakerInfo
		want  string
	}{
		{"no breakers", nil, HealthUnused},
		{"all closed", []balancer.BreakerInfo{closed(fp1, "m1"), closed(fp2, "m1")}, HealthHealthy},
		{"rest over", []balancer.BreakerInfo{closed(fp1, "m1"), rested}, HealthHealthy},
		{"one open", []balancer.BreakerInfo{open(fp1, "m1"), closed(fp2, "m1")}, HealthDegraded},
		{"one resting", []balancer.BreakerInfo{closed(fp1, "m1"), resting}, HealthDegraded},
		{"half open", []balancer.BreakerInfo{{Channel: "c", Key: fp1, Model: "m1", State: balancer.HalfOpen}}, HealthDegraded},
		{"all open", []balancer.BreakerInfo{open(fp1, "m1"), open(fp2, "m1")}, HealthDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hi := healthIndex{now: now, by: map[string][]balancer.BreakerInfo{"c": tc.infos, "other": {open(fp1, "x")}}}
			h := hi.channel("c", []string{key1, key2})
			if h.Status != tc.want || len(h.Breakers) != len(tc.infos) {
				t.Fatalf("status %s with %d breakers, want %s with %d", h.Status, len(h.Breakers), tc.want, len(tc.infos))
			}
		})
	}

	hi := healthIndex{now: now, by: map[string][]balancer.BreakerInfo{"c": {open(fp1, "m1"), resting, closed("gone-fp", "m1")}}}
	h := hi.channel("c", []string{key1, key2})
	b0, b1, b2 := h.Breakers[0], h.Breakers[1], h.Breakers[2]
	if b0.Key != "sk-…1111" || b0.State != "open" || b0.Failures != 3 || b0.OpenUntil == nil || !b0.OpenUntil.Equal(now.Add(30*time.Second)) || b0.LastFailure == nil {
		t.Errorf("open breaker shown as %+v", b0)
	}
	if b1.Key != "sk-…2222" || !b1.Resting || b1.RestUntil == nil || b1.OpenUntil != nil {
		t.Errorf("resting breaker shown as %+v", b1)
	}
	if b2.Key != "gone-fp" {
		t.Errorf("a breaker of a removed key shows %q, want its fingerprint", b2.Key)
	}
}
