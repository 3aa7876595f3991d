#!/bin/bash
# t0200: `mooring render` on bad input: exit 1, nothing on stdout, and one
# line on stderr, "mooring: file:line:col: message", naming the right place.
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Quoted file name as it may appear in a message (with or without a path).
F='([^ :]*/)?compose\.yaml'
O='([^ :]*/)?override\.yaml'

# given NAME: a fresh project directory, cwd in it, compose.yaml from stdin.
given() {
	mkdir -p "$TMP/$1"
	cd "$TMP/$1" || exit 1
	cat >compose.yaml
}

# bad TITLE REGEX [ARG...]: render (json) here must fail as described.
bad() {
	local title=$1 re=$2
	shift 2
	expect_error "$title" "$re" render --format json "$@"
}

given unknown-key <<'EOF'
services:
  web:
    image: nginx
    mem_limitt: 512m
EOF
bad "unknown key 'mem_limitt' is named with its position" \
	"$F:4:5: .*mem_limitt"
bad "the yaml format fails the same way" "$F:4:5: .*mem_limitt" --format yaml

given unknown-top-key <<'EOF'
services:
  web:
    image: nginx
servces:
  db:
    image: postgres
EOF
bad "an unknown top-level key is an error" "$F:4:1: .*servces"

given x-extension <<'EOF'
x-common: &common
  restart: always
services:
  web:
    <<: *common
    image: nginx
    x-note: extension keys are allowed anywhere
EOF
run_mooring render --format json
check_last "x-* keys are not unknown keys" test "$RC" -eq 0

given wrong-type <<'EOF'
services:
  web:
    image: [nginx, latest]
EOF
bad "a list where a string is expected is a type error" "$F:3:(5|12): .*image"

given wrong-type-bool <<'EOF'
services:
  web:
    image: nginx
    read_only:
      yes: please
EOF
bad "a mapping where a boolean is expected is a type error" "$F:(4:5|5:7): .*read_only"

given services-not-map <<'EOF'
services:
  - web
  - db
EOF
bad "services as a list is a type error" "$F:(1:1|2:3): .*services"

given top-not-map <<'EOF'
- services
- web
EOF
bad "a top level that is not a mapping is an error" "$F:1:1: "

given dup-key <<'EOF'
services:
  web:
    image: nginx
    image: httpd
EOF
bad "a duplicate key names both positions" \
	"$F:4:5: .*image.*3:5|$F:3:5: .*image.*4:5|$F:4:5: .*3:5.*image"

given dup-service <<'EOF'
services:
  web:
    image: nginx
  db:
    image: postgres
  web:
    image: httpd
EOF
bad "a duplicate service names both positions" \
	"$F:6:3: .*web.*2:3|$F:2:3: .*web.*6:3|$F:6:3: .*2:3.*web"

printf 'services:\n  web:\n\timage: nginx\n' >"$TMP/tabs.yaml"
mkdir -p "$TMP/tabs" && mv "$TMP/tabs.yaml" "$TMP/tabs/compose.yaml"
cd "$TMP/tabs" || exit 1
bad "a tab used for indentation is an error at its line" "$F:3:[0-9]+: "

given unclosed-quote <<'EOF'
services:
  web:
    image: "nginx
    restart: always
EOF
bad "an unclosed quote is a syntax error naming where it started" \
	"$F:(3:[0-9]+: |[0-9]+:[0-9]+: .*3:12)"

given two-docs <<'EOF'
services:
  web:
    image: nginx
---
services:
  db:
    image: postgres
EOF
bad "two YAML documents in one file are an error" "$F:[45]:[0-9]+: "

given unknown-tag <<'EOF'
services:
  web:
    image: !vault nginx
EOF
bad "an unknown local tag is an error" "$F:3:[0-9]+: "

given unterminated <<'EOF'
services:
  web:
    image: "nginx:${TAG"
EOF
bad "an unterminated \${ is an error at its value" "$F:3:[0-9]+: .*(template|\\$\\{)"

given unterminated-nested <<'EOF'
services:
  web:
    image: nginx
    environment:
      A: "${X:-${Y}"
EOF
bad "an unterminated nested \${ is an error at its value" "$F:5:[0-9]+: "

given bad-var-name <<'EOF'
services:
  web:
    image: "nginx:${1TAG}"
EOF
bad "a bad variable name is an error" "$F:3:[0-9]+: "

given required <<'EOF'
services:
  web:
    image: "nginx:${MOORING_T0200_TAG:?the tag must be set}"
EOF
run_cmd env -u MOORING_T0200_TAG "$MOORING" render --format json
check_last "\${X:?msg} with X unset fails with the position and message" \
	is_error_line "$F:3:[0-9]+: .*MOORING_T0200_TAG.*the tag must be set"
run_cmd env MOORING_T0200_TAG= "$MOORING" render --format json
check_last "\${X:?msg} with X empty fails too" \
	is_error_line "$F:3:[0-9]+: .*MOORING_T0200_TAG"
run_cmd env MOORING_T0200_TAG=1.25 "$MOORING" render --format json
check_last "\${X:?msg} with X set renders" test "$RC" -eq 0

given required-nocolon <<'EOF'
services:
  web:
    image: "nginx:${MOORING_T0200_TAG?no tag}"
EOF
run_cmd env -u MOORING_T0200_TAG "$MOORING" render --format json
check_last "\${X?msg} with X unset fails" \
	is_error_line "$F:3:[0-9]+: .*MOORING_T0200_TAG.*no tag"
run_cmd env MOORING_T0200_TAG= "$MOORING" render --format json
check_last "\${X?msg} with X empty renders" test "$RC" -eq 0

given depends-unknown <<'EOF'
services:
  web:
    image: nginx
    depends_on:
      - nope
EOF
bad "depends_on an unknown service is an error" "$F:[45]:[0-9]+: .*nope"

given depends-disabled <<'EOF'
services:
  web:
    image: nginx
    depends_on: [dbg]
  dbg:
    image: busybox
    profiles: [debug]
EOF
bad "depends_on a profile-disabled service is an error" "$F:4:[0-9]+: .*dbg"
run_mooring render --format json --profile debug
check_last "... and renders once its profile is active" test "$RC" -eq 0

given cycle <<'EOF'
services:
  a:
    image: busybox
    depends_on: [b]
  b:
    image: busybox
    depends_on: [c]
  c:
    image: busybox
    depends_on: [a]
EOF
bad "a dependency cycle is an error" "$F:[0-9]+:[0-9]+: .*[Cc]ycl"

given self-cycle <<'EOF'
services:
  a:
    image: busybox
    depends_on:
      a:
        condition: service_started
EOF
bad "a service depending on itself is an error" "$F:[0-9]+:[0-9]+: "

given build-only <<'EOF'
services:
  app:
    build: .
EOF
bad "build: without image: is an error" "$F:[23]:[0-9]+: .*build"

given build-and-image <<'EOF'
services:
  app:
    build: .
    image: registry.local/app:1
EOF
run_mooring render --format json
check_last "build: with image: renders" test "$RC" -eq 0
expect_json_eq "build: with image: renders the image" \
	'd["services"]["app"]["image"]' '"registry.local/app:1"'
expect_stderr_match "build: with image: warns" '^mooring: warning: .*build'

given mem-mismatch <<'EOF'
services:
  app:
    image: busybox
    mem_limit: 512m
    deploy:
      resources:
        limits:
          memory: 1g
EOF
bad "mem_limit different from deploy.resources.limits.memory is an error" \
	"$F:(4|8):[0-9]+: .*mem"

given mem-match <<'EOF'
services:
  app:
    image: busybox
    mem_limit: 1024m
    deploy:
      resources:
        limits:
          memory: 1g
EOF
run_mooring render --format json
check_last "mem_limit equal to deploy.resources.limits.memory renders" test "$RC" -eq 0

given bad-size <<'EOF'
services:
  app:
    image: busybox
    mem_limit: lots
EOF
bad "a byte size that is not one is an error" "$F:4:[0-9]+: "

given bad-duration <<'EOF'
services:
  app:
    image: busybox
    healthcheck:
      test: ["CMD", "true"]
      interval: soon
EOF
bad "a duration that is not one is an error" "$F:6:[0-9]+: "

given bad-port <<'EOF'
services:
  app:
    image: busybox
    ports:
      - "80:eighty"
EOF
bad "a port that is not one is an error" "$F:5:[0-9]+: "

given second-file <<'EOF'
services:
  web:
    image: nginx
EOF
cat >override.yaml <<'EOF'
services:
  web:
    imagee: httpd
EOF
bad "an error in the second -f file names that file" "$O:3:5: .*imagee" \
	-f compose.yaml -f override.yaml

given missing-file <<'EOF'
services:
  web:
    image: nginx
EOF
bad "a missing -f file is an error naming it" ".*nope\\.yaml" -f nope.yaml
bad "a missing --env-file is an error naming it" ".*missing\\.env" \
	--env-file missing.env
bad "a directory given as -f is an error" ".*" -f .

mkdir -p "$TMP/empty-dir"
cd "$TMP/empty-dir" || exit 1
bad "no compose file at all is an error" ".*"

given cli-errors <<'EOF'
services:
  web:
    image: nginx
EOF
expect_error "an unknown --format is an error" ".*xml" render --format xml
expect_error "an unknown option is an error" ".*bogus" render --bogus
expect_error "an option without its value is an error" ".*" render -f
expect_error "an unknown command is an error" ".*" frobnicate

finish
