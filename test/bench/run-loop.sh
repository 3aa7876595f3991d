#!/bin/sh
# make bench, part three: the controller loop (`mooring run`) on the real
# daemon, following a real git remote (git daemon on 127.0.0.1, a free
# port). 5 units of 20 services each (mooring-example/busybox:1 running
# `sleep`, stop_signal SIGKILL so a recreate waits for nothing): 100
# containers.
#
#   (a) idle RSS of `mooring run` after convergence and ~10 s of idling
#       (VmRSS from /proc/PID/status): under 10 MB
#   (b) CPU per no-change pass of a unit: poll_interval 1s for 20 s after
#       convergence; (utime + stime of mooring and of its fetch children,
#       from /proc/PID/stat) / unit passes
#       (mooring_reconcile_duration_seconds_count from /metrics): < 20 ms
#   (c) webhook push to converged: poll_interval 60s; push a commit that
#       changes one env value of one service, POST /hooks/git signed with
#       X-Hub-Signature-256; time until /api/v1/units/UNIT shows the new
#       commit, in sync (the recreate of a busybox `sleep` takes ms, so
#       nothing is subtracted): under 2 s. Printed next to the poll-only
#       latency: the same push without a webhook, poll_interval 5s.
#
# Informative: a MISS is printed, not failed. Exit 1 only when mooring
# fails (does not start, dies, never converges) or the set-up does (no
# daemon, no git); 0 otherwise. Everything created is removed, even on
# failure: containers, networks, the git daemon, the controller, $work.
#
#   BENCH_LOOP_UNITS=5 BENCH_LOOP_SERVICES=20 BENCH_LOOP_PUSHES=3 \
#   sh test/bench/run-loop.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MOORING=${MOORING:-$root/mooring}
nunits=${BENCH_LOOP_UNITS:-5}
nsvc=${BENCH_LOOP_SERVICES:-20}
pushes=${BENCH_LOOP_PUSHES:-3}
idle_s=${BENCH_LOOP_IDLE:-10}
cpu_s=${BENCH_LOOP_CPU:-20}
converge_s=${BENCH_LOOP_CONVERGE:-300}
rss_target_mb=10
cpu_target_ms=20
hook_target_ms=2000

# shellcheck source=test/integration/docker.sh
. "$root/test/integration/docker.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/mooring-bench-loop.XXXXXX") || exit 1
P=mtest-bench-loop-$$
mpid=
gpid=
cleanup() {
	stop_mooring
	if [ -n "$gpid" ]; then
		kill "$gpid" 2>/dev/null
		wait "$gpid" 2>/dev/null
	fi
	_i=1
	while [ "$_i" -le "$nunits" ]; do
		docker_cleanup_project "$P-$_i"
		_i=$((_i + 1))
	done
	docker_stop_started
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail() {
	echo "bench-loop: $*" >&2
	if [ -s "$work/run.log" ]; then
		echo "bench-loop: the end of mooring's log:" >&2
		tail -n 15 "$work/run.log" | sed 's/^/  /' >&2
	fi
	exit 1
}

now_ns() {
	date +%s%N
}

# --- set-up: daemon, git remote, infra repo ---------------------------------
[ -x "$MOORING" ] || fail "no mooring binary at '$MOORING' (make mooring)"
docker_ensure || fail "$docker_error"
command -v git >/dev/null 2>&1 || fail "git is not installed"
command -v openssl >/dev/null 2>&1 || fail "openssl is not installed"

export GIT_CONFIG_NOSYSTEM=1
export HOME="$work"
srv=$work/srv
repo=$work/repo
mkdir -p "$srv" "$repo/mooring"
git init -q --bare -b main "$srv/bench.git" || fail "git init failed"
git init -q -b main "$repo"
gitw() {
	git -C "$repo" -c user.name=bench -c user.email=bench@mooring.invalid \
		-c commit.gpgsign=false "$@"
}
gitw remote add origin "$srv/bench.git"

# write_unit I VALUE: stacks/uI/compose.yaml, service s00 with BENCH_VALUE.
write_unit() {
	mkdir -p "$repo/stacks/u$1"
	awk -v n="$nsvc" -v v="$2" -v img="$IMG" 'BEGIN {
		print "services:"
		for (i = 0; i < n; i++) {
			printf "  s%02d:\n", i
			printf "    image: %s\n", img
			print "    command: [sleep, \"86400\"]"
			print "    stop_signal: SIGKILL"
			print "    environment:"
			printf "      BENCH_VALUE: \"%s\"\n", (i == 0) ? v : "fixed"
			printf "      BENCH_INDEX: \"%d\"\n", i
			print "    labels:"
			print "      bench.example.loop: loop"
		}
	}' >"$repo/stacks/u$1/compose.yaml"
}

{
	echo "units:"
	i=1
	while [ "$i" -le "$nunits" ]; do
		echo "  - name: benchu$i"
		echo "    path: stacks/u$i"
		echo "    files: [compose.yaml]"
		echo "    project: $P-$i"
		echo "    owner: bench"
		echo "    environment: bench"
		echo "    risk_tier: low"
		write_unit "$i" v0
		i=$((i + 1))
	done
} >"$repo/mooring/units.yaml"
gitw add -A && gitw commit -qm "bench: $nunits units of $nsvc services" &&
	gitw push -q origin main 2>/dev/null || fail "cannot push to the bench remote"

# push_value VALUE: commit a new BENCH_VALUE for benchu1's s00 and push it;
# prints the new commit id.
push_value() {
	write_unit 1 "$1"
	gitw commit -qam "bench: BENCH_VALUE=$1" && gitw push -q origin main 2>/dev/null ||
		return 1
	gitw rev-parse HEAD
}

ports=$(free_ports 2)
gport=${ports% *}
hport=${ports#* }
git daemon --export-all --base-path="$srv" --listen=127.0.0.1 --port="$gport" \
	--reuseaddr "$srv" >"$work/git-daemon.log" 2>&1 &
gpid=$!
api=http://127.0.0.1:$hport

secret=$(openssl rand -hex 32)
printf '%s' "$secret" >"$work/webhook-secret"
chmod 600 "$work/webhook-secret"

# write_config POLL_INTERVAL
write_loop_config() {
	cat >"$work/mooring.yaml" <<EOF
repository:
  url: git://127.0.0.1:$gport/bench.git
  branch: main
  poll_interval: $1
state_dir: $work/state
docker_socket: $DOCKER_SOCK
listen: 127.0.0.1:$hport
webhook_secret_file: $work/webhook-secret
host: bench
EOF
}

# --- the controller ----------------------------------------------------------
start_mooring() {
	write_loop_config "$1"
	"$MOORING" run -c "$work/mooring.yaml" >>"$work/run.log" 2>&1 </dev/null &
	mpid=$!
}

stop_mooring() {
	[ -n "$mpid" ] || return 0
	kill -TERM "$mpid" 2>/dev/null
	_n=150
	while kill -0 "$mpid" 2>/dev/null && [ "$_n" -gt 0 ]; do
		sleep 0.2
		_n=$((_n - 1))
	done
	kill -KILL "$mpid" 2>/dev/null
	wait "$mpid" 2>/dev/null
	mpid=
}

alive() {
	[ -n "$mpid" ] && kill -0 "$mpid" 2>/dev/null
}

# wait_ready SECONDS: /readyz answers 200 (the first pass of every unit ran).
wait_ready() {
	_n=$(($1 * 5))
	while [ "$_n" -gt 0 ]; do
		alive || return 1
		[ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$api/readyz")" = 200 ] && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

# api_q OP ARG...: questions to the HTTP API, in Python (one process).
#   converged COMMIT TIMEOUT_S   every unit in_sync at COMMIT (exit 0), or
#                                print what is not and exit 1
#   latency URL COMMIT T0_NS TIMEOUT_S   print ms from T0_NS until unit URL
#                                shows COMMIT in sync (exit 1 on timeout)
#   passes                       sum of mooring_reconcile_duration_seconds_count
api_q() {
	python3 - "$api" "$mpid" "$@" <<'PYEOF'
import json, os, sys, time, urllib.request
api, pid, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def get(path):
    with urllib.request.urlopen(api + path, timeout=2) as r:
        return r.read().decode()
def units():
    d = json.loads(get("/api/v1/units"))
    if isinstance(d, dict):
        d = d.get("units", [])
    return d
def done(u, commit):
    return u.get("status") == "in_sync" and u.get("commit") == commit
def alive():
    try:
        os.kill(int(pid), 0)
        return True
    except Exception:
        return False
if op == "converged":
    commit, deadline = args[0], time.time() + float(args[1])
    last = "no answer from " + api
    while time.time() < deadline and alive():
        try:
            us = units()
            if us and all(done(u, commit) for u in us):
                sys.exit(0)
            last = "; ".join("%s: %s%s at %s" % (u.get("unit"), u.get("status"),
                             " (%s)" % u["error"] if u.get("error") else "",
                             (u.get("commit") or "-")[:12]) for u in us) or "no units"
        except Exception as e:
            last = "%s: %s" % (type(e).__name__, e)
        time.sleep(0.2)
    print(last if alive() else "mooring exited")
    sys.exit(1)
if op == "latency":
    path, commit, t0, deadline = args[0], args[1], int(args[2]), time.time() + float(args[3])
    while time.time() < deadline and alive():
        try:
            if done(json.loads(get(path)), commit):
                print("%.0f" % ((time.time_ns() - t0) / 1e6))
                sys.exit(0)
        except Exception:
            pass
        time.sleep(0.01)
    sys.exit(1)
if op == "passes":
    n = 0
    for line in get("/metrics").splitlines():
        if line.startswith("mooring_reconcile_duration_seconds_count"):
            n += int(float(line.split()[-1]))
    print(n)
    sys.exit(0)
sys.exit(2)
PYEOF
}

# cpu_ticks PID: utime + stime + cutime + cstime (clock ticks) from
# /proc/PID/stat: the fetch children's CPU counts too.
cpu_ticks() {
	# The command name (field 2) may hold spaces: count from after ")".
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 + $14 + $15 }'
}

rss_kb() {
	awk '$1 == "'"$2"':" { print $2 }' "/proc/$1/status"
}

median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'
}

commit=$(gitw rev-parse HEAD)
echo "bench-loop: mooring run, $nunits units x $nsvc services ($((nunits * nsvc)) containers), git daemon on 127.0.0.1:$gport"

# (a) and (b): converge with poll_interval 1s, idle, then count passes.
t0=$(now_ns)
start_mooring 1s
wait_ready "$converge_s" || fail "mooring did not become ready within ${converge_s}s"
why=$(api_q converged "$commit" "$converge_s") || fail "mooring did not converge within ${converge_s}s: $why"
converge_ms=$(awk -v d="$(($(now_ns) - t0))" 'BEGIN { printf "%.0f", d / 1e6 }')
running=$(docker ps -q --filter label=bench.example.loop=loop --filter "label=com.docker.compose.project=$P-1" | wc -l)
echo "bench-loop: converged in ${converge_ms} ms (benchu1 runs $running containers)"
sleep "$idle_s"
alive || fail "mooring exited while idle"
rss=$(rss_kb "$mpid" VmRSS)
hwm=$(rss_kb "$mpid" VmHWM)
anon=$(rss_kb "$mpid" RssAnon)
file=$(rss_kb "$mpid" RssFile)
pss=$(awk '$1 == "Pss:" { print $2 }' "/proc/$mpid/smaps_rollup" 2>/dev/null)
# Where the file-backed pages are: the three largest mappings.
top_maps=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6; sub(/.*\//, "", n) }
	$1 == "Rss:" && n != "" { r[n] += $2 }
	END { for (k in r) printf "%d %s\n", r[k], k }' "/proc/$mpid/smaps" 2>/dev/null |
	sort -rn | head -n 3 | awk '{ printf "%s%s %.1f", sep, $2, $1 / 1024; sep = ", " } END { print "" }')
# The same libraries, initialised, doing nothing: the part of the RSS
# that is the libraries' and not mooring's.
floor=$("$root/build/tools/rss-floor" 2>/dev/null | awk '{ print $1 }')
hz=$(getconf CLK_TCK)
p0=$(api_q passes) || fail "cannot read /metrics"
c0=$(cpu_ticks "$mpid")
sleep "$cpu_s"
alive || fail "mooring exited during the CPU measurement"
c1=$(cpu_ticks "$mpid")
p1=$(api_q passes) || fail "cannot read /metrics"
passes=$((p1 - p0))
cpu_ms=$(awk -v t="$((c1 - c0))" -v hz="$hz" 'BEGIN { printf "%.0f", t * 1000 / hz }')
per_pass=
[ "$passes" -gt 0 ] && per_pass=$(awk -v c="$cpu_ms" -v n="$passes" 'BEGIN { printf "%.2f", c / n }')
stop_mooring

# (c) webhook: poll_interval 60s, so only the hook can bring the push in.
start_mooring 60s
wait_ready 120 || fail "mooring did not become ready after a restart"
why=$(api_q converged "$commit" 60) || fail "mooring did not resume in sync after a restart: $why"
hook_ms=
hook_err=
i=1
while [ "$i" -le "$pushes" ]; do
	commit=$(push_value "hook$i") || fail "cannot push to the bench remote"
	printf '{"ref":"refs/heads/main","after":"%s","repository":{"full_name":"bench/bench"}}' \
		"$commit" >"$work/body"
	sig=$(openssl dgst -sha256 -hmac "$secret" -r "$work/body" | cut -d' ' -f1)
	t0=$(now_ns)
	code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST \
		-H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
		-H "X-GitHub-Delivery: bench-$$-$i" -H "X-Hub-Signature-256: sha256=$sig" \
		--data-binary "@$work/body" "$api/hooks/git")
	if [ "$code" != 202 ]; then
		hook_err="POST /hooks/git answered $code, not 202"
		break
	fi
	if ! ms=$(api_q latency /api/v1/units/benchu1 "$commit" "$t0" 30); then
		alive || fail "mooring exited after a webhook"
		hook_err="push $i not applied within 30 s of the webhook"
		break
	fi
	hook_ms="$hook_ms $ms"
	i=$((i + 1))
done
label_ok=no
[ -n "$(docker ps -q --filter "label=com.docker.compose.project=$P-1" \
	--filter label=com.docker.compose.service=s00 --filter "label=io.mooring.commit=$commit")" ] &&
	label_ok=yes
stop_mooring

# The same push without the hook: poll_interval 5s.
start_mooring 5s
wait_ready 120 || fail "mooring did not become ready after a restart"
why=$(api_q converged "$commit" 60) || fail "mooring did not resume in sync after a restart: $why"
poll_ms=
poll_err=
i=1
while [ "$i" -le "$pushes" ]; do
	# Land the push at a random point of the poll cycle.
	sleep "$(awk -v s="$$$i" 'BEGIN { srand(s); printf "%.2f", rand() * 5 }')"
	commit=$(push_value "poll$i") || fail "cannot push to the bench remote"
	t0=$(now_ns)
	if ! ms=$(api_q latency /api/v1/units/benchu1 "$commit" "$t0" 30); then
		alive || fail "mooring exited while polling"
		poll_err="push $i not applied within 30 s by polling"
		break
	fi
	poll_ms="$poll_ms $ms"
	i=$((i + 1))
done
stop_mooring

# --- the table ---------------------------------------------------------------
hook_med=$(echo "$hook_ms" | median)
poll_med=$(echo "$poll_ms" | median)
echo
printf '%-40s %14s %12s\n' measure value target
printf '%-40s %14s %12s\n' "idle RSS (VmRSS; peak VmHWM)" \
	"$(awk -v k="$rss" -v h="$hwm" 'BEGIN { printf "%.1f (%.1f) MB", k / 1024, h / 1024 }')" "< $rss_target_mb MB"
printf '%-40s %14s %12s\n' "  (anonymous; file-backed: libraries)" \
	"$(awk -v a="$anon" -v f="$file" 'BEGIN { printf "%.1f; %.1f MB", a / 1024, f / 1024 }')" ""
printf '%-40s %14s %12s\n' "  (Pss: shared pages divided)" \
	"$(awk -v p="${pss:-0}" 'BEGIN { printf "%.1f MB", p / 1024 }')" ""
printf '%-40s %s\n' "  (largest mappings, MB)" "$top_maps"
printf '%-40s %14s %12s\n' "  (floor: the libraries alone, initialised)" \
	"$(awk -v k="${floor:-0}" 'BEGIN { printf "%.1f MB", k / 1024 }')" "(peer)"
printf '%-40s %14s %12s\n' "CPU per no-change unit pass" "${per_pass:-?} ms" "< $cpu_target_ms ms"
printf '%-40s %14s %12s\n' "  (CPU ${cpu_ms} ms over $passes passes, ${cpu_s} s)" "" ""
printf '%-40s %14s %12s\n' "webhook push to converged (median)" "${hook_med:-?} ms" "< $hook_target_ms ms"
printf '%-40s %14s %12s\n' "poll-only push to converged (5s poll)" "${poll_med:-?} ms" "(peer)"
printf '%-40s %14s\n' "  samples: webhook" "${hook_ms# }"
printf '%-40s %14s\n' "  samples: poll" "${poll_ms# }"
echo

awk -v k="$rss" -v t="$rss_target_mb" -v n="$((nunits * nsvc))" -v f="${floor:-0}" 'BEGIN {
	printf "idle rss: %.1f MB with %d containers (target < %d MB): %s", k / 1024, n, t,
		(k / 1024 < t) ? "PASS" : "MISS"
	if (f > 0)
		printf " (the required libraries alone, initialised: %.1f MB; mooring adds %.1f MB)",
			f / 1024, (k - f) / 1024
	printf "\n"
}'
if [ -n "$per_pass" ]; then
	awk -v c="$per_pass" -v t="$cpu_target_ms" 'BEGIN {
		printf "cpu per pass: %.2f ms (target < %d ms): %s\n", c, t, (c < t) ? "PASS" : "MISS"
	}'
else
	echo "cpu per pass: no unit pass counted in ${cpu_s} s (mooring_reconcile_duration_seconds_count): MISS"
fi
if [ -n "$hook_err" ]; then
	echo "webhook: $hook_err: MISS"
elif [ -n "$hook_med" ]; then
	awk -v h="$hook_med" -v p="${poll_med:-0}" -v t="$hook_target_ms" -v l="$label_ok" 'BEGIN {
		printf "webhook: push to converged %d ms, poll-only %d ms (target < %d ms): %s\n",
			h, p, t, (h < t) ? "PASS" : "MISS"
		if (l != "yes")
			print "webhook: note: the recreated container does not carry the new io.mooring.commit label"
	}'
fi
[ -n "$poll_err" ] && echo "poll-only: $poll_err"
exit 0
