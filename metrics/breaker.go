package metrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/octopuscaddy/octopus/balancer"
)

// Values of breaker_state, ordered so the worst state is the largest.
const (
	BreakerClosed   = 0
	BreakerHalfOpen = 1
	BreakerOpen     = 2
)

// BreakerFunc returns each channel's breaker state at the time of the
// call: BreakerClosed, BreakerHalfOpen or BreakerOpen.
type BreakerFunc func() map[string]float64

// breakerCollector computes breaker_state at scrape time from the
// current source, so the request path pays nothing for it.
type breakerCollector struct {
	desc *prometheus.Desc
	src  atomic.Pointer[BreakerFunc]
}

var breakers = &breakerCollector{
	desc: prometheus.NewDesc(prometheus.BuildFQName(namespace, subsystem, "breaker_state"),
		"Worst circuit breaker state over a channel's keys and models: 0 closed, 1 half-open, 2 open.",
		[]string{"channel"}, nil),
}

// SetBreakerSource sets where breaker_state is read from (nil: the
// metric is absent). Call it on Provision; the last call wins.
func SetBreakerSource(fn BreakerFunc) {
	if fn == nil {
		breakers.src.Store(nil)
		return
	}
	breakers.src.Store(&fn)
}

// BalancerBreakers is a BreakerFunc over st: each channel's worst
// breaker over its keys and models, at the state's clock.
func BalancerBreakers(st *balancer.State) BreakerFunc {
	return func() map[string]float64 {
		if st == nil {
			return nil
		}
		return worstByChannel(st.Breakers(st.Now()))
	}
}

// worstByChannel folds breakers into each channel's worst state.
func worstByChannel(infos []balancer.BreakerInfo) map[string]float64 {
	out := make(map[string]float64, len(infos))
	for _, b := range infos {
		v := float64(BreakerClosed)
		switch b.State {
		case balancer.Open:
			v = BreakerOpen
		case balancer.HalfOpen:
			v = BreakerHalfOpen
		}
		if cur, ok := out[b.Channel]; !ok || v > cur {
			out[b.Channel] = v
		}
	}
	return out
}

// Describe implements prometheus.Collector.
func (c *breakerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *breakerCollector) Collect(ch chan<- prometheus.Metric) {
	fn := c.src.Load()
	if fn == nil {
		return
	}
	for channel, v := range (*fn)() {
		m, err := prometheus.NewConstMetric(c.desc, prometheus.GaugeValue, v, channel)
		if err != nil {
			continue // an invalid label value: skip rather than fail the scrape
		}
		ch <- m
	}
}
