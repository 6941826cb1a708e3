package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want time.Duration
		ok   bool
	}{
		{"plain", "42 (caddy) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 0 0", 3 * time.Second, true},
		{"name with spaces and parens", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0", 30 * time.Millisecond, true},
		{"truncated", "7 (x) R 1 2", 0, false},
		{"no name", "garbage", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseStatCPU([]byte(tc.stat))
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %v,%v want %v,%v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tcaddy\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\n")
	if got := statusKB(status, "VmHWM:"); got != 81234 {
		t.Fatalf("VmHWM %d", got)
	}
	if got := statusKB(status, "VmSwap:"); got != 0 {
		t.Fatalf("missing key %d", got)
	}
}

func TestReadStatsSelf(t *testing.T) {
	s := readStats(os.Getpid())
	if !s.Valid || s.RSS <= 0 || s.HWM < s.RSS {
		t.Fatalf("implausible stats for self: %+v", s)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	mk := func(rps float64, p50 time.Duration, rss int64, ok float64) sample {
		m := measurement{Throughput: rps, P50: p50, Success: ok}
		return sample{max: m, r500: m, r2000: m, peakRSS: rss}
	}
	s := summarize([]sample{mk(100, 3, 10, 1), mk(300, 1, 30, 0.5), mk(200, 2, 20, 1)})
	if s.maxRPS != 200 || s.p500[0] != 2 || s.peakRSS != 30 || s.success != 0.5 {
		t.Fatalf("summary %+v", s)
	}
}

// The generated Caddyfiles must parse as Caddyfiles; that the gateway
// accepts them is what -short checks end to end.
func TestCaddyfilesParse(t *testing.T) {
	for name, src := range map[string]string{
		"proxy":     proxyCaddyfile("127.0.0.1:1", "http://127.0.0.1:2", ""),
		"proxy-tls": proxyCaddyfile("127.0.0.1:1", "https://127.0.0.1:2", "/tmp/ca.pem"),
		"gateway":   gatewayCaddyfile("127.0.0.1:1", "http://127.0.0.1:2", "/tmp/b.db"),
	} {
		if _, err := caddyfile.Parse(name, []byte(src)); err != nil {
			t.Errorf("%s: %v\n%s", name, err, src)
		}
		if !strings.Contains(src, "admin off") {
			t.Errorf("%s: admin endpoint not disabled", name)
		}
	}
}

func TestScenarioBody(t *testing.T) {
	s := scenario{target: target{model: "pass"}}
	if strings.Contains(string(s.body()), `"stream":true`) {
		t.Fatal("JSON scenario asks for a stream")
	}
	s.stream = true
	if !strings.Contains(string(s.body()), `"stream":true`) {
		t.Fatal("stream scenario lacks the marker the mock looks for")
	}
}

func TestParseFlagsShort(t *testing.T) {
	o, err := parseFlags([]string{"-short"})
	if err != nil {
		t.Fatal(err)
	}
	if o.reps != 1 || o.dur > time.Second || o.soak.streams > 100 {
		t.Fatalf("short mode too long: %+v", o)
	}
	if _, err := parseFlags([]string{"-rates", "500"}); err == nil {
		t.Fatal("one rate accepted")
	}
}

func TestPairedFigures(t *testing.T) {
	ms := func(p50 time.Duration) measurement { return measurement{P50: p50 * time.Microsecond} }
	// Added p50 over (a): (c) 150 and (b) 200 → 0.75; 300/200 → 1.5;
	// 100/200 → 0.5. The median is 0.75.
	ts := []proxySample{
		{ms(100), ms(300), ms(250)},
		{ms(100), ms(300), ms(400)},
		{ms(100), ms(300), ms(200)},
	}
	if got := pairedAddedRatio(ts); got != 0.75 {
		t.Errorf("pairedAddedRatio = %v, want 0.75", got)
	}
	ps := []pairSample{{ms(400), ms(430)}, {ms(500), ms(510)}, {ms(300), ms(360)}}
	if got := pairedExtra(ps); got != 30*time.Microsecond {
		t.Errorf("pairedExtra = %v, want 30µs", got)
	}
}
