#!/bin/bash
# t1200: the crash-safe recreate (docs/internals/APPLY.md). For every step
# of the protocol, `mooring apply` is killed (-9) right after that step by
# the test-only hook MOORING_TEST_CRASH_AT; then the old or the new
# container must still be there (and serving, when the two copies may run
# side by side), and the next plain apply must converge: exactly one
# container for the service, running, with the new spec, and `mooring
# plan` in sync. Two services: one that may start its new copy first (no
# published port), one that must stop the old first (a published port).
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$(dirname "$0")/docker.sh"

docker_require

P=mtest-apply-$$
SF=$P-sf
cleanup() {
	docker_cleanup_project "$P"
	docker_cleanup_project "$SF"
	docker_stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

repo=$TMP/infra
cfg=$TMP/mooring.yaml
state=$TMP/state
mkdir -p "$repo/mooring" "$repo/stacks/x" "$repo/stacks/sf" "$state"
write_config "$cfg" "$repo" "$state"
cat >"$repo/mooring/units.yaml" <<EOF
units:
  - name: x
    path: stacks/x
    project: $P
  - name: sf
    path: stacks/sf
    project: $SF
EOF
read -r PORT <<<"$(free_ports 1)"

# write_stack UNIT VERSION: the stack's compose file, with GREETING=VERSION.
write_stack() {
	local ports=
	[ "$1" = sf ] && ports="    ports: [\"127.0.0.1:$PORT:8080\"]"
	cat >"$repo/stacks/$1/compose.yaml" <<EOF
services:
  web:
    image: $IMG
    command: [busybox, httpd, -f, -p, "8080"]
    # httpd as pid 1 ignores SIGTERM: do not wait 10 s for each stop.
    stop_grace_period: 1s
$ports
    environment:
      GREETING: "$2"
EOF
}

# running_count IDS...: how many of the containers run.
running_count() {
	local n=0 id
	for id in "$@"; do
		[ "$(docker inspect -f '{{.State.Running}}' "$id" 2>/dev/null)" = true ] && n=$((n + 1))
	done
	echo "$n"
}

# recorded_hash UNIT: the spec hash state/<unit>.json recorded for web.
recorded_hash() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["services"]["web"]["spec_hash"])' \
		"$state/state/$1.json" 2>/dev/null
}

# converged UNIT PROJECT VERSION: one container for web, running, under
# its final name, with GREETING=VERSION and the recorded spec hash.
converged() {
	local ids id
	ids=$(svc_ids "$2" web)
	[ "$(echo "$ids" | grep -c .)" = 1 ] || { echo "#   containers: $(echo $ids)"; return 1; }
	id=$ids
	inspect_true "$id" 'c["State"]["Running"]' || { echo "#   not running"; return 1; }
	inspect_true "$id" 'c["Name"] == "/'"$2"'-web-1"' ||
		{ echo "#   name: $(docker inspect -f '{{.Name}}' "$id")"; return 1; }
	inspect_true "$id" '"GREETING='"$3"'" in cfg["Env"]' ||
		{ echo "#   env: $(docker inspect -f '{{.Config.Env}}' "$id")"; return 1; }
	[ "$(docker inspect -f '{{index .Config.Labels "io.mooring.spec-hash"}}' "$id")" = "$(recorded_hash "$1")" ] ||
		{ echo "#   spec hash label differs from the recorded one"; return 1; }
}

# --- first deploy ----------------------------------------------------------
write_stack x v0
write_stack sf v0
expect_exit 0 "first apply deploys both units" "$MOORING" apply -c "$cfg"
expect_stdout_match "it says what it created" '^x/web: created \(new\)$'
check "x converged on v0" converged x "$P" v0
check "sf converged on v0" converged sf "$SF" v0

expect_exit 0 "a second apply with nothing changed succeeds" "$MOORING" apply -c "$cfg"
expect_stdout_match "and does nothing" '^x: nothing to do$'

write_stack x v-dry
before=$(project_snapshot "$P")
expect_exit 2 "apply --dry-run exits 2: it would change something" "$MOORING" apply -c "$cfg" --unit x --dry-run
expect_stdout_match "and says what it would do" '^x/web: would recreate \(spec_changed\)$'
check "and changes nothing" test "$before" = "$(project_snapshot "$P")"

# --- kill -9 after each step -----------------------------------------------
# crash_round UNIT PROJECT STEP VERSION SERVING: kill apply after STEP, look
# at what is left, apply again, check it converged. SERVING=1: a running
# container is required right after the kill.
crash_round() {
	local unit=$1 project=$2 step=$3 version=$4 serving=$5 ids n
	write_stack "$unit" "$version"
	# In the background, so that bash does not report the kill itself.
	MOORING_TEST_CRASH_AT=$step "$MOORING" apply -c "$cfg" --unit "$unit" \
		>"$OUT" 2>"$ERR" </dev/null &
	{ wait $!; } 2>/dev/null
	RC=$?
	check_last "$unit $step: apply is killed by the hook" test "$RC" -eq 137
	ids=$(svc_ids "$project" web)
	n=$(echo "$ids" | grep -c .)
	check "$unit $step: one or two containers are left ($n)" test "$n" -ge 1 -a "$n" -le 2
	if [ "$serving" = 1 ]; then
		# shellcheck disable=SC2086
		check "$unit $step: the old or the new one is running" \
			test "$(running_count $ids)" -ge 1
	else
		# Stop-first: between the stop and the start nothing runs, but
		# the old container is intact (or the new one took over).
		check "$unit $step: the old or the new one exists" test "$n" -ge 1
	fi
	expect_exit 0 "$unit $step: the next apply succeeds" "$MOORING" apply -c "$cfg" --unit "$unit"
	check "$unit $step: one container, running, with the new spec" \
		converged "$unit" "$project" "$version"
	expect_exit 0 "$unit $step: plan says in sync" "$MOORING" plan -c "$cfg" --unit "$unit"
}

v=1
for step in recreate:created recreate:new-started recreate:old-stopped \
	recreate:old-removed recreate:renamed; do
	crash_round x "$P" "$step" "v$v" 1
	v=$((v + 1))
done

# With a published port the old copy stops before the new one starts.
for step in recreate:created recreate:old-stopped recreate:new-started \
	recreate:old-removed recreate:renamed; do
	serving=1
	[ "$step" = recreate:old-stopped ] && serving=0
	crash_round sf "$SF" "$step" "v$v" "$serving"
	v=$((v + 1))
done
check "the published port answers after all that" \
	curl -s -o /dev/null -m 5 "http://127.0.0.1:$PORT/"

# --- a failed start brings the old one back --------------------------------
old=$(svc_ids "$SF" web)
sed -i 's/command: \[busybox, httpd/command: [no-such-binary, httpd/' "$repo/stacks/sf/compose.yaml"
expect_exit 1 "sf: apply of a service that cannot start fails" "$MOORING" apply -c "$cfg" --unit sf
check "sf: the old container is back, running, alone" \
	test "$(svc_ids "$SF" web)" = "$old" -a "$(running_count "$old")" = 1

finish
