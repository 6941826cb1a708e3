package main

import (
	"fmt"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// target is one server under test as the client sees it.
type target struct {
	id    string // "a".."d", as in the issue
	name  string
	url   string // full chat/completions URL
	model string
	auth  bool  // send the gateway key
	proc  *proc // server process whose CPU and memory are charged
}

// scenario is a target with one request shape.
type scenario struct {
	target
	stream bool
}

func (s scenario) label() string {
	if s.stream {
		return s.id + " stream"
	}
	return s.id + " json"
}

// body is the OpenAI Chat request every scenario sends; compact JSON so the
// mock's `"stream":true` probe matches.
func (s scenario) body() []byte {
	b := `{"model":"` + s.model + `","messages":[{"role":"user","content":"Say hello."}],"max_tokens":64`
	if s.stream {
		b += `,"stream":true,"stream_options":{"include_usage":true}`
	}
	return []byte(b + "}")
}

func (s scenario) vegetaTarget() vegeta.Target {
	h := http.Header{"Content-Type": []string{"application/json"}}
	if s.auth {
		h.Set("Authorization", "Bearer "+benchKey)
	}
	return vegeta.Target{Method: http.MethodPost, URL: s.url, Body: s.body(), Header: h}
}

// maxConns is the connection count of the max-throughput measurement.
const maxConns = 32

// measurement is what one vegeta attack yields.
type measurement struct {
	Requests      uint64
	Throughput    float64 // successful req/s
	Success       float64 // 0..1
	P50, P90, P99 time.Duration
	Errors        []string
}

// interleavedAttack drives scenarios at rate req/s each, their requests
// alternating, and measures each apart. Drift in the machine's load then
// falls on all of them alike, so differences of their percentiles are
// what one costs over another, not which ten seconds each got. The
// requests are told apart by a URL fragment, which is never sent.
func interleavedAttack(rate int, dur time.Duration, scs ...scenario) []measurement {
	ts := make([]vegeta.Target, len(scs))
	name := ""
	for i, sc := range scs {
		ts[i] = sc.vegetaTarget()
		ts[i].URL += "#" + sc.id
		if i > 0 {
			name += " / "
		}
		name += sc.label()
	}
	return attackTargets(ts, len(scs)*rate, dur, name, func(r *vegeta.Result) int {
		for i := range ts {
			if r.URL == ts[i].URL {
				return i
			}
		}
		return 0
	})
}

// attack drives sc for dur. rate 0 means "as fast as maxConns connections
// allow" (closed loop); otherwise an open-loop constant rate, which is what
// makes the percentiles honest (no coordinated omission).
func attack(sc scenario, rate int, dur time.Duration) measurement {
	return attackTargets([]vegeta.Target{sc.vegetaTarget()}, rate, dur, sc.label(), func(*vegeta.Result) int { return 0 })[0]
}

// attackTargets drives targets, in turn, for dur at rate (0: closed loop
// on maxConns connections) and measures the results by which(result), an
// index into targets.
func attackTargets(targets []vegeta.Target, rate int, dur time.Duration, name string, which func(*vegeta.Result) int) []measurement {
	tr := &http.Transport{
		DisableCompression:  true,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     30 * time.Second,
	}
	opts := []func(*vegeta.Attacker){
		vegeta.Client(&http.Client{Transport: tr, Timeout: 10 * time.Second}),
	}
	pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
	if rate == 0 {
		tr.MaxConnsPerHost = maxConns
		opts = append(opts, vegeta.Workers(maxConns), vegeta.MaxWorkers(maxConns))
	} else {
		// Enough workers for the rate at several hundred ms of latency;
		// beyond that the server is saturated and the numbers say so.
		opts = append(opts, vegeta.Workers(64), vegeta.MaxWorkers(2048))
	}
	atk := vegeta.NewAttacker(opts...)
	ms := make([]vegeta.Metrics, len(targets))
	bodies := make([][]string, len(targets)) // the first few error answers, to say what failed
	for res := range atk.Attack(vegeta.NewStaticTargeter(targets...), pacer, dur, name) {
		i := which(res)
		ms[i].Add(res)
		if res.Code >= 400 && len(bodies[i]) < 3 {
			b := res.Body
			if len(b) > 300 {
				b = b[:300]
			}
			bodies[i] = append(bodies[i], fmt.Sprintf("%d: %s", res.Code, b))
		}
	}
	tr.CloseIdleConnections()
	out := make([]measurement, len(targets))
	for i := range ms {
		m := &ms[i]
		m.Close()
		m.Errors = append(m.Errors, bodies[i]...)
		out[i] = measurement{
			Requests: m.Requests, Throughput: m.Throughput, Success: m.Success,
			P50: m.Latencies.P50, P90: m.Latencies.P90, P99: m.Latencies.P99,
			Errors: m.Errors,
		}
	}
	return out
}
