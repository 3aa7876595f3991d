#!/bin/sh
# Remove what `make demo` created: the example units' containers, networks,
# the git remote and the demo's state dir. Named volumes are kept, as mooring keeps them.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=test/integration/docker.sh
. "$root/test/integration/docker.sh"
if docker_ping; then
	for project in web api jobs; do
		docker_cleanup_project "$project"
	done
fi
sh "$root/examples/git-remote.sh" stop 2>/dev/null || true
rm -rf "$root/build/demo"
echo "demo-clean: removed the example units and build/demo"
