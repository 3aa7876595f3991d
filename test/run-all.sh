#!/bin/sh
# The body of `make test`: unit tests, integration tests, then the unit
# tests again under ASan+UBSan. Every phase runs even if an earlier one
# failed; the last line sums them up.
set -u
cd "$(dirname "$0")/.." || exit 1
MAKE=${MAKE:-make}
log=$(mktemp)
phaselog=$(mktemp)
trap 'rm -f "$log" "$phaselog"' EXIT
status=0
for phase in unit integration asan-unit; do
	echo "== $phase"
	$MAKE --no-print-directory "$phase" >"$phaselog" 2>&1 || status=1
	cat "$phaselog"
	cat "$phaselog" >>"$log"
done
pass=0
fail=0
for line in $(sed -n 's/^\(unit\|integration\): \([0-9]*\) passed, \([0-9]*\) failed$/\2:\3/p' "$log"); do
	pass=$((pass + ${line%%:*}))
	fail=$((fail + ${line##*:}))
done
phases=$(grep -c -E '^(unit|integration): [0-9]+ passed, [0-9]+ failed$' "$log")
if [ "$phases" -lt 3 ]; then
	echo "test: only $phases of 3 phases reported a summary" >&2
	fail=$((fail + 1))
fi
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$status" -eq 0 ]
