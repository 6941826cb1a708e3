package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// profiler fetches pprof profiles from the gateway's admin endpoint
// (-pprof runs only, whose gateway has admin on at addr).
type profiler struct {
	dir, addr string
}

// during runs f while a CPU profile of the gateway is taken over d, then
// saves the CPU and allocation profiles as <name>.cpu.pprof and
// <name>.allocs.pprof.
func (p *profiler) during(name string, d time.Duration, f func()) {
	if p == nil {
		f()
		return
	}
	secs := int(d / time.Second)
	if secs < 1 {
		secs = 1
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.fetch(fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), name+".cpu.pprof")
	}()
	f()
	<-done
	p.fetch("/debug/pprof/allocs", name+".allocs.pprof")
}

func (p *profiler) fetch(path, file string) {
	c := &http.Client{Timeout: time.Minute}
	resp, err := c.Get("http://" + p.addr + path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprof:", err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "pprof:", path, resp.Status)
		return
	}
	name := filepath.Join(p.dir, strings.NewReplacer(" ", "-", "→", "-").Replace(file))
	f, err := os.Create(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprof:", err)
		return
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		fmt.Fprintln(os.Stderr, "pprof:", err)
	}
}
