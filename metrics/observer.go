package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/transform"
)

// Observer records finished requests into the package's collectors. It
// implements relay.Observer; the zero value is ready to use.
type Observer struct {
	// Cost prices a request in USD (priced false: unknown price). nil
	// leaves cost_usd_total untouched. A usage.CostFunc can be assigned.
	Cost func(rec *relay.Record) (usd float64, priced bool)
}

// Observe records rec. After the first request of each channel and
// group it does no label hashing and takes no lock.
func (o *Observer) Observe(rec *relay.Record) {
	if rec == nil {
		return
	}
	cs := channelSets.get(rec.Channel, newChannelSet)
	cs.requests.get(reqKey{rec.Group, formatLabel(rec.Inbound), statusClass(rec.Status)}, cs.newRequests).Inc()

	u := &rec.Usage
	for i, n := range [...]int64{u.InputTokens, u.OutputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.ReasoningTokens} {
		if n > 0 {
			cs.tokens[i].Add(float64(n))
		}
	}
	if o != nil && o.Cost != nil {
		if usd, ok := o.Cost(rec); ok && usd > 0 {
			cs.cost.Add(usd)
		}
	}
	cs.duration.Observe(rec.Duration.Seconds())
	if rec.TTFT > 0 {
		cs.ttft.Observe(rec.TTFT.Seconds())
	}

	var upstream float64
	for i := range rec.Attempts {
		a := &rec.Attempts[i]
		d := a.Duration.Seconds()
		upstream += d
		if a.Channel == rec.Channel {
			cs.upstream.Observe(d)
		} else {
			channelSets.get(a.Channel, newChannelSet).upstream.Observe(d)
		}
	}
	overheadSeconds.Observe(max(rec.Duration.Seconds()-upstream, 0))

	if n := len(rec.Attempts); n > 1 {
		gs := groupSets.get(rec.Group, newGroupSet)
		gs.retries.Add(float64(n - 1))
		if rec.Attempts[0].Channel != rec.Channel {
			gs.failovers.Inc()
		}
	}
}

// channelSet holds the children of every per-channel metric of one
// channel.
type channelSet struct {
	channel  string
	tokens   [5]prometheus.Counter // in tokenTypes order
	cost     prometheus.Counter
	duration prometheus.Observer
	upstream prometheus.Observer
	ttft     prometheus.Observer
	requests cowMap[reqKey, prometheus.Counter]
}

// reqKey is the rest of requests_total's labels, within one channel.
type reqKey struct{ group, format, class string }

var tokenTypes = [5]string{TokensInput, TokensOutput, TokensCacheRead, TokensCacheWrite, TokensReasoning}

var channelSets cowMap[string, *channelSet]

func newChannelSet(channel string) *channelSet {
	l := label(channel)
	cs := &channelSet{
		channel:  l,
		cost:     costTotal.WithLabelValues(l),
		duration: requestDuration.WithLabelValues(l),
		upstream: upstreamDuration.WithLabelValues(l),
		ttft:     ttftSeconds.WithLabelValues(l),
	}
	for i, t := range tokenTypes {
		cs.tokens[i] = tokensTotal.WithLabelValues(l, t)
	}
	return cs
}

func (cs *channelSet) newRequests(k reqKey) prometheus.Counter {
	return requestsTotal.WithLabelValues(label(k.group), cs.channel, k.format, k.class)
}

// groupSet holds the children of the per-group metrics of one group.
type groupSet struct{ retries, failovers prometheus.Counter }

var groupSets cowMap[string, *groupSet]

func newGroupSet(group string) *groupSet {
	l := label(group)
	return &groupSet{retries: retriesTotal.WithLabelValues(l), failovers: failoversTotal.WithLabelValues(l)}
}

// formatLabel bounds inbound_format to the known formats.
func formatLabel(f transform.Format) string {
	switch f {
	case transform.OpenAIChat, transform.OpenAIResponses, transform.Anthropic, transform.Gemini, transform.Antigravity:
		return string(f)
	}
	return "other"
}

var classes = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClass returns "1xx" … "5xx", or "other" (0: no response written).
func statusClass(status int) string {
	if status >= 100 && status < 600 {
		return classes[status/100]
	}
	return classes[0]
}
