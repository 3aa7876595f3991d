#!/bin/bash
# t3000: the controller loop, `mooring run`, against a real dockerd and a
# real git remote (`git daemon` on 127.0.0.1), with `mooring status` and the
# HTTP API as the witnesses:
#
#   - the first pass deploys the pushed commit (io.mooring.commit label is
#     `git rev-parse` of it); a push is deployed within seconds
#   - the remote going away changes no container, and after stale_after
#     the unit is unknown (stale); the remote back, it is in_sync again
#   - `docker update --memory` is reported as drift and NOT reverted
#   - one controller per state dir (the second is refused with the pid)
#   - SIGHUP reloads the config; SIGTERM exits 0 within 5 s
#   - kill -9 in the middle of a recreate, restart: one container, the
#     new commit, nothing duplicated
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$(dirname "$0")/docker.sh"

docker_require

P=mtest-run-t3000-$$
run_pids=
gpid=
cleanup() {
	local p
	for p in $run_pids $gpid; do
		kill -9 "$p" 2>/dev/null
	done
	for p in $run_pids $gpid; do
		wait "$p" 2>/dev/null
	done
	docker_cleanup_project "$P"
	docker_stop_started
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
	local n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	"$@"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

port_open() {
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$1" 2>/dev/null
}

# --- the remote: a bare repository served by git daemon ---------------------
srv=$TMP/srv
work=$TMP/work
state=$TMP/state
cfg=$TMP/mooring.yaml
log=$TMP/run.log
mkdir -p "$srv" "$state"
export GIT_CONFIG_NOSYSTEM=1 HOME=$TMP
git init -q --bare -b main "$srv/infra.git"
git clone -q "$srv/infra.git" "$work" 2>/dev/null
gitw() {
	git -C "$work" -c user.name=t -c user.email=t@example.com "$@"
}
gitw checkout -q -b main 2>/dev/null
mkdir -p "$work/mooring" "$work/stacks/app"
cat >"$work/mooring/units.yaml" <<EOF
units:
  - name: app
    path: stacks/app
    project: $P
EOF
# write_stack VALUE: the one service, its environment carrying VALUE.
write_stack() {
	cat >"$work/stacks/app/compose.yaml" <<EOF
services:
  box:
    image: $IMG
    command: [sh, -c, "trap 'exit 0' TERM; sleep 86400 & wait"]
    environment:
      GREETING: "$1"
EOF
}
push() {
	gitw add -A && gitw commit -qm "$1" && gitw push -q origin main 2>/dev/null
}
tip() {
	git -C "$srv/infra.git" rev-parse main
}
write_stack v1
push "greeting v1"

gport=$(free_port)
start_gitd() {
	git daemon --export-all --base-path="$srv" --listen=127.0.0.1 \
		--port="$gport" --reuseaddr "$srv" >>"$TMP/git-daemon.log" 2>&1 &
	gpid=$!
	wait_until 5 port_open "$gport"
}
if ! start_gitd; then
	say_not_ok "git daemon listens on 127.0.0.1:$gport"
	sed 's/^/#   /' "$TMP/git-daemon.log"
	finish
fi

hport=$(free_port)
# write_cfg POLL: the controller's config.
write_cfg() {
	cat >"$cfg" <<EOF
repository:
  url: git://127.0.0.1:$gport/${repo_name:-infra.git}
  branch: main
  poll_interval: $1
stale_after: 3s
state_dir: $state
docker_socket: $DOCKER_SOCK
listen: 127.0.0.1:${listen_port:-$hport}
allow_insecure_webhooks: true
host: t3000
EOF
}
write_cfg 1s

# start_run [ENV=VALUE...]: mooring run in the background; $rpid.
start_run() {
	env "$@" "$MOORING" run -c "$cfg" >>"$log" 2>&1 </dev/null &
	rpid=$!
	run_pids="$run_pids $rpid"
}

# The one container of the service, and what it carries.
box_id() {
	svc_ids "$P" box
}
box_count() {
	project_ids "$P" | grep -c .
}
label_of() {
	docker inspect -f '{{index .Config.Labels "io.mooring.commit"}}' "$1" 2>/dev/null
}
box_has() { # COMMIT GREETING: one running container, from COMMIT, with GREETING
	local id
	id=$(box_id)
	[ "$(echo "$id" | grep -c .)" = 1 ] || return 1
	[ "$(label_of "$id")" = "$1" ] || return 1
	inspect_true "$id" "c['State']['Running'] and 'GREETING=$2' in cfg['Env']"
}

# status_is STATUS [STALE]: `mooring status --format json` says so.
status_json=$TMP/status.json
status_is() {
	"$MOORING" status -c "$cfg" --format json >"$status_json" 2>/dev/null
	json_true "$status_json" "d['units'][0]['unit'] == 'app' and d['units'][0]['status'] == '$1'${2:+ and d['units'][0]['stale'] == $2}"
}
api_units=$TMP/units.json
api_is() {
	curl -s -m 2 "http://127.0.0.1:$hport/api/v1/units" >"$api_units" 2>/dev/null &&
		json_true "$api_units" "d[0]['unit'] == 'app' and d[0]['status'] == '$1'"
}
show_log() {
	echo "#   run log (last lines):"
	tail -n 15 "$log" | sed 's/^/#     /'
}

# --- first deploy --------------------------------------------------------------
c1=$(tip)
start_run
if check "mooring run deploys the pushed commit ${c1:0:12} (label = git rev-parse)" \
	wait_until 30 box_has "$c1" v1; then
	:
else
	show_log
	finish
fi
check "the state file records commit ${c1:0:12}" \
	json_true "$state/state/app.json" "d['commit'] == '$c1'"
check "status becomes in_sync" wait_until 10 status_is in_sync
run_cmd "$MOORING" status -c "$cfg"
check_last "mooring status (text) exits 0 and names the unit" \
	test "$RC" -eq 0 -a -n "$(grep '^app ' "$OUT")"
check_last "mooring status says the controller runs with its pid" \
	grep -q "running (pid $rpid)" "$OUT"
check "GET /readyz is 200 once every unit had a pass" \
	test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hport/readyz")" = 200
curl -s "http://127.0.0.1:$hport/metrics" >"$TMP/metrics.txt"
check "GET /metrics: unit status gauge" \
	grep -q '^mooring_unit_status{unit="app",status="in_sync"} 1$' "$TMP/metrics.txt"
check "GET /metrics: deploys, last success, fetch histogram" \
	eval "grep -q '^mooring_deploys_total{unit=\"app\"} 1\$' '$TMP/metrics.txt' &&
	      grep -q '^mooring_unit_last_success_timestamp_seconds{unit=\"app\"} [1-9]' '$TMP/metrics.txt' &&
	      grep -q '^mooring_git_fetch_duration_seconds_count [1-9]' '$TMP/metrics.txt' &&
	      grep -q '^mooring_reconcile_duration_seconds_bucket{unit=\"app\",le=\"+Inf\"} [1-9]' '$TMP/metrics.txt'"

# --- a push is deployed ---------------------------------------------------------
old_id=$(box_id)
write_stack v2
push "greeting v2"
c2=$(tip)
t0=$(now_ms)
if check "a push (${c2:0:12}) is deployed within 10 s" wait_until 10 box_has "$c2" v2; then
	echo "#   push to deployed: $(($(now_ms) - t0)) ms (poll_interval 1s)"
else
	show_log
fi
check "the container was recreated (new id)" test "$(box_id)" != "$old_id"
check "status in_sync after the deploy" wait_until 10 status_is in_sync

# --- the remote goes away -------------------------------------------------------
snap=$(project_snapshot "$P")
kill "$gpid" 2>/dev/null
wait "$gpid" 2>/dev/null
gpid=
check "remote down: after stale_after (3s) the unit is unknown and stale" \
	wait_until 15 status_is unknown True
expect_exit 1 "remote down: mooring status exits 1" "$MOORING" status -c "$cfg"
check_last "remote down: mooring status says stale" grep -q 'stale' "$OUT"
check "remote down: the fetch failure is logged" grep -q 'cannot fetch' "$log"
check "remote down: no container changed" test "$(project_snapshot "$P")" = "$snap"
check "remote down: /metrics says stale" \
	eval "curl -s 'http://127.0.0.1:$hport/metrics' | grep -q '^mooring_unit_status{unit=\"app\",status=\"stale\"} 1\$'"
if ! start_gitd; then
	say_not_ok "git daemon restarts on 127.0.0.1:$gport"
fi
check "remote back: in_sync again" wait_until 20 status_is in_sync False
check "remote back: still the same container" test "$(project_snapshot "$P")" = "$snap"

# --- drift is reported, not reverted --------------------------------------------
id=$(box_id)
expect_exit 0 "docker update --memory by hand" \
	docker update --memory 96m --memory-swap 192m "$id"
check "drift: mooring status says drift" wait_until 10 status_is drift
check "drift: /api/v1/units says drift" wait_until 5 api_is drift
curl -s "http://127.0.0.1:$hport/api/v1/units/app" >"$TMP/unit.json"
check "drift: /api/v1/units/app lists the capacity finding" \
	json_true "$TMP/unit.json" "any(f.get('domain') == 'capacity' for f in d['open_findings'])"
expect_exit 2 "drift: mooring status exits 2" "$MOORING" status -c "$cfg"
sleep 3
check "drift: the container is not reverted (same id, 96m)" \
	eval "test '$(box_id)' = '$id' && inspect_true '$id' \"h['Memory'] == 96*1024*1024\""
check "drift: still drift after more passes" status_is drift

# --- one controller per state dir -----------------------------------------------
run_cmd "$MOORING" run -c "$cfg"
check_last "a second mooring run on the state dir is refused with the pid" \
	eval "test $RC -eq 1 && grep -q 'locked by pid $rpid' '$ERR'"

# --- SIGHUP reloads -------------------------------------------------------------
write_cfg 2s
kill -HUP "$rpid"
check "SIGHUP: the config is reloaded (log line with poll_interval 2s)" \
	wait_until 5 grep -q "reloaded '.*': poll_interval 2s" "$log"
check "SIGHUP: the controller keeps running" kill -0 "$rpid"

# A listen address that cannot be bound: the old one keeps serving, and
# the running config keeps it (the next reload compares against it).
busy=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
time.sleep(600)
' "$busy" &
run_pids="$run_pids $!"
wait_until 5 port_open "$busy"
listen_port=$busy write_cfg 2s
kill -HUP "$rpid"
check "SIGHUP to a busy listen address: the reload says the server stays" \
	wait_until 5 grep -q "the HTTP server stays on '127.0.0.1:$hport'" "$log"
check "SIGHUP to a busy listen address: the old address still answers" \
	curl -sf "http://127.0.0.1:$hport/healthz" -o /dev/null
newport=$(free_port)
listen_port=$newport write_cfg 2s
kill -HUP "$rpid"
check "SIGHUP to a free listen address: the new address answers" \
	wait_until 5 curl -sf "http://127.0.0.1:$newport/healthz" -o /dev/null
check "SIGHUP to a free listen address: the old one is closed" \
	eval "! curl -sf 'http://127.0.0.1:$hport/healthz' -o /dev/null"

# Another repository whose units.yaml is bad: tried aside, refused, and
# the clone and tree the unit runs from are left as they were.
git init -q --bare -b main "$srv/bad.git"
git clone -q "$srv/bad.git" "$TMP/bad" 2>/dev/null
mkdir -p "$TMP/bad/mooring"
printf 'units:\n  - name: [oops\n' >"$TMP/bad/mooring/units.yaml"
git -C "$TMP/bad" -c user.name=t -c user.email=t@example.com add -A
git -C "$TMP/bad" -c user.name=t -c user.email=t@example.com commit -qm bad
git -C "$TMP/bad" push -q origin HEAD:main 2>/dev/null
tree_before=$(ls -i "$state/tree/stacks/app/compose.yaml" 2>/dev/null)
listen_port=$newport repo_name=bad.git write_cfg 2s
kill -HUP "$rpid"
check "SIGHUP to a repository with a bad units.yaml: the reload fails" \
	wait_until 10 grep -q "reload of '.*' failed, the running config stays: .*units.yaml" "$log"
check "SIGHUP to a bad repository: the clone is still of infra.git" \
	test "$(git -C "$state/repo" config remote.origin.url)" = "git://127.0.0.1:$gport/infra.git"
check "SIGHUP to a bad repository: the tree is untouched" \
	test "$(ls -i "$state/tree/stacks/app/compose.yaml" 2>/dev/null)" = "$tree_before"
check "SIGHUP to a bad repository: nothing left aside" \
	test ! -e "$state/repo.next" -a ! -e "$state/tree.next"
# Another good repository (a copy): cloned aside, then it becomes the
# clone; the tree is brought to its commit in place (same inodes).
git clone -q --bare "$srv/infra.git" "$srv/infra2.git" 2>/dev/null
nreload=$(grep -c "reloaded '.*': poll_interval 2s" "$log")
reloaded_again() {
	test "$(grep -c "reloaded '.*': poll_interval 2s" "$log")" -gt "$nreload"
}
listen_port=$newport repo_name=infra2.git write_cfg 2s
kill -HUP "$rpid"
check "SIGHUP to another good repository: reloaded" wait_until 10 reloaded_again
check "SIGHUP to another good repository: the clone is of infra2.git" \
	test "$(git -C "$state/repo" config remote.origin.url)" = "git://127.0.0.1:$gport/infra2.git"
check "SIGHUP to another good repository: the tree kept its files in place" \
	test "$(ls -i "$state/tree/stacks/app/compose.yaml" 2>/dev/null)" = "$tree_before"
check "SIGHUP to another good repository: nothing left aside" \
	test ! -e "$state/repo.next" -a ! -e "$state/tree.next" -a ! -e "$state/repo.old"
nreload=$(grep -c "reloaded '.*': poll_interval 2s" "$log")
listen_port=$newport write_cfg 2s
kill -HUP "$rpid"
check "SIGHUP back to infra.git: reloaded" wait_until 10 reloaded_again
check "SIGHUP back to infra.git: the clone is of infra.git again" \
	test "$(git -C "$state/repo" config remote.origin.url)" = "git://127.0.0.1:$gport/infra.git"
hport=$newport

# --- SIGTERM exits cleanly ------------------------------------------------------
t0=$(now_ms)
kill -TERM "$rpid"
gone() { ! kill -0 "$rpid" 2>/dev/null; }
wait_until 5 gone
wait "$rpid"
rc=$?
check "SIGTERM: exits 0 within 5 s ($(($(now_ms) - t0)) ms, status $rc)" \
	test "$rc" -eq 0 -a "$(($(now_ms) - t0))" -le 5500
check "SIGTERM: the lock holds no pid any more" test ! -s "$state/lock"
run_cmd "$MOORING" status -c "$cfg"
check_last "mooring status works with the controller stopped" \
	grep -q 'controller: not running' "$OUT"

# --- kill -9 in the middle of a deploy, then restart ---------------------------
write_cfg 1s
docker_cleanup_project "$P"
write_stack v3
push "greeting v3"
c3=$(tip)
# In a subshell whose stderr is the log, so that the shell's "Killed"
# goes there too.
(
	MOORING_TEST_CRASH_AT=recreate:old-removed "$MOORING" run -c "$cfg" </dev/null
	echo $? >"$TMP/crash.rc"
) >>"$log" 2>&1 &
crashed_pid=$!
run_pids="$run_pids $crashed_pid"
crashed() { ! kill -0 "$crashed_pid" 2>/dev/null; }
# The first pass creates (no crash point on create); make it recreate.
wait_until 30 box_has "$c3" v3
write_stack v4
push "greeting v4"
c4=$(tip)
check "kill -9 (SIGKILL) mid-recreate: the controller dies" wait_until 20 crashed
wait "$crashed_pid" 2>/dev/null
check "kill -9 mid-recreate: it died of SIGKILL (status 137)" \
	test "$(cat "$TMP/crash.rc" 2>/dev/null)" = 137
start_run
check "restart after kill -9: the new commit is deployed" \
	wait_until 30 box_has "$c4" v4
check "restart after kill -9: exactly one container, no leftover" \
	test "$(box_count)" = 1
check "restart after kill -9: in_sync" wait_until 10 status_is in_sync
check "restart after kill -9: the state file records ${c4:0:12}" \
	wait_until 5 json_true "$state/state/app.json" "d['commit'] == '$c4'"
kill -TERM "$rpid"
wait "$rpid"
check "the restarted controller exits 0 on SIGTERM" test $? -eq 0

# --- SIGTERM while a clone hangs --------------------------------------------------
# A remote that accepts and never answers; fetch_timeout is 120 s by
# default, so only the cancelled fetch child lets the controller stop.
stall=$(free_port)
python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    held.append(s.accept())
' "$stall" &
run_pids="$run_pids $!"
wait_until 5 port_open "$stall"
cat >"$TMP/stall.yaml" <<EOF
repository:
  url: git://127.0.0.1:$stall/infra.git
state_dir: $TMP/stall-state
docker_socket: $DOCKER_SOCK
listen: 127.0.0.1:$(free_port)
allow_insecure_webhooks: true
EOF
"$MOORING" run -c "$TMP/stall.yaml" >"$TMP/stall.log" 2>&1 </dev/null &
spid=$!
run_pids="$run_pids $spid"
sleep 1.5
check "a hanging clone: the controller is still running" kill -0 "$spid"
t0=$(now_ms)
kill -TERM "$spid"
sgone() { ! kill -0 "$spid" 2>/dev/null; }
wait_until 5 sgone
wait "$spid"
src=$?
check "SIGTERM during a hanging clone: exits within 5 s ($(($(now_ms) - t0)) ms, status $src)" \
	test "$(($(now_ms) - t0))" -le 5500 -a "$src" -le 1
check "SIGTERM during a hanging clone: no fetch child left" \
	test -z "$(pgrep -f '__git-fetch' || true)"
check "SIGTERM during a hanging clone: no temporary clone left" \
	test -z "$(find "$TMP/stall-state" -maxdepth 1 -name '*.tmp-*')"

finish
