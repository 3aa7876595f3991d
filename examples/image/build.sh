#!/bin/sh
# Build mooring-example/busybox:1 from Debian's busybox-static (make deps
# installs it). Needs a running Docker daemon; it starts none.
#   sh examples/image/build.sh [TAG]
set -eu
tag=${1:-mooring-example/busybox:1}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ]; then
	echo "build.sh: $busybox not found: install busybox-static (make deps)" >&2
	exit 1
fi
# ldd fails on a static binary, saying so: that is the good case.
if ! LC_ALL=C ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable'; then
	echo "build.sh: $busybox is not statically linked (need busybox-static)" >&2
	exit 1
fi

ctx=$(mktemp -d "${TMPDIR:-/tmp}/mooring-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
cp "$here/Dockerfile" "$ctx/Dockerfile"
cp "$busybox" "$ctx/busybox"
docker build -q -t "$tag" "$ctx"
