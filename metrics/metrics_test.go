package metrics

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/octopuscaddy/octopus/balancer"
	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/transform"
)

// The collectors are package-level, so the tests use label values of
// their own (fresh on every run, for -count) or compare differences, and
// do not run in parallel.

var runID atomic.Int64

// uniq returns prefix made unique within the test binary.
func uniq(prefix string) string { return fmt.Sprintf("%s%d", prefix, runID.Add(1)) }

func failoverRecord(group string) *relay.Record {
	return &relay.Record{
		Start: time.Now(), Duration: 3 * time.Second, TTFT: 500 * time.Millisecond,
		Group: group, Channel: group + "-b", Model: "m", Inbound: transform.Anthropic, Status: 200,
		Attempts: []relay.Attempt{
			{Channel: group + "-a", Status: 503, Duration: 1 * time.Second},
			{Channel: group + "-a", Status: 503, Duration: 500 * time.Millisecond},
			{Channel: group + "-b", Status: 200, Duration: 1400 * time.Millisecond},
		},
		Usage:      transform.Usage{InputTokens: 100, OutputTokens: 20, CacheReadTokens: 60, ReasoningTokens: 5},
		UsageKnown: true,
	}
}

func TestObserverCounts(t *testing.T) {
	o := &Observer{Cost: func(r *relay.Record) (float64, bool) { return 0.25, r.Model == "m" }}
	g := uniq("obs")
	for range 3 {
		o.Observe(failoverRecord(g))
	}
	bad := failoverRecord(g)
	bad.Status, bad.Model, bad.Attempts, bad.Inbound = 0, "x", nil, "bogus"
	o.Observe(bad)
	o.Observe(nil)

	ch := g + "-b"
	checks := []struct {
		name string
		c    prometheus.Collector
		want float64
	}{
		{"requests 2xx", requestsTotal.WithLabelValues(g, ch, "anthropic", "2xx"), 3},
		{"requests other", requestsTotal.WithLabelValues(g, ch, "other", "other"), 1},
		{"input tokens", tokensTotal.WithLabelValues(ch, TokensInput), 400},
		{"output tokens", tokensTotal.WithLabelValues(ch, TokensOutput), 80},
		{"cache read tokens", tokensTotal.WithLabelValues(ch, TokensCacheRead), 240},
		{"cache write tokens", tokensTotal.WithLabelValues(ch, TokensCacheWrite), 0},
		{"reasoning tokens", tokensTotal.WithLabelValues(ch, TokensReasoning), 20},
		{"cost only priced", costTotal.WithLabelValues(ch), 0.75},
		{"retries", retriesTotal.WithLabelValues(g), 6},
		{"failovers", failoversTotal.WithLabelValues(g), 3},
	}
	for _, c := range checks {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}

	reg := prometheus.NewPedanticRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	// Histograms: 4 requests on ch; 3 TTFTs; upstream attempts split by channel.
	hist := map[string]uint64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				lbl := ""
				for _, lp := range m.GetLabel() {
					lbl += lp.GetValue()
				}
				hist[mf.GetName()+"/"+lbl] = h.GetSampleCount()
			}
		}
	}
	for name, want := range map[string]uint64{
		"caddy_octopus_request_duration_seconds/" + ch:        4,
		"caddy_octopus_time_to_first_token_seconds/" + ch:     4, // bad kept its TTFT
		"caddy_octopus_upstream_duration_seconds/" + ch:       3,
		"caddy_octopus_upstream_duration_seconds/" + g + "-a": 6,
	} {
		if hist[name] != want {
			t.Errorf("%s count = %d, want %d", name, hist[name], want)
		}
	}
}

func TestGatewayOverhead(t *testing.T) {
	before := histSum(t, overheadSeconds)
	beforeN := histCount(t, overheadSeconds)
	o := &Observer{}
	o.Observe(failoverRecord("ovh"))                                                                                      // 3s - 2.9s
	o.Observe(&relay.Record{Group: "ovh", Duration: time.Second, Attempts: []relay.Attempt{{Duration: 2 * time.Second}}}) // clamped to 0
	if n := histCount(t, overheadSeconds) - beforeN; n != 2 {
		t.Fatalf("overhead observations = %d, want 2", n)
	}
	if d := histSum(t, overheadSeconds) - before; d < 0.0999 || d > 0.1001 {
		t.Fatalf("overhead sum grew by %v, want 0.1", d)
	}
}

func histMetric(t *testing.T, h prometheus.Histogram) (uint64, float64) {
	t.Helper()
	ch := make(chan prometheus.Metric, 1)
	h.Collect(ch)
	m := new(dto.Metric)
	if err := (<-ch).Write(m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

func histCount(t *testing.T, h prometheus.Histogram) uint64 { n, _ := histMetric(t, h); return n }
func histSum(t *testing.T, h prometheus.Histogram) float64  { _, s := histMetric(t, h); return s }

func TestStatusClassAndFormat(t *testing.T) {
	for status, want := range map[int]string{0: "other", 99: "other", 101: "1xx", 200: "2xx", 299: "2xx", 302: "3xx", 429: "4xx", 503: "5xx", 600: "other", -1: "other"} {
		if got := statusClass(status); got != want {
			t.Errorf("statusClass(%d) = %q, want %q", status, got, want)
		}
	}
	for _, f := range transform.Formats {
		if got := formatLabel(f); got != string(f) {
			t.Errorf("formatLabel(%q) = %q", f, got)
		}
	}
	if got := formatLabel("x"); got != "other" {
		t.Errorf("formatLabel(x) = %q, want other", got)
	}
}

func TestInvalidUTF8LabelDoesNotPanic(t *testing.T) {
	g := uniq("g")
	(&Observer{}).Observe(&relay.Record{Group: g + "\xff", Channel: "c\xff", Status: 200,
		Attempts: []relay.Attempt{{Channel: "a\xff"}, {Channel: "c\xff"}}})
	if got := testutil.ToFloat64(failoversTotal.WithLabelValues(g + "\uFFFD")); got != 1 {
		t.Fatalf("failovers for sanitised group = %v, want 1", got)
	}
}

// TestReRegisterKeepsValues simulates a reload: a second config's fresh
// registry sees the counts recorded before it existed.
func TestReRegisterKeepsValues(t *testing.T) {
	first := prometheus.NewPedanticRegistry()
	if err := Register(first); err != nil {
		t.Fatal(err)
	}
	if err := Register(first); err != nil { // second handler in the same config
		t.Fatalf("re-register into the same registry: %v", err)
	}
	g := uniq("reload")
	(&Observer{}).Observe(failoverRecord(g))
	(&Observer{}).Observe(failoverRecord(g))

	second := prometheus.NewPedanticRegistry()
	if err := Register(second); err != nil {
		t.Fatal(err)
	}
	// Other tests add other groups, so only this group's value is read.
	for i, reg := range []*prometheus.Registry{first, second} {
		if got := gatherValue(t, reg, "caddy_octopus_failovers_total", g); got != 2 {
			t.Fatalf("registry %d: failovers{%s} = %v, want 2", i, g, got)
		}
	}
	if n, err := testutil.GatherAndCount(second, "caddy_octopus_requests_total"); err != nil || n == 0 {
		t.Fatalf("requests_total series in the second registry = %d, %v", n, err)
	}
	if problems, err := testutil.GatherAndLint(second); err != nil || len(problems) != 0 {
		t.Fatalf("lint: %v %+v", err, problems)
	}
}

func gatherValue(t *testing.T, reg prometheus.Gatherer, name, labelValue string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetValue() == labelValue {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}

func TestWorstByChannel(t *testing.T) {
	got := worstByChannel([]balancer.BreakerInfo{
		{Channel: "healthy", State: balancer.Closed},
		{Channel: "mixed", State: balancer.Closed},
		{Channel: "mixed", State: balancer.Open},
		{Channel: "mixed", State: balancer.HalfOpen},
		{Channel: "probing", State: balancer.HalfOpen},
		{Channel: "probing", State: balancer.Closed},
	})
	want := map[string]float64{"healthy": BreakerClosed, "mixed": BreakerOpen, "probing": BreakerHalfOpen}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestBreakerStateCollector(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	defer SetBreakerSource(nil)

	// A real balancer state: fresh breakers are closed.
	st := balancer.NewState(nil)
	st.Breaker("healthy", "k1", "m")
	SetBreakerSource(BalancerBreakers(st))
	if got := gatherValue(t, reg, "caddy_octopus_breaker_state", "healthy"); got != BreakerClosed {
		t.Errorf("healthy = %v, want closed", got)
	}

	// The source is read at every scrape.
	state := float64(BreakerOpen)
	SetBreakerSource(func() map[string]float64 { return map[string]float64{"c1": state, "bad\xff": 1} })
	if got := gatherValue(t, reg, "caddy_octopus_breaker_state", "c1"); got != BreakerOpen {
		t.Errorf("c1 = %v, want open", got)
	}
	state = BreakerHalfOpen
	if got := gatherValue(t, reg, "caddy_octopus_breaker_state", "c1"); got != BreakerHalfOpen {
		t.Errorf("c1 after change = %v, want half-open", got)
	}

	SetBreakerSource(nil)
	if n, err := testutil.GatherAndCount(reg, "caddy_octopus_breaker_state"); err != nil || n != 0 {
		t.Fatalf("without source: %d series, %v", n, err)
	}
}

func BenchmarkObserve(b *testing.B) {
	o := &Observer{Cost: func(*relay.Record) (float64, bool) { return 0.001, true }}
	rec := failoverRecord("bench")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o.Observe(rec)
		}
	})
}
