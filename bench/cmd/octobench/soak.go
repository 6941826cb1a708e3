package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// soakConfig shapes the slow-stream soak.
type soakConfig struct {
	streams  int
	chunks   int
	interval time.Duration
	stall    time.Duration // a gap longer than this between chunks is a stall
	ramp     time.Duration // time over which streams are opened
}

// soakUpstream is the protocol between the gateway and the soak's mock.
type soakUpstream string

const (
	soakH1 soakUpstream = "h1" // HTTP/1.1 in clear text: a connection per stream
	soakH2 soakUpstream = "h2" // HTTPS with HTTP/2: streams share connections
)

func (u soakUpstream) describe() string {
	if u == soakH2 {
		return "HTTPS upstream with HTTP/2, as hosted providers"
	}
	return "clear-text HTTP/1.1 upstream, one connection per stream"
}

// soakResult is what the soak reports.
type soakResult struct {
	streams, failed, stalled int
	maxGap                   time.Duration
	baseRSS, peakRSS         int64
	baseAnon, peakAnon       int64 // the anonymous part of RSS
	// maxOpen is the most streams that were open at once: the figure
	// memory per open stream is divided by. It is cfg.streams unless the
	// streams could not all be opened before the first ones ended.
	maxOpen  int64
	ramp     time.Duration // how long opening them took
	firstErr string
	// upConns is how many connections the server opened to the mock
	// during the soak (the mock's count; -1 when unknown).
	upConns int64
}

// openCount counts the streams open now and the most open at once.
type openCount struct{ n, max atomic.Int64 }

func (o *openCount) inc() {
	n := o.n.Add(1)
	for m := o.max.Load(); n > m && !o.max.CompareAndSwap(m, n); m = o.max.Load() {
	}
}

func (o *openCount) dec() { o.n.Add(-1) }

// runSoak opens cfg.streams concurrent streaming requests against url, each
// served by a mock that spaces its chunks cfg.interval apart, and samples
// the gateway's RSS while they are open. whileOpen, when set, runs once
// every stream is open, half-way through them (for profiles).
func runSoak(ctx context.Context, url, model string, gw *proc, cfg soakConfig, whileOpen func()) soakResult {
	res := soakResult{streams: cfg.streams}
	body := scenario{target: target{model: model}, stream: true}.body()
	client := &http.Client{Transport: &http.Transport{
		DisableCompression:  true,
		MaxIdleConnsPerHost: cfg.streams,
	}}
	defer client.CloseIdleConnections()

	// One stream first, so the baseline includes warmed-up pools and code.
	if _, _, err := oneStream(ctx, client, url, body, nil); err != nil {
		res.firstErr = "warm-up: " + err.Error()
	}
	time.Sleep(200 * time.Millisecond)
	base := readStats(gw.cmd.Process.Pid)
	res.baseRSS, res.baseAnon = base.RSS, base.Anon

	var peak, peakAnon atomic.Int64
	stopSample := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopSample:
				return
			case <-t.C:
				st := readStats(gw.cmd.Process.Pid)
				if st.RSS > peak.Load() {
					peak.Store(st.RSS)
				}
				if st.Anon > peakAnon.Load() {
					peakAnon.Store(st.Anon)
				}
			}
		}
	}()

	timeout := time.Duration(cfg.chunks)*cfg.interval + cfg.ramp + 30*time.Second
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	var open openCount
	// Streams are opened on a schedule (the i-th at i×step), not by
	// sleeping step after each: a sleep of a few hundred microseconds
	// lasts longer than asked, and the ramp would outlast the first
	// streams.
	step := cfg.ramp / time.Duration(max(cfg.streams, 1))
	t0 := time.Now()
	for i := 0; i < cfg.streams; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunks, gap, err := oneStream(sctx, client, url, body, &open)
			mu.Lock()
			defer mu.Unlock()
			res.maxGap = max(res.maxGap, gap)
			switch {
			case err != nil:
				res.failed++
				if res.firstErr == "" {
					res.firstErr = err.Error()
				}
			case chunks < cfg.chunks:
				res.failed++
				if res.firstErr == "" {
					res.firstErr = fmt.Sprintf("stream ended after %d of %d chunks", chunks, cfg.chunks)
				}
			}
			if gap > cfg.stall {
				res.stalled++
			}
		}()
		if d := time.Until(t0.Add(time.Duration(i+1) * step)); d > 0 {
			time.Sleep(d)
		}
	}
	res.ramp = time.Since(t0)
	if whileOpen != nil {
		// All streams are open now; the first ends chunks×interval after
		// it began, so wait half of what is left of it.
		if left := time.Duration(cfg.chunks)*cfg.interval - cfg.ramp; left > 0 {
			time.Sleep(left / 2)
		}
		whileOpen()
	}
	wg.Wait()
	close(stopSample)
	<-sampled
	res.peakRSS, res.peakAnon = peak.Load(), peakAnon.Load()
	res.maxOpen = open.max.Load()
	return res
}

// oneStream reads one SSE response to [DONE], counting content chunks and
// the longest silence between data lines.
func oneStream(ctx context.Context, client *http.Client, url string, body []byte, open *openCount) (chunks int, maxGap time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+benchKey)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, 0, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if open != nil {
		open.inc()
		defer open.dec()
	}
	last := time.Now()
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return chunks, maxGap, err
		}
		if !bytes.HasPrefix(line, []byte("data:")) {
			continue
		}
		now := time.Now()
		maxGap = max(maxGap, now.Sub(last))
		last = now
		if bytes.Contains(line, []byte("[DONE]")) {
			return chunks, maxGap, nil
		}
		if bytes.Contains(line, []byte(`"content":"tok `)) {
			chunks++
		}
	}
}

// printSoak reports one soak; name is "gateway" (the budgeted figure) or
// "reverse_proxy" (the reference).
func printSoak(w io.Writer, cfg soakConfig, name, model string, up soakUpstream, r soakResult) {
	perStreams := max(r.maxOpen, 1)
	if r.maxOpen == 0 {
		perStreams = int64(max(r.streams, 1)) // nothing opened: the figure is moot
	}
	per := float64(r.peakRSS-r.baseRSS) / float64(perStreams)
	fmt.Fprintf(w, "\n## Streaming soak: %s, %s\n\n", name, up)
	fmt.Fprintf(w, "- %d concurrent streams through %s (model %q; %s), %d chunks %v apart, opened over %v (took %v); at most %d open at once\n",
		r.streams, name, model, up.describe(), cfg.chunks, cfg.interval, cfg.ramp, r.ramp.Round(10*time.Millisecond), r.maxOpen)
	verdict := ""
	if name == "gateway" {
		verdict = fmt.Sprintf(" (budget ≤ 64 KiB: %s)", map[bool]string{true: "meets", false: "MISSES"}[per <= 64*1024])
	}
	fmt.Fprintf(w, "- %s RSS: baseline %.1f MiB, peak %.1f MiB → %.1f KiB per open stream%s\n",
		name, float64(r.baseRSS)/(1<<20), float64(r.peakRSS)/(1<<20), per/1024, verdict)
	if r.peakAnon > 0 {
		fmt.Fprintf(w, "- %s anonymous memory (RssAnon: heap and stacks, not the executable's pages): baseline %.1f MiB, peak %.1f MiB → %.1f KiB per open stream\n",
			name, float64(r.baseAnon)/(1<<20), float64(r.peakAnon)/(1<<20), float64(r.peakAnon-r.baseAnon)/float64(perStreams)/1024)
	}
	fmt.Fprintf(w, "- failed %d, stalled (gap > %v) %d, longest gap %v\n", r.failed, cfg.stall, r.stalled, r.maxGap.Round(time.Millisecond))
	if r.upConns >= 0 {
		fmt.Fprintf(w, "- upstream connections opened during the soak: %d\n", r.upConns)
	}
	if r.firstErr != "" {
		fmt.Fprintf(w, "- first error: %s\n", r.firstErr)
	}
}
