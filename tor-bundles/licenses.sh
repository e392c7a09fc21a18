#!/bin/sh
# licenses.sh PLATFORM prints the licence notices of everything inside the
# tor that build.sh builds for PLATFORM (linux-amd64, windows-amd64): tor,
# OpenSSL, libevent and zlib, each taken from its pinned source tarball
# (the one build.sh fetched and checked, in its cache), and the C runtime
# linked statically into it (mingw-w64's or musl's, from the installed
# Debian package's copyright file). The packaging scripts append it to the
# THIRD-PARTY-LICENSES file they ship; nothing here is kept by hand.
#
# licenses.sh --transports PLATFORM prints those of the pluggable transports
# that transports.sh builds (obfs4proxy, snowflake-client, webtunnel-client):
# each program's
# own licence files and those of every Go module compiled into it for
# PLATFORM, from the sources transports.sh checked (in its cache) and the
# Go module cache. Go's own licence is already in the file (Nook's part).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
manifest="$here/manifest.json"
die() { echo "licenses.sh: $*" >&2; exit 1; }

# modules DIR PACKAGE GOOS GOARCH: the licence files of DIR's module and of
# every module compiled into PACKAGE, read offline from the module cache.
modules() {
	for l in "$1"/LICENSE* "$1"/COPYING*; do
		[ -f "$l" ] || continue
		echo
		cat "$l"
	done
	(cd "$1" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=readonly CGO_ENABLED=0 GOOS=$3 GOARCH=$4 \
		go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}' "$2") >"$tmp" ||
		die "go list in $1 failed (run tor-bundles/transports.sh first)"
	sort -u "$tmp" | while read -r path ver dir; do
		[ -n "$dir" ] || continue
		echo
		echo "-- $path $ver"
		found=0
		for l in "$dir"/LICENSE* "$dir"/LICENCE* "$dir"/COPYING* "$dir"/NOTICE*; do
			[ -f "$l" ] || continue
			echo
			cat "$l"
			found=1
		done
		[ "$found" = 1 ] || echo "(no license file in the module; see https://$path)"
	done
}

if [ "${1:-}" = --transports ]; then
	[ $# -eq 2 ] || { echo "usage: licenses.sh --transports PLATFORM" >&2; exit 2; }
	pins="$here/transports.json"
	pt=${NOOK_TRANSPORTS_CACHE:-$HOME/.cache/nook-transports}
	goos=${2%-*}
	goarch=${2#*-}
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	ver=$(jq -r .obfs4proxy.debian_version "$pins")
	src="$pt/obfs4proxy-$ver/src"
	[ -d "$src" ] || die "no obfs4proxy source in $src (run tor-bundles/transports.sh $2 first)"
	echo
	echo "== obfs4proxy $ver (Debian source package; pluggable transport), in tor-bundles/$2"
	modules "$src" "$(jq -r .obfs4proxy.package "$pins")" "$goos" "$goarch"
	ver=$(jq -r .snowflake.version "$pins")
	src="$pt/snowflake-$ver/src"
	[ -d "$src" ] || die "no snowflake source in $src (run tor-bundles/transports.sh $2 first)"
	echo
	echo "== snowflake-client $ver ($(jq -r .snowflake.module "$pins"); pluggable transport), in tor-bundles/$2"
	modules "$src" "$(jq -r .snowflake.package "$pins")" "$goos" "$goarch"
	ver=$(jq -r .webtunnel.version "$pins")
	src="$pt/webtunnel-$ver/src"
	[ -d "$src" ] || die "no webtunnel source in $src (run tor-bundles/transports.sh $2 first)"
	echo
	echo "== webtunnel-client $ver ($(jq -r .webtunnel.module "$pins"); pluggable transport), in tor-bundles/$2"
	modules "$src" "$(jq -r .webtunnel.package "$pins")" "$goos" "$goarch"
	exit 0
fi

[ $# -eq 1 ] || { echo "usage: licenses.sh [--transports] PLATFORM" >&2; exit 2; }
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
