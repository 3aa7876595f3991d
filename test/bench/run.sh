#!/bin/sh
# make bench: render a 200-service project split over three files with
# mooring and with Debian's docker-compose (1.29, the peer), in the same
# run, and print mean wall time and peak RSS for both.
#
# Targets: mooring at least 20 times faster than the peer, and mooring's
# peak RSS under 20 MB. A benchmark informs: a MISS is printed, not failed.
# The exit status is non-zero only when mooring cannot render the project
# or a tool of plan-apply.sh (plan and apply against the daemon, run after
# the render figures) fails.
#
#   BENCH_RUNS=10 BENCH_PEER_RUNS=10 BENCH_SERVICES=200 sh test/bench/run.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MOORING=${MOORING:-$root/mooring}
PEER=${PEER:-docker-compose}
runs=${BENCH_RUNS:-10}
peer_runs=${BENCH_PEER_RUNS:-$runs}
services=${BENCH_SERVICES:-200}
speed_target=20
rss_target_mb=20

work=$(mktemp -d "${TMPDIR:-/tmp}/mooring-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

now_ns() {
	date +%s%N
}

# mean_ms RUNS CMD...: mean wall time of CMD over RUNS runs, in ms.
mean_ms() {
	_n=$1
	shift
	_i=0
	_t0=$(now_ns)
	while [ "$_i" -lt "$_n" ]; do
		"$@" >/dev/null 2>&1
		_i=$((_i + 1))
	done
	_t1=$(now_ns)
	awk -v d="$((_t1 - _t0))" -v n="$_n" 'BEGIN { printf "%.1f", d / n / 1e6 }'
}

# peak_kb RUNS CMD...: the largest peak RSS (KiB) of CMD over RUNS runs.
peak_kb() {
	_n=$1
	shift
	_i=0
	_max=0
	while [ "$_i" -lt "$_n" ]; do
		/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1
		_kb=$(tail -n 1 "$work/rss")
		case $_kb in '' | *[!0-9]*) _kb=0 ;; esac
		[ "$_kb" -gt "$_max" ] && _max=$_kb
		_i=$((_i + 1))
	done
	echo "$_max"
}

mb() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

have_time=0
/usr/bin/time -f %M -o /dev/null true 2>/dev/null && have_time=1

proj=$work/project
sh "$here/gen-project.sh" "$proj" "$services" || exit 1
cd "$proj" || exit 1
set -- -p bench -f a.yaml -f b.yaml -f c.yaml
lines=$(cat a.yaml b.yaml c.yaml | wc -l | tr -d ' ')
echo "bench: $services services in 3 files ($lines lines), $runs runs of mooring, $peer_runs of $PEER"

if ! "$MOORING" render "$@" --format json >"$work/mooring.json" 2>"$work/mooring.err"; then
	echo "bench: mooring cannot render the project:" >&2
	head -n 5 "$work/mooring.err" >&2
	exit 1
fi
if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["services"]) == int(sys.argv[2])' \
	"$work/mooring.json" "$services" 2>/dev/null; then
	echo "bench: mooring's output is not one JSON document with $services services" >&2
	exit 1
fi

m_ms=$(mean_ms "$runs" "$MOORING" render "$@" --format json)
m_kb=
[ "$have_time" = 1 ] && m_kb=$(peak_kb "$runs" "$MOORING" render "$@" --format json)

p_ms=
p_kb=
if ! command -v "$PEER" >/dev/null 2>&1; then
	echo "bench: $PEER is not installed (make deps installs it); no peer figures"
elif ! "$PEER" "$@" config >"$work/peer.yaml" 2>"$work/peer.err"; then
	echo "bench: $PEER config failed on the project; no peer figures:"
	head -n 5 "$work/peer.err"
else
	p_ms=$(mean_ms "$peer_runs" "$PEER" "$@" config)
	[ "$have_time" = 1 ] && p_kb=$(peak_kb "$peer_runs" "$PEER" "$@" config)
fi

# Same files, same meaning? Compare what both spell alike.
if [ -s "$work/peer.yaml" ] && python3 -c 'import yaml' 2>/dev/null; then
	python3 - "$work/mooring.json" "$work/peer.yaml" <<'EOF'
import json, sys, yaml
m = json.load(open(sys.argv[1]))["services"]
p = yaml.safe_load(open(sys.argv[2]))["services"]
def ports(s):
    return sorted((int(x["target"]), str(x.get("published", ""))) for x in s.get("ports", []))
def view(s):
    return (s.get("image"), s.get("environment"), s.get("labels"), ports(s),
            sorted(s.get("depends_on", {})))
same = sum(1 for k in p if k in m and view(m[k]) == view(p[k]))
print("agreement: %d/%d services alike on image, environment, labels, ports,"
      " depends_on" % (same, len(p)))
EOF
fi

echo
printf '%-16s %10s %14s\n' tool "mean ms" "peak RSS MB"
printf '%-16s %10s %14s\n' mooring "$m_ms" "${m_kb:+$(mb "$m_kb")}"
if [ -n "$p_ms" ]; then
	printf '%-16s %10s %14s\n' "$PEER" "$p_ms" "${p_kb:+$(mb "$p_kb")}"
fi
echo

if [ -n "$p_ms" ]; then
	awk -v m="$m_ms" -v p="$p_ms" -v t="$speed_target" 'BEGIN {
		r = (m > 0) ? p / m : 0
		printf "speed: mooring is %.1fx faster than the peer (target >= %dx): %s\n",
			r, t, (r >= t) ? "PASS" : "MISS"
	}'
else
	echo "speed: no peer figures (target >= ${speed_target}x): MISS"
fi
if [ -n "$m_kb" ]; then
	awk -v k="$m_kb" -v t="$rss_target_mb" 'BEGIN {
		printf "memory: mooring peak RSS %.1f MB (target < %d MB): %s\n",
			k / 1024, t, (k / 1024 < t) ? "PASS" : "MISS"
	}'
else
	echo "memory: /usr/bin/time (the time package) is missing; no RSS figures: MISS"
fi

# Part two, in the same run: plan and apply against the real daemon
# (plan-apply.sh; BENCH_PLAN_APPLY=0 leaves it out).
cd "$root" || exit 1
if [ "${BENCH_PLAN_APPLY:-1}" != 0 ]; then
	echo
	MOORING=$MOORING PEER=$PEER sh "$here/plan-apply.sh" || exit 1
fi
[ "${BENCH_LOOP:-1}" = 0 ] || { echo; MOORING=$MOORING sh "$here/run-loop.sh" || exit 1; }
exit 0
