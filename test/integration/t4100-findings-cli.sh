#!/bin/bash
# t4100: `mooring findings`, `mooring accept` and `mooring exception add`
# against a state dir the test prepares (findings records in the
# documented format): no docker, no git. Checks exit codes, the text and
# JSON output, one-line errors for bad usage, and what accept and
# exception add write (accepted/<unit>.json, exceptions.json, journal).
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"

repo=$TMP/repo
state=$TMP/state
cfg=$TMP/mooring.yaml
mkdir -p "$repo/mooring" "$state/findings"
cat >"$repo/mooring/units.yaml" <<'EOF'
units:
  - name: api
    path: stacks/api
  - name: web
    path: stacks/web
EOF
cat >"$cfg" <<EOF
repository:
  url: $repo
state_dir: $state
docker_socket: $TMP/no-docker.sock
host: web-01
EOF

open_id=drift-20261120-0a1b2c3d4e5f
gone_id=drift-20261119-5f4e3d2c1b0a
unmanaged_id=drift-20261121-abcdefabcdef

# record KEY ID STATUS DETECTED RESOLVED_AT TTR RESOLUTION FINDING
record() {
	local resolved_at=null ttr=null resolution=null
	[ "$5" != - ] && resolved_at="\"$5\""
	[ "$6" != - ] && ttr=$6
	[ "$7" != - ] && resolution="\"$7\""
	cat <<EOF
{"key": "$1", "id": "$2", "status": "$3", "detected_at": "$4",
 "changed_at": null, "last_seen_at": "$4", "resolved_at": $resolved_at,
 "time_to_detect_s": null, "time_to_resolve_s": $ttr,
 "resolution": $resolution, "finding": $8}
EOF
}

seed() {
	mkdir -p "$state/findings"
	{
		echo '{"unit": "api", "records": ['
		record 0a1b2c3d4e5f $open_id open 2026-11-20T10:00:00Z - - - \
			'{"id": "'$open_id'", "unit": "api", "service": "api",
			  "relationship": "actual_vs_recorded",
			  "class": "unauthorized", "domain": "capacity",
			  "risk": "high", "changes": [
			    {"path": "/services/api/mem_limit",
			     "desired": 536870912, "recorded": 536870912,
			     "actual": 2147483648},
			    {"path": "/services/api/environment/DB_PASSWORD",
			     "desired": {"changed": true, "hmac": "11aa"},
			     "recorded": {"changed": true, "hmac": "11aa"},
			     "actual": {"changed": true, "hmac": "22bb"}}]}'
		echo ','
		record 5f4e3d2c1b0a $gone_id resolved 2026-11-19T10:00:00Z \
			2026-11-19T10:05:00Z 300 gone \
			'{"unit": "api", "service": "api",
			  "class": "unauthorized", "domain": "runtime",
			  "risk": "medium", "changes": [
			    {"path": "/services/api/command", "desired": ["a"],
			     "recorded": ["a"], "actual": ["b"]}]}'
		echo ']}'
	} >"$state/findings/api.json"
	{
		echo '{"unit": "web", "records": ['
		record abcdefabcdef $unmanaged_id open 2026-11-21T08:00:00Z - - - \
			'{"unit": "web", "service": "cache",
			  "class": "unmanaged", "domain": "runtime",
			  "risk": "medium", "container": "3f2a9c0d1e2f4a5b",
			  "changes": []}'
		echo ']}'
	} >"$state/findings/web.json"
}
seed
check "the seeded records are valid JSON" json_valid "$state/findings/api.json"

# --- mooring findings ------------------------------------------------------
expect_exit 2 "open findings: exit 2" "$MOORING" findings -c "$cfg"
check_last "... one line per open record and a summary" \
	test "$(line_count "$OUT")" = 3
expect_stdout_match "... the open drift with its fields" \
	"^$open_id +open +api/api +unauthorized +capacity +high +age [0-9]+[smhd] +/services/api/mem_limit,/services/api/environment/DB_PASSWORD$"
expect_stdout_match "... the unmanaged container by its id" \
	"^$unmanaged_id +open +web/cache +unmanaged +runtime +medium +age [0-9]+[smhd] +container 3f2a9c0d1e2f$"
expect_stdout_match "... then the count" "^2 open findings$"
check_last "... without the resolved one" not_grep "$gone_id" "$OUT"
check_last "... and no secret hash" not_grep "22bb" "$OUT"
check_last "... and nothing on stderr" test ! -s "$ERR"

expect_exit 2 "--open is the default" "$MOORING" findings -c "$cfg" --open
check_last "... the same two records" test "$(line_count "$OUT")" = 3

expect_exit 2 "--all: still exit 2 while some are open" \
	"$MOORING" findings -c "$cfg" --all
expect_stdout_match "... the resolved one with its time to resolve" \
	"^$gone_id +resolved +api/api +unauthorized +runtime +medium +resolved in 5m \(gone\) +/services/api/command$"
expect_stdout_match "... and the count of both" "^3 findings: 2 open, 1 resolved$"

expect_exit 2 "--format json: exit 2" "$MOORING" findings -c "$cfg" --format json
check_last "... one JSON document" json_valid "$OUT"
expect_json_eq "... the open records, by unit" \
	"[(r['unit'], r['id']) for r in d['findings']]" \
	"[('api', '$open_id'), ('web', '$unmanaged_id')]"
expect_json "... as stored (the finding inside, masked values kept)" \
	"d['findings'][0]['finding']['changes'][1]['actual'] == {'changed': True, 'hmac': '22bb'}"
expect_json "... with their lifecycle fields" \
	"d['findings'][0]['status'] == 'open' and d['findings'][0]['detected_at'] == '2026-11-20T10:00:00Z'"

expect_exit 2 "--all --format json" "$MOORING" findings -c "$cfg" --all --format json
expect_json_eq "... has all three" "len(d['findings'])" 3

expect_error "an unknown option is one error line" \
	"unknown option '--bogus'$" findings -c "$cfg" --bogus
expect_error "an unknown format is one error line" \
	"unknown format 'xml' \(expected text or json\)$" findings -c "$cfg" --format xml
expect_error "an operand is refused" "unexpected argument 'extra'$" \
	findings -c "$cfg" extra
expect_exit 0 "findings --help" "$MOORING" findings --help
expect_stdout_match "... prints its usage" "^usage: mooring findings "

# --- mooring accept ----------------------------------------------------------
expect_error "accept without --reason is refused" \
	"option '--reason' is required" accept -c "$cfg" --finding "$open_id"
expect_error "accept without --finding is refused" \
	"option '--finding' is required" accept -c "$cfg" --reason why
expect_error "accept with a blank reason is refused" \
	"the reason \(--reason\) must not be empty$" \
	accept -c "$cfg" --finding "$open_id" --reason "  "
expect_error "an unknown finding is named" \
	"unknown finding 'drift-20990101-000000000000'" \
	accept -c "$cfg" --finding drift-20990101-000000000000 --reason why
expect_error "an unmanaged container has nothing to accept" \
	"finding '$unmanaged_id' is of class 'unmanaged'" \
	accept -c "$cfg" --finding "$unmanaged_id" --reason why
expect_error "a resolved finding is refused" \
	"finding '$gone_id' is resolved already \(gone at 2026-11-19T10:05:00Z\)" \
	accept -c "$cfg" --finding "$gone_id" --reason why

# Findings accepted values never cover (the plan decides them first):
# accepting one would only reopen it under a new id. They take the place
# of web's records for the time of these checks.
cp "$state/findings/web.json" "$TMP/web.json"
emergency_id=drift-20261121-111111111111
owned_id=drift-20261121-222222222222
policy_id=drift-20261121-333333333333
conflict_id=drift-20261121-444444444444
# never KEY ID CLASS RELATIONSHIP
never() {
	record "$1" "$2" open 2026-11-21T09:00:00Z - - - \
		'{"unit": "web", "service": "web", "relationship": "'"$4"'",
		  "class": "'"$3"'", "domain": "capacity", "risk": "high",
		  "changes": [{"path": "/services/web/mem_limit",
		    "desired": 1, "recorded": 1, "actual": 2}]}'
}
{
	echo '{"unit": "web", "records": ['
	never 111111111111 $emergency_id emergency actual_vs_recorded
	echo ','
	never 222222222222 $owned_id controller_owned actual_vs_recorded
	echo ','
	never 333333333333 $policy_id policy desired
	echo ','
	never 444444444444 $conflict_id unauthorized conflict
	echo ']}'
} >"$state/findings/web.json"
check "the records of these classes are valid JSON" json_valid "$state/findings/web.json"
expect_error "an emergency finding is refused: an exception leaves it alone" \
	"finding '$emergency_id' is of class 'emergency': an open exception already leaves it alone" \
	accept -c "$cfg" --finding "$emergency_id" --reason why
expect_error "a controller_owned one: an ownership rule owns the field" \
	"finding '$owned_id' is of class 'controller_owned': an ownership rule" \
	accept -c "$cfg" --finding "$owned_id" --reason why
expect_error "a policy finding: fixed in git" \
	"finding '$policy_id' is of class 'policy': a policy finding is about the desired state: fix it in git$" \
	accept -c "$cfg" --finding "$policy_id" --reason why
expect_error "a conflict with git" \
	"finding '$conflict_id' is a conflict: git changed the field too" \
	accept -c "$cfg" --finding "$conflict_id" --reason why
check "... all four stay open" json_true "$state/findings/web.json" \
	"[r['status'] for r in d['records']] == ['open'] * 4"
check "... and nothing is accepted for them" test ! -e "$state/accepted/web.json"
cp "$TMP/web.json" "$state/findings/web.json"

check "nothing was accepted by the refused ones" test ! -e "$state/accepted/api.json"

expect_exit 0 "accept an open drift" "$MOORING" accept -c "$cfg" \
	--finding "$open_id" --reason "load test needs 2g"
expect_stdout_match "... says what it accepted" \
	"^accepted $open_id: unit 'api', /services/api/mem_limit, /services/api/environment/DB_PASSWORD$"
check "... writes accepted/api.json" json_valid "$state/accepted/api.json"
check "... one entry per change, with the values as the finding showed them" \
	json_true "$state/accepted/api.json" \
	"d['unit'] == 'api' and [(e['path'], e['actual'], e['finding'], e['reason']) for e in d['accepted']] == [('/services/api/mem_limit', 2147483648, '$open_id', 'load test needs 2g'), ('/services/api/environment/DB_PASSWORD', {'changed': True, 'hmac': '22bb'}, '$open_id', 'load test needs 2g')]"
check "... with hashes of the desired and actual values" \
	json_true "$state/accepted/api.json" \
	"all(len(e['actual_hash']) == 64 and len(e['desired_hash']) == 64 and e['by'] and e['time'] for e in d['accepted'])"
check "... and a journal record" python3 - "$state/journal/journal.jsonl" "$open_id" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(0 if any(r.get("kind") == "action" and r.get("action") == "accept"
                  and r.get("unit") == "api"
                  and r.get("detail") == sys.argv[2] + ": load test needs 2g"
                  for r in recs) else 1)
EOF
check "... the record is resolved as accepted" \
	json_true "$state/findings/api.json" \
	"[r for r in d['records'] if r['id'] == '$open_id'][0]['resolution'] == 'accepted'"
check "... and no temp file is left" \
	test -z "$(find "$state" -name '.*.json.*')"

expect_exit 2 "findings after the accept: the other one is still open" \
	"$MOORING" findings -c "$cfg"
expect_stdout_match "... one open finding" "^1 open finding$"
run_mooring findings -c "$cfg" --all
expect_stdout_match "... and --all shows it accepted" \
	"^$open_id +resolved .*\(accepted\)"
expect_error "accepting it again is refused" \
	"finding '$open_id' is resolved already \(accepted at " \
	accept -c "$cfg" --finding "$open_id" --reason again

# --- mooring exception add ---------------------------------------------------
expect_exit 0 "exception add" "$MOORING" exception add -c "$cfg" --unit api \
	--incident INC-7 --ttl 4h --service api --field /services/api/mem_limit \
	--reason "incident load"
expect_stdout_match "... prints what it added and until when" \
	"^added exception 'INC-7' for unit 'api' \(services: api; fields: /services/api/mem_limit\) until 20[0-9-]+T[0-9:]+Z$"
check "... writes exceptions.json" json_true "$state/exceptions.json" \
	"[(e['incident'], e['unit'], e['services'], e['fields'], e['reason']) for e in d['exceptions']] == [('INC-7', 'api', ['api'], ['/services/api/mem_limit'], 'incident load')]"
check "... expiring in 4 hours" python3 - "$state/exceptions.json" <<'EOF'
import json, sys, datetime
e = json.load(open(sys.argv[1]))["exceptions"][0]
f = "%Y-%m-%dT%H:%M:%SZ"
d = datetime.datetime.strptime(e["expires"], f) - datetime.datetime.strptime(e["added_at"], f)
sys.exit(0 if d.total_seconds() == 4 * 3600 else 1)
EOF
check "... and a journal record" python3 - "$state/journal/journal.jsonl" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(0 if any(r.get("action") == "exception" and r.get("unit") == "api"
                  and r.get("detail", "").startswith("INC-7 until ")
                  and r.get("detail", "").endswith(": incident load")
                  for r in recs) else 1)
EOF
expect_exit 0 "a second exception, for the whole unit" "$MOORING" exception add \
	-c "$cfg" --unit web --incident INC-8 --ttl 30m
expect_stdout_match "... says so" "\(services: all; fields: all\)"
check "... both are kept" json_true "$state/exceptions.json" \
	"[e['incident'] for e in d['exceptions']] == ['INC-7', 'INC-8']"

expect_error "an unknown unit is refused" "unknown unit 'nope' \(known: api, web\)$" \
	exception add -c "$cfg" --unit nope --incident INC-1 --ttl 4h
expect_error "a bad ttl is refused" "invalid duration 'soon' for '--ttl'" \
	exception add -c "$cfg" --unit api --incident INC-1 --ttl soon
expect_error "a field outside /services/ is refused" \
	"invalid field '/networks/x' \(expected a path under '/services/'" \
	exception add -c "$cfg" --unit api --incident INC-1 --ttl 4h --field /networks/x
expect_error "--incident is required" "option '--incident' is required$" \
	exception add -c "$cfg" --unit api --ttl 4h
expect_error "an unknown option is one error line" "unknown option '--until'$" \
	exception add -c "$cfg" --unit api --incident INC-1 --until 4h
expect_error "exception without a sub-command is one error line" \
	"'exception' needs a sub-command: add" exception
expect_error "an unknown sub-command is one error line" \
	"unknown sub-command 'remove' of 'exception' \(expected 'add'\)$" \
	exception remove --unit api
expect_exit 0 "exception --help" "$MOORING" exception --help
expect_stdout_match "... names the sub-command" "^usage: mooring exception add "
check "the refused ones added nothing" json_true "$state/exceptions.json" \
	"len(d['exceptions']) == 2"

run_mooring --help
expect_stdout_match "mooring --help lists findings" "^  findings "
expect_stdout_match "... accept" "^  accept "
expect_stdout_match "... and exception add" "^  exception add "

# --- broken and empty state dirs ---------------------------------------------
printf '{"unit": "api", "records": [' >"$state/findings/api.json"
run_mooring findings -c "$cfg"
check_last "a corrupt findings file is one error naming it" \
	is_error_line ".*findings/api\\.json:[0-9]+:[0-9]+: "
truncate -s 17M "$state/findings/api.json"
run_mooring findings -c "$cfg" --all
check_last "a huge one is refused, not read" \
	is_error_line "'.*findings/api\\.json' is too large"
rm -rf "$state/findings"
expect_exit 0 "no findings at all: exit 0" "$MOORING" findings -c "$cfg"
expect_stdout_match "... and says so" "^no open findings$"
expect_exit 0 "... in JSON too" "$MOORING" findings -c "$cfg" --format json
expect_json_eq "... an empty list" "d" "{'findings': []}"

finish
