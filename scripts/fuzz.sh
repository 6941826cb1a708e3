#!/usr/bin/env bash
# Runs every Fuzz target briefly (default 10s each): go test -fuzz takes one
# target at a time.
#
# A target's output is shown only when it fails, with the input it saved
# under testdata/fuzz/<target>/. Go's fuzzer sometimes stops with "fuzzing
# process hung or terminated unexpectedly" although no input fails
# (golang/go#56238, #52569: a worker killed while minimizing). Such a stop is
# accepted only if every saved input passes when run again as a plain test;
# an input that fails again fails this script.
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
			echo "fuzz: $f stopped with Go's spurious worker error (golang/go#56238); every saved input passes again, going on"
			continue
		fi
		exit 1
	done
done
