#!/bin/sh
# licenses.sh PLATFORM prints the licence notices of everything inside the
# tor that build.sh builds for PLATFORM (linux-amd64, windows-amd64): tor,
# OpenSSL, libevent and zlib, each taken from its pinned source tarball
# (the one build.sh fetched and checked, in its cache), and the C runtime
# linked statically into it (mingw-w64's or musl's, from the installed
# Debian package's copyright file). The packaging scripts append it to the
# THIRD-PARTY-LICENSES file they ship; nothing here is kept by hand.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
manifest="$here/manifest.json"
[ $# -eq 1 ] || { echo "usage: licenses.sh PLATFORM" >&2; exit 2; }
die() { echo "licenses.sh: $*" >&2; exit 1; }
cache=${NOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nook}/tor-build

case "$1" in
windows-amd64) runtime="mingw-w64 runtime (statically linked)" runtime_pkg=mingw-w64-x86-64-dev ;;
linux-amd64) runtime="musl C library (statically linked)" runtime_pkg=musl-dev ;;
*) die "unknown platform $1" ;;
esac

for n in tor openssl libevent zlib; do
	sha=$(jq -r --arg n "$n" '.build.sources[$n].sha256' "$manifest")
	ver=$(jq -r --arg n "$n" '.build.sources[$n].debian_version' "$manifest")
	lic=$(jq -r --arg n "$n" '.build.sources[$n].license' "$manifest")
	tarball="$cache/src/$sha"
	[ -f "$tarball" ] || die "no source of $n in $cache/src (run tor-bundles/build.sh $1 first)"
	file=$(tar -tf "$tarball" | grep -E '^[^/]+/(LICENSE|LICENSE\.txt|COPYING)$' | head -n1)
	[ -n "$file" ] || die "$n's tarball has no LICENSE file"
	echo
	echo "== $n $ver (Debian source package; $lic), in tor-bundles/$1"
	echo
	tar -xOf "$tarball" "$file"
done
echo
echo "== $runtime, in tor-bundles/$1"
echo
cat "/usr/share/doc/$runtime_pkg/copyright" 2>/dev/null || die "no /usr/share/doc/$runtime_pkg/copyright (apt-get install $runtime_pkg)"
