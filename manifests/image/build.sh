#!/bin/sh
# Build the mooring container image FROM scratch: the mooring binary at
# /usr/local/bin/mooring, exactly the shared libraries `ldd` lists for it
# (copied to the same paths, symlinks resolved), /etc/ssl/certs when this
# host has it, and a two-line /etc/passwd and /etc/group (root, for the
# libraries that look the user up). No base image, so no registry.
#
#   sh manifests/image/build.sh [TAG]     default: mooring/mooring:<version>
#
# MOORING names the binary (default: ./mooring, built with `make mooring`
# when missing). Needs a running Docker daemon; it starts none.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MOORING=${MOORING:-$root/mooring}

die() {
	echo "build.sh: $*" >&2
	exit 1
}

if [ ! -x "$MOORING" ]; then
	make -s -C "$root" mooring >&2 || die "cannot build '$MOORING'"
fi
version=$("$MOORING" version | awk '$1 == "mooring" { print $2 }')
[ -n "$version" ] || die "'$MOORING version' does not print a version"
tag=${1:-mooring/mooring:$version}

ctx=$(mktemp -d "${TMPDIR:-/tmp}/mooring-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
rootfs=$ctx/rootfs

# put SRC DEST: copy SRC's content (through symlinks) to rootfs/DEST.
put() {
	mkdir -p "$rootfs$(dirname "$2")"
	cp -L "$1" "$rootfs$2"
}

put "$MOORING" /usr/local/bin/mooring
chmod 0755 "$rootfs/usr/local/bin/mooring"
# The shipped default policies (the Dockerfile points MOORING_POLICY_DIR
# at them).
for f in "$root"/policies/*.yaml; do
	put "$f" "/usr/share/mooring/policies/$(basename "$f")"
done

# ldd lines: "libx.so.1 => /path/libx.so.1 (0x...)", "/lib64/ld-linux... (0x...)",
# "linux-vdso.so.1 (0x...)" (in the kernel, nothing to copy), or "=> not found".
LC_ALL=C ldd "$MOORING" >"$ctx/ldd" || die "ldd '$MOORING' failed"
if grep -q 'not found' "$ctx/ldd"; then
	die "'$MOORING' needs libraries this host lacks: $(grep 'not found' "$ctx/ldd" | tr -s ' \t\n' ' ')"
fi
nlibs=0
awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$ctx/ldd" |
	sort -u >"$ctx/libs"
while read -r lib; do
	put "$lib" "$lib"
	nlibs=$((nlibs + 1))
done <"$ctx/libs"
[ "$nlibs" -gt 0 ] || die "ldd lists no library for '$MOORING' (a static binary needs none: fine, but unexpected)"

if [ -d /etc/ssl/certs ]; then
	mkdir -p "$rootfs/etc/ssl"
	cp -RL /etc/ssl/certs "$rootfs/etc/ssl/certs"
fi
mkdir -p "$rootfs/etc/mooring" "$rootfs/var/lib/mooring" "$rootfs/tmp"
chmod 0700 "$rootfs/var/lib/mooring"
chmod 1777 "$rootfs/tmp"
echo 'root:x:0:0:root:/var/lib/mooring:/usr/local/bin/mooring' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"

cp "$here/Dockerfile" "$ctx/Dockerfile"
docker build -q -t "$tag" "$ctx" >/dev/null || die "docker build of '$tag' failed"
echo "$tag"
