package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/testcaddy"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// syncBuffer collects a child's output for the failure log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// admPostgresCaddyfile is an instance on the shared PostgreSQL database.
func admPostgresCaddyfile(dsn, globals string, port string) string {
	return `{
	` + globals + `
	octopus {
		database postgres "` + dsn + `"
		admin_password ` + admPassword + `
		price_sync off
	}
}
http://127.0.0.1:` + port + ` {
	octopus
	octopus_admin
}
`
}

// admStartChild runs a second Caddy in a child process (the test binary,
// see TestMain) and returns its base URL once an admin can log in.
func admStartChild(t *testing.T, caddyfile string) string {
	t.Helper()
	dir := t.TempDir()
	port := testcaddy.FreePort(t)
	cfg := filepath.Join(dir, "Caddyfile")
	caddyfile = strings.ReplaceAll(caddyfile, "{PORT}", fmt.Sprint(port))
	if err := os.WriteFile(cfg, []byte(caddyfile), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	// Its own home, so Caddy's storage and autosave stay in the temp dir.
	cmd.Env = append(os.Environ(), admSubprocessEnv+"="+cfg, "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	out := new(syncBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the second instance: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("second instance output:\n%s", out.String())
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("the second instance exited:\n%s", out.String())
		default:
		}
		// A login proves the store is open and migrated: Caddy may serve
		// HTTP before the octopus app has finished starting, and two
		// instances migrating a fresh database at once would collide.
		up, err := adminUp(base)
		if up {
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second instance did not come up: %v\n%s", err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAdminTwoInstancesOnPostgres runs two Caddy instances on one
// PostgreSQL database: what the API changes on one, the relay of the other
// serves within a few seconds (they poll the config version every 2 s).
func TestAdminTwoInstancesOnPostgres(t *testing.T) {
	dsn := storetest.NewDatabase(t, store.Postgres) // skips loudly, or fails under CI=true
	up := newAdmUpstream(t, "pg")

	// B runs in a child process; A in this one.
	baseB := admStartChild(t, admPostgresCaddyfile(dsn, testcaddy.Globals, "{PORT}"))
	a := testcaddy.Start(t, admPostgresCaddyfile(dsn, "{GLOBALS}", "{PORT}"))
	ca := admLogin(t, a.BaseURL)

	ca.must(201, "POST", "/api/v1/channels", admChannelBody("shared-ch", up))
	ca.must(201, "POST", "/api/v1/groups", map[string]any{"name": "shared-model", "members": []map[string]any{{"channel": "shared-ch", "model": "up-a"}}})
	key := ca.must(201, "POST", "/api/v1/api-keys", map[string]any{"name": "shared-key"}).JSON(t)
	secret := key["secret"].(string)

	// A serves at once; B within a few seconds.
	if st, body := admChat(t, a.BaseURL, secret, "shared-model"); st != 200 {
		t.Fatalf("instance A: %d %s", st, body)
	}
	took := admEventually(t, 6*time.Second, func() string {
		st, body := admChat(t, baseB, secret, "shared-model")
		if st != 200 || !strings.Contains(body, "pong from pg") {
			return fmt.Sprintf("instance B answered %d %s", st, body)
		}
		return ""
	})
	t.Logf("instance B served A's change after %s", took)

	// The other way round: B's API disables the key, and A stops serving it.
	cb := admLogin(t, baseB)
	if l := cb.must(200, "GET", "/api/v1/channels", nil).List(t); len(l) != 1 || l[0]["name"] != "shared-ch" {
		t.Fatalf("instance B lists %v", l)
	}
	cb.must(200, "PUT", idPath("api-keys", key["id"]), map[string]any{"enabled": false})
	admEventually(t, 6*time.Second, func() string {
		if st, _ := admChat(t, a.BaseURL, secret, "shared-model"); st == 200 {
			return "instance A still serves a key B disabled"
		}
		return ""
	})
}
