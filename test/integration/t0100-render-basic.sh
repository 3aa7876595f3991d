#!/bin/bash
# t0100: `mooring render` on good input: output formats, project name,
# profiles, .env and --env-file, multi-file merge, provenance and spec
# hashes, and every stack of the example infra repo.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# value_pos FILE KEY [N]: "line:col" where the value of the Nth (default
# first) "KEY: value" line of FILE starts (1-based, as marks are).
value_pos() {
	awk -v key="$2" -v nth="${3:-1}" '
		match($0, "^[ -]*" key ": *") {
			if (++seen == nth) { print NR ":" RLENGTH + 1; exit }
		}' "$1"
}

# --- a plain project -----------------------------------------------------
basic=$TMP/basic
mkdir -p "$basic"
cat >"$basic/compose.yaml" <<'EOF'
services:
  web:
    image: nginx:${TAG}
    ports:
      - "8080:80"
    environment:
      - MODE=${MODE:-prod}
      - GREETING=hello
    labels:
      com.example.tier: front
    depends_on:
      - db
  db:
    image: postgres:16
    mem_limit: 512m
  debug:
    image: busybox:1.36
    profiles: [debug]
EOF
printf 'TAG=1.25\n# a comment\nexport MODE=dev\n' >"$basic/.env"
printf 'TAG=1.27\nMODE=staging\n' >"$basic/staging.env"

cd "$basic" || exit 1

run_mooring version
check_last "version exits 0 and prints something" test "$RC" -eq 0 -a -s "$OUT"

run_mooring render --format json
check_last "render --format json exits 0" test "$RC" -eq 0
check_last "json output is one valid JSON document" json_valid "$OUT"
check_last "no warning on stderr for a clean project" test ! -s "$ERR"
expect_json "model has services web and db" \
	'"web" in d["services"] and "db" in d["services"]'
expect_json "model has a networks section with the default network" \
	'"default" in d["networks"]'
expect_json_eq "project name comes from the directory" 'd["name"]' '"basic"'
expect_json_eq "default network is named <project>_default" \
	'd["networks"]["default"]["name"]' '"basic_default"'
expect_json_eq "image is interpolated from .env" \
	'd["services"]["web"]["image"]' '"nginx:1.25"'
expect_json_eq ".env 'export' lines count" \
	'd["services"]["web"]["environment"]["MODE"]' '"dev"'
expect_json_eq "environment list becomes a map" \
	'd["services"]["web"]["environment"]' '{"MODE": "dev", "GREETING": "hello"}'
expect_json_eq "ports become the long form" \
	'[(p["target"], str(p["published"]), p["protocol"]) for p in d["services"]["web"]["ports"]]' \
	'[(80, "8080", "tcp")]'
expect_json_eq "mem_limit is a byte count (binary units)" \
	'd["services"]["db"]["mem_limit"]' '536870912'
expect_json "depends_on is the long form" \
	'd["services"]["web"]["depends_on"]["db"]["condition"] == "service_started"'
expect_json "a service with an inactive profile is left out" \
	'"debug" not in d["services"]'

run_mooring render
check_last "render with no --format exits 0 (yaml)" test "$RC" -eq 0
expect_stdout_match "yaml output has a services mapping" '^services:'
expect_stdout_match "yaml output has the image" '^ +image: "?nginx:1\.25"?$'
check_last "yaml output is not JSON" eval '[ -s "$OUT" ] && [ "$(head -c 1 "$OUT")" != "{" ]'

run_mooring render --format yaml
check_last "render --format yaml exits 0" test "$RC" -eq 0
expect_stdout_match "--format yaml prints yaml" '^services:'
if python3 -c 'import yaml' 2>/dev/null; then
	check_last "yaml output parses as YAML to the same model as json" \
		python3 -c '
import json, subprocess, sys, yaml
y = yaml.safe_load(open(sys.argv[1]))
j = json.loads(subprocess.run([sys.argv[2], "render", "--format", "json"],
    capture_output=True, check=True).stdout)
sys.exit(0 if y == j else 1)' "$OUT" "$MOORING"
fi

run_mooring render --format json -p custom-name
expect_json_eq "-p sets the project name" 'd["name"]' '"custom-name"'
expect_json_eq "-p names the default network" \
	'd["networks"]["default"]["name"]' '"custom-name_default"'

run_mooring render --format json --profile debug
check_last "--profile debug exits 0" test "$RC" -eq 0
expect_json "--profile debug enables the debug service" \
	'd["services"]["debug"]["image"] == "busybox:1.36"'
expect_json "--profile keeps the services without profiles" \
	'"web" in d["services"] and "db" in d["services"]'

run_mooring render --format json --env-file staging.env
check_last "--env-file exits 0" test "$RC" -eq 0
expect_json_eq "--env-file replaces .env" \
	'(d["services"]["web"]["image"], d["services"]["web"]["environment"]["MODE"])' \
	'("nginx:1.27", "staging")'

run_cmd env MODE=from-env "$MOORING" render --format json
expect_json_eq "the process environment wins over .env" \
	'd["services"]["web"]["environment"]["MODE"]' '"from-env"'

run_mooring render --format json -f compose.yaml
expect_json_eq "-f compose.yaml gives the same image" \
	'd["services"]["web"]["image"]' '"nginx:1.25"'

# --- an unset variable ---------------------------------------------------
unset_dir=$TMP/unset
mkdir -p "$unset_dir"
cat >"$unset_dir/compose.yaml" <<'EOF'
services:
  app:
    image: "busybox${MOORING_T0100_NOT_SET}"
EOF
run_cmd env -u MOORING_T0100_NOT_SET "$MOORING" render --format json \
	-f "$unset_dir/compose.yaml"
check_last "an unset variable is not an error" test "$RC" -eq 0
expect_json_eq "an unset variable expands to the empty string" \
	'd["services"]["app"]["image"]' '"busybox"'
expect_stderr_match "an unset variable is warned about on stderr" \
	'^mooring: warning: the "MOORING_T0100_NOT_SET" variable is not set, defaulting to a blank string$'
check_last "json stdout stays clean when warning" json_valid "$OUT"

# --- --project-directory ---------------------------------------------------
mkdir -p "$TMP/pdir" "$TMP/files"
printf 'TAG=9.9\n' >"$TMP/pdir/.env"
cat >"$TMP/files/compose.yaml" <<'EOF'
services:
  app:
    image: "busybox:${TAG}"
EOF
run_cmd sh -c 'cd / && exec "$MOORING" render --format json \
	--project-directory "$1" -f "$2"' sh "$TMP/pdir" "$TMP/files/compose.yaml"
check_last "--project-directory exits 0" test "$RC" -eq 0
expect_json_eq "--project-directory reads its .env and names the project" \
	'(d["name"], d["services"]["app"]["image"])' '("pdir", "busybox:9.9")'

# --- two files: merge and provenance ---------------------------------------
multi=$TMP/multi
mkdir -p "$multi"
cat >"$multi/compose.yaml" <<'EOF'
name: shop
services:
  api:
    image: registry.local/api:1.0
    command: ["serve", "--port", "8080"]
    ports:
      - "8080:8080"
    environment:
      LOG_LEVEL: info
      DB_HOST: db
    labels:
      team: payments
  db:
    image: postgres:16
EOF
cat >"$multi/override.yaml" <<'EOF'
services:
  api:
    image: registry.local/api:1.1
    command: ["serve", "--debug"]
    ports:
      - "9090:9090"
    environment:
      LOG_LEVEL: debug
EOF
cd "$multi" || exit 1

run_mooring render --format json -f compose.yaml -f override.yaml
check_last "render -f a -f b exits 0" test "$RC" -eq 0
expect_json_eq "name: in the file sets the project name" 'd["name"]' '"shop"'
expect_json_eq "a later file replaces a scalar" \
	'd["services"]["api"]["image"]' '"registry.local/api:1.1"'
expect_json_eq "command is replaced, not appended" \
	'd["services"]["api"]["command"]' '["serve", "--debug"]'
expect_json_eq "environment maps merge" \
	'd["services"]["api"]["environment"]' '{"LOG_LEVEL": "debug", "DB_HOST": "db"}'
expect_json_eq "ports from both files are kept" \
	'sorted(p["target"] for p in d["services"]["api"]["ports"])' '[8080, 9090]'
expect_json_eq "untouched values survive the merge" \
	'(d["services"]["api"]["labels"], d["services"]["db"]["image"])' \
	'({"team": "payments"}, "postgres:16")'

run_mooring render --format json -f override.yaml -f compose.yaml
expect_json_eq "file order decides who wins" \
	'd["services"]["api"]["image"]' '"registry.local/api:1.0"'

run_mooring render --format json --explain -f compose.yaml -f override.yaml
check_last "render --explain --format json exits 0" test "$RC" -eq 0
check_last "--explain json is one valid JSON document" json_valid "$OUT"
expect_json "--explain json has model, provenance and spec_hashes" \
	'set(d) == {"model", "provenance", "spec_hashes"}'
expect_json_eq "--explain model is the plain model" \
	'd["model"]["services"]["api"]["image"]' '"registry.local/api:1.1"'

img_over=$(value_pos override.yaml image)
img_base=$(value_pos compose.yaml image)
db_img=$(value_pos compose.yaml image 2)
env_over=$(value_pos override.yaml LOG_LEVEL)
dbhost=$(value_pos compose.yaml DB_HOST)
team=$(value_pos compose.yaml team)
check "fixture positions are known ($img_over $img_base $db_img)" \
	test -n "$img_over" -a -n "$img_base" -a -n "$db_img"
expect_json "provenance of an overridden image names override.yaml:$img_over" \
	"__import__('re').search(r'(^|/)override\.yaml:$img_over\$', d['provenance']['/services/api/image'])"
expect_json "provenance of an overridden env value names override.yaml:$env_over" \
	"__import__('re').search(r'(^|/)override\.yaml:$env_over\$', d['provenance']['/services/api/environment/LOG_LEVEL'])"
expect_json "provenance of a value set only in the base names compose.yaml:$dbhost" \
	"__import__('re').search(r'(^|/)compose\.yaml:$dbhost\$', d['provenance']['/services/api/environment/DB_HOST'])"
expect_json "provenance of another service's image names compose.yaml:$db_img" \
	"__import__('re').search(r'(^|/)compose\.yaml:$db_img\$', d['provenance']['/services/db/image'])"
expect_json "provenance of a label names compose.yaml:$team" \
	"__import__('re').search(r'(^|/)compose\.yaml:$team\$', d['provenance']['/services/api/labels/team'])"
expect_json "provenance values are file:line:col, or - for implicit defaults" \
	'all(v == "-" or __import__("re").search(r":[0-9]+:[0-9]+$", v) for v in d["provenance"].values()) and len(d["provenance"]) > 5'
expect_json "every provenance under /services names a file:line:col" \
	'all(__import__("re").search(r"\.yaml:[0-9]+:[0-9]+$", v) for k, v in d["provenance"].items() if k.startswith("/services/"))'
expect_json "spec_hashes has a sha-256 per service" \
	'sorted(d["spec_hashes"]) == ["api", "db"] and all(__import__("re").fullmatch("[0-9a-f]{64}", h) for h in d["spec_hashes"].values())'
cp "$OUT" "$TMP/explain-ab.json"

run_mooring render --explain -f compose.yaml -f override.yaml
check_last "render --explain (yaml) exits 0" test "$RC" -eq 0
expect_stdout_match "--explain yaml marks the overridden image with override.yaml:$img_over" \
	"^ +image: \"?registry\.local/api:1\.1\"? +# ([^ ]*/)?override\.yaml:$img_over\$"
expect_stdout_match "--explain yaml marks the base image with compose.yaml:$db_img" \
	"^ +image: \"?postgres:16\"? +# ([^ ]*/)?compose\.yaml:$db_img\$"
expect_stdout_match "--explain yaml marks an env value with override.yaml:$env_over" \
	"^ +LOG_LEVEL: \"?debug\"? +# ([^ ]*/)?override\.yaml:$env_over\$"
expect_stdout_match "--explain yaml marks a label with compose.yaml:$team" \
	"^ +team: \"?payments\"? +# ([^ ]*/)?compose\.yaml:$team\$"

# --- spec hashes: same model, same hash ------------------------------------
hashdir=$TMP/hash
mkdir -p "$hashdir/a" "$hashdir/b" "$hashdir/c"
cat >"$hashdir/a/compose.yaml" <<'EOF'
services:
  api:
    image: registry.local/api:1.1
    environment:
      A: "1"
      B: "2"
    ports: ["8080:80"]
    mem_limit: 1g
EOF
# Same service, other key order and spelling.
cat >"$hashdir/b/compose.yaml" <<'EOF'
services:
  api:
    mem_limit: 1024m
    ports:
      - target: 80
        published: "8080"
        protocol: tcp
        mode: ingress
    environment: [B=2, A=1]
    image: "registry.local/api:1.1"
EOF
# Same service, split over two files.
cat >"$hashdir/c/compose.yaml" <<'EOF'
services:
  api:
    image: registry.local/api:1.0
    environment:
      A: "1"
EOF
cat >"$hashdir/c/more.yaml" <<'EOF'
services:
  api:
    image: registry.local/api:1.1
    environment:
      B: "2"
    ports: ["8080:80"]
    mem_limit: 1073741824
EOF
hash_of() { # dir files...
	local dir=$1
	shift
	(cd "$dir" && "$MOORING" render --format json --explain -p same "$@") |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["spec_hashes"]["api"])' 2>/dev/null
}
ha=$(hash_of "$hashdir/a")
hb=$(hash_of "$hashdir/b")
hc=$(hash_of "$hashdir/c" -f compose.yaml -f more.yaml)
check "spec hash is a sha-256 hex ($ha)" sh -c "echo '$ha' | grep -Eqx '[0-9a-f]{64}'"
check "spec hash ignores key order and spelling" test -n "$ha" -a "$ha" = "$hb"
check "spec hash ignores the file split" test -n "$ha" -a "$ha" = "$hc"
sed 's/api:1.1/api:1.2/' "$hashdir/a/compose.yaml" >"$hashdir/a/changed.yaml"
hd=$(hash_of "$hashdir/a" -f changed.yaml)
check "spec hash changes with the image" test -n "$hd" -a "$ha" != "$hd"

# --- the example infra repo --------------------------------------------------
stacks=$root/examples/infra/stacks
if [ -d "$stacks" ]; then
	for dir in "$stacks"/*/; do
		dir=${dir%/}
		[ -f "$dir/compose.yaml" ] || continue
		set -- -f "$dir/compose.yaml"
		for extra in "$dir"/compose.*.yaml; do
			[ -e "$extra" ] && set -- "$@" -f "$extra"
		done
		name=$(basename "$dir")
		run_mooring render --format json "$@"
		check_last "example stack '$name' renders to valid JSON with services" \
			json_true "$OUT" 'len(d["services"]) > 0 and "networks" in d'
		run_mooring render --explain "$@"
		check_last "example stack '$name' renders as yaml with --explain" \
			test "$RC" -eq 0 -a -s "$OUT"
	done
else
	say_skip "example stacks render" "no examples/infra/stacks yet"
fi

finish
