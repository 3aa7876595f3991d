#!/bin/sh
# A local git remote for the demo: a bare repository seeded from
# examples/infra, served by `git daemon` on 127.0.0.1, so that `mooring run`
# follows a real remote and a push is a deploy.
#
#   examples/git-remote.sh [start] [PORT]   seed (once) and serve; prints the
#                                           daemon's pid on stdout
#   examples/git-remote.sh stop             stop the daemon started here
#   examples/git-remote.sh url              print the repository's URL
#
# Files, under $GIT_REMOTE_DIR (default build/demo):
#   remote.git/        the bare repository (branch main), served as
#                      git://127.0.0.1:PORT/remote.git
#   work/              a clone to edit and push from:
#                        cd build/demo/work && ... && git commit -am x && git push
#   git-daemon.pid     the daemon's pid, git-daemon.port its port
#
# Only remote.git is served (not the rest of build/demo, where the demo
# keeps mooring's state dir and its clone).
#
# Idempotent: an existing repository is kept as it is (with the commits
# pushed since), a daemon already serving on the same port is left running
# and its pid printed again. PORT defaults to 9418 (git's own).
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)
dir=${GIT_REMOTE_DIR:-$root/build/demo}
bare=$dir/remote.git
work=$dir/work
pidfile=$dir/git-daemon.pid
portfile=$dir/git-daemon.port

say() {
	echo "git-remote: $*" >&2
}

die() {
	say "$*"
	exit 1
}

# Commits are made with a fixed identity and never signed, whatever the
# user's git config says.
gitw() {
	git -C "$work" -c user.name="mooring demo" -c user.email=demo@mooring.invalid \
		-c commit.gpgsign=false "$@"
}

# running_pid: the pid in the pid file, when that process is our git daemon.
running_pid() {
	[ -s "$pidfile" ] || return 1
	_pid=$(cat "$pidfile")
	case $_pid in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$_pid" 2>/dev/null || return 1
	# A pid may be reused by another process: check what it runs.
	tr '\0' ' ' <"/proc/$_pid/cmdline" 2>/dev/null | grep -q 'daemon' || return 1
	grep -qF -- "$dir" "/proc/$_pid/cmdline" 2>/dev/null || return 1
	echo "$_pid"
}

port_answers() {
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5)' "$1" \
		2>/dev/null
}

seed() {
	if git -C "$bare" rev-parse -q --verify refs/heads/main >/dev/null 2>&1; then
		return 0
	fi
	[ -d "$root/examples/infra/mooring" ] || die "no example repository at '$root/examples/infra'"
	command -v git >/dev/null 2>&1 || die "git is not installed"
	mkdir -p "$dir"
	rm -rf "$bare" "$work"
	git init -q --bare -b main "$bare"
	git init -q -b main "$work"
	cp -R "$root/examples/infra/." "$work/"
	gitw add -A
	gitw commit -q -m "Example infra repository (examples/infra)"
	gitw remote add origin "$bare"
	gitw push -q origin main
	gitw branch -q --set-upstream-to=origin/main main
	say "seeded $bare from examples/infra ($(gitw rev-parse --short HEAD))"
}

stop() {
	if _pid=$(running_pid); then
		kill "$_pid"
		_n=50
		while kill -0 "$_pid" 2>/dev/null && [ "$_n" -gt 0 ]; do
			sleep 0.1
			_n=$((_n - 1))
		done
		say "stopped git daemon (pid $_pid)"
	else
		say "no git daemon of ours is running"
	fi
	rm -f "$pidfile" "$portfile"
}

start() {
	port=${1:-9418}
	case $port in '' | *[!0-9]*) die "'$port' is not a port number" ;; esac
	seed
	if _pid=$(running_pid); then
		if [ "$(cat "$portfile" 2>/dev/null)" = "$port" ]; then
			say "git daemon already serving git://127.0.0.1:$port/remote.git"
			echo "$_pid"
			return 0
		fi
		stop
	fi
	rm -f "$pidfile"
	port_answers "$port" && die "something else listens on 127.0.0.1:$port: give another port"
	git daemon --detach --pid-file="$pidfile" --reuseaddr --export-all \
		--base-path="$dir" --listen=127.0.0.1 --port="$port" "$bare" ||
		die "git daemon did not start"
	_n=50
	while ! port_answers "$port"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || die "git daemon does not answer on 127.0.0.1:$port"
		sleep 0.1
	done
	echo "$port" >"$portfile"
	_pid=$(running_pid) || die "git daemon started but its pid file is missing"
	say "serving git://127.0.0.1:$port/remote.git (pid $_pid); push from $work"
	echo "$_pid"
}

case ${1:-start} in
start)
	shift $(($# > 0 ? 1 : 0))
	start "$@"
	;;
stop) stop ;;
url) echo "git://127.0.0.1:$(cat "$portfile" 2>/dev/null || echo 9418)/remote.git" ;;
[0-9]*) start "$1" ;;
*)
	echo "usage: examples/git-remote.sh [start] [PORT] | stop | url" >&2
	exit 2
	;;
esac
