package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/<pid>/stat. It is
// 100 on every Linux architecture Go supports; reading it needs sysconf,
// which needs cgo.
const clockTicks = 100

// proc is one server child process (mock or Caddy).
type proc struct {
	name string
	cmd  *exec.Cmd
	addr string // host:port it serves on
	log  string // file holding its stdout and stderr
	// cert is the PEM file of the certificate a mock started with TLS
	// serves; empty for plain HTTP.
	cert string
}

// scheme is how the proc is reached: https when it serves TLS.
func (p *proc) scheme() string {
	if p.cert != "" {
		return "https"
	}
	return "http"
}

// freeAddr asks the kernel for an unused loopback port. The tiny window
// before the child binds it is acceptable on a benchmark machine.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startProc runs bin with args, its output going to dir/name.log, in its
// own process group so stop can take down anything it spawned.
func startProc(dir, name, addr string, env []string, bin string, args ...string) (*proc, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	f.Close() // the child holds its own descriptor
	return &proc{name: name, cmd: cmd, addr: addr, log: logPath}, nil
}

// waitReady polls until probe answers with wantStatus or the deadline
// passes; on failure the error carries the tail of the child's log.
// probeClient is the client of the bench's own requests to p (readiness,
// the mock's connection count). Only these skip certificate verification;
// the gateway verifies the mock against the certificate file.
func (p *proc) probeClient() *http.Client {
	client := &http.Client{Timeout: time.Second}
	if p.cert != "" {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	return client
}

// mockConns is how many connections the mock p has accepted (-1 when it
// cannot be asked).
func (p *proc) mockConns() int64 {
	c := p.probeClient()
	defer c.CloseIdleConnections()
	resp, err := c.Get(p.scheme() + "://" + p.addr + connsPath)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func (p *proc) waitReady(probe func() (*http.Request, error), wantStatus int, timeout time.Duration) error {
	client := p.probeClient()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		req, err := probe()
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == wantStatus {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if p.cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready (%s); log %s:\n%s", p.name, last, p.log, tail(p.log, 2000))
}

// stop asks the process group to terminate, then kills it after a grace
// period.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// procStats is a snapshot of a process's resource use.
type procStats struct {
	CPU time.Duration // user + system time
	RSS int64         // current resident set, bytes
	HWM int64         // peak resident set since start or last reset, bytes
	// Anon is the anonymous part of RSS (heap, stacks): what the process
	// allocated, without the pages of its executable, whose count moves
	// by megabytes between otherwise identical runs.
	Anon  int64
	Valid bool
}

// readStats reads /proc/<pid>/stat and /proc/<pid>/status.
func readStats(pid int) procStats {
	var s procStats
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s
	}
	cpu, ok := parseStatCPU(stat)
	if !ok {
		return s
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s
	}
	s.CPU = cpu
	s.RSS = statusKB(status, "VmRSS:") * 1024
	s.HWM = statusKB(status, "VmHWM:") * 1024
	s.Anon = statusKB(status, "RssAnon:") * 1024
	s.Valid = true
	return s
}

// resetPeak clears VmHWM so the next reading is the peak of one run only
// (writing 5 to clear_refs, Linux 4.0+). Failure leaves the lifetime peak,
// which the report then over-states rather than under-states.
func resetPeak(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// parseStatCPU returns utime+stime from a /proc/<pid>/stat line. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * time.Second / clockTicks, true
}

// statusKB reads a "Key:   123 kB" line of /proc/<pid>/status.
func statusKB(status []byte, key string) int64 {
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return 0
			}
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n
		}
	}
	return 0
}

// raiseFileLimit lifts RLIMIT_NOFILE to its hard maximum; children inherit
// it, which the soak's thousands of sockets need.
func raiseFileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	r.Cur = r.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	return r.Cur
}

// buildCaddy compiles ./cmd/caddy of the repo at root into dir.
func buildCaddy(ctx context.Context, root, dir string) (string, error) {
	out := filepath.Join(dir, "caddy")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/caddy")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/caddy: %v\n%s", err, b)
	}
	return out, nil
}

// repoRoot finds the module root (the directory holding go.mod) upwards
// from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}
