#!/bin/sh
# The README's first command: render every stack of the example infra repo,
# with its override files, showing where each value came from.
set -eu
cd "$(dirname "$0")/.."
for dir in examples/infra/stacks/*/; do
	dir=${dir%/}
	set -- -f "$dir/compose.yaml"
	for extra in "$dir"/compose.*.yaml; do
		if [ -e "$extra" ]; then set -- "$@" -f "$extra"; fi
	done
	echo "==> unit '$(basename "$dir")': mooring render $* --explain"
	./mooring render "$@" --explain
	echo
done
echo "rendered $(ls -d examples/infra/stacks/*/ | wc -l) units from examples/infra"
