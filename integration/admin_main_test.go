package integration

import (
	"os"
	"testing"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"
)

// admSubprocessEnv makes the test binary run Caddy instead of the tests:
// its value is the Caddyfile to run. Caddy is process-global, so a test
// that needs a second instance starts the binary again with it set.
const admSubprocessEnv = "OCTOPUS_TEST_RUN_CADDY"

// TestMain runs the tests, or Caddy in a child process (see
// admSubprocessEnv).
func TestMain(m *testing.M) {
	if cfg := os.Getenv(admSubprocessEnv); cfg != "" {
		os.Args = []string{os.Args[0], "run", "--config", cfg, "--adapter", "caddyfile"}
		caddycmd.Main() // runs until signalled, then exits the process
		return
	}
	os.Exit(m.Run())
}
