#!/bin/sh
# Run every test/integration/t*.sh in order and print one summary line,
# "integration: N passed, M failed", counting the "ok"/"not ok" lines the
# scripts print (lib.sh). A script that dies without reporting a failure
# still counts as one. Exit status: non-zero on any failure.
#
#   MOORING=/path/to/mooring sh test/integration/run.sh [t0200 ...]
#
# Arguments, when given, select scripts whose names start with them.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MOORING=${MOORING:-$root/mooring}
export MOORING

work=$(mktemp -d "${TMPDIR:-/tmp}/mooring-integration.XXXXXX") || exit 1
# The t1* scripts need a Docker daemon: docker_ensure (docker.sh) starts
# one before the first of them when none answers, and it is stopped at the
# end. When none can be had, they fail (never skip) with the reason.
# shellcheck source=test/integration/docker.sh
. "$here/docker.sh"
DOCKERD_LOG=${DOCKERD_LOG:-$work/dockerd.log}
docker_checked=0
trap 'docker_stop_started; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

selected() {
	[ $# -eq 1 ] && return 0
	name=$1
	shift
	for p in "$@"; do
		case $name in "$p"*) return 0 ;; esac
	done
	return 1
}

passed=0
failed=0
skipped=0
scripts=0
for t in "$here"/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t")
	selected "$name" "$@" || continue
	scripts=$((scripts + 1))
	case $name in
	t1*)
		if [ "$docker_checked" = 0 ]; then
			docker_checked=1
			if ! docker_ensure; then
				MOORING_DOCKER_ERROR=$docker_error
				export MOORING_DOCKER_ERROR
				echo "# docker: $docker_error"
			elif [ -n "$docker_started_pid" ]; then
				echo "# docker: started dockerd (pid $docker_started_pid), stopped at the end"
			fi
		fi
		;;
	esac
	echo "# $name"
	log=$work/$name.log
	# Stream the script's output while keeping it for counting.
	{
		(cd "$root" && bash "$t") 2>&1
		echo $? >"$work/$name.rc"
	} | tee "$log"
	rc=$(cat "$work/$name.rc" 2>/dev/null || echo 1)
	p=$(grep -c '^ok [0-9]* - ' "$log")
	s=$(grep -c '^ok [0-9]* # skip' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		f=1
	fi
	if [ "$rc" -eq 0 ] && [ $((p + s + f)) -eq 0 ]; then
		echo "not ok - $name ran no check"
		f=1
	fi
	passed=$((passed + p))
	skipped=$((skipped + s))
	failed=$((failed + f))
done

if [ "$scripts" -eq 0 ]; then
	echo "not ok - no integration script matched"
	failed=$((failed + 1))
fi
[ "$skipped" -gt 0 ] && echo "# $skipped skipped"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
