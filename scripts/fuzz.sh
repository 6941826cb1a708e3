#!/usr/bin/env bash
# Runs every Fuzz target briefly (default 10s each): go test -fuzz takes one
# target at a time.
#
# A target's output is shown only when it fails, with the input it saved
# under testdata/fuzz/<target>/. Go's fuzzer sometimes stops with "fuzzing
# process hung or terminated unexpectedly" although no input fails
# (golang/go#56238, #52569: a worker killed while minimizing), and Go 1.26's
# coordinator can fail a target with a bare "context deadline exceeded" at the
# -fuzztime boundary (golang/go#75804, a race between the fuzztime context and
# its child, fixed in Go 1.27), having found nothing. Such a stop is accepted
# only if every input it saved passes when run again as a plain test (and, for
# the deadline, only if it wrote no failing input at all); an input that fails
# again fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-10s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //' | sort -u); do
		echo "fuzz $pkg $f ($t)"
		corpus="$dir/testdata/fuzz/$f"
		before=$(ls "$corpus" 2>/dev/null || true)
		if go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -parallel 2 "$pkg" >"$out" 2>&1; then
			continue
		fi
		cat "$out"
		spurious=0
		grep -q 'fuzzing process hung or terminated unexpectedly' "$out" && spurious=1
		if grep -qx '[[:space:]]*context deadline exceeded' "$out" && ! grep -q 'Failing input written to' "$out"; then
			spurious=1
		fi
		for c in "$corpus"/*; do
			[ -f "$c" ] || continue
			name=$(basename "$c")
			grep -qx "$name" <<<"$before" && continue
			echo "--- saved input $c:"
			cat "$c"
			echo
			if go test -count=1 -run "^$f/$name\$" "$pkg"; then
				echo "(the saved input passes when run again)"
				rm -f "$c"
			else
				spurious=0
			fi
		done
		if [ "$spurious" = 1 ]; then
			echo "fuzz: $f stopped with one of Go's spurious fuzzer errors (golang/go#56238, #75804), no failing input was written and every saved input passes again; going on"
			continue
		fi
		exit 1
	done
done
