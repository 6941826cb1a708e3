package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/ent/statshourly"
	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// caddyProc is Caddy running as a child process (the test binary, see
// TestMain).
type caddyProc struct {
	inst   *testcaddy.Instance
	cmd    *exec.Cmd
	exited chan error
	out    *syncBuffer
}

// startCaddyProc runs caddyfile ({PORT} replaced) in a child process and
// returns once an admin can log in, which proves the store is open and
// migrated.
func startCaddyProc(t *testing.T, name, caddyfile string) *caddyProc {
	t.Helper()
	dir := t.TempDir()
	port := testcaddy.FreePort(t)
	cfg := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(caddyfile, "{PORT}", fmt.Sprint(port))), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &caddyProc{cmd: exec.Command(os.Args[0]), exited: make(chan error, 1), out: new(syncBuffer)}
	p.cmd.Env = append(os.Environ(), admSubprocessEnv+"="+cfg, "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.out.String())
		}
	})
	p.inst = &testcaddy.Instance{Port: port, BaseURL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		up, err := adminUp(p.inst.BaseURL)
		if up {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up: %v", name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sigterm stops the process with SIGTERM and waits for it to exit.
func (p *caddyProc) sigterm(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		t.Fatal("caddy did not exit after SIGTERM")
	}
}

// TestUsageTwoInstancesOnPostgres runs two Caddy processes on one fresh
// PostgreSQL database, sends N requests split across both at once (while
// each flushes every second into the same hourly buckets), stops both
// with SIGTERM and finds exactly N requests, and their tokens, counted.
func TestUsageTwoInstancesOnPostgres(t *testing.T) {
	dsn := storetest.NewDatabase(t, store.Postgres) // skips loudly, or fails under CI=true
	fake := fakeprovider.New(t)
	caddyfile := `{
	admin off
	persist_config off
	auto_https off
	octopus {
		database postgres "` + dsn + `"
		admin_password ` + admPassword + `
		price_sync off
		stats_flush_interval 1s
` + channel("mu-oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-multi-oa", "gpt-4o") +
		group("mu-smart", "", "channel mu-oa gpt-4o") + apiKey() + `	}
}
http://127.0.0.1:{PORT} {
	octopus
	octopus_admin
}
`
	// One after the other: two instances migrating a fresh database at
	// once would collide.
	procs := []*caddyProc{startCaddyProc(t, "instance A", caddyfile), startCaddyProc(t, "instance B", caddyfile)}

	const n, workers = 240, 8
	hc := httpClient()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range workers {
		in := procs[w%2].inst
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := chatErr(hc, in, "mu-smart"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("request failed: %v", err)
	}
	for _, p := range procs {
		p.sigterm(t)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, store.Postgres, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Client().StatsHourly.Query().Where(statshourly.Channel("mu-oa")).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reqs, ok, in, out int64
	for _, r := range rows {
		reqs += r.Requests
		ok += r.Successes
		in += r.InputTokens
		out += r.OutputTokens
	}
	if reqs != n || ok != n || in != n*fakeprovider.PromptTokens || out != n*fakeprovider.CompletionTokens {
		t.Fatalf("stored: %d requests, %d successes, %d input and %d output tokens in %d buckets; want %d, %d, %d, %d",
			reqs, ok, in, out, len(rows), n, n, n*fakeprovider.PromptTokens, n*fakeprovider.CompletionTokens)
	}
	// One row per hour bucket, whichever instance wrote first.
	hours := map[time.Time]bool{}
	for _, r := range rows {
		if hours[r.Hour] {
			t.Fatalf("two rows for hour %s", r.Hour)
		}
		hours[r.Hour] = true
	}
}
