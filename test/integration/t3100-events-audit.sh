#!/bin/bash
# t3100: the docker events watcher and `mooring audit`. A watcher (the
# events thread of `mooring run`, driven by build/tools/events-watch, from
# test/tools/events-watch.c) journals the events of a managed project
# while `mooring apply` (another process) deploys it: the containers
# mooring creates and starts are its own, not outside changes. Then
# `docker update`, `docker exec` and `docker stop` by hand are: `mooring
# audit` lists them, the watcher asked for a plan of the unit for each,
# healthcheck probes are not listed, and no secret-looking label value is
# written to the journal.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$(dirname "$0")/docker.sh"

EVENTS_WATCH=${EVENTS_WATCH:-$root/build/tools/events-watch}

docker_require

P=mtest-events-$$
watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	docker_cleanup_project "$P"
	docker_stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -x "$EVENTS_WATCH" ]; then
	make -s -C "$root" build/tools/events-watch >"$TMP/.make" 2>&1
fi
if [ ! -x "$EVENTS_WATCH" ]; then
	say_not_ok "the test tool events-watch builds"
	sed 's/^/#   /' "$TMP/.make" | tail -n 10
	finish
fi

repo=$TMP/infra
cfg=$TMP/mooring.yaml
state=$TMP/state
mkdir -p "$repo/mooring" "$repo/stacks/shop" "$state"
write_config "$cfg" "$repo" "$state"
cat >"$repo/mooring/units.yaml" <<EOF
units:
  - name: shop
    path: stacks/shop
    project: $P
EOF
cat >"$repo/stacks/shop/compose.yaml" <<EOF
services:
  web:
    image: $IMG
    command: [busybox, sleep, "3600"]
    # sleep as pid 1 ignores SIGTERM: do not wait 10 s for each stop.
    stop_grace_period: 1s
    mem_limit: 64m
    labels:
      com.example.team: blue
      com.example.db-password: hunter2-label-value
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      timeout: 1s
EOF

journal=$state/journal/journal.jsonl
watch_out=$TMP/watch.out

# The watcher first, so that it sees apply's events as they happen.
"$EVENTS_WATCH" --state-dir "$state" --socket "$DOCKER_SOCK" --seconds 120 \
	--unit "$P=shop" >"$watch_out" 2>"$TMP/watch.err" &
watch_pid=$!
for _ in $(seq 50); do
	grep -q '^connected' "$watch_out" 2>/dev/null && break
	sleep 0.1
done
check "the watcher connects to the events stream" grep -q '^connected' "$watch_out"

expect_exit 0 "mooring apply deploys the unit" "$MOORING" apply -c "$cfg"
id=$(svc_ids "$P" web)
check "one container for web" test "$(echo "$id" | grep -c .)" = 1

# journal_has PYEXPR: some record r of the journal makes PYEXPR true.
journal_has() {
	python3 - "$journal" "$1" <<'EOF' 2>/dev/null
import json, sys
ok = False
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    try:
        ok = ok or bool(eval(sys.argv[2]))
    except (KeyError, TypeError):
        pass
sys.exit(0 if ok else 1)
EOF
}

# wait_journal PYEXPR: up to 10 s for a record.
wait_journal() {
	for _ in $(seq 100); do
		journal_has "$1" && return 0
		sleep 0.1
	done
	return 1
}

check "apply's own actions are journaled (create by name, start by id)" \
	journal_has "r['kind'] == 'action' and r['action'] == 'start' and r['container'] == '$id'"
check "the create event is journaled as mooring's" \
	wait_journal "r['kind'] == 'event' and r['action'] == 'create' and r['container'] == '$id' and r['outside_mooring'] is False"
check "the start event is journaled as mooring's" \
	wait_journal "r['kind'] == 'event' and r['action'] == 'start' and r['container'] == '$id' and r['outside_mooring'] is False"

# Changes by hand.
expect_exit 0 "docker update --memory by hand" \
	docker update --memory 96m --memory-swap 192m "$id"
expect_exit 0 "docker exec by hand" docker exec "$id" busybox true
expect_exit 0 "docker stop by hand" docker stop -t 1 "$id"
check "the stop reaches the journal" \
	wait_journal "r['kind'] == 'event' and r['action'] == 'stop' and r['container'] == '$id'"

# Stop the watcher: it must be gone within about a second.
kill -TERM "$watch_pid"
wait "$watch_pid"
watch_rc=$?
watch_pid=
check "the watcher exits cleanly on SIGTERM" test "$watch_rc" = 0
stop_ms=$(sed -n 's/^stopped //p' "$watch_out")
check "events_stop takes under 1.5 s (took ${stop_ms:-?} ms)" \
	test "${stop_ms:-99999}" -lt 1500
check "a plan of the unit was asked for the update, outside mooring" \
	grep -q '^unit shop update outside$' "$watch_out"
check "...and for the exec" grep -q '^unit shop exec_start outside$' "$watch_out"
check "...and the start by apply was mooring's own" \
	grep -q '^unit shop start own$' "$watch_out"
if ! grep -q '^unit shop update outside$' "$watch_out"; then
	sed 's/^/#   /' "$watch_out" "$TMP/watch.err" | head -n 20
fi

expect_exit 0 "mooring audit --format json" "$MOORING" audit -c "$cfg" --format json
check_last "the audit is one JSON document" json_valid "$OUT"
expect_json "it lists the update as outside mooring" \
	"any(c['action'] == 'update' and c['container'] == '$id' and c['outside_mooring'] for c in d)"
expect_json "it lists the exec as exec_start" \
	"any(c['action'] == 'exec_start' and c['container'] == '$id' and c.get('command') == 'busybox true' for c in d)"
expect_json "it lists the stop (kill, die, stop)" \
	"{'kill', 'die', 'stop'} <= {c['action'] for c in d if c['container'] == '$id'}"
expect_json "it does not list the creation or start by mooring apply" \
	"not any(c['action'] in ('create', 'start') for c in d)"
expect_json "it does not list healthcheck probes" \
	"not any(c['action'] == 'exec_start' and c.get('command', '').startswith('true') for c in d)"
expect_json "every entry names the unit and service" \
	"all(c['unit'] == 'shop' and c['service'] == 'web' for c in d)"

expect_exit 0 "mooring audit (text)" "$MOORING" audit -c "$cfg"
expect_stdout_match "one line per change, in the documented form" \
	"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z shop/web update ${id:0:12} \(outside mooring\)$"
check_last "no line for mooring's own start" not_grep " start " "$OUT"

expect_exit 0 "mooring audit --unit shop --since 1h" "$MOORING" audit -c "$cfg" --unit shop --since 1h --format json
expect_json "lists the changes" "len(d) >= 5"
expect_exit 0 "mooring audit --unit other" "$MOORING" audit -c "$cfg" --unit other --format json
expect_json "lists nothing" "d == []"
expect_error "a bad --since is refused" "invalid duration 'soon'" audit -c "$cfg" --since soon

check "no secret-looking label value is in the journal" \
	not_grep "hunter2-label-value" "$journal"
check "other labels are kept" grep -q '"com.example.team":"blue"' "$journal"

# A second apply puts the container back; the watcher is not running,
# but the actions are journaled for the next one.
expect_exit 0 "mooring apply again starts the container" "$MOORING" apply -c "$cfg"
check "its start is journaled as an action" \
	journal_has "r['kind'] == 'action' and r['action'] == 'start' and r['container'] == '$id' and r['seq'] > 1"

finish
