#!/usr/bin/env bash
# Runs every Go fuzz target in the module briefly: each `func FuzzXxx` found in
# a _test.go file gets FUZZTIME (default 5s) of coverage-guided fuzzing on top
# of its committed corpus. Usage: .ci/fuzz.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-5s}"
status=0
count=0
failed=0
while IFS= read -r file; do
	dir="./$(dirname "$file")"
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
		count=$((count + 1))
		echo "== fuzz $dir $target ($fuzztime)"
		if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$dir"; then
			echo "FAIL: fuzz target $target in $dir" >&2
			failed=$((failed + 1))
			status=1
		fi
	done
done < <(git ls-files --cached --others --exclude-standard -- '*_test.go' | sort)
echo "fuzz: $((count - failed)) passed, $failed failed"
exit $status
