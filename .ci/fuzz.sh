#!/usr/bin/env bash
# Runs every Go fuzz target in the module briefly: each `func FuzzXxx` found in
# a _test.go file gets FUZZTIME (default 5s) of coverage-guided fuzzing on top
# of its committed corpus. Usage: .ci/fuzz.sh [duration]
#
# Go 1.26's fuzz coordinator can report "context deadline exceeded" as a failure
# when a duration -fuzztime ends while a worker is mid-call (go.dev/issue/75804,
# fixed in Go 1.27): no input failed and none is written to testdata/fuzz. Such
# a run is fuzzed again with a count budget (-fuzztime=Nx has no deadline to
# race), and only that second run decides. A real failure always writes its
# input under testdata/fuzz/<target>/ and fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-5s}"
retry_execs="${FUZZ_RETRY_EXECS:-20000}"
status=0
count=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# corpus_listing DIR TARGET: the names of the target's committed and new inputs.
corpus_listing() { ls "$1/testdata/fuzz/$2" 2>/dev/null || true; }

while IFS= read -r file; do
	dir="./$(dirname "$file")"
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
		count=$((count + 1))
		echo "== fuzz $dir $target ($fuzztime)"
		before=$(corpus_listing "$dir" "$target")
		ok=1
		if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" -timeout 5m "$dir" 2>&1 | tee "$log"; then
			ok=0
			after=$(corpus_listing "$dir" "$target")
			if [[ $before == "$after" ]] && grep -A1 -E "^--- FAIL: ${target} " "$log" | grep -qx '    context deadline exceeded'; then
				echo "fuzz: $target stopped on Go's fuzztime deadline race (go.dev/issue/75804) without a failing input; fuzzing it again for ${retry_execs} executions"
				if go test -run='^$' -fuzz="^${target}\$" -fuzztime="${retry_execs}x" -timeout 5m "$dir"; then
					ok=1
				fi
			fi
		fi
		if ((!ok)); then
			echo "FAIL: fuzz target $target in $dir" >&2
			failed=$((failed + 1))
			status=1
		fi
	done
done < <(git ls-files --cached --others --exclude-standard -- '*_test.go' | sort)
echo "fuzz: $((count - failed)) passed, $failed failed"
exit $status
