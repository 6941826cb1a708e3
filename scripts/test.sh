#!/usr/bin/env bash
# The test command of the README. Needs PostgreSQL on 127.0.0.1:5432 and
# MariaDB on 127.0.0.1:3306 (started by .ci/run); without them the store
# tests skip loudly, unless CI=true, where they fail.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

echo "=== go vet"
go vet ./...

echo "=== go test -race"
go test -race -count=1 -timeout 25m ./...

echo "=== fuzz (short)"
bash scripts/fuzz.sh 5s

echo "=== benchmarks (smoke: one iteration each)"
go test -run '^$' -bench . -benchtime 1x ./balancer/ ./internal/sse/ ./relay/ ./transform/ >/dev/null

echo "=== load benchmark harness (short mode: checks it runs, asserts no timing)"
go run ./bench/cmd/octobench -short
go run ./bench/cmd/octobench -short -no-soak -after-saturation 1

echo "=== admin panel in headless Chromium (e2e/run.sh)"
bash e2e/run.sh

echo "=== xcaddy build from this checkout"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && xcaddy build --with "github.com/octopuscaddy/octopus@v0.0.0=$OLDPWD" --output "$tmp/caddy") >/dev/null
mods=$("$tmp/caddy" list-modules)
for m in octopus http.handlers.octopus http.handlers.octopus_admin; do
	if ! grep -qx "$m" <<<"$mods"; then
		echo "xcaddy build lacks module $m" >&2
		exit 1
	fi
done
echo "xcaddy build lists the octopus modules"
"$tmp/caddy" validate --config Caddyfile --adapter caddyfile

echo "all checks passed"
