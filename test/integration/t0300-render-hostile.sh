#!/bin/bash
# t0300: hostile input. Each case ends in a clear error (exit 1, one line
# on stderr, nothing on stdout) within a second, under a 256 MiB virtual
# memory cap: never a crash, a hang or an allocation failure. Legitimate
# files that merely look big (hundreds of anchors and merge keys) load.
#
# Big inputs are generated here, into the scratch directory.
#   MOORING_HOSTILE_MS   time limit per case (default 1000)
#   MOORING_VMEM_KB      virtual memory cap in KiB (default 262144; 0: none)
# shellcheck source=test/integration/lib.sh
. "$(dirname "$0")/lib.sh"

limit_ms=${MOORING_HOSTILE_MS:-1000}
F='([^ :]*/)?'

cd "$TMP" || exit 1

# hostile TITLE REGEX FILE [ARG...]: mooring render -f FILE must fail with
# one "mooring: REGEX" line, within the time limit, under the memory cap.
hostile() {
	local title=$1 re=$2 file=$3
	shift 3
	run_limited render --format json -f "$file" "$@"
	if is_error_line "$re" && [ "$MS" -lt "$limit_ms" ]; then
		say_ok "$title (${MS} ms${RSS_KB:+, ${RSS_KB} KiB})"
		[ -n "${TEST_VERBOSE:-}" ] && sed 's/^/#   /' "$ERR"
	else
		say_not_ok "$title"
		echo "#   expected exit 1 within $limit_ms ms, one stderr line ^mooring: $re"
		[ "$RC" -ge 128 ] && echo "#   killed by signal $((RC - 128))"
		show_last
		return 1
	fi
}

# benign TITLE FILE [ARG...]: must render (exit 0, valid JSON) in time.
benign() {
	local title=$1 file=$2
	shift 2
	run_limited render --format json -f "$file" "$@"
	if [ "$RC" -eq 0 ] && [ "$MS" -lt "$limit_ms" ] && json_valid "$OUT"; then
		say_ok "$title (${MS} ms${RSS_KB:+, ${RSS_KB} KiB})"
	else
		say_not_ok "$title"
		echo "#   expected exit 0 and valid JSON within $limit_ms ms"
		show_last
		return 1
	fi
}

# ok_or_error: the last run ended within the time limit and either
# rendered valid JSON or failed with one error line.
ok_or_error() {
	[ "$MS" -lt "$limit_ms" ] || return 1
	{ [ "$RC" -eq 0 ] && json_valid "$OUT"; } || is_error_line ".*"
}

header() { # file: a valid service to start from
	printf 'services:\n  web:\n    image: nginx\n' >"$1"
}

# --- billion laughs: 9 levels of 9 aliases (9^9 = 387M nodes) ------------
f=laughs-seq.yaml
header "$f"
{
	printf 'x-l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
	for i in 1 2 3 4 5 6 7 8; do
		p=$((i - 1))
		printf 'x-l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n' \
			"$i" "$i" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
	done
	printf 'x-boom: *l8\n'
} >>"$f"
hostile "billion laughs (sequences, 9 levels) is stopped" "$F$f:[0-9]+:[0-9]+: " "$f"

f=laughs-map.yaml
header "$f"
{
	printf 'x-m0: &m0 {a: lol, b: lol, c: lol, d: lol, e: lol, f: lol, g: lol, h: lol, i: lol}\n'
	for i in 1 2 3 4 5 6 7 8; do
		p=$((i - 1))
		printf 'x-m%d: &m%d {a: *m%d, b: *m%d, c: *m%d, d: *m%d, e: *m%d, f: *m%d, g: *m%d, h: *m%d, i: *m%d}\n' \
			"$i" "$i" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
	done
} >>"$f"
hostile "billion laughs (mappings, 9 levels) is stopped" "$F$f:[0-9]+:[0-9]+: " "$f"

f=laughs-merge.yaml
header "$f"
{
	printf 'x-k0: &k0 {a0: lol, b0: lol, c0: lol, d0: lol, e0: lol, f0: lol, g0: lol, h0: lol, i0: lol}\n'
	for i in 1 2 3 4 5 6 7 8; do
		p=$((i - 1))
		printf 'x-k%d: &k%d {a%d: *k%d, b%d: *k%d, c%d: *k%d, d%d: *k%d, e%d: *k%d, f%d: *k%d, g%d: *k%d, h%d: *k%d, <<: *k%d}\n' \
			"$i" "$i" "$i" "$p" "$i" "$p" "$i" "$p" "$i" "$p" "$i" "$p" \
			"$i" "$p" "$i" "$p" "$i" "$p" "$p"
	done
} >>"$f"
hostile "billion laughs through merge keys is stopped" "$F$f:[0-9]+:[0-9]+: " "$f"

# --- 100,000 levels of nesting ---------------------------------------------
deep=100000
f=deep-seq.yaml
header "$f"
{
	printf 'x-deep: '
	head -c "$deep" /dev/zero | tr '\0' '['
	head -c "$deep" /dev/zero | tr '\0' ']'
	printf '\n'
} >>"$f"
hostile "100,000 nested flow sequences are refused" "$F$f:[0-9]+:[0-9]+: " "$f"

f=deep-map.yaml
header "$f"
{
	printf 'x-deep: '
	# "{a: " 100,000 times, then as many "}".
	head -c "$deep" /dev/zero | tr '\0' '\1' | sed 's/\x01/{a: /g'
	printf 'x'
	head -c "$deep" /dev/zero | tr '\0' '}'
	printf '\n'
} >>"$f"
hostile "100,000 nested flow mappings are refused" "$F$f:[0-9]+:[0-9]+: " "$f"

f=deep-block.yaml
{
	printf 'services:\n  web:\n    image: nginx\nx-deep:\n'
	# Block nesting 2,000 deep (indentation grows quadratically, so
	# 100,000 would be a 10 GB file; 2,000 is far past any depth limit).
	awk 'BEGIN { for (i = 1; i <= 2000; i++) printf "%*sk:\n", i, "" }'
	printf '%*sk: v\n' 2001 ''
} >"$f"
hostile "2,000 levels of block nesting are refused" "$F$f:[0-9]+:[0-9]+: " "$f"

# --- 100 MB files ----------------------------------------------------------
f=sparse-100m.yaml
header "$f"
truncate -s 100M "$f"
hostile "a 100 MB (sparse) file is refused by its size" ".*sparse-100m\\.yaml" "$f"

f=comments-100m.yaml
{
	printf 'services:\n  web:\n    image: nginx\n'
	yes '# a comment line that is not shorter than it should be to fill space' |
		head -c 100000000
} >"$f"
hostile "a real 100 MB file of comments is refused by its size" ".*comments-100m\\.yaml" "$f"
rm -f sparse-100m.yaml comments-100m.yaml

hostile "an endless stream (/dev/zero) is refused" ".*/dev/zero" /dev/zero
if [ -r /dev/urandom ]; then
	hostile "an endless random stream (/dev/urandom) is refused" ".*/dev/urandom" /dev/urandom
fi

f=big-env.yaml
header "$f"
head -c 100000000 /dev/zero | tr '\0' '#' >big.env
hostile "a 100 MB --env-file is refused" ".*big\\.env" "$f" --env-file big.env
rm -f big.env

# --- invalid UTF-8 ---------------------------------------------------------
f=bad-utf8-value.yaml
printf 'services:\n  web:\n    image: "nginx\377\376"\n' >"$f"
hostile "invalid UTF-8 in a value is refused" "$F$f:[0-9]+:[0-9]+: " "$f"

f=bad-utf8-key.yaml
printf 'services:\n  web\300\257:\n    image: nginx\n' >"$f"
hostile "an overlong UTF-8 sequence in a key is refused" "$F$f:[0-9]+:[0-9]+: " "$f"

f=bad-utf8-comment.yaml
printf 'services:\n  web:\n    image: nginx # caf\351\n' >"$f"
hostile "invalid UTF-8 in a comment is refused" "$F$f:[0-9]+:[0-9]+: " "$f"

f=bad-utf8-env.yaml
header "$f"
printf 'TAG=caf\351\n' >latin1.env
run_limited render --format json -f "$f" --env-file latin1.env
check_last "invalid UTF-8 in an --env-file ends cleanly and in time" \
	ok_or_error
f=bad-utf8-env-used.yaml
printf 'services:\n  web:\n    image: "nginx:${TAG}"\n' >"$f"
run_limited render --format json -f "$f" --env-file latin1.env
check_last "invalid UTF-8 from .env in a value is refused, or valid JSON, in time" \
	ok_or_error

f=nul-byte.yaml
printf 'services:\n  web:\n    image: "ngi\000nx"\n' >"$f"
hostile "a NUL byte is refused" "$F$f:[0-9]+:[0-9]+: " "$f"

# --- tabs, unterminated ${ -------------------------------------------------
f=tabs.yaml
printf 'services:\n  web:\n\timage: nginx\n' >"$f"
hostile "tabs for indentation are refused" "$F$f:3:[0-9]+: " "$f"

f=unterminated.yaml
printf 'services:\n  web:\n    image: "nginx:${TAG"\n' >"$f"
hostile "an unterminated \${ is refused" "$F$f:3:[0-9]+: " "$f"

f=unterminated-long.yaml
{
	printf 'services:\n  web:\n    image: nginx\n    environment:\n      A: "'
	head -c 500000 /dev/zero | tr '\0' '\1' | sed 's/\x01/${/g'
	printf '"\n'
} >"$f"
hostile "500,000 nested unterminated \${ are refused" "$F$f:5:[0-9]+: " "$f"

# --- huge scalars ----------------------------------------------------------
f=scalar-2m.yaml
{
	printf 'services:\n  web:\n    image: nginx\n    environment:\n      BIG: '
	head -c 2097152 /dev/zero | tr '\0' 'x'
	printf '\n'
} >"$f"
hostile "a 2 MiB single-line scalar is refused" "$F$f:5:[0-9]+: " "$f"

f=key-2m.yaml
{
	printf 'services:\n  web:\n    image: nginx\nx-'
	head -c 2097152 /dev/zero | tr '\0' 'k'
	printf ': v\n'
} >"$f"
hostile "a 2 MiB key is refused" "$F$f:4:[0-9]+: " "$f"

f=scalar-256k.yaml
{
	printf 'services:\n  web:\n    image: nginx\n    environment:\n      BIG: '
	head -c 262144 /dev/zero | tr '\0' 'x'
	printf '\n'
} >"$f"
benign "a 256 KiB single-line scalar renders" "$f"

f=dollars-256k.yaml
{
	printf 'services:\n  web:\n    image: nginx\n    environment:\n      BIG: "'
	head -c 131072 /dev/zero | tr '\0' '\1' | sed 's/\x01/$$/g'
	printf '"\n'
} >"$f"
benign "a 256 KiB scalar of \$\$ renders" "$f"

# Interpolation amplification: 100,000 references to a 64 KiB variable
# would expand to 6.4 GB.
f=amplify.yaml
{
	printf 'services:\n  web:\n    image: nginx\n    environment:\n      BIG: "'
	head -c 100000 /dev/zero | tr '\0' '\1' | sed 's/\x01/${AMP}/g'
	printf '"\n'
} >"$f"
AMP=$(head -c 65536 /dev/zero | tr '\0' 'a')
export AMP
hostile "interpolation that would expand to 6.4 GB is refused" "$F$f:5:[0-9]+: " "$f"
unset AMP

# --- many keys, many items -------------------------------------------------
f=many-keys.yaml
header "$f"
{
	printf 'x-many:\n'
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "  k%d: %d\n", i, i }'
} >>"$f"
run_limited render --format json -f "$f"
check_last "100,000 keys in one mapping end cleanly within $limit_ms ms" \
	ok_or_error

f=many-dup.yaml
header "$f"
{
	printf 'x-many:\n'
	awk 'BEGIN { for (i = 0; i < 50000; i++) printf "  k%d: %d\n", i, i }'
	printf '  k0: again\n'
} >>"$f"
run_limited render --format json -f "$f"
check_last "a duplicate after 50,000 keys is found within $limit_ms ms" \
	test "$MS" -lt "$limit_ms"
check_last "... and named with both positions" \
	is_error_line "$F$f:50005:3: .*5:3|$F$f:5:3: .*50005:3"

# --- legitimate: 500 anchors and merge keys --------------------------------
f=anchors.yaml
{
	printf 'x-common: &common\n  restart: unless-stopped\n'
	printf '  logging:\n    driver: json-file\n    options:\n      max-size: 10m\n'
	printf '  labels:\n    com.example.managed: "true"\n'
	printf 'x-envs:\n'
	i=0
	while [ $i -lt 500 ]; do
		printf '  e%d: &env%d\n    SERVICE_INDEX: "%d"\n    LOG_LEVEL: info\n' $i $i $i
		i=$((i + 1))
	done
	printf 'services:\n'
	i=0
	while [ $i -lt 500 ]; do
		printf '  svc%d:\n    <<: *common\n    image: registry.local/svc%d:1\n' $i $i
		printf '    environment:\n      <<: *env%d\n' $i
		i=$((i + 1))
	done
} >"$f"
benign "500 anchors, 1,000 aliases and merge keys load" "$f"
expect_json "all 500 services are there" 'len(d["services"]) == 500'
expect_json_eq "merge keys applied (restart from the common anchor)" \
	'd["services"]["svc499"]["restart"]' '"unless-stopped"'
expect_json_eq "merge keys applied (environment from its own anchor)" \
	'd["services"]["svc123"]["environment"]' '{"SERVICE_INDEX": "123", "LOG_LEVEL": "info"}'

f=wide-alias.yaml
header "$f"
{
	printf 'x-item: &item {a: 1, b: 2, c: 3}\n'
	printf 'x-list:\n'
	i=0
	while [ $i -lt 5000 ]; do
		printf '  - *item\n'
		i=$((i + 1))
	done
} >>"$f"
benign "5,000 aliases of one small anchor load" "$f"

finish
