#!/bin/bash
# t4000: drift is classified, decided under the policy kept in git, and
# healed only where that policy allows it: the scenarios of the
# classification issue, against the real daemon and a running `mooring
# run` (its events stream fills the audit journal; an event on a managed
# container triggers a pass of its unit).
#
#   1 docker update --memory on 512m: capacity, unauthorized, the update
#     event audited as outside mooring, reconcile_to_git, not reverted
#   2 the same inside an emergency window (`mooring exception add`):
#     emergency, left alone, then overdue once the window closed
#   3 a container replaced by hand with an extra cap_add: identity, high
#     risk, incident, never reverted (even with the unit's on_drift revert)
#   4 the image tag re-pointed, the container recreated by hand on the old
#     image: dependency, image, both image ids named
#   5 a field an ownership rule gives to an autoscaler: controller_owned,
#     no alert (the unit stays in sync)
#   6 a label added by hand on a low-risk unit whose policy reverts
#     metadata: reverted within a pass, the finding resolved, both in the
#     journal
#   7 a field reverted and changed back by hand in a loop: auto-heal
#     suspended after max_reverts, failed_reconciliation raised
#   8 a stopped service is missing; a container with only the compose
#     project label is unmanaged and never removed
#   + policy findings of the desired state (mutable tag, privileged), a
#     commit that changes a drifted field: conflict, not deployed; and a
#     commit that would recreate a service over an accepted value:
#     conflict naming the accepted value, deployed once git holds it
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$(dirname "$0")/docker.sh"

docker_require

# wait_until SECONDS CMD...: CMD succeeds within SECONDS (polled).
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

P=mtest-t4000-$$
UNITS="cap acc ident img owned heal flap miss"
TAG=mooring-example/busybox:mtest-t4000-$$
rpid=
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	for u in $UNITS; do
		docker_cleanup_project "$P-$u"
	done
	docker rm -f "$P-stranger" >/dev/null 2>&1
	docker rmi "$TAG" >/dev/null 2>&1
	docker_stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

repo=$TMP/infra
state=$TMP/state
cfg=$TMP/mooring.yaml
log=$TMP/run.log
mkdir -p "$repo/mooring/policies" "$state"
hport=$(free_ports 1)
write_config "$cfg" "$repo" "$state"
cat >>"$cfg" <<EOF
listen: 127.0.0.1:$hport
allow_insecure_webhooks: true
EOF
# write_config's repository section takes the poll interval too.
sed -i "s|^  url: .*|&\n  poll_interval: 2s|" "$cfg"
docker tag "$IMG" "$TAG"
RUN='[sh, -c, "trap '\''exit 0'\'' TERM; sleep 86400 & wait"]'

{
	echo "units:"
	for u in $UNITS pol; do
		printf '  - name: %s\n    path: stacks/%s\n    project: %s-%s\n' "$u" "$u" "$P" "$u"
		case $u in
		heal) echo "    risk_tier: low" ;;
		ident) echo "    on_drift: revert" ;;
		pol) echo "    hosts: [nowhere]" ;;
		esac
	done
} >"$repo/mooring/units.yaml"
for u in $UNITS; do
	mkdir -p "$repo/stacks/$u"
	image=$IMG
	[ "$u" = img ] && image=$TAG
	cat >"$repo/stacks/$u/compose.yaml" <<EOF
services:
  app:
    image: $image
    command: $RUN
    stop_grace_period: 1s
    mem_limit: 512m
    cpus: 1.0
    labels:
      com.example.team: blue
EOF
done
# Never deployed (hosts: [nowhere]): only its desired state is judged.
mkdir -p "$repo/stacks/pol"
cat >"$repo/stacks/pol/compose.yaml" <<EOF
services:
  edge:
    image: mooring-example/busybox:latest
    privileged: true
EOF
cat >"$repo/mooring/policies/test.yaml" <<'EOF'
ownership:
  - path: /services/app/cpus
    unit: owned
    owner: autoscaler
    reason: the autoscaler sets cpus
auto_heal:
  - unit: heal
    tier: [low]
    mode: revert
  - unit: flap
    domain: capacity
    mode: revert
flapping:
  max_reverts: 2
  window: 1h
EOF

expect_exit 0 "check-config accepts the repo's policies" "$MOORING" check-config -c "$cfg"

"$MOORING" run -c "$cfg" >"$log" 2>&1 </dev/null &
rpid=$!
api() {
	curl -s -m 3 "http://127.0.0.1:$hport/api/v1/units/$1" >"$TMP/$1.json" 2>/dev/null
}
unit_is() {
	api "$1" && json_true "$TMP/$1.json" "d['status'] == '$2'"
}
# finding_true UNIT EXPR: some open finding f of UNIT (from the API) makes
# the Python expression EXPR true.
finding_true() {
	api "$1" && json_true "$TMP/$1.json" "any($2 for f in d['open_findings'])"
}
all_in_sync() {
	for u in $UNITS; do
		unit_is "$u" in_sync || return 1
	done
}
check "the controller deploys every unit" wait_until 90 all_in_sync
cid() { svc_ids "$P-$1" app | head -n 1; }

# replace_by_hand UNIT IMAGE [DOCKER RUN ARGS...]: swap the unit's app
# container for a hand-made one with the same name, labels, network
# (aliased app), limits and command, plus the extra arguments. The
# controller is paused meanwhile: it would otherwise recreate the missing
# service in between.
replace_by_hand() {
	local unit=$1 image=$2 old name net labels=()
	shift 2
	old=$(cid "$unit")
	docker inspect "$old" >"$TMP/$unit.inspect.json" || return 1
	name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Name"].lstrip("/"))' "$TMP/$unit.inspect.json")
	net=$(python3 -c 'import json,sys; print(sorted(json.load(open(sys.argv[1]))[0]["NetworkSettings"]["Networks"])[0])' "$TMP/$unit.inspect.json")
	mapfile -d '' -t labels < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))[0]
for kv in (c["Config"]["Labels"] or {}).items():
    sys.stdout.write("--label\0%s=%s\0" % kv)' "$TMP/$unit.inspect.json")
	kill -STOP "$rpid"
	docker rm -f "$old" >/dev/null
	docker run -d --name "$name" "${labels[@]}" --network "$net" --network-alias app \
		--memory 512m --memory-swap 1g --cpus 1 --stop-timeout 1 "$@" "$image" \
		sh -c "trap 'exit 0' TERM; sleep 86400 & wait" >/dev/null
	kill -CONT "$rpid"
}

# --- 1: docker update --memory ------------------------------------------------
id=$(cid cap)
docker update --memory 2g --memory-swap 4g "$id" >/dev/null
check "1: the update is a capacity finding, unauthorized" \
	wait_until 20 finding_true cap "f['class'] == 'unauthorized' and f['domain'] == 'capacity'"
check "1: recommended reconcile_to_git, no auto-heal" \
	finding_true cap "f['recommended_action'] == 'reconcile_to_git' and not f['auto_heal_allowed']"
check "1: the audit names the update event, outside mooring" \
	wait_until 10 finding_true cap "f['audit']['outside_mooring'] and any(e['action'] == 'update' and e['outside_mooring'] for e in f['audit']['events'])"
check "1: the finding names mem_limit with both values" \
	finding_true cap "any(c['path'] == '/services/app/mem_limit' and c['desired'] == 536870912 and c['actual'] == 2147483648 for c in f['changes'])"
sleep 3
check "1: not reverted (same container, 2g)" \
	eval "test '$(cid cap)' = '$id' && inspect_true '$id' \"h['Memory'] == 2*1024**3\""

# --- 2: the same inside an emergency window -----------------------------------
run_cmd "$MOORING" exception add -c "$cfg" --unit cap --incident INC-7 --ttl 8s \
	--field '/services/app/mem*' --reason "memory leak hotfix"
check_last "2: mooring exception add accepts the window" test "$RC" -eq 0
check "2: inside the window the drift is emergency, with its incident and expiry" \
	wait_until 10 finding_true cap "f['class'] == 'emergency' and f['exception']['incident'] == 'INC-7'"
check "2: the emergency finding is not an alert to revert" \
	finding_true cap "f['class'] == 'emergency' and not f['auto_heal_allowed']"
check "2: the window is in the journal" \
	grep -q '"action": *"exception"' "$state"/journal/journal.jsonl
check "2: after the window it is unauthorized again, overdue, naming INC-7" \
	wait_until 20 finding_true cap "f['class'] == 'unauthorized' and f.get('overdue') and 'INC-7' in f.get('overdue_reason', '')"
check "2: still not reverted" test "$(cid cap)" = "$id"

# --- conflict: a commit that changes the drifted field ------------------------
sed -i 's/mem_limit: 512m/mem_limit: 1g/' "$repo/stacks/cap/compose.yaml"
check "conflict: a commit changing the drifted field is a conflict" \
	wait_until 15 unit_is cap conflict
check "conflict: the finding shows desired, recorded and actual" \
	finding_true cap "f['relationship'] == 'conflict' and any(c['desired'] == 1024**3 and c['recorded'] == 536870912 and c['actual'] == 2*1024**3 for c in f['changes'])"
check "conflict: not deployed over the runtime change" \
	eval "test '$(cid cap)' = '$id' && inspect_true '$id' \"h['Memory'] == 2*1024**3\""

# --- accepted, then a commit that recreates the service for another field ----
id=$(cid acc)
docker update --memory 2g --memory-swap 4g "$id" >/dev/null
check "accepted: the update is drift" \
	wait_until 20 finding_true acc "f['domain'] == 'capacity'"
fid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["open_findings"][0]["id"])' "$TMP/acc.json")
expect_exit 0 "accepted: mooring accept takes 2g" \
	"$MOORING" accept -c "$cfg" --finding "$fid" --reason "load test needs 2g"
check "accepted: in sync with the accepted value" wait_until 20 unit_is acc in_sync
sed -i 's/com.example.team: blue/com.example.team: green/' "$repo/stacks/acc/compose.yaml"
check "accepted: a commit recreating the service over it is a conflict" \
	wait_until 15 finding_true acc "f['relationship'] == 'conflict' and any(c['path'] == '/services/app/mem_limit' and c.get('accepted') and c['actual'] == 2*1024**3 for c in f['changes'])"
check "accepted: not deployed: same container, still 2g" \
	eval "test '$(cid acc)' = '$id' && inspect_true '$id' \"h['Memory'] == 2*1024**3\""
fid=$(python3 -c 'import json,sys; print([f["id"] for f in json.load(open(sys.argv[1]))["open_findings"] if f["relationship"] == "conflict"][0])' "$TMP/acc.json")
run_cmd "$MOORING" accept -c "$cfg" --finding "$fid" --reason "again"
check_last "accepted: accepting the conflict again is refused, saying why" \
	eval "test $RC -eq 1 && grep -q 'would drop a value accepted before' '$ERR'"
sed -i 's/mem_limit: 512m/mem_limit: 2g/' "$repo/stacks/acc/compose.yaml"
check "accepted: once git holds the value the commit is deployed" \
	wait_until 30 eval "unit_is acc in_sync && test \"\$(cid acc)\" != '$id'"
check "accepted: the new container has both the label and 2g" \
	inspect_true "$(cid acc)" "cfg['Labels']['com.example.team'] == 'green' and h['Memory'] == 2*1024**3"

# --- 3: replaced by hand with an extra cap_add --------------------------------
replace_by_hand ident "$IMG" --cap-add NET_ADMIN
newid=$(cid ident)
check "3: the extra cap_add is identity drift" \
	wait_until 20 finding_true ident "f['domain'] == 'identity' and any(c['path'].startswith('/services/app/cap_add') for c in f['changes'])"
check "3: high risk, incident recommended, no auto-heal" \
	finding_true ident "f['domain'] == 'identity' and f['risk'] in ('high', 'critical') and f['recommended_action'] == 'incident' and not f['auto_heal_allowed']"
sleep 3
check "3: never silently reverted, even with on_drift: revert" \
	test "$(cid ident)" = "$newid"

# --- 4: the tag re-pointed, the container recreated by hand -------------------
old_img=$(docker image inspect -f '{{.Id}}' "$TAG")
docker tag "$IMG_ALT" "$TAG"
new_img=$(docker image inspect -f '{{.Id}}' "$TAG")
img_runs() { [ "$(docker inspect -f '{{.Image}}' "$(cid img)" 2>/dev/null)" = "$1" ]; }
# Recreated on the moved tag: the reference resolves to what runs; only
# the recorded plane knows that mooring deployed the other image.
replace_by_hand img "$TAG"
check "4: a hand recreate on the moved tag is a dependency finding" \
	wait_until 20 finding_true img "f['class'] == 'dependency' and f['domain'] == 'image' and f['relationship'] == 'actual_vs_recorded'"
check "4: it names the deployed and the running image ids" \
	finding_true img "any(c['recorded'] == '$old_img' and c['actual'] == '$new_img' for c in f['changes'])"
check "4: the audit shows the hand-made container, outside mooring" \
	finding_true img "f['class'] == 'dependency' and f['audit']['outside_mooring']"
# Accepting it through the running controller: the next passes see the
# running image as accepted, the unit is in sync and stays so.
fid=$(python3 -c 'import json,sys; print([f["id"] for f in json.load(open(sys.argv[1]))["open_findings"] if f["class"] == "dependency"][0])' "$TMP/img.json")
expect_exit 0 "4: mooring accept takes the running image while mooring runs" \
	"$MOORING" accept -c "$cfg" --finding "$fid" --reason "image rebuilt during the incident"
check "4: after the accept the unit is in sync" wait_until 20 unit_is img in_sync
sleep 5
check "4: and stays in sync, the finding resolved as accepted, not reopened" \
	json_true "$state/findings/img.json" \
	"[r['resolution'] for r in d['records'] if r['id'] == '$fid'] == ['accepted'] and not [r for r in d['records'] if r['finding']['class'] == 'dependency' and r['status'] == 'open']"
check "4: the hand-made container was left running" img_runs "$new_img"
# Recreated by hand on the old image: the tag resolves to another.
replace_by_hand img "$old_img"
check "4: dependency finding in the image domain" \
	wait_until 20 finding_true img "f['class'] == 'dependency' and f['domain'] == 'image'"
check "4: it names both image ids" \
	finding_true img "any(c['desired'] == '$new_img' and c['actual'] == '$old_img' for c in f['changes'])"

# --- 5: a field owned by an autoscaler ----------------------------------------
id=$(cid owned)
docker update --cpus 0.5 "$id" >/dev/null
check "5: the owned field is controller_owned" \
	wait_until 20 finding_true owned "f['class'] == 'controller_owned' and f['recommended_action'] == 'ignore'"
check "5: no alert: the unit stays in sync" unit_is owned in_sync
check "5: left as the autoscaler set it" \
	eval "test '$(cid owned)' = '$id' && inspect_true '$id' \"h['NanoCpus'] == 500000000\""

# --- 6: a label change on a low-risk unit that reverts metadata ---------------
replace_by_hand heal "$IMG" --label com.example.hotfix=yes
handmade=$(cid heal)
healed() {
	c=$(cid heal)
	[ -n "$c" ] && [ "$c" != "$handmade" ] && inspect_true "$c" "'com.example.hotfix' not in cfg['Labels']"
}
check "6: the label is reverted within a pass (a new container without it)" \
	wait_until 30 healed || { api heal; sed 's/^/#   /' "$TMP/heal.json" | head -c 3000; echo; }
check "6: the unit is in sync again" wait_until 10 unit_is heal in_sync
check "6: the finding is resolved in the store" \
	json_true "$state/findings/heal.json" "any(r['status'] == 'resolved' and any(c['path'].startswith('/services/app/labels') for c in r['finding']['changes']) for r in d['records'])"
check "6: the journal holds the revert and the resolution" \
	eval "grep '\"unit\": *\"heal\"' '$state/journal/journal.jsonl' | grep -q '\"auto_heal\"' &&
	      grep '\"unit\": *\"heal\"' '$state/journal/journal.jsonl' | grep -q '\"finding_resolved\"'"

# --- 7: reverted and changed back in a loop -----------------------------------
flap_round() {
	c=$(cid flap)
	docker update --cpus 0.5 "$c" >/dev/null 2>&1
	# Reverted: a new container with cpus 1 again.
	wait_until 30 eval "test \"\$(cid flap)\" != '$c' && inspect_true \"\$(cid flap)\" \"h['NanoCpus'] == 10**9\""
}
# max_reverts 2: reverted more than twice, the field is someone's.
check "7: first change reverted" flap_round
check "7: second change reverted" flap_round
check "7: third change reverted" flap_round
c=$(cid flap)
docker update --cpus 0.5 "$c" >/dev/null
check "7: fourth change: failed_reconciliation, auto-heal suspended" \
	wait_until 20 finding_true flap "f['class'] == 'failed_reconciliation' and f.get('auto_heal_suspended') and f['flapping']['reverts'] == 3"
sleep 3
check "7: no fourth revert" eval "test '$(cid flap)' = '$c' && inspect_true '$c' \"h['NanoCpus'] == 500000000\""
check "7: one record for it, not a new id every pass" \
	json_true "$state/findings/flap.json" "len([r for r in d['records'] if r['finding']['class'] == 'failed_reconciliation']) == 1"

# --- metrics -----------------------------------------------------------------------
curl -s -m 3 "http://127.0.0.1:$hport/metrics" >"$TMP/metrics" 2>/dev/null
check "metrics: open findings by class, domain and risk" \
	grep -q '^mooring_findings_open_by_class{unit="cap",class="[a-z_]*",domain="capacity",risk="[a-z]*"} [1-9]' "$TMP/metrics"
check "metrics: the oldest open finding per domain, next to its budget" \
	eval "grep -q '^mooring_finding_oldest_open_age_seconds{unit=\"cap\",domain=\"capacity\"} [0-9]' '$TMP/metrics' &&
	      grep -q '^mooring_finding_budget_seconds{unit=\"cap\",domain=\"capacity\"} 86400' '$TMP/metrics'"

# --- 8: missing and unmanaged --------------------------------------------------
kill "$rpid" && wait "$rpid" 2>/dev/null
rpid=
docker stop -t 1 "$(cid miss)" >/dev/null
docker run -d --name "$P-stranger" --label "com.docker.compose.project=$P-miss" \
	--label com.docker.compose.service=intruder "$IMG" sleep 86400 >/dev/null
run_cmd "$MOORING" plan -c "$cfg" --unit miss --format json
check_last "8: plan exits 2" test "$RC" -eq 2
check "8: the stopped service is missing, revert recommended" \
	json_true "$OUT" "any(f['class'] == 'missing' and f['service'] == 'app' and f['recommended_action'] == 'revert' for f in d['units'][0]['findings'])"
check "8: the stranger is unmanaged" \
	json_true "$OUT" "any(f['class'] == 'unmanaged' and f['service'] == 'intruder' for f in d['units'][0]['findings'])"
run_cmd "$MOORING" run --once -c "$cfg"
check "8: a pass restarts the missing service but never removes the stranger" \
	eval "test -n \"\$(docker ps -q --filter name=$P-stranger)\" && inspect_true '$(cid miss)' 'c[\"State\"][\"Running\"]'"
# Stopped on purpose under an emergency window for the whole unit: left
# stopped, reported as emergency with its incident.
run_cmd "$MOORING" exception add -c "$cfg" --unit miss --incident INC-8 --ttl 1h \
	--reason "stopped while the database is restored"
check_last "8: an exception for the whole unit" test "$RC" -eq 0
docker stop -t 1 "$(cid miss)" >/dev/null
run_cmd "$MOORING" run --once -c "$cfg"
check "8: under the window a pass leaves the stopped service stopped" \
	inspect_true "$(cid miss)" 'not c["State"]["Running"]'
run_cmd "$MOORING" plan -c "$cfg" --unit miss --format json
check "8: ... and it is emergency, naming INC-8" \
	json_true "$OUT" "any(f['class'] == 'emergency' and f['service'] == 'app' and f['exception']['incident'] == 'INC-8' for f in d['units'][0]['findings'])"

# --- policy findings of the desired state ---------------------------------------
run_cmd "$MOORING" plan -c "$cfg" --unit pol --format json --no-fetch
check "policy: a mutable tag is a policy finding of the desired state" \
	json_true "$OUT" "any(f['class'] == 'policy' and f.get('check') == 'mutable_tag' for f in d['units'][0]['findings'])"
check "policy: privileged in desired state is one too (identity)" \
	json_true "$OUT" "any(f['class'] == 'policy' and f.get('check') == 'privileged' and f['domain'] == 'identity' for f in d['units'][0]['findings'])"

# --- findings as records ---------------------------------------------------------
run_cmd "$MOORING" findings -c "$cfg" --all --format json
check_last "mooring findings --all lists records with stable ids" \
	json_true "$OUT" "len(d['findings']) >= 5 and all(r['id'].startswith('drift-') for r in d['findings'])"
finish
