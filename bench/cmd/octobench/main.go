// Command octobench is the load benchmark of Octopus for Caddy. It builds
// Caddy from this repository, starts a fast mock upstream, plain Caddy
// reverse_proxy and the gateway as separate processes on loopback, and
// drives them in interleaved, repeated, time-bounded runs with vegeta. See
// docs/performance.md.
//
//	go run ./bench/cmd/octobench            # full run
//	go run ./bench/cmd/octobench -short     # a few seconds, for CI
//	octobench mock -addr 127.0.0.1:9000     # the mock upstream alone
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/octopuscaddy/octopus/bench/mock"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "mock" {
		os.Exit(runMock(os.Args[2:]))
	}
	os.Exit(runBench(os.Args[1:]))
}

// connsPath is where the mock reports how many connections it accepted.
const connsPath = "/conns"

// runMock serves the mock upstream until killed.
func runMock(args []string) int {
	fs := flag.NewFlagSet("mock", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	chunks := fs.Int("chunks", 20, "text deltas per streamed response")
	latency := fs.Duration("latency", 0, "delay before the first byte")
	delay := fs.Duration("chunk-delay", 0, "delay between streamed deltas")
	certOut := fs.String("tls-cert-out", "", "serve HTTPS (HTTP/2 offered) with a new self-signed certificate for 127.0.0.1 written here")
	_ = fs.Parse(args)
	// conns counts the connections the mock accepted; GET /conns reports
	// it, so the soak can say how many upstream connections a server
	// opened (an HTTP/2 pool that races its dials opens many).
	var conns atomic.Int64
	m := mock.New(mock.Config{Chunks: *chunks, Latency: *latency, ChunkDelay: *delay})
	srv := &http.Server{
		Addr: *addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == connsPath {
				fmt.Fprint(w, conns.Load())
				return
			}
			m.ServeHTTP(w, r)
		}),
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				conns.Add(1)
			}
		},
		ReadHeaderTimeout: 10 * time.Second,
	}
	var err error
	if *certOut != "" {
		var cert tls.Certificate
		if cert, err = selfSignedCert(*certOut); err == nil {
			// ServeTLS offers h2 through ALPN when TLSNextProto is unset.
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
			err = srv.ListenAndServeTLS("", "")
		}
	} else {
		err = srv.ListenAndServe()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mock:", err)
		return 1
	}
	return 0
}

// options are the benchmark's flags.
type options struct {
	short       bool
	dur, warmup time.Duration
	reps        int
	rates       []int
	chunks      int
	latency     time.Duration
	caddyBin    string
	noSoak      bool
	check       bool
	soakOnly    bool
	soak        soakConfig
	// soakUpstreams are the upstream protocols the soak runs with, in turn.
	soakUpstreams []soakUpstream
	// soakGroup is the gateway group the soak's streams ask for.
	soakGroup string
	pprofDir  string
	// afterSat, when > 0, replaces the load runs by that many rounds of
	// the after-saturation check (saturation.go).
	afterSat int
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("octobench", flag.ContinueOnError)
	fs.BoolVar(&o.short, "short", false, "tiny run (a few seconds) that only checks the harness works")
	fs.DurationVar(&o.dur, "duration", 10*time.Second, "length of each measurement")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up per scenario before the first repetition")
	fs.IntVar(&o.reps, "reps", 3, "repetitions; the median is reported")
	rates := fs.String("rates", "500,2000", "the two fixed request rates (req/s)")
	fs.IntVar(&o.chunks, "chunks", 20, "text deltas per streamed response")
	fs.DurationVar(&o.latency, "latency", 0, "mock delay before the first byte")
	fs.StringVar(&o.caddyBin, "caddy", "", "use this caddy binary instead of building ./cmd/caddy")
	fs.BoolVar(&o.noSoak, "no-soak", false, "skip the streaming soak")
	fs.BoolVar(&o.soakOnly, "soak-only", false, "run only the streaming soak")
	fs.StringVar(&o.pprofDir, "pprof", "", "turn the gateway's admin endpoint on (loopback) and save CPU and allocation profiles of its max-req/s runs (first repetition) in this directory")
	fs.BoolVar(&o.check, "check", false, "exit 3 if any request or soak stream failed (implied by -short)")
	fs.IntVar(&o.soak.streams, "soak-streams", 5000, "concurrent streams in the soak")
	fs.IntVar(&o.soak.chunks, "soak-chunks", 60, "chunks per soak stream")
	fs.DurationVar(&o.soak.interval, "soak-interval", 100*time.Millisecond, "gap between soak chunks")
	fs.DurationVar(&o.soak.ramp, "soak-ramp", 2*time.Second, "time over which soak streams are opened")
	fs.DurationVar(&o.soak.stall, "soak-stall", 2*time.Second, "a gap longer than this is a stall")
	fs.StringVar(&o.soakGroup, "soak-group", groupPass, "gateway group of the soak's streams: pass (passthrough) or xlate (OpenAI Chat → Anthropic translation)")
	fs.IntVar(&o.afterSat, "after-saturation", 0, "instead of the load runs, this many rounds of: saturate the gateway with translated, passthrough or no requests, then measure translation over passthrough paired (-duration each, 500 req/s per kind); shows whether a burst of one kind leaves state that slows that kind later")
	ups := fs.String("soak-upstream", "h1,h2", "upstream protocols of the soak, in turn: h1 (HTTP/1.1, clear text) and/or h2 (HTTPS with HTTP/2, as hosted providers)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.soakGroup != groupPass && o.soakGroup != groupXlate {
		return o, fmt.Errorf("bad -soak-group %q: want %s or %s", o.soakGroup, groupPass, groupXlate)
	}
	for _, f := range strings.Split(*ups, ",") {
		switch up := soakUpstream(strings.TrimSpace(f)); up {
		case soakH1, soakH2:
			o.soakUpstreams = append(o.soakUpstreams, up)
		default:
			return o, fmt.Errorf("bad -soak-upstream %q: want h1, h2 or h1,h2", *ups)
		}
	}
	for _, f := range strings.Split(*rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return o, fmt.Errorf("bad -rates %q", *rates)
		}
		o.rates = append(o.rates, n)
	}
	if len(o.rates) != 2 {
		return o, fmt.Errorf("-rates wants two rates")
	}
	if o.short {
		o.dur, o.warmup, o.reps, o.check = 150*time.Millisecond, 50*time.Millisecond, 1, true
		o.soak = soakConfig{streams: 50, chunks: 5, interval: 50 * time.Millisecond, ramp: 100 * time.Millisecond, stall: 2 * time.Second}
	}
	return o, nil
}

func runBench(args []string) int {
	o, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failures, err := bench(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "octobench:", err)
		return 1
	}
	if o.check && len(failures) > 0 {
		// Correctness only: the harness must see every request succeed;
		// no timing is asserted, so a slow CI machine still passes.
		fmt.Fprintln(os.Stderr, "octobench: check failed:", strings.Join(failures, "; "))
		return 3
	}
	return 0
}

// env is the set of running servers; close stops them all.
type env struct {
	dir   string
	procs []*proc
}

func (e *env) close() {
	for i := len(e.procs) - 1; i >= 0; i-- {
		e.procs[i].stop()
	}
}

// startMock runs this binary's mock subcommand; with useTLS it serves HTTPS
// (HTTP/2 offered) with a self-signed certificate.
func (e *env) startMock(name string, useTLS bool, extra ...string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"mock", "-addr", addr}, extra...)
	cert := ""
	if useTLS {
		cert = filepath.Join(e.dir, name+".pem")
		args = append(args, "-tls-cert-out", cert)
	}
	p, err := startProc(e.dir, name, addr, nil, self, args...)
	if err != nil {
		return nil, err
	}
	p.cert = cert
	e.procs = append(e.procs, p)
	return p, p.waitReady(func() (*http.Request, error) {
		return http.NewRequest(http.MethodGet, p.scheme()+"://"+addr+"/health", nil)
	}, http.StatusNoContent, 10*time.Second)
}

// startCaddy runs caddy with a Caddyfile made by cfg(addr) and waits until
// probe (a chat request) succeeds. env is added to its environment.
func (e *env) startCaddy(bin, name string, env []string, cfg func(addr string) string, probe scenario) (*proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	file := filepath.Join(e.dir, name+".Caddyfile")
	if err := os.WriteFile(file, []byte(cfg(addr)), 0o600); err != nil {
		return nil, err
	}
	p, err := startProc(e.dir, name, addr, env, bin, "run", "--config", file, "--adapter", "caddyfile")
	if err != nil {
		return nil, err
	}
	e.procs = append(e.procs, p)
	probe.url = "http://" + addr + "/v1/chat/completions"
	return p, p.waitReady(func() (*http.Request, error) {
		t := probe.vegetaTarget()
		return t.Request()
	}, http.StatusOK, 60*time.Second)
}

// bench runs everything; failures lists scenarios in which requests failed.
func bench(ctx context.Context, o options) (failures []string, err error) {
	nofile := raiseFileLimit()
	dir, err := os.MkdirTemp("", "octobench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := o.caddyBin
	if bin == "" {
		root, err := repoRoot()
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, "building ./cmd/caddy …")
		if bin, err = buildCaddy(ctx, root, dir); err != nil {
			return nil, err
		}
	}
	fmt.Printf("# octobench %s\n\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("- machine: %d CPUs (%s), GOMAXPROCS %d, %s; RLIMIT_NOFILE %d\n", runtime.NumCPU(), cpuModel(), runtime.GOMAXPROCS(0), runtime.Version(), nofile)
	if o.afterSat > 0 {
		fmt.Printf("- after-saturation check: %d round(s), each measurement %v, warm-up %v, mock %d chunks/stream, latency %v\n", o.afterSat, o.dur, o.warmup, o.chunks, o.latency)
	} else {
		fmt.Printf("- each measurement %v, %d repetition(s) (median), warm-up %v, mock %d chunks/stream, latency %v\n", o.dur, o.reps, o.warmup, o.chunks, o.latency)
	}

	if !o.soakOnly {
		f, err := loadRuns(ctx, o, bin, dir)
		if err != nil {
			return nil, err
		}
		failures = append(failures, f...)
	}
	if !o.noSoak && ctx.Err() == nil {
		for _, up := range o.soakUpstreams {
			if ctx.Err() != nil {
				break
			}
			r, err := soakRun(ctx, o, bin, dir, up)
			if err != nil {
				return nil, err
			}
			if r.failed > 0 || r.stalled > 0 {
				failures = append(failures, fmt.Sprintf("soak (%s): %d failed, %d stalled", up, r.failed, r.stalled))
			}
		}
	}
	return failures, ctx.Err()
}

// loadRuns measures the four targets, JSON and streaming, interleaved.
func loadRuns(ctx context.Context, o options, bin, dir string) (failures []string, err error) {
	e := &env{dir: dir}
	defer e.close()
	m, err := e.startMock("mock", false, "-chunks", strconv.Itoa(o.chunks), "-latency", o.latency.String())
	if err != nil {
		return nil, err
	}
	direct := target{id: "a", name: "mock direct", url: "http://" + m.addr + "/v1/chat/completions", model: mock.Model, proc: m}
	px, err := e.startCaddy(bin, "proxy", nil, func(addr string) string { return proxyCaddyfile(addr, "http://"+m.addr, "") }, scenario{target: direct})
	if err != nil {
		return nil, err
	}
	pass := scenario{target: target{model: groupPass, auth: true}}
	var prof *profiler
	if o.pprofDir != "" {
		adminAddr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(o.pprofDir, 0o755); err != nil {
			return nil, err
		}
		prof = &profiler{dir: o.pprofDir, addr: adminAddr}
	}
	gw, err := e.startCaddy(bin, "gateway", nil, func(addr string) string {
		cfg := gatewayCaddyfile(addr, "http://"+m.addr, filepath.Join(dir, "b.db"))
		if prof != nil {
			cfg = withAdmin(cfg, prof.addr)
		}
		return cfg
	}, pass)
	if err != nil {
		return nil, err
	}
	gwURL := "http://" + gw.addr + "/v1/chat/completions"
	targets := []target{
		direct,
		{id: "b", name: "caddy reverse_proxy", url: "http://" + px.addr + "/v1/chat/completions", model: mock.Model, proc: px},
		{id: "c", name: "gateway passthrough", url: gwURL, model: groupPass, auth: true, proc: gw},
		{id: "d", name: "gateway CC→AN", url: gwURL, model: groupXlate, auth: true, proc: gw},
	}
	var scs [2][]scenario
	for _, t := range targets {
		scs[0] = append(scs[0], scenario{target: t})
		scs[1] = append(scs[1], scenario{target: t, stream: true})
	}
	all := append(append([]scenario{}, scs[0]...), scs[1]...)
	if o.afterSat > 0 {
		return afterSaturation(ctx, o, scs), nil
	}

	for _, sc := range all {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		attack(sc, 0, o.warmup)
	}
	samples := map[string][]sample{}
	var pairs [2][]pairSample    // JSON, streaming
	var triples [2][]proxySample // JSON, streaming
	for rep := 0; rep < o.reps; rep++ {
		fmt.Fprintf(os.Stderr, "repetition %d/%d …\n", rep+1, o.reps)
		// Interleave: every scenario once per repetition, so drift in the
		// machine's load spreads over all of them alike.
		for _, sc := range all {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			pid := sc.proc.cmd.Process.Pid
			resetPeak(pid)
			c0 := m.mockConns()
			before := readStats(pid)
			var s sample
			if rep == 0 && sc.proc == gw {
				prof.during(sc.label(), o.dur, func() { s.max = attack(sc, 0, o.dur) })
			} else {
				s.max = attack(sc, 0, o.dur)
			}
			s.r500 = attack(sc, o.rates[0], o.dur)
			s.r2000 = attack(sc, o.rates[1], o.dur)
			after := readStats(pid)
			s.mockConns = -1
			if c1 := m.mockConns(); c0 >= 0 && c1 >= 0 {
				s.mockConns = c1 - c0 - 1 // each count comes over a new connection of its own
			}
			if n := s.max.Requests + s.r500.Requests + s.r2000.Requests; n > 0 && before.Valid && after.Valid {
				s.cpuPerReq = (after.CPU - before.CPU) / time.Duration(n)
			}
			s.peakRSS = after.HWM
			samples[sc.label()] = append(samples[sc.label()], s)
		}
		// Translation over passthrough once more, their requests
		// alternating: the budget's +50 µs is smaller than the drift
		// between two measurements ten seconds apart.
		for i, sh := range scs {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			ms := interleavedAttack(o.rates[0], o.dur, sh[2], sh[3])
			pairs[i] = append(pairs[i], pairSample{ms[0], ms[1]})
		}
		// Passthrough's added latency over reverse_proxy's the same way:
		// (a), (b) and (c) alternating.
		for i, sh := range scs {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			ms := interleavedAttack(o.rates[0], o.dur, sh[0], sh[1], sh[2])
			triples[i] = append(triples[i], proxySample{ms[0], ms[1], ms[2]})
		}
	}
	sums := map[string]summary{}
	for k, v := range samples {
		sums[k] = summarize(v)
	}
	fmt.Printf("- fixed rates %d and %d req/s; CPU is the serving process's user+system time (the gateway row excludes the mock); mock conns: connections the mock accepted during a scenario's three measurements (for (a) the load generator's, otherwise the server's upstream connections)\n", o.rates[0], o.rates[1])
	printTable(os.Stdout, "Non-streaming (JSON)", scs[0], sums)
	printTable(os.Stdout, fmt.Sprintf("Streaming (%d chunks)", o.chunks), scs[1], sums)
	printBudget(os.Stdout, sums, o.rates[0], pairs, triples)
	for _, sc := range all {
		if s := sums[sc.label()]; s.success < 1 {
			failures = append(failures, fmt.Sprintf("(%s) %.1f%% ok %q", sc.label(), 100*s.success, s.errors))
		}
	}
	for i := range pairs {
		var ms []measurement
		for _, p := range pairs[i] {
			ms = append(ms, p.c, p.d)
		}
		for _, t := range triples[i] {
			ms = append(ms, t.a, t.b, t.c)
		}
		for _, m := range ms {
			if m.Success < 1 {
				failures = append(failures, fmt.Sprintf("(paired %s) %.1f%% ok %q", [2]string{"json", "stream"}[i], 100*m.Success, m.Errors))
			}
		}
	}
	return failures, nil
}

// soakRun starts its own slow mock so the soak's memory figures are not
// mixed with the load runs'. The mock speaks up: HTTP/1.1 in clear text,
// one upstream connection per open stream, or HTTPS with HTTP/2, as hosted
// providers do, many streams per connection. The gateway is soaked first
// (the budgeted figure), then plain reverse_proxy on the same mock, for
// reference; each runs alone.
func soakRun(ctx context.Context, o options, bin, dir string, up soakUpstream) (soakResult, error) {
	e := &env{dir: dir}
	defer e.close()
	useTLS := up == soakH2
	m, err := e.startMock("soak-mock-"+string(up), useTLS, "-chunks", strconv.Itoa(o.soak.chunks), "-chunk-delay", o.soak.interval.String())
	if err != nil {
		return soakResult{}, err
	}
	var gwEnv []string
	if useTLS {
		// The gateway trusts the mock's certificate the standard way for
		// Go programs; nothing in its config changes.
		gwEnv = []string{"SSL_CERT_FILE=" + m.cert}
	}
	var prof *profiler
	if o.pprofDir != "" {
		adminAddr, err := freeAddr()
		if err != nil {
			return soakResult{}, err
		}
		if err := os.MkdirAll(o.pprofDir, 0o755); err != nil {
			return soakResult{}, err
		}
		prof = &profiler{dir: o.pprofDir, addr: adminAddr}
	}
	mockURL := m.scheme() + "://" + m.addr
	// The readiness probes are JSON requests, which the slow mock answers
	// at once.
	gwRes, err := soakOne(ctx, o, dir, up, "gateway", func(se *env) (*proc, error) {
		return se.startCaddy(bin, "soak-gateway-"+string(up), gwEnv, func(addr string) string {
			cfg := gatewayCaddyfile(addr, mockURL, filepath.Join(dir, "soak-"+string(up)+".db"))
			if prof != nil {
				cfg = withAdmin(cfg, prof.addr)
			}
			return cfg
		}, scenario{target: target{model: groupPass, auth: true}})
	}, o.soakGroup, m, prof)
	if err != nil || ctx.Err() != nil {
		return gwRes, err
	}
	direct := target{url: mockURL + "/v1/chat/completions", model: mock.Model}
	_, err = soakOne(ctx, o, dir, up, "reverse_proxy", func(se *env) (*proc, error) {
		return se.startCaddy(bin, "soak-proxy-"+string(up), nil, func(addr string) string {
			return proxyCaddyfile(addr, mockURL, m.cert)
		}, scenario{target: direct})
	}, mock.Model, m, nil)
	return gwRes, err
}

// soakOne starts one server with start, soaks it with streams asking for
// model and stops it. With prof, profiles are saved while the streams are
// open.
func soakOne(ctx context.Context, o options, dir string, up soakUpstream, name string, start func(*env) (*proc, error), model string, upstream *proc, prof *profiler) (soakResult, error) {
	se := &env{dir: dir}
	defer se.close()
	fmt.Fprintf(os.Stderr, "soak (%s, %s): %d streams …\n", name, up, o.soak.streams)
	p, err := start(se)
	if err != nil {
		return soakResult{}, err
	}
	var whileOpen func()
	if prof != nil {
		whileOpen = func() {
			// gc=1: the profile (and the memstats after it) show live memory.
			prof.fetch("/debug/pprof/heap?gc=1", "soak-"+string(up)+".heap.pprof")
			prof.fetch("/debug/pprof/goroutine", "soak-"+string(up)+".goroutine.pprof")
			prof.fetch("/debug/vars", "soak-"+string(up)+".vars.json")
		}
	}
	c0 := upstream.mockConns()
	r := runSoak(ctx, "http://"+p.addr+"/v1/chat/completions", model, p, o.soak, whileOpen)
	r.upConns = -1
	if c1 := upstream.mockConns(); c0 >= 0 && c1 >= 0 {
		r.upConns = c1 - c0 - 1 // each count comes over a new connection of its own
	}
	printSoak(os.Stdout, o.soak, name, model, up, r)
	return r, nil
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
