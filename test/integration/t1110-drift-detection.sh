#!/bin/bash
# t1110: drift detection against the real daemon. Each case starts from a
# fresh `mooring apply` (plan in sync), changes one thing by hand the way
# an operator would (docker update, a hand-made `docker run` replacement,
# a re-tagged image, docker stop/rm, strangers in the project, a network
# disconnect), then `mooring plan --format json` must exit 2 and name the
# exact path (or the missing/orphan/unmanaged container), and leave the
# untouched service out of it. Then apply must converge the unit again
# (with --force-recreate where a field was changed in place: that drift
# is a finding, not an action of a plain apply).
#
# Every case is its own unit and compose project (app + side), removed
# before the next case starts.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$(dirname "$0")/docker.sh"

docker_require

P=mtest-t1110-$$
CASES="memory cpus restart env port user cap_add privileged image stop rm orphan unmanaged network volume"
# The image case runs a tag of its own, so re-tagging it touches nobody.
TAG=mooring-example/busybox:mtest-t1110-$$
cleanup() {
	for c in $CASES; do
		docker_cleanup_project "$P-$c"
	done
	docker rmi "$TAG" >/dev/null 2>&1
	docker_stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

repo=$TMP/infra
cfg=$TMP/mooring.yaml
mkdir -p "$repo/mooring" "$TMP/state"
write_config "$cfg" "$repo" "$TMP/state"
docker tag "$IMG" "$TAG"

RUN='[sh, -c, "trap '\''exit 0'\'' TERM; sleep 86400 & wait"]'
read -r PORT PORT2 <<<"$(free_ports 2)"

{
	echo "units:"
	for c in $CASES; do
		printf '  - name: %s\n    path: stacks/%s\n    project: %s-%s\n' "$c" "$c" "$P" "$c"
	done
} >"$repo/mooring/units.yaml"

for c in $CASES; do
	mkdir -p "$repo/stacks/$c"
	image=$IMG
	[ "$c" = image ] && image=$TAG
	ports=
	[ "$c" = port ] && ports="    ports: [\"$PORT:80\"]"
	volumes=
	[ "$c" = volume ] && volumes=$(printf 'volumes:\n  cache: {}')
	cat >"$repo/stacks/$c/compose.yaml" <<EOF
services:
  app:
    image: $image
    command: $RUN
    environment:
      FOO: bar
      KEEP: same
    mem_limit: 256m
    cpus: 1.0
$ports
  side:
    image: $IMG
    command: $RUN
    environment:
      ROLE: side
$volumes
EOF
done

# replace_container ID MOD...: remove container ID and run a hand-made
# replacement with the same name, labels, image, command, environment,
# user, resources, restart policy, ports and network (with the service's
# alias), changed by each MOD: env:K=V, port:HOST:CONTAINER, user:U,
# cap_add:CAP, privileged.
replace_container() {
	local id=$1 args=()
	shift
	docker inspect "$id" >"$TMP/orig.json" || return 1
	mapfile -d '' -t args < <(python3 - "$TMP/orig.json" "$@" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))[0]
cfg, h = c["Config"], c["HostConfig"]
env = dict(e.split("=", 1) for e in cfg.get("Env") or [])
ports = {k: v for k, v in (h.get("PortBindings") or {}).items()}
user, caps, priv = cfg.get("User") or "", list(h.get("CapAdd") or []), False
for m in sys.argv[2:]:
    kind, _, val = m.partition(":")
    if kind == "env":
        k, _, v = val.partition("=")
        env[k] = v
    elif kind == "port":
        hp, cp = val.split(":")
        ports = {cp + "/tcp": [{"HostIp": "", "HostPort": hp}]}
    elif kind == "user":
        user = val
    elif kind == "cap_add":
        caps.append(val)
    elif kind == "privileged":
        priv = True
a = ["--name", c["Name"].lstrip("/"), "-d"]
for k, v in (cfg.get("Labels") or {}).items():
    a += ["--label", "%s=%s" % (k, v)]
for k, v in env.items():
    a += ["--env", "%s=%s" % (k, v)]
for cp, binds in ports.items():
    for b in binds or []:
        a += ["-p", "%s%s:%s" % (b["HostIp"] + ":" if b.get("HostIp") else "", b.get("HostPort", ""), cp)]
if user:
    a += ["--user", user]
if cfg.get("WorkingDir"):
    a += ["--workdir", cfg["WorkingDir"]]
if h.get("Memory"):
    a += ["--memory", str(h["Memory"])]
if h.get("MemorySwap"):
    a += ["--memory-swap", str(h["MemorySwap"])]
if h.get("NanoCpus"):
    a += ["--cpus", str(h["NanoCpus"] / 1e9)]
rp = h.get("RestartPolicy") or {}
if rp.get("Name"):
    a += ["--restart", rp["Name"] + (":%d" % rp["MaximumRetryCount"] if rp["Name"] == "on-failure" and rp.get("MaximumRetryCount") else "")]
for cap in caps:
    a += ["--cap-add", cap]
if priv:
    a += ["--privileged"]
nets = c["NetworkSettings"].get("Networks") or {}
if nets:
    name = sorted(nets)[0]
    a += ["--network", name]
    service = (cfg.get("Labels") or {}).get("com.docker.compose.service")
    if service:
        a += ["--network-alias", service]
ep = cfg.get("Entrypoint") or []
cmd = cfg.get("Cmd") or []
if ep:
    a += ["--entrypoint", ep[0]]
    cmd = ep[1:] + cmd
a += [cfg["Image"]] + cmd
sys.stdout.write("".join(x + "\0" for x in a))
EOF
	)
	[ "${#args[@]}" -gt 0 ] || return 1
	docker rm -f "$id" >/dev/null || return 1
	docker run "${args[@]}" >"$TMP/run.out" 2>&1 || {
		sed 's/^/#   docker run: /' "$TMP/run.out" | head -n 3
		return 1
	}
}

# add_stranger PROJECT NAME ID SERVICE: a container of PROJECT that copies
# the labels of ID (ours: unit, spec hash...) for SERVICE; with ID "-",
# only the compose project label.
add_stranger() {
	local labels=()
	if [ "$3" != - ]; then
		mapfile -t labels < <(docker inspect "$3" | python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
for k, v in (c["Config"]["Labels"] or {}).items():
    if k == "com.docker.compose.service":
        v = sys.argv[1]
    print("--label\n%s=%s" % (k, v))
' "$4")
	else
		labels=(--label "com.docker.compose.project=$1" --label "com.docker.compose.service=$4")
	fi
	docker run -d --name "$2" --network none "${labels[@]}" "$IMG" sleep 86400 >"$TMP/run.out" 2>&1 || {
		sed 's/^/#   docker run: /' "$TMP/run.out" | head -n 3
		return 1
	}
}

show_plan() {
	plan_q "$TMP/plan.json" summary 2>&1 | head -n 20 | sed 's/^/#   /'
	[ -s "$ERR" ] && head -n 5 "$ERR" | sed 's/^/#   stderr: /'
	return 0
}

plan_unit() {
	run_mooring plan -c "$cfg" --unit "$1" --format json
	cp "$OUT" "$TMP/plan.json"
}

# start_case C: apply the unit from scratch; plan says in sync. Sets $app,
# the id of the app container. Fails (one not ok) when it cannot start.
start_case() {
	app=
	run_mooring apply -c "$cfg" --unit "$1"
	if [ "$RC" -ne 0 ]; then
		say_not_ok "$1: apply of a fresh unit exits 0"
		show_last
		return 1
	fi
	app=$(svc_ids "$P-$1" app | head -n 1)
	plan_unit "$1"
	if [ "$RC" -ne 0 ] || [ -z "$app" ]; then
		say_not_ok "$1: in sync right after apply (plan exits 0)"
		echo "#   plan exit status $RC; app container: '${app:-none}'"
		show_plan
		return 1
	fi
	return 0
}

# expect_drift C TITLE SHELL: plan the unit; ok when it exits 2 and the
# shell expression SHELL (plan_q on $plan...) holds; the side service must
# not be named.
plan=$TMP/plan.json
expect_drift() {
	local c=$1 title=$2 test=$3
	plan_unit "$c"
	if [ "$RC" -eq 2 ] && eval "$test" >/dev/null 2>&1; then
		say_ok "$c: $title"
	else
		say_not_ok "$c: $title"
		echo "#   expected exit 2 and: $test"
		echo "#   plan exit status $RC"
		show_plan
	fi
	if bad=$(plan_q "$plan" svc_clean "$c" side 2>&1); then
		say_ok "$c: the untouched service is not named"
	else
		say_not_ok "$c: the untouched service is not named"
		echo "$bad" | head -n 5 | sed 's/^/#   /'
	fi
}

# Is SERVICE named by a finding of UNIT?
finding_names() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if any(f.get("service") == sys.argv[3] for u in d["units"] if u.get("unit") == sys.argv[2]
                  for f in u.get("findings") or []) else 1)' "$plan" "$1" "$2"
}

# expect_path C PATH: expect_drift naming PATH (or a path below it).
expect_path() {
	expect_drift "$1" "plan exits 2 and names $2" "plan_q \"\$plan\" has_path $1 $2"
}

# expect_converges C [APPLY ARG...]: apply converges the unit again. A
# field changed by hand on a running container is a finding, not an
# action (healing it is policy's call): --force-recreate converges it.
expect_converges() {
	local c=$1
	shift
	run_mooring apply -c "$cfg" --unit "$c" "$@"
	local arc=$RC
	plan_unit "$c"
	local title="$c: apply${*:+ $*} converges it (plan exits 0 after)"
	if [ "$arc" -eq 0 ] && [ "$RC" -eq 0 ]; then
		say_ok "$title"
	else
		say_not_ok "$title"
		echo "#   apply exit status $arc, plan exit status $RC"
		show_plan
	fi
}

end_case() {
	docker_cleanup_project "$P-$1"
}

s=/services/app

# --- docker update ------------------------------------------------------------
if start_case memory; then
	docker update --memory 1g --memory-swap 2g "$app" >/dev/null
	expect_path memory "$s/mem_limit"
	expect_converges memory --force-recreate
fi
end_case memory

if start_case cpus; then
	docker update --cpus 0.5 "$app" >/dev/null
	expect_path cpus "$s/cpus"
	expect_converges cpus --force-recreate
fi
end_case cpus

if start_case restart; then
	docker update --restart always "$app" >/dev/null
	expect_path restart "$s/restart"
	expect_converges restart --force-recreate
fi
end_case restart

# --- a hand-made replacement ----------------------------------------------------
if start_case env; then
	check "env: hand-made replacement with FOO=changed runs" replace_container "$app" env:FOO=changed
	expect_path env "$s/environment/FOO"
	check "env: plan does not name the unchanged variable" \
		eval '! plan_q "$plan" has_path env "$s/environment/KEEP"'
	expect_converges env --force-recreate
fi
end_case env

if start_case port; then
	check "port: hand-made replacement on another host port runs" replace_container "$app" "port:$PORT2:80"
	expect_path port "$s/ports"
	expect_converges port --force-recreate
fi
end_case port

if start_case user; then
	check "user: hand-made replacement running as 1000 runs" replace_container "$app" user:1000
	expect_path user "$s/user"
	expect_converges user --force-recreate
fi
end_case user

if start_case cap_add; then
	check "cap_add: hand-made replacement with NET_ADMIN runs" replace_container "$app" cap_add:NET_ADMIN
	expect_path cap_add "$s/cap_add"
	expect_converges cap_add --force-recreate
fi
end_case cap_add

if ! docker_privileged_ok; then
	say_skip "privileged: plan exits 2 and names $s/privileged" "$docker_privileged_why"
elif start_case privileged; then
	check "privileged: hand-made privileged replacement runs" replace_container "$app" privileged
	expect_path privileged "$s/privileged"
	expect_converges privileged --force-recreate
fi
end_case privileged

# --- a moved tag ------------------------------------------------------------------
if start_case image; then
	docker tag "$IMG_ALT" "$TAG"
	expect_path image "$s/image"
	check "image: plan gives app an action with reason image_changed, or a finding" \
		eval 'plan_q "$plan" has_action image app recreate image_changed || finding_names image app'
	expect_converges image
	check "image: after apply the container runs the image the tag names now" \
		inspect_true "$(svc_ids "$P-image" app | head -n 1)" \
		'c["Image"] == "'"$(docker image inspect -f '{{.Id}}' "$IMG_ALT")"'"'
	docker tag "$IMG" "$TAG"
fi
end_case image

# --- stopped, removed ---------------------------------------------------------------
if start_case stop; then
	docker stop -t 5 "$app" >/dev/null
	expect_drift stop "plan exits 2: app stopped (action start, or a finding of class missing)" \
		'plan_q "$plan" has_action stop app start missing || plan_q "$plan" has_finding stop missing app'
	expect_converges stop
fi
end_case stop

if start_case rm; then
	docker rm -f "$app" >/dev/null
	expect_drift rm "plan exits 2: app removed (action create, or a finding of class missing)" \
		'plan_q "$plan" has_action rm app create missing new || plan_q "$plan" has_finding rm missing app'
	expect_converges rm
fi
end_case rm

# --- strangers in the project --------------------------------------------------------

if start_case orphan; then
	check "orphan: a container with our labels for service 'ghost' runs" \
		add_stranger "$P-orphan" "$P-orphan-ghost-1" "$app" ghost
	expect_drift orphan "plan exits 2 and names ghost (action remove/orphan, or a finding)" \
		'plan_q "$plan" has_action orphan ghost remove orphan || finding_names orphan ghost'
	expect_converges orphan --remove-orphans
	check "orphan: apply --remove-orphans removed ghost" test -z "$(svc_ids "$P-orphan" ghost)"
fi
end_case orphan

if start_case unmanaged; then
	check "unmanaged: a container with only the compose project label runs" \
		add_stranger "$P-unmanaged" "$P-unmanaged-stray" - stray
	expect_drift unmanaged "plan exits 2 with a finding of class unmanaged" \
		'plan_q "$plan" has_finding unmanaged unmanaged'
	run_mooring apply -c "$cfg" --unit unmanaged --remove-orphans
	check "unmanaged: apply --remove-orphans leaves it alone" \
		test -n "$(docker ps -aq --filter "name=^/$P-unmanaged-stray\$")"
fi
end_case unmanaged

# --- networks -----------------------------------------------------------------------
if start_case network; then
	net=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$app" | awk '{print $1}')
	check "network: disconnect app from '$net'" docker network disconnect "$net" "$app"
	expect_path network "$s/networks"
	expect_converges network --force-recreate
fi
end_case network

# --- volumes ------------------------------------------------------------------------
# A named volume of the project removed by hand: missing, and apply makes
# it again (mooring never deletes one, but it restores one that is gone).
if start_case volume; then
	check "volume: docker volume rm $P-volume_cache" \
		sh -c "docker volume rm '$P-volume_cache' >/dev/null"
	expect_path volume /volumes/cache
	expect_converges volume
fi
end_case volume

finish
