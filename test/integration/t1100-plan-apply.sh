#!/bin/bash
# t1100: `mooring apply` then `mooring plan` against the real daemon.
#
# No false positives: right after apply, plan says in sync (exit 0) for
# every Compose key of the mapping table, key by key: one small service per
# key with a non-default value, and for each key a check that the daemon
# got the value (apply honoured it) and one that plan sees no drift. Then:
# docker-compose lists our containers, a second apply does nothing,
# --force-recreate recreates, --remove-orphans removes our orphans and
# never a container without our unit label, and an apply that cannot
# render or misses an image changes nothing.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/integration/docker.sh
. "$(dirname "$0")/docker.sh"

docker_require

P=mtest-t1100-$$
UNITS="basic resources security network storage small small2"
unmanaged=$P-small-unmanaged
cleanup() {
	for u in $UNITS; do
		docker_cleanup_project "$P-$u"
	done
	docker rm -f "$unmanaged" >/dev/null 2>&1
	docker_stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

repo=$TMP/infra
cfg=$TMP/mooring.yaml
mkdir -p "$repo/mooring" "$TMP/state" "$TMP/bind"
write_config "$cfg" "$repo" "$TMP/state"
echo "from the host" >"$TMP/bind/hello.txt"

{
	echo "units:"
	for u in $UNITS; do
		printf '  - name: %s\n    path: stacks/%s\n    project: %s-%s\n' "$u" "$u" "$P" "$u"
	done
} >"$repo/mooring/units.yaml"
for u in $UNITS; do
	mkdir -p "$repo/stacks/$u"
done

# A command that keeps the container up and stops at once on SIGTERM.
RUN='[sh, -c, "trap '\''exit 0'\'' TERM; sleep 86400 & wait"]'
read -r PORT1 PORT2 PORT3 <<<"$(free_ports 3)"

cat >"$repo/stacks/basic/compose.yaml" <<EOF
services:
  k_image:
    image: $IMG_ALT
    command: $RUN
  k_command:
    image: $IMG
    command: sh -c "trap 'exit 0' TERM; sleep 86399 & wait"
  k_entrypoint:
    image: $IMG
    entrypoint: [/bin/sh, -c]
    command: ["trap 'exit 0' TERM; sleep 86400 & wait"]
  k_environment:
    image: $IMG
    command: $RUN
    environment:
      FOO: bar
      WITH_EQ: "a=b"
      EMPTY: ""
      NUM: 42
  k_env_file:
    image: $IMG
    command: $RUN
    env_file: [app.env]
  k_labels:
    image: $IMG
    command: $RUN
    labels:
      com.example.tier: back
      com.example.empty: ""
  k_user:
    image: $IMG
    command: $RUN
    user: "1000:1000"
  k_working_dir:
    image: $IMG
    command: $RUN
    working_dir: /tmp
  k_hostname:
    image: $IMG
    command: $RUN
    hostname: h-basic
  k_restart:
    image: $IMG
    command: $RUN
    restart: unless-stopped
  k_init:
    image: $IMG
    command: $RUN
    init: true
  k_stop_signal:
    image: $IMG
    command: $RUN
    stop_signal: SIGUSR1
  k_stop_grace_period:
    image: $IMG
    command: $RUN
    stop_grace_period: 3s
  k_healthcheck:
    image: $IMG
    command: $RUN
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
      timeout: 2s
      retries: 2
      start_period: 1s
  k_logging:
    image: $IMG
    command: $RUN
    logging:
      driver: json-file
      options:
        max-size: 1m
        max-file: "2"
  k_dep_a:
    image: $IMG
    command: $RUN
    healthcheck:
      test: ["CMD-SHELL", "true"]
      interval: 1s
      retries: 30
  k_dep_b:
    image: $IMG
    command: $RUN
    depends_on:
      k_dep_a:
        condition: service_healthy
EOF
printf 'FROM_FILE=1\nOTHER="quoted value"\n# a comment\n' >"$repo/stacks/basic/app.env"

cat >"$repo/stacks/resources/compose.yaml" <<EOF
services:
  k_mem_limit:
    image: $IMG
    command: $RUN
    mem_limit: 64m
  k_mem_reservation:
    image: $IMG
    command: $RUN
    mem_reservation: 32m
  k_cpus:
    image: $IMG
    command: $RUN
    cpus: 0.5
  k_cpu_shares:
    image: $IMG
    command: $RUN
    cpu_shares: 512
  k_pids_limit:
    image: $IMG
    command: $RUN
    pids_limit: 100
  k_ulimits:
    image: $IMG
    command: $RUN
    ulimits:
      nofile: {soft: 1024, hard: 2048}
      nproc: 512
  k_shm_size:
    image: $IMG
    command: $RUN
    shm_size: 128m
  k_deploy_resources:
    image: $IMG
    command: $RUN
    deploy:
      resources:
        limits: {cpus: "0.25", memory: 48M, pids: 50}
        reservations: {memory: 16M}
  k_deploy_restart_policy:
    image: $IMG
    command: $RUN
    deploy:
      restart_policy:
        condition: on-failure
        max_attempts: 3
EOF

# A sandbox without every capability cannot run privileged containers:
# the key is then skipped, with the reason (and not deployed at all).
PRIV_SVC=
if docker_privileged_ok; then
	PRIV_SVC='  k_privileged:
    image: '$IMG'
    command: '$RUN'
    privileged: true'
fi
cat >"$repo/stacks/security/compose.yaml" <<EOF
services:
  k_cap_add:
    image: $IMG
    command: $RUN
    cap_add: [NET_ADMIN, SYS_TIME]
  k_cap_drop:
    image: $IMG
    command: $RUN
    cap_drop: [MKNOD, NET_RAW]
$PRIV_SVC  k_read_only:
    image: $IMG
    command: $RUN
    read_only: true
  k_security_opt:
    image: $IMG
    command: $RUN
    security_opt: ["no-new-privileges:true"]
  k_sysctls:
    image: $IMG
    command: $RUN
    sysctls:
      net.core.somaxconn: 1024
  k_devices:
    image: $IMG
    command: $RUN
    devices: ["/dev/null:/dev/xnull"]
  k_tmpfs:
    image: $IMG
    command: $RUN
    tmpfs: [/run/a, "/run/b:size=65536"]
EOF

cat >"$repo/stacks/network/compose.yaml" <<EOF
services:
  k_ports:
    image: $IMG
    command: $RUN
    ports:
      - "$PORT1:80"
      - "127.0.0.1:$PORT2:81/udp"
      - "82"
      - target: 83
        published: "$PORT3"
        protocol: tcp
  k_expose:
    image: $IMG
    command: $RUN
    expose: ["1234", "5353/udp"]
  k_networks:
    image: $IMG
    command: $RUN
    networks:
      front:
        aliases: [fa1, fa2]
      default:
  k_network_mode:
    image: $IMG
    command: $RUN
    network_mode: none
  k_extra_hosts:
    image: $IMG
    command: $RUN
    extra_hosts: ["db.local:127.0.0.2", "gw.local=127.0.0.3"]
  k_dns:
    image: $IMG
    command: $RUN
    dns: [127.0.0.1, 127.0.0.2]
networks:
  front: {}
EOF

mkdir -p "$repo/stacks/storage/data"
cat >"$repo/stacks/storage/compose.yaml" <<EOF
services:
  k_vol_bind:
    image: $IMG
    command: $RUN
    volumes:
      - "$TMP/bind:/host:ro"
      - ./data:/rel
      - type: bind
        source: $TMP/bind
        target: /long
  k_vol_volume:
    image: $IMG
    command: $RUN
    volumes:
      - vdata:/vdata
      - /anon
      - type: volume
        source: vdata
        target: /nocopy
        volume: {nocopy: true}
  k_vol_tmpfs:
    image: $IMG
    command: $RUN
    volumes:
      - type: tmpfs
        target: /scratch
        tmpfs: {size: 1048576}
volumes:
  vdata: {}
EOF

# small, small2: the units the lifecycle checks below change.
small_compose() {
	cat >"$repo/stacks/small/compose.yaml" <<EOF
services:
  web:
    image: $IMG
    command: $RUN
    environment: {GREETING: ${1:-hello}}
    labels: {com.example.role: web}
${2:-}
EOF
}
small_worker='  worker:
    image: '$IMG'
    command: '$RUN'
    environment: {ROLE: worker}'
small2_compose() {
	cat >"$repo/stacks/small2/compose.yaml" <<EOF
services:
  solo:
    image: $IMG
    command: $RUN
    ${1:-mem_limit}: 32m
${2:-}
EOF
}
small_compose hello "$small_worker"
small2_compose

# key|unit|services|what the daemon must hold (inspect_true EXPR)
keys=$TMP/keys
cat >"$keys" <<EOF
image|basic|k_image|cfg["Image"] == "$IMG_ALT"
command|basic|k_command|cfg["Cmd"] == ["sh", "-c", "trap 'exit 0' TERM; sleep 86399 & wait"]
entrypoint|basic|k_entrypoint|cfg["Entrypoint"] == ["/bin/sh", "-c"]
environment|basic|k_environment|{"FOO=bar", "WITH_EQ=a=b", "EMPTY=", "NUM=42"} <= set(cfg["Env"])
env_file|basic|k_env_file|{"FROM_FILE=1", "OTHER=quoted value"} <= set(cfg["Env"])
labels|basic|k_labels|cfg["Labels"]["com.example.tier"] == "back" and cfg["Labels"]["com.example.empty"] == ""
user|basic|k_user|cfg["User"] == "1000:1000"
working_dir|basic|k_working_dir|cfg["WorkingDir"] == "/tmp"
hostname|basic|k_hostname|cfg["Hostname"] == "h-basic"
restart|basic|k_restart|h["RestartPolicy"]["Name"] == "unless-stopped"
init|basic|k_init|h["Init"] is True
stop_signal|basic|k_stop_signal|cfg["StopSignal"] == "SIGUSR1"
stop_grace_period|basic|k_stop_grace_period|cfg["StopTimeout"] == 3
healthcheck|basic|k_healthcheck|cfg["Healthcheck"]["Test"] == ["CMD", "true"] and cfg["Healthcheck"]["Interval"] == 5000000000 and cfg["Healthcheck"]["Retries"] == 2
logging|basic|k_logging|h["LogConfig"] == {"Type": "json-file", "Config": {"max-size": "1m", "max-file": "2"}}
depends_on|basic|k_dep_a k_dep_b|c["State"]["Running"]
mem_limit|resources|k_mem_limit|h["Memory"] == 64 << 20
mem_reservation|resources|k_mem_reservation|h["MemoryReservation"] == 32 << 20
cpus|resources|k_cpus|h["NanoCpus"] == 500000000
cpu_shares|resources|k_cpu_shares|h["CpuShares"] == 512
pids_limit|resources|k_pids_limit|h["PidsLimit"] == 100
ulimits|resources|k_ulimits|{"Name": "nofile", "Soft": 1024, "Hard": 2048} in h["Ulimits"] and {"Name": "nproc", "Soft": 512, "Hard": 512} in h["Ulimits"]
shm_size|resources|k_shm_size|h["ShmSize"] == 128 << 20
deploy.resources|resources|k_deploy_resources|h["Memory"] == 48 << 20 and h["NanoCpus"] == 250000000 and h["PidsLimit"] == 50 and h["MemoryReservation"] == 16 << 20
deploy.restart_policy|resources|k_deploy_restart_policy|h["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
cap_add|security|k_cap_add|{"CAP_NET_ADMIN", "CAP_SYS_TIME"} <= {x if x.startswith("CAP_") else "CAP_" + x for x in h["CapAdd"]}
cap_drop|security|k_cap_drop|{"CAP_MKNOD", "CAP_NET_RAW"} <= {x if x.startswith("CAP_") else "CAP_" + x for x in h["CapDrop"]}
privileged|security|k_privileged|h["Privileged"] is True
read_only|security|k_read_only|h["ReadonlyRootfs"] is True
security_opt|security|k_security_opt|"no-new-privileges:true" in h["SecurityOpt"]
sysctls|security|k_sysctls|h["Sysctls"] == {"net.core.somaxconn": "1024"}
devices|security|k_devices|h["Devices"][0]["PathOnHost"] == "/dev/null" and h["Devices"][0]["PathInContainer"] == "/dev/xnull"
tmpfs|security|k_tmpfs|set(h["Tmpfs"]) == {"/run/a", "/run/b"} and h["Tmpfs"]["/run/b"] == "size=65536"
ports|network|k_ports|h["PortBindings"]["80/tcp"][0]["HostPort"] == "$PORT1" and h["PortBindings"]["81/udp"][0] == {"HostIp": "127.0.0.1", "HostPort": "$PORT2"} and "82/tcp" in h["PortBindings"] and h["PortBindings"]["83/tcp"][0]["HostPort"] == "$PORT3"
expose|network|k_expose|{"1234/tcp", "5353/udp"} <= set(cfg["ExposedPorts"])
networks|network|k_networks|any("fa1" in (n.get("Aliases") or []) and "fa2" in n["Aliases"] for n in c["NetworkSettings"]["Networks"].values()) and len(c["NetworkSettings"]["Networks"]) == 2
network_mode|network|k_network_mode|h["NetworkMode"] == "none"
extra_hosts|network|k_extra_hosts|set(h["ExtraHosts"]) >= {"db.local:127.0.0.2", "gw.local:127.0.0.3"} or set(h["ExtraHosts"]) >= {"db.local=127.0.0.2", "gw.local=127.0.0.3"}
dns|network|k_dns|h["Dns"] == ["127.0.0.1", "127.0.0.2"]
volumes (bind)|storage|k_vol_bind|{("bind", "/host"), ("bind", "/rel"), ("bind", "/long")} <= {(m["Type"], m["Destination"]) for m in c["Mounts"]}
volumes (volume)|storage|k_vol_volume|any(m["Type"] == "volume" and m["Destination"] == "/vdata" and m["Name"] == "$P-storage_vdata" for m in c["Mounts"]) and any(m["Destination"] == "/anon" for m in c["Mounts"])
volumes (tmpfs)|storage|k_vol_tmpfs|any(m.get("Type") == "tmpfs" and m.get("Target") == "/scratch" for m in h.get("Mounts") or []) or "/scratch" in (h.get("Tmpfs") or {})
EOF

plan_json() {
	run_mooring plan -c "$cfg" --format json "$@"
	cp "$OUT" "$TMP/plan.json"
}

# show_plan: the last plan, summed up, as TAP comments.
show_plan() {
	plan_q "$TMP/plan.json" summary 2>&1 | head -n 30 | sed 's/^/#   /'
	[ -s "$ERR" ] && head -n 5 "$ERR" | sed 's/^/#   stderr: /'
	return 0
}

# snapshot_all: every project's containers, for "nothing changed".
snapshot_all() {
	for u in $UNITS; do
		project_snapshot "$P-$u"
	done
}

# unchanged: snapshot_all is still $before (else the diff).
unchanged() {
	local now
	now=$(snapshot_all)
	[ "$before" = "$now" ] && return 0
	diff <(echo "$before") <(echo "$now") | head -n 10 | sed 's/^/#   /'
	return 1
}

# --- apply, then plan: in sync, key by key -------------------------------
run_mooring check-config -c "$cfg"
check_last "check-config accepts the config, units and compose files" test "$RC" -eq 0

run_mooring apply -c "$cfg"
check_last "apply of $(wc -l <"$keys") keys in 5 units (+2) exits 0" test "$RC" -eq 0
apply_ms=$MS
echo "# first apply: ${apply_ms} ms"

state_written() {
	for u in $UNITS; do
		[ -s "$TMP/state/state/$u.json" ] || return 1
	done
}
check "state/<unit>.json written for every applied unit" state_written ||
	find "$TMP/state" -maxdepth 2 | sed 's/^/#   /'

# Containers with a healthcheck need a moment before "healthy"; plan must
# not call "starting" drift either, so no wait here.
plan_json
plan_rc=$RC
if [ "$plan_rc" -eq 0 ]; then
	say_ok "plan right after apply exits 0 (in sync)"
else
	say_not_ok "plan right after apply exits 0 (in sync)"
	echo "#   exit status $plan_rc"
	show_plan
fi
check_last "plan --format json prints one JSON document" json_valid "$TMP/plan.json"
expect_json "plan json has generated_at, commit and units (DESIGN 4.5)" \
	'"generated_at" in d and "commit" in d and isinstance(d["units"], list)'
for u in $UNITS; do
	st=$(plan_q "$TMP/plan.json" status "$u" 2>&1)
	check "unit $u is in_sync right after apply" test "$st" = in_sync ||
		echo "#   status: $st"
done

while IFS='|' read -r key unit svcs expr; do
	if [ "$key" = privileged ] && ! docker_privileged_ok; then
		say_skip "apply honoured: $key" "$docker_privileged_why"
		say_skip "no drift right after apply: $key" "$docker_privileged_why"
		continue
	fi
	honoured=1
	clean=1
	why=
	for s in $svcs; do
		id=$(svc_ids "$P-$unit" "$s" | head -n 1)
		if [ -z "$id" ]; then
			honoured=0
			why="$why no container for $s;"
		elif ! inspect_true "$id" "$expr"; then
			honoured=0
			why="$why $s: daemon does not hold: $expr;"
		fi
		if ! bad=$(plan_q "$TMP/plan.json" svc_clean "$unit" "$s" 2>&1); then
			clean=0
			why="$why plan names $s: $(echo "$bad" | tr '\n' ';')"
		fi
	done
	if [ "$honoured" = 1 ]; then
		say_ok "apply honoured: $key"
	else
		say_not_ok "apply honoured: $key"
		echo "#  $why"
	fi
	if [ "$clean" = 1 ]; then
		say_ok "no drift right after apply: $key"
	else
		say_not_ok "no drift right after apply: $key"
		echo "#  $why"
	fi
done <"$keys"

# Once the healthchecks have run (healthy containers), still in sync.
sleep 2
plan_json
check "plan exits 0 once healthchecks have run" test "$RC" -eq 0 || show_plan

run_mooring plan -c "$cfg"
check_last "plan (text) exits 0 too" test "$RC" -eq 0
check_last "plan (text) prints a table naming the units" grep -q basic "$OUT"

# --- the compose CLI sees our containers -----------------------------------
ours=$(project_ids "$P-small" | sort)
theirs=$(cd "$repo/stacks/small" && docker-compose -p "$P-small" -f compose.yaml ps -q 2>"$TMP/dc.err" | sort)
check "docker-compose -p $P-small ps lists the containers mooring created" \
	test -n "$ours" -a "$ours" = "$(for i in $theirs; do docker inspect -f '{{.Id}}' "$i"; done | sort)" || {
	echo "#   ours: $(echo $ours)"
	echo "#   docker-compose ps -q: $(echo $theirs) $(head -c 300 "$TMP/dc.err")"
}
check "our containers carry the labels of DESIGN 4.3" inspect_true "$(svc_ids "$P-small" web)" \
	'all(k in cfg["Labels"] for k in ("com.docker.compose.project", "com.docker.compose.service", "com.docker.compose.container-number", "com.docker.compose.oneoff", "com.docker.compose.config-hash", "io.mooring.unit", "io.mooring.spec-hash")) and cfg["Labels"]["io.mooring.unit"] == "small" and cfg["Labels"]["com.docker.compose.oneoff"] == "False" and cfg["Labels"]["com.docker.compose.config-hash"] != ""'

# --- a second apply does nothing -------------------------------------------
before=$(snapshot_all)
run_mooring apply -c "$cfg"
check_last "second apply exits 0" test "$RC" -eq 0
check "second apply creates, removes and restarts nothing" unchanged
check_last "second apply says there is nothing to do" \
	grep -qi 'nothing to do' "$OUT" "$ERR"
run_mooring apply -c "$cfg" --dry-run
check_last "apply --dry-run exits 0 with nothing to do" test "$RC" -eq 0

# --- --force-recreate --------------------------------------------------------
before=$(project_snapshot "$P-small")
other_before=$(project_snapshot "$P-small2")
run_mooring apply -c "$cfg" --unit small --force-recreate
check_last "apply --unit small --force-recreate exits 0" test "$RC" -eq 0
after=$(project_snapshot "$P-small")
check "--force-recreate gives every service of the unit a new container" \
	python3 - "$before" "$after" <<'EOF' || { echo "#   before: $before"; echo "#   after: $after"; }
import sys
b = {l.split()[0]: l.split()[1] for l in sys.argv[1].splitlines()}
a = {l.split()[0]: l.split()[1] for l in sys.argv[2].splitlines()}
sys.exit(0 if b and set(a) == set(b) and all(a[s] != b[s] for s in b) else 1)
EOF
check "--force-recreate leaves the running count as it was" \
	test "$(echo "$after" | grep -c ' true$')" = "$(echo "$before" | grep -c ' true$')"
small2_same() {
	[ "$(project_snapshot "$P-small2")" = "$other_before" ]
}
check "--unit small leaves the other units alone" small2_same
plan_json
check "plan exits 0 after --force-recreate" test "$RC" -eq 0 || show_plan

# --- orphans and a container that is not ours ------------------------------
docker run -d --name "$unmanaged" --label "com.docker.compose.project=$P-small" \
	--label com.docker.compose.service=stray "$IMG" sleep 86400 >/dev/null 2>&1
check "a container with only the compose project label is there" test -n "$(docker ps -q --filter "name=^/$unmanaged\$")"
worker=$(svc_ids "$P-small" worker)
web=$(svc_ids "$P-small" web)
small_compose hello ""
run_mooring apply -c "$cfg" --unit small
check_last "apply without --remove-orphans exits 0" test "$RC" -eq 0
check "apply without --remove-orphans keeps the dropped service's container" \
	test -n "$worker" -a "$(svc_ids "$P-small" worker)" = "$worker"
run_mooring apply -c "$cfg" --unit small --remove-orphans
check_last "apply --remove-orphans exits 0" test "$RC" -eq 0
check "--remove-orphans removes the container of the dropped service" \
	test -z "$(svc_ids "$P-small" worker)"
check "--remove-orphans never removes a container without our unit label" \
	test -n "$(docker ps -aq --filter "name=^/$unmanaged\$")"
check "--remove-orphans leaves the desired service alone" test "$(svc_ids "$P-small" web)" = "$web"
docker rm -f "$unmanaged" >/dev/null 2>&1
plan_json --unit small
check "plan --unit small exits 0 once the stranger is gone" test "$RC" -eq 0 || show_plan

# --- nothing changes when an image is missing ------------------------------
before=$(snapshot_all)
small_compose changed ""
small2_compose mem_limit '  ghost:
    image: mooring-example/missing:'$$'
    command: '"$RUN"
run_mooring apply -c "$cfg"
check_last "apply with a missing image exits 1" test "$RC" -eq 1
check_last "the error names the missing image" grep -q "mooring-example/missing:$$" "$ERR"
check "apply with a missing image changes nothing, in any unit" unchanged
check "the service with the missing image got no container" test -z "$(svc_ids "$P-small2" ghost)"
run_mooring apply -c "$cfg" --unit small2 --dry-run
check_last "apply --dry-run with a missing image exits 1" test "$RC" -eq 1

# --- nothing changes when a unit does not render ----------------------------
small2_compose mem_limitt
run_mooring apply -c "$cfg"
check_last "apply with a render error exits 1" test "$RC" -eq 1
check_last "the error names the file and the unknown key" grep -Eq "stacks/small2/compose.yaml:[0-9]+:[0-9]+: .*mem_limitt" "$ERR"
check "apply with a render error changes nothing, in any unit" unchanged
plan_json
check "plan with a render error exits 1 or 2" test "$RC" -eq 1 -o "$RC" -eq 2
check "plan reports the unit that does not render as error" test "$(plan_q "$TMP/plan.json" status small2 2>&1)" = error

# --- fixed, it converges ----------------------------------------------------
small2_compose
run_mooring apply -c "$cfg"
check_last "apply after the fix exits 0" test "$RC" -eq 0
check "the changed environment reached the container" \
	inspect_true "$(svc_ids "$P-small" web)" '"GREETING=changed" in cfg["Env"]'
plan_json
check "plan after the fix exits 0" test "$RC" -eq 0 || show_plan

finish
