#!/bin/bash
# t0500: what manifests/ ships to deploy mooring itself is valid: the
# example config (check-config, and it names every option of the config
# table), the compose file (mooring render, and the peer docker-compose
# when installed), the systemd unit (systemd-analyze verify, when
# available), and - when a docker daemon answers (none is started here) -
# the FROM scratch image built by manifests/image/build.sh, run read-only
# without capabilities, talking to the daemon through the mounted socket.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$root/test/integration/docker.sh"

manifests=$root/manifests
image=mooring/mooring:test
built_image=
cleanup() {
	[ -n "$built_image" ] && docker rmi -f "$built_image" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- mooring.example.yaml ----------------------------------------------------
mkdir -p "$TMP/etc"
sed "s#^\\(  url: \\).*#\\1$root/examples/infra#" "$manifests/mooring.example.yaml" \
	>"$TMP/etc/mooring.yaml"
check "the example config's repository.url can be pointed elsewhere" \
	grep -qx "  url: $root/examples/infra" "$TMP/etc/mooring.yaml"
expect_exit 0 "check-config accepts the example config (on examples/infra)" \
	"$MOORING" check-config -c "$TMP/etc/mooring.yaml"
expect_stdout_match "... and its three units" '^check-config: 3 units ok, policies ok '

# Every option of the config table (config.c) is shown in the example,
# set or commented out, so the example cannot fall behind the code.
missing=
for opt in $(grep -o 'CONFIG_OPT("[a-z_.]*"' "$root/controller/config.c" |
	sed 's/^CONFIG_OPT("//; s/"$//'); do
	key=${opt##*.}
	grep -Eq "^[# ]*$key:" "$manifests/mooring.example.yaml" || missing="$missing $opt"
done
check "the example config names every option of config.c${missing:+ (missing:$missing)}" \
	test -z "$missing"

# --- compose.yaml ------------------------------------------------------------
expect_exit 0 "mooring render accepts manifests/compose.yaml" \
	"$MOORING" render -f "$manifests/compose.yaml" --format json
s='d["services"]["mooring"]'
expect_json "... the docker socket is mounted" \
	"any(v['target'] == '/var/run/docker.sock' and v['source'] == '/var/run/docker.sock' for v in ${s}['volumes'])"
expect_json "... the config is mounted read-only" \
	"any(v['target'] == '/etc/mooring/mooring.yaml' and v.get('read_only') for v in ${s}['volumes'])"
expect_json "... the state dir is a named volume" \
	"any(v['target'] == '/var/lib/mooring' and v['type'] == 'volume' and v['source'] in d['volumes'] for v in ${s}['volumes'])"
expect_json "... the webhook secret comes in as a secret file" \
	"${s}['secrets'][0]['source'] in d['secrets'] and d['secrets'][${s}['secrets'][0]['source']]['file'].endswith('/webhook-secret')"
expect_json "... the image is mooring/mooring:<version>" \
	"${s}['image'] == 'mooring/mooring:' + '$("$MOORING" version | awk '{ print $2 }')'"
expect_json "... read-only, without capabilities" \
	"${s}['read_only'] and ${s}['cap_drop'] == ['ALL']"

if command -v docker-compose >/dev/null 2>&1; then
	# The peer wants the bind and secret sources to exist.
	mkdir -p "$TMP/compose"
	cp "$manifests/compose.yaml" "$TMP/compose/compose.yaml"
	: >"$TMP/compose/mooring.yaml"
	: >"$TMP/compose/webhook-secret"
	(cd "$TMP/compose" && run_cmd docker-compose -p mtest-t0500 -f compose.yaml config -q
		echo "$RC" >"$TMP/.rc")
	RC=$(cat "$TMP/.rc")
	check_last "docker-compose (the peer) accepts manifests/compose.yaml too" test "$RC" -eq 0
else
	say_skip "docker-compose accepts manifests/compose.yaml" "docker-compose is not installed"
fi

# --- mooring.service -----------------------------------------------------------
unit=$manifests/mooring.service
check "the unit runs /usr/local/bin/mooring run -c /etc/mooring/mooring.yaml" \
	grep -qx 'ExecStart=/usr/local/bin/mooring run -c /etc/mooring/mooring.yaml' "$unit"
check "the unit reloads with SIGHUP" grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit"
check "the unit may write only to /var/lib/mooring" \
	grep -qx 'ReadWritePaths=/var/lib/mooring' "$unit"
check "... under ProtectSystem=strict" grep -qx 'ProtectSystem=strict' "$unit"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify wants the ExecStart binary to exist: point it at the one
	# under test (the unit file keeps its name: mooring.service).
	mkdir -p "$TMP/unit"
	sed "s#/usr/local/bin/mooring#$MOORING#" "$unit" >"$TMP/unit/mooring.service"
	# verify exits 0 on most problems, only printing them: both must be clean.
	run_cmd systemd-analyze verify "$TMP/unit/mooring.service"
	check_last "systemd-analyze verify accepts manifests/mooring.service" \
		test "$RC" -eq 0 -a ! -s "$OUT" -a ! -s "$ERR"
	sed 's#^Restart=on-failure#Restart=sometimes#' "$TMP/unit/mooring.service" \
		>"$TMP/unit/bad.service"
	run_cmd systemd-analyze verify "$TMP/unit/bad.service"
	check_last "... and would have said so of a broken unit" grep -q 'sometimes' "$ERR"
else
	say_skip "systemd-analyze verify accepts manifests/mooring.service" \
		"systemd-analyze is not installed (Debian package systemd)"
fi

# --- the image ---------------------------------------------------------------
if ! command -v docker >/dev/null 2>&1 || ! docker_ping; then
	say_skip "manifests/image/build.sh builds a working image" \
		"no docker daemon answers on '$DOCKER_SOCK'"
	finish
fi

run_cmd env MOORING="$MOORING" sh "$manifests/image/build.sh" "$image"
built_image=$image
check_last "manifests/image/build.sh builds $image FROM scratch" test "$RC" -eq 0 || finish
run_cmd docker run --rm "$image" version
check_last "docker run --rm $image version" \
	test "$RC" -eq 0 -a "$(cat "$OUT")" = "$("$MOORING" version)"
run_cmd docker image inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$image"
check_last "... its default command is run -c /etc/mooring/mooring.yaml" \
	grep -qxF '["/usr/local/bin/mooring"] ["run","-c","/etc/mooring/mooring.yaml"]' "$OUT"
# Nothing but the binary, its libraries, certificates and /etc/passwd.
run_cmd docker run --rm --entrypoint /bin/sh "$image" -c true
check_last "... it has no shell" test "$RC" -ne 0

# As compose.yaml runs it: read-only, no capability, no new privileges,
# the socket mounted; a plan of the example repo reads the daemon (exit 0
# or 2: in sync or changes pending, never 1).
mkdir -p "$TMP/ctr"
printf 'repository:\n  url: /infra\nstate_dir: /var/lib/mooring\nhost: web-01\n' \
	>"$TMP/ctr/mooring.yaml"
run_cmd docker run --rm --read-only --cap-drop ALL --security-opt no-new-privileges:true \
	--network none --tmpfs /var/lib/mooring \
	-v "$DOCKER_SOCK:/var/run/docker.sock" \
	-v "$TMP/ctr/mooring.yaml:/etc/mooring/mooring.yaml:ro" \
	-v "$root/examples/infra:/infra:ro" \
	"$image" plan -c /etc/mooring/mooring.yaml
check_last "the image plans the example repo through the mounted socket, without capabilities" \
	test "$RC" -eq 0 -o "$RC" -eq 2
finish
