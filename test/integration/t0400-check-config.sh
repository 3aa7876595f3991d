#!/bin/bash
# t0400: `mooring check-config`: the config, the unit registry and every
# unit's compose files are checked, every error is reported with its
# file:line:col, and the exit status says whether all was well. It never
# talks to docker.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# A copy of the example infra repo, to break in places.
infra=$TMP/infra
cp -R "$root/examples/infra" "$infra"

# config FILE URL [EXTRA...]: write a config for repository URL.
config() {
	local file=$1 url=$2
	shift 2
	{
		printf 'repository:\n  url: %s\n' "$url"
		printf 'state_dir: state\n'
		# Nothing answers there: check-config must not need docker.
		printf 'docker_socket: %s/no-docker.sock\n' "$TMP"
		printf 'host: web-02\n'
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$file"
}

# --- good --------------------------------------------------------------
config "$TMP/good.yaml" "$root/examples/infra"
expect_exit 0 "the example repo checks out" "$MOORING" check-config -c "$TMP/good.yaml"
expect_stdout_match "... and says how many units are ok" '^check-config: 3 units ok, policies ok '
check_last "... with nothing on stderr" test ! -s "$ERR"

# Relative to the config file, whatever the current directory.
mkdir -p "$TMP/etc"
config "$TMP/etc/mooring.yaml" ../infra
(cd / && run_cmd "$MOORING" check-config --config "$TMP/etc/mooring.yaml"
	echo "$RC" >"$TMP/.rc")
RC=$(cat "$TMP/.rc")
check_last "a relative repository.url is taken from the config's directory" test "$RC" -eq 0

expect_exit 0 "the shipped example config checks out" \
	"$MOORING" check-config -c "$root/manifests/mooring.example.yaml"

run_cmd env MOORING_CONFIG="$TMP/good.yaml" "$MOORING" check-config
check_last "MOORING_CONFIG names the config when -c is not given" test "$RC" -eq 0

mkdir -p "$TMP/cwd"
cp "$TMP/good.yaml" "$TMP/cwd/mooring.yaml"
(cd "$TMP/cwd" && run_cmd env -u MOORING_CONFIG "$MOORING" check-config
	echo "$RC" >"$TMP/.rc")
RC=$(cat "$TMP/.rc")
check_last "./mooring.yaml is the default config" test "$RC" -eq 0

if [ ! -e /etc/mooring/mooring.yaml ]; then
	mkdir -p "$TMP/empty"
	cd "$TMP/empty" || exit 1
	run_cmd env -u MOORING_CONFIG "$MOORING" check-config
	check_last "no config anywhere is one error naming where it looked" \
		is_error_line "no config file: .*MOORING_CONFIG.*mooring\\.yaml"
	cd "$root" || exit 1
else
	say_skip "no config anywhere is an error" "/etc/mooring/mooring.yaml exists"
fi

# --- config errors -----------------------------------------------------
cat >"$TMP/bad.yaml" <<EOF
repository:
  url: $infra
  brnch: main
  poll_interval: soon
  password: hunter2
state_dir: [a, b]
EOF
expect_exit 1 "a config with four errors fails" "$MOORING" check-config -c "$TMP/bad.yaml"
expect_stderr_match "the unknown key is named with its position" \
	"^mooring: [^ ]*bad\\.yaml:3:3: unknown option 'repository\\.brnch'"
expect_stderr_match "the bad duration is named with its position" \
	"^mooring: [^ ]*bad\\.yaml:4:18: 'repository\\.poll_interval' is not a duration"
expect_stderr_match "an inline password says to use password_file" \
	"^mooring: [^ ]*bad\\.yaml:5:3: .*password_file"
expect_stderr_match "the wrong type is named with its position" \
	"^mooring: [^ ]*bad\\.yaml:6:12: 'state_dir' must be a string"
expect_stderr_match "... then the count" "^mooring: 4 errors in '[^']*bad\\.yaml'$"
expect_stderr_no_match "the password never shows" hunter2
expect_stdout_empty "nothing on stdout"

config "$TMP/creds.yaml" "https://deploy:hunter2@git.example.com/infra.git"
expect_exit 1 "credentials in the URL are refused" "$MOORING" check-config -c "$TMP/creds.yaml"
expect_stderr_match "... with its position" \
	"creds\\.yaml:2:8: 'repository\\.url' must not hold credentials"
expect_stderr_no_match "... without echoing them" hunter2

config "$TMP/git.yaml" "git://127.0.0.1:9/infra.git"
expect_exit 1 "a git remote nothing answers for is an error" "$MOORING" check-config -c "$TMP/git.yaml"
expect_stderr_match "... naming the remote" "cannot fetch 'git://127.0.0.1:9/infra.git'"

config "$TMP/nodir.yaml" "$TMP/nonexistent"
run_mooring check-config -c "$TMP/nodir.yaml"
check_last "a missing repository directory is one error naming it" \
	is_error_line ".*'$TMP/nonexistent'"

# --- units.yaml errors ---------------------------------------------------
config "$TMP/broken.yaml" "$infra"
cat >"$infra/mooring/units.yaml" <<'EOF'
units:
  - name: web
    path: stacks/web
    risk_tier: extreme
  - name: web
    path: ../outside
EOF
expect_exit 1 "units.yaml with errors fails" "$MOORING" check-config -c "$TMP/broken.yaml"
expect_stderr_match "a bad risk_tier is named with file:line" \
	"^mooring: mooring/units\\.yaml:4:16: invalid risk_tier 'extreme'"
expect_stderr_match "a duplicate unit names both positions" \
	"^mooring: mooring/units\\.yaml:5:5: duplicate unit 'web' .*mooring/units\\.yaml:2:5"
expect_stderr_match "a path out of the repository is refused" \
	"^mooring: mooring/units\\.yaml:6:11: 'path' of unit 'web' is outside"
expect_stderr_match "... then the count" "^mooring: 3 errors in 'mooring/units\\.yaml'$"

# --- compose errors in several units -----------------------------------
cp "$root/examples/infra/mooring/units.yaml" "$infra/mooring/units.yaml"
printf 'services:\n  web:\n    image: busybox\n    mem_limitt: 1g\n' \
	>"$infra/stacks/web/compose.production.yaml"
rm "$infra/stacks/api/.env"
expect_exit 1 "compose errors in two units fail" "$MOORING" check-config -c "$TMP/broken.yaml"
expect_stderr_match "the error in the second file of web names it" \
	"^mooring: stacks/web/compose\\.production\\.yaml:4:5: .*mem_limitt"
expect_stderr_match "the missing env_file of api is named" \
	"^mooring: .*stacks/api/\\.env"
expect_stderr_match "... then a summary" "^mooring: 2 of 3 units failed to render$"
check_last "every line is one 'mooring: ' line" not_grep '^[^m]' "$ERR"

# A file that links out of the repository is not read.
cp -R "$root/examples/infra/." "$infra/"
printf 'SECRET=hunter2\n' >"$TMP/outside.env"
rm -f "$infra/stacks/api/.env"
ln -s "$TMP/outside.env" "$infra/stacks/api/.env"
expect_exit 1 "a symlink out of the repository is refused" "$MOORING" check-config -c "$TMP/broken.yaml"
expect_stderr_match "... naming it" "stacks/api/\\.env.*outside the repository"
rm "$infra/stacks/api/.env"
cp "$root/examples/infra/stacks/api/.env" "$infra/stacks/api/.env"
expect_exit 0 "the repaired copy checks out again" "$MOORING" check-config -c "$TMP/broken.yaml"

# --- arguments -----------------------------------------------------------
expect_error "an unknown option is an error" ".*--bogus" check-config --bogus
expect_error "-c needs a value" ".*" check-config -c
run_mooring check-config --help
check_last "--help prints the usage" grep -q 'usage: mooring check-config' "$OUT"

finish
