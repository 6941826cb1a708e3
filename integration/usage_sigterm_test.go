package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
	"github.com/octopuscaddy/octopus/store"
)

// TestUsageFlushedOnSIGTERM runs Caddy as a real process, sends it N
// requests, stops it with SIGTERM and finds exactly N requests in the
// store, although the flush interval is an hour: the final flush on
// shutdown loses nothing.
func TestUsageFlushedOnSIGTERM(t *testing.T) {
	fake := fakeprovider.New(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "octopus.db")
	port := testcaddy.FreePort(t)
	cfg := filepath.Join(dir, "Caddyfile")
	caddyfile := fmt.Sprintf(`{
	admin off
	persist_config off
	auto_https off
	octopus {
		database sqlite %s
		price_sync off
		stats_flush_interval 1h
%s%s%s	}
}
http://127.0.0.1:%d {
	octopus
}
`, db, channel("term-oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-term-oa", "gpt-4o"),
		group("term-smart", "", "channel term-oa gpt-4o"), apiKey(), port)
	if err := os.WriteFile(cfg, []byte(caddyfile), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), admSubprocessEnv+"="+cfg, "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	out := new(syncBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("caddy output:\n%s", out.String())
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	hc := httpClient()
	inst := &testcaddy.Instance{Port: port, BaseURL: base}
	// Wait until the relay answers (the app has opened the store).
	deadline := time.Now().Add(60 * time.Second)
	for chatErr(hc, inst, "term-smart") != nil {
		if time.Now().After(deadline) {
			t.Fatal("caddy did not come up")
		}
		time.Sleep(100 * time.Millisecond)
	}
	const n = 7 // plus the one that answered above
	for i := 0; i < n; i++ {
		chat(t, hc, inst, "term-smart")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("caddy did not exit after SIGTERM")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Client().StatsHourly.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reqs int64
	for _, r := range rows {
		reqs += r.Requests
	}
	if reqs != n+1 {
		t.Fatalf("%d requests stored after SIGTERM, want %d", reqs, n+1)
	}
}
