# lib.sh - helpers for the end-to-end scripts test/integration/t*.sh.
#
# Sourced (never run) by each script, in the manner of git's t/README:
# every assertion has a title and prints one line, "ok N - title" or
# "not ok N - title" followed by "#"-prefixed details; finish() prints a
# summary and sets the exit status. run.sh aggregates the lines.
#
# TEST_VERBOSE=1 also shows the error line of passing error checks.
#
# Each script gets its own scratch directory $TMP, removed on exit whatever
# happens. The binary under test is $MOORING (default: ./mooring at the
# repository root); $root is the repository root, whatever the cwd.
#
# The last command run through run_cmd/run_mooring leaves:
#   $OUT $ERR  files with its stdout and stderr
#   $RC        its exit status
#   $MS        its wall time in milliseconds
#   $RSS_KB    its peak RSS in KiB (when /usr/bin/time is there, else "")

set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
MOORING=${MOORING:-$root/mooring}
test_name=$(basename "$0" .sh)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mooring-$test_name.XXXXXX") || {
	echo "not ok 1 - cannot create a scratch directory"
	exit 1
}
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

OUT=$TMP/.stdout
ERR=$TMP/.stderr
RC=0
MS=0
RSS_KB=
test_count=0
test_failed=0
test_skipped=0

# Virtual memory cap for hostile input (KiB); 0 turns it off (ASan builds
# reserve terabytes of shadow memory and cannot run under a cap).
MOORING_VMEM_KB=${MOORING_VMEM_KB:-262144}

if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	have_gnu_time=1
else
	have_gnu_time=0
fi

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

say_ok() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1"
}

say_not_ok() {
	test_count=$((test_count + 1))
	test_failed=$((test_failed + 1))
	echo "not ok $test_count - $1"
}

say_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	echo "ok $test_count # skip $1 ($2)"
}

# Details of the last run, as TAP comments, for a failed check.
show_last() {
	echo "#   exit status: $RC, ${MS} ms${RSS_KB:+, peak RSS ${RSS_KB} KiB}"
	if [ -s "$ERR" ]; then
		echo "#   stderr:"
		head -c 2000 "$ERR" | head -n 8 | sed 's/^/#     /'
	fi
	if [ -s "$OUT" ]; then
		echo "#   stdout:"
		head -c 2000 "$OUT" | head -n 8 | sed 's/^/#     /'
	fi
}

# run_cmd CMD...: run CMD, record its output, status, time (never fails).
run_cmd() {
	local t0 t1
	t0=$(now_ms)
	"$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	t1=$(now_ms)
	MS=$((t1 - t0))
	RSS_KB=
}

# run_mooring ARG...: run_cmd "$MOORING" ARG...
run_mooring() {
	run_cmd "$MOORING" "$@"
}

# run_limited ARG...: run mooring under the virtual memory cap, measuring
# wall time and (with GNU time) peak RSS.
run_limited() {
	local t0 t1 rssf=$TMP/.rss
	rm -f "$rssf"
	t0=$(now_ms)
	(
		if [ "$MOORING_VMEM_KB" != 0 ]; then
			ulimit -v "$MOORING_VMEM_KB" || exit 125
		fi
		if [ "$have_gnu_time" = 1 ]; then
			exec /usr/bin/time -f %M -o "$rssf" "$MOORING" "$@"
		fi
		exec "$MOORING" "$@"
	) >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	t1=$(now_ms)
	MS=$((t1 - t0))
	RSS_KB=
	if [ -s "$rssf" ]; then
		RSS_KB=$(tail -n 1 "$rssf")
		case $RSS_KB in *[!0-9]*) RSS_KB= ;; esac
	fi
}

# check TITLE CMD...: ok when CMD exits 0.
check() {
	local title=$1
	shift
	if "$@"; then
		say_ok "$title"
	else
		say_not_ok "$title"
		echo "#   failed: $*"
		return 1
	fi
}

# check_last TITLE CMD...: like check, but shows the last run on failure.
check_last() {
	local title=$1
	shift
	if "$@"; then
		say_ok "$title"
	else
		say_not_ok "$title"
		echo "#   failed: $*"
		show_last
		return 1
	fi
}

# expect_exit N TITLE CMD...: run CMD (output kept as for run_cmd); ok
# when it exits with status N.
expect_exit() {
	local want=$1 title=$2
	shift 2
	run_cmd "$@"
	if [ "$RC" -eq "$want" ]; then
		say_ok "$title"
	else
		say_not_ok "$title"
		echo "#   expected exit status $want: $*"
		show_last
		return 1
	fi
}

# expect_stderr_match TITLE REGEX: the last run's stderr matches REGEX
# (grep -E, any line).
expect_stderr_match() {
	check_last "$1" grep -Eq -- "$2" "$ERR"
}

expect_stdout_match() {
	check_last "$1" grep -Eq -- "$2" "$OUT"
}

expect_stderr_no_match() {
	check_last "$1" not_grep "$2" "$ERR"
}

expect_stdout_empty() {
	check_last "$1" test ! -s "$OUT"
}

not_grep() {
	! grep -Eq -- "$1" "$2"
}

line_count() {
	wc -l <"$1" | tr -d ' '
}

# is_error_line REGEX: the last run exited 1, printed nothing on stdout and
# exactly one line on stderr, "mooring: " followed by REGEX (grep -E).
is_error_line() {
	[ "$RC" -eq 1 ] || return 1
	[ ! -s "$OUT" ] || return 1
	[ "$(line_count "$ERR")" = 1 ] || return 1
	# A last line without its newline still counts as one line.
	[ "$(tail -c 1 "$ERR" | od -An -c | tr -d ' ')" = '\n' ] || return 1
	grep -Eq -- "^mooring: ($1)" "$ERR"
}

# expect_error TITLE REGEX ARG...: run mooring ARG...; ok when it fails
# with exit 1, an empty stdout and one stderr line "mooring: REGEX...".
expect_error() {
	local title=$1 re=$2
	shift 2
	run_mooring "$@"
	if is_error_line "$re"; then
		say_ok "$title"
		[ -n "${TEST_VERBOSE:-}" ] && sed 's/^/#   /' "$ERR"
	else
		say_not_ok "$title"
		echo "#   expected exit 1, empty stdout, one stderr line ^mooring: $re"
		echo "#   command: mooring $*"
		show_last
		return 1
	fi
}

# json_valid FILE: FILE holds exactly one JSON document.
json_valid() {
	python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1" 2>/dev/null
}

# json_true FILE EXPR: the Python expression EXPR, with the document bound
# to d, is true. Missing keys count as false, not as errors.
json_true() {
	python3 - "$1" "$2" <<'EOF' 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    ok = eval(sys.argv[2])
except (KeyError, IndexError, TypeError):
    ok = False
sys.exit(0 if ok else 1)
EOF
}

# json_print FILE EXPR: print the value of EXPR (JSON-encoded), for details.
json_print() {
	python3 - "$1" "$2" <<'EOF' 2>&1
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    print(json.dumps(eval(sys.argv[2]), sort_keys=True))
except Exception as e:
    print("<%s: %s>" % (type(e).__name__, e))
EOF
}

# expect_json TITLE EXPR: on the last run's stdout.
expect_json() {
	local title=$1 expr=$2
	if json_true "$OUT" "$expr"; then
		say_ok "$title"
	else
		say_not_ok "$title"
		echo "#   expected true: $expr"
		show_last
		return 1
	fi
}

# expect_json_eq TITLE EXPR VALUE_PY: EXPR == VALUE_PY (both Python).
expect_json_eq() {
	local title=$1 expr=$2 want=$3
	if json_true "$OUT" "($expr) == ($want)"; then
		say_ok "$title"
	else
		say_not_ok "$title"
		echo "#   expected: $expr == $want"
		echo "#   actual:   $(json_print "$OUT" "$expr" | head -c 400)"
		show_last
		return 1
	fi
}

# have_mooring: the binary under test exists and runs.
have_mooring() {
	[ -x "$MOORING" ]
}

# finish: print the script's summary; exit 1 on any failure.
finish() {
	echo "# $test_name: $((test_count - test_failed - test_skipped)) passed," \
		"$test_failed failed, $test_skipped skipped"
	[ "$test_failed" -eq 0 ] && [ "$test_count" -gt 0 ]
	exit $?
}

# Every script needs the binary; without it, one failure says why.
if ! have_mooring; then
	say_not_ok "mooring binary at $MOORING is executable"
	finish
fi
