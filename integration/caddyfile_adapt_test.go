package integration

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/octopuscaddy/octopus"
)

var update = flag.Bool("update", false, "rewrite the JSON half of the golden adapt files")

// TestCaddyfileAdapt checks every caddyfile_adapt/*.caddyfiletest file: a
// Caddyfile, a line of ten dashes, then either the exact JSON it adapts to
// or a substring of the error it must fail with (file and line included).
func TestCaddyfileAdapt(t *testing.T) {
	files, err := filepath.Glob("caddyfile_adapt/*.caddyfiletest")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			caddyfile, expected, ok := strings.Cut(string(data), "\n----------\n")
			if !ok {
				t.Fatalf("%s: no ---------- separator", file)
			}
			expected = strings.TrimSpace(expected)
			out, _, adaptErr := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": "Caddyfile"})
			if !strings.HasPrefix(expected, "{") {
				if *update && adaptErr != nil {
					if err := os.WriteFile(file, []byte(caddyfile+"\n----------\n"+adaptErr.Error()+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				if adaptErr == nil {
					t.Fatalf("expected an error containing %q, got none", expected)
				}
				if !strings.Contains(adaptErr.Error(), expected) {
					t.Fatalf("error %q does not contain %q", adaptErr.Error(), expected)
				}
				return
			}
			if adaptErr != nil {
				t.Fatalf("adapt: %v", adaptErr)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, out, "", "\t"); err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSpace(pretty.String())
			if *update {
				if err := os.WriteFile(file, []byte(caddyfile+"\n----------\n"+got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != expected {
				t.Fatalf("adapted JSON differs.\n--- got\n%s\n--- want\n%s", got, expected)
			}
		})
	}
}
