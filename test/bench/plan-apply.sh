#!/bin/sh
# make bench, part two: `mooring plan` and `mooring apply` against the real
# daemon, next to their lower bound and to docker-compose (1.29, the peer),
# for 50 and 200 running services (one unit; mooring-example/busybox:1
# running `sleep 86400`, a few env vars and labels, no ports):
#
#   (a) plan (mean of N) vs ONE curl process fetching the container list
#       and every inspect over the socket (one connection): within 1.5x
#   (b) plan vs `docker-compose up -d` with nothing to change, each tool on
#       containers it created itself (compose would recreate ours): 10x
#   (c) apply of 50 fresh services vs `docker-compose up -d` of the same
#       file, fresh each time: no slower (aim 0.7x)
#   (d) peak RSS of plan at 200 services: under 20 MB
#
# Informative: a MISS is printed, not failed. Exit 1 only when a tool
# fails (no daemon, mooring or docker-compose erring); 0 otherwise.
# Everything created is removed, even on failure.
#
#   BENCH_PLAN_RUNS=10 BENCH_PEER_RUNS=3 BENCH_APPLY_RUNS=2 \
#   BENCH_SIZES="50 200" sh test/bench/plan-apply.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MOORING=${MOORING:-$root/mooring}
PEER=${PEER:-docker-compose}
plan_runs=${BENCH_PLAN_RUNS:-10}
peer_runs=${BENCH_PEER_RUNS:-3}
apply_runs=${BENCH_APPLY_RUNS:-2}
sizes=${BENCH_SIZES:-50 200}

# shellcheck source=test/integration/docker.sh
. "$root/test/integration/docker.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/mooring-bench-pa.XXXXXX") || exit 1
P=mtest-bench-$$
projects=
cleanup() {
	for p in $projects; do
		docker_cleanup_project "$p"
	done
	docker_stop_started
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail() {
	echo "bench: $*" >&2
	exit 1
}

now_ns() {
	date +%s%N
}

# ms_since T0_NS
ms_since() {
	awk -v d="$(($(now_ns) - $1))" 'BEGIN { printf "%.1f", d / 1e6 }'
}

# mean_ms RUNS CMD...: mean wall time of CMD over RUNS runs (ms); fails
# when CMD exits with a status other than 0 (or $ok_rc).
ok_rc=0
mean_ms() {
	_n=$1
	shift
	_i=0
	_t0=$(now_ns)
	while [ "$_i" -lt "$_n" ]; do
		"$@" >/dev/null 2>"$work/last.err"
		_rc=$?
		if [ "$_rc" -ne 0 ] && [ "$_rc" -ne "$ok_rc" ]; then
			echo "bench: '$*' exited $_rc:" >&2
			head -n 5 "$work/last.err" >&2
			return 1
		fi
		_i=$((_i + 1))
	done
	awk -v d="$(($(now_ns) - _t0))" -v n="$_n" 'BEGIN { printf "%.1f", d / n / 1e6 }'
}

command -v "$PEER" >/dev/null 2>&1 || fail "$PEER is not installed (make deps installs it)"
[ -x "$MOORING" ] || fail "no mooring binary at $MOORING"
docker_ensure || fail "$docker_error"
have_time=0
/usr/bin/time -f %M -o /dev/null true 2>/dev/null && have_time=1

repo=$work/infra
cfg=$work/mooring.yaml
mkdir -p "$repo/mooring"
write_config "$cfg" "$repo" "$work/state"
{
	echo "units:"
	for n in $sizes; do
		printf '  - name: b%s\n    path: stacks/b%s\n    project: %s-m%s\n' "$n" "$n" "$P" "$n"
	done
} >"$repo/mooring/units.yaml"

# gen N: the compose file of N services.
gen() {
	echo "services:"
	_i=1
	while [ "$_i" -le "$1" ]; do
		cat <<EOF
  s$_i:
    image: $IMG
    command: [sleep, "86400"]
    environment:
      SERVICE: s$_i
      MODE: bench
      LEVEL: "$((_i % 5))"
    labels:
      com.example.bench: "yes"
      com.example.index: "$_i"
EOF
		_i=$((_i + 1))
	done
}

# The peer runs the same file from a directory of its own.
for n in $sizes; do
	mkdir -p "$repo/stacks/b$n" "$work/peer$n"
	gen "$n" >"$repo/stacks/b$n/compose.yaml"
	cp "$repo/stacks/b$n/compose.yaml" "$work/peer$n/compose.yaml"
	projects="$projects $P-m$n $P-c$n"
done

m_apply() {
	"$MOORING" apply -c "$cfg" --unit "b$1"
}
m_plan() {
	"$MOORING" plan -c "$cfg" --unit "b$1"
}
# Every peer call is bounded: a stalled peer is a failed tool, not a hang.
peer_timeout=${BENCH_PEER_TIMEOUT:-600}
c_up() {
	_cu_n=$1
	shift
	(cd "$work/peer$_cu_n" && timeout "$peer_timeout" "$PEER" -p "$P-c$_cu_n" -f compose.yaml up -d "$@")
}
# c_create N: the peer's containers for size N, 50 services per call:
# docker-compose 1.29 (Python 3.11) creating 200 at once crawls (a few
# containers a minute, scheduling, not the daemon), 50 at a time it does
# not. Its no-change pass over all of them is one call, as measured.
c_create() {
	_cc_i=1
	while [ "$_cc_i" -le "$1" ]; do
		_cc_j=$((_cc_i + 49))
		[ "$_cc_j" -gt "$1" ] && _cc_j=$1
		# shellcheck disable=SC2046
		c_up "$1" $(seq "$_cc_i" "$_cc_j" | sed 's/^/s/') || return 1
		_cc_i=$((_cc_j + 1))
	done
}
fresh() {
	docker_cleanup_project "$1"
}

# the lower bound: one curl, the list then every inspect, one connection.
curl_urls() {
	_f=$(printf '{"label":["com.docker.compose.project=%s"]}' "$1" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))')
	echo "http://localhost/v1.41/containers/json?all=1&filters=$_f"
	for _id in $(project_ids "$1"); do
		echo "http://localhost/v1.41/containers/$_id/json"
	done
}
curl_all() {
	# shellcheck disable=SC2046
	curl -sf --unix-socket "$DOCKER_SOCK" $(cat "$work/urls") >/dev/null
}

row() { # services measure mooring reference ratio target result
	printf '%-5s %-46s %10s %10s %8s %8s  %s\n' "$@"
}
results=$work/results
: >"$results"
# ratio_row N MEASURE M_MS REF_MS HOW TARGET: HOW is "le" (m/ref <= t)
# or "ge" (ref/m >= t).
ratio_row() {
	awk -v n="$1" -v what="$2" -v m="$3" -v r="$4" -v how="$5" -v t="$6" 'BEGIN {
		if (how == "le") { x = (r > 0) ? m / r : 0; ok = (x <= t); tt = "<=" t "x" }
		else { x = (m > 0) ? r / m : 0; ok = (x >= t); tt = ">=" t "x" }
		printf "%-5s %-46s %10.1f %10.1f %7.2fx %8s  %s\n", n, what, m, r, x, tt, ok ? "PASS" : "MISS"
	}' >>"$results"
}

echo "bench plan/apply: sizes $sizes; $plan_runs plan runs, $peer_runs peer no-op runs, $apply_runs fresh apply runs (mean ms)"
for n in $sizes; do
	pm=$P-m$n
	pc=$P-c$n
	# (c) fresh apply vs fresh compose up -d, alternating, 50 services.
	if [ "$n" = 50 ]; then
		m_sum=0
		c_sum=0
		i=0
		while [ "$i" -lt "$apply_runs" ]; do
			fresh "$pm"
			rm -rf "$work/state"
			t0=$(now_ns)
			m_apply "$n" >/dev/null 2>"$work/last.err" || {
				head -n 5 "$work/last.err" >&2
				fail "mooring apply of $n services failed"
			}
			m_sum=$(awk -v a="$m_sum" -v b="$(ms_since "$t0")" 'BEGIN { print a + b }')
			fresh "$pc"
			t0=$(now_ns)
			c_up "$n" >/dev/null 2>"$work/last.err" || {
				tail -n 5 "$work/last.err" >&2
				fail "$PEER up -d of $n services failed"
			}
			c_sum=$(awk -v a="$c_sum" -v b="$(ms_since "$t0")" 'BEGIN { print a + b }')
			i=$((i + 1))
		done
		ratio_row "$n" "apply (fresh) vs $PEER up -d (fresh)" \
			"$(awk -v s="$m_sum" -v k="$apply_runs" 'BEGIN { print s / k }')" \
			"$(awk -v s="$c_sum" -v k="$apply_runs" 'BEGIN { print s / k }')" le 1
	else
		t0=$(now_ns)
		m_apply "$n" >/dev/null 2>"$work/last.err" || {
			head -n 5 "$work/last.err" >&2
			fail "mooring apply of $n services failed"
		}
		m_ms=$(ms_since "$t0")
		t0=$(now_ns)
		c_create "$n" >/dev/null 2>"$work/last.err" || {
			tail -n 5 "$work/last.err" >&2
			fail "$PEER up -d of $n services failed"
		}
		echo "# $n services, fresh: mooring apply ${m_ms} ms; $PEER up -d $(ms_since "$t0") ms in batches of 50 (one run each)"
	fi
	running=$(docker ps -q --filter "label=com.docker.compose.project=$pm" | wc -l | tr -d ' ')
	[ "$running" = "$n" ] || fail "mooring apply left $running of $n containers of $pm running"

	# A plan right after apply should be in sync; drift would mean false
	# positives (the figures still count, what is measured is the pass).
	m_plan "$n" >"$work/plan.out" 2>"$work/last.err"
	rc=$?
	case $rc in
	0) ;;
	2) echo "# note: mooring plan exits 2 (changes) right after apply at $n services: $(head -c 200 "$work/plan.out" | tr '\n' ' ')" ;;
	*)
		head -n 5 "$work/last.err" >&2
		fail "mooring plan failed (exit $rc) at $n services"
		;;
	esac
	ok_rc=$rc

	# (a) plan vs the lower bound.
	curl_urls "$pm" >"$work/urls"
	curl_all || fail "curl could not fetch the list and inspects of $pm"
	c_ms=$(mean_ms "$plan_runs" curl_all) || fail "curl failed"
	m_ms=$(mean_ms "$plan_runs" m_plan "$n") || fail "mooring plan failed at $n services"
	ratio_row "$n" "plan vs 1 curl: list + $n inspects" "$m_ms" "$c_ms" le 1.5

	# (b) plan vs the peer's own no-change convergence pass.
	ok_rc=0
	p_ms=$(mean_ms "$peer_runs" c_up "$n") || fail "$PEER up -d (nothing to change) failed at $n services"
	ok_rc=$rc
	ratio_row "$n" "plan vs $PEER up -d (no change)" "$m_ms" "$p_ms" ge 10

	# (d) peak RSS at 200 (and whatever else is asked for).
	if [ "$have_time" = 1 ]; then
		max=0
		i=0
		while [ "$i" -lt 3 ]; do
			/usr/bin/time -f %M -o "$work/rss" "$MOORING" plan -c "$cfg" --unit "b$n" >/dev/null 2>&1
			kb=$(tail -n 1 "$work/rss")
			case $kb in '' | *[!0-9]*) kb=0 ;; esac
			[ "$kb" -gt "$max" ] && max=$kb
			i=$((i + 1))
		done
		if [ "$n" = 200 ]; then
			awk -v n="$n" -v k="$max" 'BEGIN {
				printf "%-5s %-46s %9.1fM %10s %8s %8s  %s\n", n, "plan peak RSS", k / 1024, "-", "-",
					"<20MB", (k / 1024 < 20) ? "PASS" : "MISS"
			}' >>"$results"
		else
			echo "# $n services: mooring plan peak RSS $(awk -v k="$max" 'BEGIN { printf "%.1f", k / 1024 }') MB"
		fi
	else
		echo "$n     plan peak RSS: /usr/bin/time (the time package) is missing: MISS" >>"$results"
	fi
	ok_rc=0
	fresh "$pm"
	fresh "$pc"
done

echo
row svc measure "mooring" "reference" ratio target result
cat "$results"
echo "(ms, means; apply's target is no slower than the peer, the aim 0.7x)"
exit 0
