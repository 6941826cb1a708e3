// Command caddy is Caddy with its standard modules plus Octopus for Caddy.
// Run it from a checkout with `go run ./cmd/caddy run --config Caddyfile`.
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/octopuscaddy/octopus"
)

func main() {
	caddycmd.Main()
}
