#!/bin/sh
# Run every cmocka unit-test binary given and print one summary line,
# "unit: N passed, M failed", counting test cases (cmocka's own counts).
# A binary that crashes or prints no cmocka summary counts as one failure.
set -u
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
	"$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	if [ -z "$p" ] && [ -z "$f" ]; then
		echo "unit: $t exited $rc without a cmocka summary" >&2
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
