// Package testcaddy runs a real Caddy in-process for integration tests:
// a Caddyfile is adapted and loaded exactly as `caddy run` would, and can
// be reloaded like `caddy reload`.
package testcaddy

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/octopuscaddy/octopus"
)

// Caddy is process-global: tests that run it must not overlap.
var mu sync.Mutex

// Instance is a running Caddy.
type Instance struct {
	t testing.TB
	// Port is the HTTP port the site listens on (127.0.0.1).
	Port int
	// BaseURL is http://127.0.0.1:Port.
	BaseURL string
	// Dir is a temporary folder for the test's files (the database).
	Dir string
}

// FreePort returns a free loopback TCP port.
func FreePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Globals are the global options every test Caddyfile needs: no admin
// endpoint, no autosave, no certificate work.
const Globals = "admin off\n\tpersist_config off\n\tauto_https off\n\tskip_install_trust\n\tgrace_period 5s"

// Start loads caddyfile and returns the instance; Caddy stops when the
// test ends. In caddyfile, {PORT} is replaced with a free port, {GLOBALS}
// with Globals and {DB} with a SQLite file in a temporary folder.
func Start(t testing.TB, caddyfile string) *Instance {
	t.Helper()
	mu.Lock()
	in := &Instance{t: t, Port: FreePort(t), Dir: t.TempDir()}
	in.BaseURL = fmt.Sprintf("http://127.0.0.1:%d", in.Port)
	if err := in.load(caddyfile); err != nil {
		mu.Unlock()
		t.Fatalf("starting caddy: %v", err)
	}
	t.Cleanup(func() {
		_ = caddy.Stop()
		mu.Unlock()
	})
	return in
}

// Reload loads a new Caddyfile into the running instance, like `caddy
// reload`.
func (in *Instance) Reload(caddyfile string) error { return in.load(caddyfile) }

// Adapt turns a Caddyfile into JSON after the {PORT}/{GLOBALS} expansion.
func (in *Instance) Adapt(caddyfile string) ([]byte, error) {
	caddyfile = strings.ReplaceAll(caddyfile, "{PORT}", fmt.Sprint(in.Port))
	caddyfile = strings.ReplaceAll(caddyfile, "{GLOBALS}", Globals)
	caddyfile = strings.ReplaceAll(caddyfile, "{DB}", in.Dir+"/octopus.db")
	cfg, warn, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": "Caddyfile"})
	if err != nil {
		return nil, err
	}
	for _, w := range warn {
		in.t.Logf("caddyfile warning: %s", w.String())
	}
	return cfg, nil
}

func (in *Instance) load(caddyfile string) error {
	cfg, err := in.Adapt(caddyfile)
	if err != nil {
		return err
	}
	return caddy.Load(cfg, true)
}
