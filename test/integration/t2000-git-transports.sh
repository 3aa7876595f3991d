#!/bin/bash
# t2000: the git source (controller/source_git*.c) against real servers
# started here, on 127.0.0.1 and free ports: git daemon (git://), git
# http-backend behind lighttpd with basic auth over https with a private
# CA, sshd with a key and a pinned host key, and plain paths. Driven
# through build/tools/git-fetch (test/tools/git-fetch.c), which opens the
# source, fetches and prints the commit and one file.
#
# Every server is stopped and $TMP removed on exit, whatever happens.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"

GIT_FETCH=${GIT_FETCH:-$root/build/tools/git-fetch}
server_pids=""

cleanup() {
	local p
	for p in $server_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $server_pids; do
		# Wait (bounded) so that nothing writes into $TMP after it goes.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -x "$GIT_FETCH" ]; then
	make -s -C "$root" build/tools/git-fetch >"$TMP/.make" 2>&1
fi
if [ ! -x "$GIT_FETCH" ]; then
	say_not_ok "git-fetch test tool builds"
	sed 's/^/#   /' "$TMP/.make" | tail -n 20
	finish
fi

# free_port: a TCP port nothing listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts on it (5 s at most).
wait_port() {
	local i
	for i in $(seq 50); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2)' "$1" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# fetch ARG...: run the tool with a fresh --cache-dir unless one is given.
fetch() {
	run_cmd "$GIT_FETCH" "$@"
}

# The commit id the tool printed.
printed_commit() {
	sed -n 's/^commit //p' "$OUT"
}

# --- the repository served by all transports ------------------------------
srv=$TMP/srv
work=$TMP/work
mkdir -p "$srv" "$TMP/state"
export GIT_CONFIG_NOSYSTEM=1 HOME=$TMP
git init -q --bare -b main "$srv/infra.git"
git clone -q "$srv/infra.git" "$work" 2>/dev/null
gitw() {
	git -C "$work" -c user.name=t -c user.email=t@example.com "$@"
}
gitw checkout -q -b main 2>/dev/null
commit_push() {
	printf '%s' "$2" >"$work/$1"
	gitw add -A && gitw commit -qm "set $1" && gitw push -q origin main 2>/dev/null
}
commit_push compose.yaml v1
remote_tip() {
	git -C "$srv/infra.git" rev-parse main
}
not_grep_r() {
	! grep -rqF -- "$1" "$2"
}

# --- plain paths -----------------------------------------------------------
fetch --url "$srv/infra.git" --cache-dir "$TMP/state/path" --read compose.yaml
check_last "plain path: clone and read" grep -qx v1 "$OUT"
fetch --url "file://$srv/infra.git" --cache-dir "$TMP/state/fileurl" --read compose.yaml
check_last "file:// URL: commit is the branch tip" test "$(printed_commit)" = "$(remote_tip)"

# --- git daemon ------------------------------------------------------------
gport=$(free_port)
git daemon --export-all --base-path="$srv" --listen=127.0.0.1 --port="$gport" \
	--reuseaddr "$srv" >"$TMP/git-daemon.log" 2>&1 &
gpid=$!
server_pids="$server_pids $gpid"
if wait_port "$gport"; then
	gurl=git://127.0.0.1:$gport/infra.git
	gcache=$TMP/state/gitd/repo
	fetch --url "$gurl" --cache-dir "$gcache" --read compose.yaml
	check_last "git://: clone, resolve and read" \
		test "$RC" -eq 0 -a "$(printed_commit)" = "$(remote_tip)"
	check_last "git://: file read from the resolved commit" grep -qx v1 "$OUT"
	commit_push compose.yaml v2
	fetch --url "$gurl" --cache-dir "$gcache" --read compose.yaml
	check_last "git://: a new push is fetched and seen as a change" \
		grep -qx 'changed 1' "$OUT"
	check_last "git://: the new content is read" grep -qx v2 "$OUT"
	du_before=$(du -sk "$gcache" | cut -f1)
	fetch --url "$gurl" --cache-dir "$gcache" --fetches 200
	du_after=$(du -sk "$gcache" | cut -f1)
	check_last "git://: 200 fetches succeed" test "$RC" -eq 0
	check "git://: disk use flat over 200 fetches ($du_before KiB -> $du_after KiB)" \
		test "$du_after" -le "$du_before"
	check "git://: no temporary directory left" \
		test -z "$(find "$TMP/state/gitd" -maxdepth 1 -name '*.tmp-*')"
	gcommit=$(remote_tip)
	# The remote goes away: an error, and the clone is kept.
	kill "$gpid" 2>/dev/null
	sleep 0.3
	fetch --url "$gurl" --cache-dir "$gcache"
	check_last "git://: unreachable remote is an error" \
		grep -q "^git-fetch: cannot fetch 'git://127.0.0.1:$gport/infra.git'" "$ERR"
	fetch --url "$gurl" --cache-dir "$gcache" --no-fetch --read compose.yaml
	check_last "git://: the clone still serves the last commit" \
		test "$RC" -eq 0 -a "$(printed_commit)" = "$gcommit"
else
	say_not_ok "git daemon listens on 127.0.0.1:$gport"
	sed 's/^/#   /' "$TMP/git-daemon.log"
fi

# --- a server that accepts and never answers --------------------------------
# libgit2 has no timeout of its own: the fetch runs in a child that is
# killed at repository.fetch_timeout (here --fetch-timeout). The stalling
# server takes the git daemon's port, so the clone above now fetches
# from it.
python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    held.append(s.accept())
' "$gport" >"$TMP/stall.log" 2>&1 &
server_pids="$server_pids $!"
if wait_port "$gport"; then
	for scheme in git http; do
		t0=$(now_ms)
		fetch --url "$scheme://127.0.0.1:$gport/infra.git" \
			--cache-dir "$TMP/state/stall-$scheme/repo" --fetch-timeout 1000
		t=$(($(now_ms) - t0))
		check_last "$scheme:// server that never answers: a clone fails after the timeout ($t ms)" \
			eval "test $RC -eq 1 -a $t -ge 1000 -a $t -lt 5000 && grep -q 'no answer within 1 s (repository.fetch_timeout)' '$ERR'"
	done
	check "a timed-out clone leaves no directory behind" \
		test -z "$(find "$TMP/state/stall-git" "$TMP/state/stall-http" -mindepth 1 2>/dev/null)"
	t0=$(now_ms)
	fetch --url "$gurl" --cache-dir "$gcache" --fetch-timeout 1000
	t=$(($(now_ms) - t0))
	check_last "git://: a fetch from a server that never answers times out ($t ms)" \
		eval "test $RC -eq 1 -a $t -lt 5000 && grep -q 'no answer within 1 s' '$ERR'"
	fetch --url "$gurl" --cache-dir "$gcache" --no-fetch --read compose.yaml
	check_last "git://: after the timeout the clone still serves the last commit" \
		test "$RC" -eq 0 -a "$(printed_commit)" = "$gcommit"
	check "git://: the killed fetch left no lock and no temporary pack" \
		test -z "$(find "$gcache" -name '*.lock' ! -name mooring-fetch.lock -o -name 'pack_git2_*')"
else
	say_not_ok "stalling server listens on 127.0.0.1:$gport"
fi

# --- https: lighttpd + git http-backend, basic auth, private CA ------------
tls=$TMP/tls
mkdir -p "$tls"
make_ca() { # make_ca NAME: a CA key and certificate
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mooring test $1" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
		-keyout "$tls/$1.key" -out "$tls/$1.pem" 2>/dev/null
}
make_ca ca && make_ca otherca &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' \
		>"$tls/ext" &&
	openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
		-CAcreateserial -days 2 -extfile "$tls/ext" -out "$tls/server.pem" 2>/dev/null
check "https: a CA and a server certificate for IP 127.0.0.1" test -s "$tls/server.pem"

password='Tr0ub4dor-and-3-horse-staple'
printf '%s\n' "$password" >"$TMP/password"
printf 'wrong-password-17\n' >"$TMP/wrongpassword"
htpasswd -bc "$TMP/htpasswd" deploy "$password" >/dev/null 2>&1
hport=$(free_port)
mkdir -p "$TMP/www"
cat >"$TMP/lighttpd.conf" <<EOF
server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi", "mod_openssl")
server.document-root = "$TMP/www"
server.bind = "127.0.0.1"
server.port = $hport
server.errorlog = "$TMP/lighttpd.log"
ssl.engine = "enable"
ssl.pemfile = "$tls/server.pem"
ssl.privkey = "$tls/server.key"
auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = "$TMP/htpasswd"
auth.require = ("/git/" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))
alias.url = ("/git/" => "/usr/lib/git-core/git-http-backend/")
\$HTTP["url"] =~ "^/git/" {
	cgi.assign = ("" => "")
	setenv.set-environment = ("GIT_PROJECT_ROOT" => "$srv", "GIT_HTTP_EXPORT_ALL" => "1")
}
EOF
lighttpd -D -f "$TMP/lighttpd.conf" >"$TMP/lighttpd.out" 2>&1 &
server_pids="$server_pids $!"
if wait_port "$hport"; then
	hurl=https://127.0.0.1:$hport/git/infra.git
	hcache=$TMP/state/https/repo
	fetch --url "$hurl" --cache-dir "$hcache" --username deploy \
		--password-file "$TMP/password" --ca-file "$tls/ca.pem" --read compose.yaml
	check_last "https: right password and CA file: clone and read" \
		test "$RC" -eq 0 -a "$(printed_commit)" = "$(remote_tip)"
	fetch --url "$hurl" --cache-dir "$TMP/state/https-wrong/repo" --username deploy \
		--password-file "$TMP/wrongpassword" --ca-file "$tls/ca.pem"
	check_last "https: wrong password is refused" \
		grep -q "^git-fetch: cannot fetch '$hurl': authentication failed for user 'deploy'" "$ERR"
	check_last "https: the refusal quotes neither password" \
		not_grep "wrong-password-17|$password" "$ERR"
	check_last "https: nothing on stdout quotes a password either" \
		not_grep "wrong-password-17|$password" "$OUT"
	check "https: no temporary clone left after the refusal" \
		test -z "$(find "$TMP/state" -maxdepth 2 -name '*.tmp-*')"
	fetch --url "$hurl" --cache-dir "$TMP/state/https-nopw/repo" --username deploy \
		--ca-file "$tls/ca.pem"
	expect_stderr_match "https: no password_file: refused with the reason" \
		"asks for a password and no password_file is configured"
	fetch --url "$hurl" --cache-dir "$TMP/state/https-noca/repo" --username deploy \
		--password-file "$TMP/password"
	check_last "https: without the CA file the certificate is refused" \
		grep -Eq "^git-fetch: cannot fetch '$hurl': certificate of '127.0.0.1' is not trusted" "$ERR"
	fetch --url "$hurl" --cache-dir "$TMP/state/https-otherca/repo" --username deploy \
		--password-file "$TMP/password" --ca-file "$tls/otherca.pem"
	check_last "https: another CA does not vouch for it" \
		grep -q "is not trusted by ca_file" "$ERR"
	fetch --url "https://localhost:$hport/git/infra.git" --cache-dir "$TMP/state/https-name/repo" \
		--username deploy --password-file "$TMP/password" --ca-file "$tls/ca.pem"
	expect_stderr_match "https: a certificate for another name is refused" \
		"certificate of 'localhost' is not trusted by ca_file '$tls/ca.pem': hostname mismatch"
	check "https: the password is stored nowhere in the state dir" \
		not_grep_r "$password" "$TMP/state"
else
	say_not_ok "lighttpd listens on 127.0.0.1:$hport"
	sed 's/^/#   /' "$TMP/lighttpd.out" "$TMP/lighttpd.log" 2>/dev/null | head -n 20
fi

# --- ssh: sshd with its own host key, a client key, pinned known_hosts -----
ssh=$TMP/ssh
mkdir -p "$ssh" /run/sshd
ssh-keygen -q -t ed25519 -N '' -C host -f "$ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -C other-host -f "$ssh/other_host_key"
ssh-keygen -q -t ed25519 -N '' -C client -f "$ssh/client_key"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$ssh/stranger_key"
cp "$ssh/client_key.pub" "$ssh/authorized_keys"
sport=$(free_port)
user=$(id -un)
cat >"$ssh/sshd_config" <<EOF
Port $sport
ListenAddress 127.0.0.1
HostKey $ssh/host_key
PidFile $ssh/sshd.pid
AuthorizedKeysFile $ssh/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers $user
EOF
/usr/sbin/sshd -D -e -f "$ssh/sshd_config" >"$ssh/sshd.log" 2>&1 &
server_pids="$server_pids $!"
if wait_port "$sport"; then
	surl="ssh://$user@127.0.0.1:$sport$srv/infra.git"
	printf '[127.0.0.1]:%s %s\n' "$sport" "$(cut -d' ' -f1,2 "$ssh/host_key.pub")" \
		>"$ssh/known_hosts"
	printf '[127.0.0.1]:%s %s\n' "$sport" "$(cut -d' ' -f1,2 "$ssh/other_host_key.pub")" \
		>"$ssh/changed_known_hosts"
	printf '[127.0.0.1]:1 %s\nexample.com %s\n' \
		"$(cut -d' ' -f1,2 "$ssh/host_key.pub")" "$(cut -d' ' -f1,2 "$ssh/host_key.pub")" \
		>"$ssh/other_hosts"
	scache=$TMP/state/ssh/repo
	fetch --url "$surl" --cache-dir "$scache" --ssh-key-file "$ssh/client_key" \
		--known-hosts-file "$ssh/known_hosts" --read compose.yaml
	check_last "ssh: right key and pinned host key: clone and read" \
		test "$RC" -eq 0 -a "$(printed_commit)" = "$(remote_tip)"
	commit_push compose.yaml v3
	fetch --url "$surl" --cache-dir "$scache" --ssh-key-file "$ssh/client_key" \
		--known-hosts-file "$ssh/known_hosts" --read compose.yaml
	check_last "ssh: a new push is fetched" grep -qx v3 "$OUT"
	fetch --url "$surl" --cache-dir "$scache" --ssh-key-file "$ssh/client_key" \
		--known-hosts-file "$ssh/changed_known_hosts"
	check_last "ssh: a changed host key is refused" \
		grep -q "host key of '\[127.0.0.1\]:$sport' does not match known_hosts file '$ssh/changed_known_hosts' (offered SHA256:" "$ERR"
	fp=$(ssh-keygen -lf "$ssh/host_key.pub" | cut -d' ' -f2)
	check_last "ssh: the refusal names the offered key's fingerprint" \
		grep -qF "$fp" "$ERR"
	fetch --url "$surl" --cache-dir "$scache" --ssh-key-file "$ssh/client_key" \
		--known-hosts-file "$ssh/other_hosts"
	expect_stderr_match "ssh: a host missing from known_hosts is refused" \
		"host '\[127.0.0.1\]:$sport' is not in known_hosts file"
	fetch --url "$surl" --cache-dir "$scache" --ssh-key-file "$ssh/client_key"
	expect_stderr_match "ssh: no known_hosts_file: refused" \
		"no known_hosts_file is configured"
	fetch --url "$surl" --cache-dir "$TMP/state/ssh-stranger/repo" \
		--ssh-key-file "$ssh/stranger_key" --known-hosts-file "$ssh/known_hosts"
	expect_stderr_match "ssh: a key the server does not know is refused" \
		"cannot fetch '$surl': authentication failed for user '$user'"
	fetch --url "$surl" --cache-dir "$scache" --no-fetch --read compose.yaml
	check_last "ssh: refused fetches left the clone at the last good commit" \
		grep -qx v3 "$OUT"
else
	say_not_ok "sshd listens on 127.0.0.1:$sport"
	sed 's/^/#   /' "$ssh/sshd.log" | head -n 20
fi

check "no temporary directory left anywhere in the state dir" \
	test -z "$(find "$TMP/state" -name '*.tmp-*')"

finish
