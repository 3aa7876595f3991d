#!/bin/sh
# Install the Debian packages that mooring's build, tests, lint, fuzz and
# bench need. Idempotent: when everything is present it only checks.
# docker.io is the daemon the integration tests and benches run against
# (test/integration/docker.sh starts it when none answers), busybox-static
# the whole of the test image, curl the benches' lower bound; git,
# lighttpd with mod-openssl (git http-backend over https), apache2-utils
# (htpasswd), openssh-server and openssl make the git servers of t2000;
# libmicrohttpd-dev is the HTTP server of `mooring run`.
set -eu
PKGS="build-essential pkg-config libyaml-dev libjansson-dev libssl-dev
libcmocka-dev libcurl4-openssl-dev clang libclang-rt-14-dev clang-format cppcheck
docker-compose
docker.io busybox-static curl procps time python3
libgit2-dev libmicrohttpd-dev git lighttpd lighttpd-mod-openssl apache2-utils openssh-server openssh-client openssl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
