# shellcheck shell=sh
# docker.sh - helpers for the scripts that run against a real Docker daemon
# (test/integration/t1*.sh, test/bench/plan-apply.sh).
#
# Sourced, never run; POSIX sh, so run.sh (sh) and the t* scripts (bash)
# can both use it. Needs $root (the repository root).
#
#   docker_ensure            a daemon answers on $DOCKER_SOCK (starting one
#                            when none does) and the test images exist;
#                            on failure $docker_error says why
#   docker_stop_started      stop the daemon docker_ensure started, if any
#   docker_cleanup_project P remove the containers, networks and volumes
#                            labelled com.docker.compose.project=P
#   docker_ping              the daemon answers
#
# Images: $IMG (mooring-example/busybox:1, examples/image/build.sh) and
# $IMG_ALT (mooring-example/busybox:alt: the same plus a label, so another
# image id, for image drift). Neither is ever pulled: no registry here.

: "${root:?docker.sh needs \$root, the repository root}"
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
IMG=mooring-example/busybox:1
IMG_ALT=mooring-example/busybox:alt
# DOCKERD_ARGS: extra dockerd arguments (a second daemon for testing this
# file needs -H, --pidfile, --data-root, --exec-root of its own, and never
# --bridge=none: a daemon started so deletes docker0, the first one's).
DOCKERD_PIDFILE=${DOCKERD_PIDFILE:-/var/run/docker.pid}
# The pid of the dockerd this shell started ("" when it found one running).
docker_started_pid=
docker_error=

docker_ping() {
	[ "$(curl -s -m 5 --unix-socket "$DOCKER_SOCK" http://localhost/_ping 2>/dev/null)" = OK ]
}

# docker_wait_ping SECONDS [PID]: poll _ping; give up early when PID dies.
docker_wait_ping() {
	_dw_left=$(($1 * 5))
	while [ "$_dw_left" -gt 0 ]; do
		docker_ping && return 0
		if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		sleep 0.2
		_dw_left=$((_dw_left - 1))
	done
	docker_ping
}

# docker_start: start dockerd in its own session, its output in a log.
docker_start() {
	_ds_log=${DOCKERD_LOG:-${TMPDIR:-/tmp}/mooring-dockerd.log}
	if ! command -v dockerd >/dev/null 2>&1; then
		docker_error="no daemon answers on '$DOCKER_SOCK' and dockerd is not installed (make deps installs docker.io)"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		docker_error="no daemon answers on '$DOCKER_SOCK' and starting dockerd needs root (uid $(id -u))"
		return 1
	fi
	# A pidfile left by a daemon that died would stop the new one.
	if [ -f "$DOCKERD_PIDFILE" ] && ! kill -0 "$(cat "$DOCKERD_PIDFILE" 2>/dev/null)" 2>/dev/null; then
		rm -f "$DOCKERD_PIDFILE"
	fi
	# shellcheck disable=SC2086
	setsid dockerd ${DOCKERD_ARGS:-} >"$_ds_log" 2>&1 </dev/null &
	_ds_pid=$!
	if ! docker_wait_ping 30 "$_ds_pid"; then
		_ds_why="did not answer within 30 s"
		kill -0 "$_ds_pid" 2>/dev/null || _ds_why="exited at once"
		docker_error="nothing answers on '$DOCKER_SOCK' and the dockerd started for the tests $_ds_why; its log ($_ds_log) ends: $(tail -n 3 "$_ds_log" 2>/dev/null | tr '\n' ' ')"
		kill "$_ds_pid" 2>/dev/null
		return 1
	fi
	# setsid may have forked: the daemon's own pid is in its pidfile.
	docker_started_pid=$(cat "$DOCKERD_PIDFILE" 2>/dev/null || echo "$_ds_pid")
	return 0
}

# docker_stop_started: stop the daemon this shell started, and wait for it
# to be gone (it stops its containerd on the way out).
docker_stop_started() {
	[ -n "$docker_started_pid" ] || return 0
	kill "$docker_started_pid" 2>/dev/null
	_dss_left=150
	while kill -0 "$docker_started_pid" 2>/dev/null && [ "$_dss_left" -gt 0 ]; do
		sleep 0.2
		_dss_left=$((_dss_left - 1))
	done
	wait "$docker_started_pid" 2>/dev/null
	docker_started_pid=
	return 0
}

docker_have_image() {
	docker image inspect "$1" >/dev/null 2>&1
}

# docker_build_images: $IMG from the recipe in examples/, $IMG_ALT from
# $IMG plus a label (FROM a local image: nothing is pulled).
docker_build_images() {
	if ! docker_have_image "$IMG"; then
		if ! _dbi_out=$(sh "$root/examples/image/build.sh" "$IMG" 2>&1); then
			docker_error="cannot build $IMG: $(echo "$_dbi_out" | tail -n 2 | tr '\n' ' ')"
			return 1
		fi
	fi
	if ! docker_have_image "$IMG_ALT"; then
		if ! _dbi_out=$(printf 'FROM %s\nLABEL io.mooring.test.variant=alt\n' "$IMG" |
			docker build -q -t "$IMG_ALT" - 2>&1); then
			docker_error="cannot build $IMG_ALT: $(echo "$_dbi_out" | tail -n 2 | tr '\n' ' ')"
			return 1
		fi
	fi
	return 0
}

# docker_ensure: a daemon answers and the test images exist.
docker_ensure() {
	docker_error=
	if ! command -v curl >/dev/null 2>&1; then
		docker_error="curl is not installed (make deps installs it)"
		return 1
	fi
	if ! docker_ping; then
		docker_start || return 1
	fi
	if ! command -v docker >/dev/null 2>&1; then
		docker_error="the docker CLI is not installed (make deps installs docker.io)"
		return 1
	fi
	docker_build_images
}

# docker_cleanup_project NAME: remove (force) everything of the compose
# project NAME: containers with their anonymous volumes, then networks and
# named volumes carrying the project label. Never fails.
docker_cleanup_project() {
	_dcp_f="label=com.docker.compose.project=$1"
	_dcp_ids=$(docker ps -aq --filter "$_dcp_f" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$_dcp_ids" ] && docker rm -f -v $_dcp_ids >/dev/null 2>&1
	# An endpoint may outlive its container for a moment: try again.
	for _dcp_try in 1 2 3; do
		_dcp_ids=$(docker network ls -q --filter "$_dcp_f" 2>/dev/null)
		[ -n "$_dcp_ids" ] || break
		[ "$_dcp_try" = 1 ] || sleep 1
		# shellcheck disable=SC2086
		docker network rm $_dcp_ids >/dev/null 2>&1 && break
	done
	_dcp_ids=$(docker volume ls -q --filter "$_dcp_f" 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$_dcp_ids" ] && docker volume rm -f $_dcp_ids >/dev/null 2>&1
	return 0
}

# docker_require: for the t1* scripts (after lib.sh): a daemon answers and
# the images exist, or one failed check says why and the script ends.
# Integration tests against the real daemon are part of `make test`: no
# daemon is a failure, never a skip. run.sh tries once for all scripts and
# passes its verdict in MOORING_DOCKER_ERROR.
docker_require() {
	if [ -z "${MOORING_DOCKER_ERROR:-}" ] && docker_ensure; then
		return 0
	fi
	say_not_ok "a docker daemon answers on '$DOCKER_SOCK' with the test images"
	echo "#   ${MOORING_DOCKER_ERROR:-$docker_error}"
	finish
}

# --- looking at a project --------------------------------------------------

# project_ids P: ids of every container of compose project P.
project_ids() {
	docker ps -aq --no-trunc --filter "label=com.docker.compose.project=$1" 2>/dev/null
}

# svc_ids P S: ids of the containers of service S of project P.
svc_ids() {
	docker ps -aq --no-trunc --filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=$2" 2>/dev/null
}

# project_snapshot P: one sorted line per container, "service id started
# running" (equal snapshots: nothing was created, removed or restarted).
project_snapshot() {
	_ps_ids=$(project_ids "$1")
	[ -n "$_ps_ids" ] || return 0
	# shellcheck disable=SC2086
	docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.Id}} {{.State.StartedAt}} {{.State.Running}}' \
		$_ps_ids 2>/dev/null | sort
}

# inspect_true ID EXPR: the Python expression EXPR is true of `docker
# inspect ID`, bound to c (HostConfig as h, Config as cfg). A missing key
# counts as false. On false, prints what the fields named in EXPR hold.
inspect_true() {
	docker inspect "$1" 2>/dev/null | python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
h, cfg = c.get("HostConfig") or {}, c.get("Config") or {}
try:
    ok = eval(sys.argv[1])
except (KeyError, IndexError, TypeError, AttributeError):
    ok = False
if not ok:
    sys.exit(1)
' "$2"
}

# --- reading `mooring plan --format json` (DESIGN 4.5) ---------------------
#
# plan_q FILE OP ARG...: questions about a plan document; exit 0 = yes.
#   status UNIT              print the unit's status
#   paths UNIT [SVC]         print every path of its actions and findings
#   has_path UNIT PATH       some action or finding change names PATH (or a
#                            path below it)
#   svc_clean UNIT SVC       no action, no finding and no path concerns SVC
#                            (prints what does)
#   has_action UNIT SVC KIND [REASON...]   an action KIND for SVC (with one
#                            of the reasons, when given)
#   has_finding UNIT CLASS [SVC]            a finding of CLASS (about SVC)
#   summary                  one line per unit: status, actions, findings
#   empty                    every unit in_sync, no action, no finding
plan_q() {
	python3 - "$@" <<'PYEOF'
import json, sys
f, op, args = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    d = json.load(open(f, encoding="utf-8"))
except Exception as e:
    print("plan output is not JSON: %s" % e)
    sys.exit(1)
def unit(name):
    for u in d.get("units") or []:
        if u.get("unit") == name:
            return u
    print("no unit %r in the plan (units: %s)" % (name, [u.get("unit") for u in d.get("units") or []]))
    sys.exit(1)
def fpaths(fi):
    return [c.get("path") for c in fi.get("changes") or [] if isinstance(c, dict)]
def items(u):
    for a in u.get("actions") or []:
        yield "action", a.get("service"), list(a.get("paths") or []), a
    for fi in u.get("findings") or []:
        yield "finding", fi.get("service"), fpaths(fi), fi
def brief(kind, obj):
    if kind == "action":
        return "action %s %s (%s) %s" % (obj.get("service"), obj.get("action"), obj.get("reason"), obj.get("paths"))
    return "finding %s class=%s paths=%s" % (obj.get("service"), obj.get("class"), fpaths(obj))
def under(p, want):
    return isinstance(p, str) and (p == want or p.startswith(want + "/"))
if op == "status":
    print(unit(args[0]).get("status")); sys.exit(0)
if op == "paths":
    u = unit(args[0])
    for kind, svc, ps, obj in items(u):
        if len(args) < 2 or svc == args[1] or any(under(p, "/services/" + args[1]) for p in ps):
            for p in ps:
                print(p)
    sys.exit(0)
if op == "has_path":
    u = unit(args[0])
    sys.exit(0 if any(under(p, args[1]) for _, _, ps, _ in items(u) for p in ps) else 1)
if op == "svc_clean":
    u, s = unit(args[0]), args[1]
    bad = [brief(k, o) for k, svc, ps, o in items(u)
           if svc == s or any(under(p, "/services/" + s) for p in ps)]
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)
if op == "has_action":
    u, s, kind, reasons = unit(args[0]), args[1], args[2], args[3:]
    sys.exit(0 if any(a.get("service") == s and a.get("action") == kind and
                      (not reasons or a.get("reason") in reasons)
                      for a in u.get("actions") or []) else 1)
if op == "has_finding":
    u, cls = unit(args[0]), args[1]
    sys.exit(0 if any(fi.get("class") == cls and (len(args) < 3 or fi.get("service") == args[2])
                      for fi in u.get("findings") or []) else 1)
if op == "summary":
    for u in d.get("units") or []:
        print("%s: %s%s" % (u.get("unit"), u.get("status"),
              (" (%s)" % u.get("error")) if u.get("error") else ""))
        for k, _, _, o in items(u):
            print("  " + brief(k, o)[:300])
    sys.exit(0)
if op == "empty":
    ok = bool(d.get("units"))
    for u in d.get("units") or []:
        ok = ok and u.get("status") == "in_sync" and not u.get("actions") and not u.get("findings")
    sys.exit(0 if ok else 1)
print("plan_q: unknown op %r" % op)
sys.exit(2)
PYEOF
}

# --- a scratch infra repo and config ---------------------------------------

# write_config FILE REPO_DIR STATE_DIR: a mooring.yaml (DESIGN 4.2) on a
# plain-directory repository and the default socket.
write_config() {
	cat >"$1" <<CFGEOF
repository:
  url: $2
state_dir: $3
docker_socket: $DOCKER_SOCK
CFGEOF
}

# free_ports N: N TCP ports free on this host now (the kernel's choice).
free_ports() {
	python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("0.0.0.0", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

# docker_privileged_ok: this host can run a privileged container (in a
# sandbox whose bounding set lacks a capability, runc refuses: "unable to
# apply caps"). Sets $docker_privileged_why when not. Asked once.
docker_privileged_state=
docker_privileged_why=
docker_privileged_ok() {
	if [ -z "$docker_privileged_state" ]; then
		if _dpo_out=$(docker run --rm --network none --privileged "$IMG" true 2>&1); then
			docker_privileged_state=yes
		else
			docker_privileged_state=no
			docker_privileged_why="this host cannot run privileged containers: $(echo "$_dpo_out" | grep -o 'unable to [^:]*: [^:]*' | head -n 1)"
			[ -n "$docker_privileged_why" ] || docker_privileged_why="this host cannot run privileged containers"
		fi
	fi
	[ "$docker_privileged_state" = yes ]
}
