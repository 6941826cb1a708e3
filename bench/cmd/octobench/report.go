package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sample is one repetition of one scenario: the three measurements plus the
// server's resource use across them.
type sample struct {
	max, r500, r2000 measurement
	cpuPerReq        time.Duration
	peakRSS          int64
	// mockConns is how many connections the mock accepted during the
	// three measurements (-1 unknown): for (a) the load generator's own,
	// otherwise the server's upstream connections.
	mockConns int64
}

// pairSample is one repetition of the paired measurement: passthrough (c)
// and translation (d) at the same rate, their requests alternating.
type pairSample struct{ c, d measurement }

// proxySample is one repetition of the paired passthrough measurement:
// the mock directly (a), reverse_proxy (b) and passthrough (c), their
// requests alternating.
type proxySample struct{ a, b, c measurement }

// addedRatio is (c)'s p50 over (a)'s divided by (b)'s over (a)'s.
func (p proxySample) addedRatio() float64 {
	return float64(p.c.P50-p.a.P50) / float64(p.b.P50-p.a.P50)
}

// pairedAddedRatio is the median over repetitions of addedRatio.
func pairedAddedRatio(ts []proxySample) float64 {
	xs := make([]float64, len(ts))
	for i, t := range ts {
		xs[i] = t.addedRatio()
	}
	return median(xs)
}

// pairedExtra is the median over repetitions of (d)'s p50 minus (c)'s.
func pairedExtra(ps []pairSample) time.Duration {
	xs := make([]time.Duration, len(ps))
	for i, p := range ps {
		xs[i] = p.d.P50 - p.c.P50
	}
	return median(xs)
}

// summary is the median over repetitions of one scenario.
type summary struct {
	maxRPS      float64
	p500, p2000 [3]time.Duration // p50, p90, p99
	success     float64          // worst success ratio seen
	cpuPerReq   time.Duration
	peakRSS     int64 // highest of the repetitions
	mockConns   int64 // median, -1 unknown
	errors      []string
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// summarize takes the median of each figure independently across samples.
func summarize(ss []sample) summary {
	var out summary
	pick := func(f func(sample) time.Duration) time.Duration {
		xs := make([]time.Duration, len(ss))
		for i, s := range ss {
			xs[i] = f(s)
		}
		return median(xs)
	}
	rps := make([]float64, len(ss))
	out.success = 1
	for i, s := range ss {
		rps[i] = s.max.Throughput
		out.peakRSS = max(out.peakRSS, s.peakRSS)
		for _, m := range []measurement{s.max, s.r500, s.r2000} {
			out.success = min(out.success, m.Success)
			for _, e := range m.Errors {
				if len(out.errors) < 3 && !slices.Contains(out.errors, e) {
					out.errors = append(out.errors, e)
				}
			}
		}
	}
	out.maxRPS = median(rps)
	out.p500 = [3]time.Duration{
		pick(func(s sample) time.Duration { return s.r500.P50 }),
		pick(func(s sample) time.Duration { return s.r500.P90 }),
		pick(func(s sample) time.Duration { return s.r500.P99 }),
	}
	out.p2000 = [3]time.Duration{
		pick(func(s sample) time.Duration { return s.r2000.P50 }),
		pick(func(s sample) time.Duration { return s.r2000.P90 }),
		pick(func(s sample) time.Duration { return s.r2000.P99 }),
	}
	out.cpuPerReq = pick(func(s sample) time.Duration { return s.cpuPerReq })
	conns := make([]int64, len(ss))
	for i, s := range ss {
		conns[i] = s.mockConns
	}
	out.mockConns = median(conns)
	if slices.Min(append(conns, 0)) < 0 {
		out.mockConns = -1
	}
	return out
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond)) }

func count(n int64) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// printTable writes one block (JSON or streaming) of results.
func printTable(w io.Writer, title string, scs []scenario, sums map[string]summary) {
	fmt.Fprintf(w, "\n## %s\n\n", title)
	fmt.Fprintln(w, "| target | max req/s @32 | p50/p90/p99 µs @500 | p50/p90/p99 µs @2000 | +p50 µs vs (a) @500 | +p50 µs vs (a) @2000 | CPU µs/req | peak RSS MiB | mock conns | ok % |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	direct := sums[scs[0].label()]
	for _, sc := range scs {
		s := sums[sc.label()]
		fmt.Fprintf(w, "| (%s) %s | %.0f | %s/%s/%s | %s/%s/%s | %s | %s | %s | %.1f | %s | %.1f |\n",
			sc.id, sc.name, s.maxRPS,
			us(s.p500[0]), us(s.p500[1]), us(s.p500[2]),
			us(s.p2000[0]), us(s.p2000[1]), us(s.p2000[2]),
			us(s.p500[0]-direct.p500[0]), us(s.p2000[0]-direct.p2000[0]),
			us(s.cpuPerReq), float64(s.peakRSS)/(1<<20), count(s.mockConns), 100*s.success)
	}
	for _, sc := range scs {
		if errs := sums[sc.label()].errors; len(errs) > 0 {
			fmt.Fprintf(w, "\n(%s) errors: %q\n", sc.id, errs)
		}
	}
}

// printBudget compares (c) and (d) with (b) against the budget.
func printBudget(w io.Writer, sums map[string]summary, rate int, pairs [2][]pairSample, triples [2][]proxySample) {
	get := func(id string, stream bool) summary {
		return sums[scenario{target: target{id: id}, stream: stream}.label()]
	}
	a, b, c, d := get("a", false), get("b", false), get("c", false), get("d", false)
	bs, cs, ds := get("b", true), get("c", true), get("d", true)
	added := func(x summary) float64 { return float64(x.p500[0] - a.p500[0]) }
	verdict := func(ok bool) string {
		if ok {
			return "meets"
		}
		return "MISSES"
	}
	fmt.Fprintf(w, "\n## Ratios and budget (JSON unless noted)\n\n")
	fmt.Fprintf(w, "- (c)/(b) max req/s: %s (budget ≥ 0.90: %s); streaming %s (%s)\n", ratio(c.maxRPS, b.maxRPS), verdict(c.maxRPS >= 0.9*b.maxRPS), ratio(cs.maxRPS, bs.maxRPS), verdict(cs.maxRPS >= 0.9*bs.maxRPS))
	fmt.Fprintf(w, "- (d)/(b) max req/s: %s (budget ≥ 0.75: %s); streaming %s (%s)\n", ratio(d.maxRPS, b.maxRPS), verdict(d.maxRPS >= 0.75*b.maxRPS), ratio(ds.maxRPS, bs.maxRPS), verdict(ds.maxRPS >= 0.75*bs.maxRPS))
	// Latency lines are judged on the paired figures below: two
	// measurements taken 30 s apart differ by the machine's drift, which
	// on a shared 2-core VM is several times the budget
	// (docs/performance.md, eighth pass).
	addedS := func(x summary) float64 { return float64(x.p500[0] - get("a", true).p500[0]) }
	fmt.Fprintf(w, "- added p50 @500, unpaired (each target's own measurement; not judged), (c)/(b): %s; (d)/(b): %s; streaming %s and %s\n",
		ratio(added(c), added(b)), ratio(added(d), added(b)), ratio(addedS(cs), addedS(bs)), ratio(addedS(ds), addedS(bs)))
	if len(triples[0]) > 0 && len(triples[1]) > 0 {
		each := func(ts []proxySample) string {
			var xs []string
			for _, t := range ts {
				xs = append(xs, fmt.Sprintf("%.2f", t.addedRatio()))
			}
			return strings.Join(xs, ", ")
		}
		rj, rs := pairedAddedRatio(triples[0]), pairedAddedRatio(triples[1])
		fmt.Fprintf(w, "- added p50 @500, paired ((a), (b), (c) alternating, %d req/s each), (c)/(b): %.2f (budget ≤ 1.2: %s; repetitions %s); streaming %.2f (%s; repetitions %s)\n",
			rate, rj, verdict(rj <= 1.2), each(triples[0]), rs, verdict(rs <= 1.2), each(triples[1]))
	}
	fmt.Fprintf(w, "- translation over passthrough, p50 @500, unpaired (two measurements 30 s apart, drift included; not judged): %+d µs; streaming %+d µs\n",
		(d.p500[0] - c.p500[0]).Microseconds(), (ds.p500[0] - cs.p500[0]).Microseconds())
	if len(pairs[0]) > 0 && len(pairs[1]) > 0 {
		each := func(ps []pairSample) string {
			var xs []string
			for _, p := range ps {
				xs = append(xs, fmt.Sprintf("%+d", (p.d.P50-p.c.P50).Microseconds()))
			}
			return strings.Join(xs, ", ")
		}
		pj, ps := pairedExtra(pairs[0]), pairedExtra(pairs[1])
		fmt.Fprintf(w, "- translation over passthrough, paired (their requests alternating, %d req/s each), p50: %+d µs (budget ≤ +50: %s; repetitions %s); streaming %+d µs (%s; repetitions %s)\n",
			rate, pj.Microseconds(), verdict(pj <= 50*time.Microsecond), each(pairs[0]),
			ps.Microseconds(), verdict(ps <= 50*time.Microsecond), each(pairs[1]))
	}
	fmt.Fprintf(w, "- streaming p99 @2000 req/s: (c) %s µs, (d) %s µs (budget < 20000: %s / %s; ok %% %.1f / %.1f)\n",
		us(cs.p2000[2]), us(ds.p2000[2]), verdict(cs.p2000[2] < 20*time.Millisecond), verdict(ds.p2000[2] < 20*time.Millisecond), 100*cs.success, 100*ds.success)
}
