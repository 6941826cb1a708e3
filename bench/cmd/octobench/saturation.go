package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// satKinds are what the after-saturation check saturates the gateway with
// before each paired measurement: translated requests, passthrough ones,
// or nothing.
var satKinds = []string{"xlate", "pass", "none"}

// afterSaturation is the check behind the budget's paired translation
// figure. octobench's unpaired figure measures (c) and (d) at 500 req/s
// each right after a saturating run of the same kind, 30 s apart. If a
// burst of translated traffic left state that slowed later translated
// requests (a bigger heap, a backlog of log rows, a pool in some shape),
// (d) − (c) measured paired right after saturating with translated
// requests would exceed the same figure after passthrough or no
// saturation; if the three agree, the unpaired figure's swings are the
// machine's drift between two measurements. Each round runs the three
// kinds in turn (rotated per round, so no kind always comes first), for
// JSON and streaming requests alike; the report gives every round's
// figure and the median per kind.
func afterSaturation(ctx context.Context, o options, scs [2][]scenario) (failures []string) {
	type key struct {
		stream bool
		kind   string
	}
	extra := map[key][]time.Duration{}
	level := map[key][]time.Duration{} // (c)'s p50: the machine's level
	for round := 0; round < o.afterSat; round++ {
		fmt.Fprintf(os.Stderr, "after-saturation round %d/%d …\n", round+1, o.afterSat)
		for i, sh := range scs {
			c, d := sh[2], sh[3]
			for k := range satKinds {
				kind := satKinds[(k+round)%len(satKinds)]
				if ctx.Err() != nil {
					return failures
				}
				switch kind {
				case "xlate":
					attack(d, 0, o.dur)
				case "pass":
					attack(c, 0, o.dur)
				}
				ms := interleavedAttack(o.rates[0], o.dur, c, d)
				mc, md := ms[0], ms[1]
				for _, m := range []measurement{mc, md} {
					if m.Success < 1 {
						failures = append(failures, fmt.Sprintf("(after %s saturation) %.1f%% ok %q", kind, 100*m.Success, m.Errors))
					}
				}
				kk := key{i == 1, kind}
				extra[kk] = append(extra[kk], md.P50-mc.P50)
				level[kk] = append(level[kk], mc.P50)
			}
		}
	}
	fmt.Printf("\n## Translation over passthrough after saturation (paired, %d req/s each, %v per measurement, after %v of saturating load)\n\n", o.rates[0], o.dur, o.dur)
	fmt.Printf("| requests | saturated with | (d) − (c) p50, median | each round | (c) p50 each round |\n|---|---|---|---|---|\n")
	for _, stream := range []bool{false, true} {
		for _, kind := range satKinds {
			kk := key{stream, kind}
			xs := extra[kk]
			if len(xs) == 0 {
				continue
			}
			var each, lv string
			for j, x := range xs {
				if j > 0 {
					each += ", "
					lv += ", "
				}
				each += fmt.Sprintf("%+d", x.Microseconds())
				lv += fmt.Sprintf("%d", level[kk][j].Microseconds())
			}
			fmt.Printf("| %s | %s | %+d µs | %s | %s |\n", map[bool]string{false: "JSON", true: "streaming"}[stream], kind,
				median(xs).Microseconds(), each, lv)
		}
	}
	return failures
}
