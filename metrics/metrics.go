// Package metrics exposes the gateway's Prometheus metrics under
// caddy_octopus_*.
//
// The collectors are package-level and created once, so their values
// survive config reloads: each config registers them into its own
// registry with Register (Caddy gives every config a fresh one). Label
// values stay bounded: groups and channels come from the config, formats
// and status classes are fixed sets, and nothing is labelled by API key,
// model or request.
package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

const (
	namespace = "caddy"
	subsystem = "octopus"
)

// Token types of tokens_total. input includes cache reads and writes and
// output includes reasoning, as in transform.Usage, so cache_read,
// cache_write and reasoning are subsets, not additions.
const (
	TokensInput      = "input"
	TokensOutput     = "output"
	TokensCacheRead  = "cache_read"
	TokensCacheWrite = "cache_write"
	TokensReasoning  = "reasoning"
)

// Buckets sized for LLM calls: long generations run for minutes, and
// first tokens arrive after tens of milliseconds to tens of seconds.
var (
	durationBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320, 640}
	ttftBuckets     = []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64}
	// The gateway's own time: decoding, translation, routing, writing.
	overheadBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}
)

func opts(name, help string) prometheus.Opts {
	return prometheus.Opts{Namespace: namespace, Subsystem: subsystem, Name: name, Help: help}
}

func histOpts(name, help string, buckets []float64) prometheus.HistogramOpts {
	return prometheus.HistogramOpts{Namespace: namespace, Subsystem: subsystem, Name: name, Help: help, Buckets: buckets}
}

var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts(opts("requests_total",
		"Client requests answered, by group, answering channel, inbound format and HTTP status class.")),
		[]string{"group", "channel", "inbound_format", "status_class"})
	tokensTotal = prometheus.NewCounterVec(prometheus.CounterOpts(opts("tokens_total",
		"Tokens reported by upstreams, by channel and type (input includes cache_read and cache_write; output includes reasoning).")),
		[]string{"channel", "type"})
	costTotal = prometheus.NewCounterVec(prometheus.CounterOpts(opts("cost_usd_total",
		"Estimated cost of priced requests in US dollars, by channel.")),
		[]string{"channel"})
	requestDuration = prometheus.NewHistogramVec(histOpts("request_duration_seconds",
		"Time from a client request to its last byte, by answering channel.", durationBuckets),
		[]string{"channel"})
	upstreamDuration = prometheus.NewHistogramVec(histOpts("upstream_duration_seconds",
		"Duration of each upstream attempt, by channel tried.", durationBuckets),
		[]string{"channel"})
	ttftSeconds = prometheus.NewHistogramVec(histOpts("time_to_first_token_seconds",
		"Time from a client request to the first byte sent back, by answering channel.", ttftBuckets),
		[]string{"channel"})
	overheadSeconds = prometheus.NewHistogram(histOpts("gateway_overhead_seconds",
		"Request duration not spent in upstream attempts.", overheadBuckets))
	retriesTotal = prometheus.NewCounterVec(prometheus.CounterOpts(opts("retries_total",
		"Upstream attempts beyond the first, by group.")),
		[]string{"group"})
	failoversTotal = prometheus.NewCounterVec(prometheus.CounterOpts(opts("failovers_total",
		"Requests that ended on another channel than the first one tried, by group.")),
		[]string{"group"})
)

// collectors are registered by Register, in this order.
var collectors = []prometheus.Collector{
	requestsTotal, tokensTotal, costTotal,
	requestDuration, upstreamDuration, ttftSeconds, overheadSeconds,
	retriesTotal, failoversTotal, breakers,
}

// Register adds the package's collectors to reg. Call it on every
// Provision with the config's registry (ctx.GetMetricsRegistry()); it is
// idempotent per registry, so several handlers in one config can all
// call it. A nil reg does nothing.
func Register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	var errs []error
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				continue
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
