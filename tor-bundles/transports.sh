#!/bin/sh
# transports.sh builds the pluggable transports that Nook ships beside tor,
# from pinned sources, and checks every binary against transports.json.
#
#   transports.sh [--check] [--pin] [--only NAME] [--out DIR] [platform ...]
#
#   platforms: linux-amd64 linux-arm64 windows-amd64 darwin-amd64 darwin-arm64
#              (default: every platform in transports.json)
#   NAME:      obfs4proxy, snowflake-client or webtunnel-client (default:
#              all three); or one of
#              the test-only programs snowflake-server, snowflake-broker,
#              snowflake-proxy (below)
#
# Output: tor-bundles/<os>-<arch>/obfs4proxy[.exe],
# tor-bundles/<os>-<arch>/snowflake-client[.exe] and
# tor-bundles/<os>-<arch>/webtunnel-client[.exe], beside tor (never committed:
# .gitignore ignores tor-bundles/*/). The engine finds them there
# (engine/tor FindTransport).
#
# Sources (pinned in transports.json):
#   obfs4proxy        Debian's obfs4proxy source package (bookworm): the
#                     upstream tarball named in its .dsc, fetched with
#                     "apt-get source --download-only" (needs a deb-src line,
#                     added here if missing); its SHA-256 must equal the pin.
#                     Its Go dependencies come from the Go module proxy,
#                     checked by its own go.sum and Go's checksum database.
#   snowflake-client  the snowflake/v2 module from the Go module proxy; its
#                     h1: hash must equal the pin. Built with the module's own
#                     go.mod and go.sum, in a copy under the cache directory,
#                     so none of its dependencies enter Nook's go.mod.
#   webtunnel-client  the webtunnel module's main/client, likewise (its only
#                     dependency is goptlib).
#
# Test-only programs: snowflake-server, snowflake-broker and snowflake-proxy
# are the server side of snowflake, built from the same checked module with
# the same toolchain and flags, for the tests that run snowflake end to end
# on loopback (engine/tor/tortest StartSnowflake). They are never shipped
# and have no binary pin; only "--only NAME" builds them, into
# $cache/test-programs/<os>-<arch>/ (or --out DIR).
#
# Every build: CGO_ENABLED=0, -trimpath, -ldflags "-s -w -buildid=",
# -buildvcs=false, GOTOOLCHAIN=local with the Go version pinned in
# transports.json. The same inputs give the same bytes on any machine.
#
# --check  builds every binary twice (in two build directories) and fails
#          unless both builds have the same SHA-256 (reproducibility check).
# --out DIR  writes the binaries into DIR instead of tor-bundles/<os>-<arch>/
#          (one platform only; the package tests use it, as build.sh --out).
# --pin    records SHA-256s that are empty in transports.json, or that
#          differ (after a deliberate version bump); review and commit then.
#          Without --pin a mismatch is an error.
#
# Cache: $NOOK_TRANSPORTS_CACHE (default ~/.cache/nook-transports) holds the
# sources and build copies; delete it to start afresh.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
pins="$here/transports.json"
check=0
pin=0
only=""
outbase=""
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1; shift ;;
	--pin) pin=1; shift ;;
	--only) only=$2; shift 2 ;;
	--out) outbase=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "transports.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

die() { echo "transports.sh: $*" >&2; exit 1; }
for tool in jq sha256sum go tar; do
	command -v "$tool" >/dev/null 2>&1 || die "needs $tool"
done

platforms=${*:-$(jq -r '.platforms[]' "$pins")}
names=${only:-"obfs4proxy snowflake-client webtunnel-client"}
if [ -n "$outbase" ]; then
	[ "$(echo "$platforms" | wc -w)" -eq 1 ] || die "--out needs exactly one platform"
	mkdir -p "$outbase"
	outbase=$(cd "$outbase" && pwd)
fi
cache=${NOOK_TRANSPORTS_CACHE:-$HOME/.cache/nook-transports}
mkdir -p "$cache"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
want_go=$(jq -r .go "$pins")
have_go=$(go env GOVERSION)
if [ "$have_go" != "$want_go" ]; then
	[ "$pin" = 1 ] || die "the binaries are pinned for $want_go but this is $have_go (install $want_go, or --pin after a deliberate change)"
	tmp=$(mktemp)
	jq --arg v "$have_go" '.go = $v' "$pins" >"$tmp" && mv "$tmp" "$pins"
	echo "pinned go $have_go"
fi

sha() { sha256sum "$1" | cut -d' ' -f1; }

# pinned <jq path> <value> <what>: compare a value with the pin, or record it.
pinned() {
	want=$(jq -r "$1 // \"\"" "$pins")
	if [ "$want" = "$2" ]; then
		echo "ok $3 $2"
		return
	fi
	if [ "$pin" != 1 ]; then
		[ -n "$want" ] || die "$3 has no pin in transports.json (run with --pin on a trusted build machine)"
		die "$3: $2 does not match the pinned $want"
	fi
	tmp=$(mktemp)
	jq --arg v "$2" "$1 = \$v" "$pins" >"$tmp" && mv "$tmp" "$pins"
	echo "pinned $3 $2"
}

# obfs4_source prints the directory of the checked obfs4proxy source.
obfs4_source() {
	version=$(jq -r .obfs4proxy.debian_version "$pins")
	orig=$(jq -r .obfs4proxy.orig_tarball "$pins")
	dir="$cache/obfs4proxy-$version"
	mkdir -p "$dir"
	if [ ! -f "$dir/$orig" ]; then
		if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src ' /etc/apt/sources.list; then
			[ "$(id -u)" = 0 ] || die "apt-get source needs a deb-src line for bookworm main; as root this script adds it"
			printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				>/etc/apt/sources.list.d/nook-deb-src.sources
			apt-get update -qq >&2
		fi
		# Only the upstream tarball is needed; apt-get fails when the
		# Debian diff is gone from the mirror, so its status is not used:
		# the tarball's SHA-256 below is the check.
		(cd "$dir" && apt-get source --download-only "obfs4proxy=$version" >&2) || true
		[ -f "$dir/$orig" ] || die "apt-get source obfs4proxy=$version did not give $orig"
	fi
	dsc="$dir/obfs4proxy_$version.dsc"
	[ -f "$dsc" ] || die "apt-get source obfs4proxy=$version did not give $(basename "$dsc")"
	pinned .obfs4proxy.dsc_sha256 "$(sha "$dsc")" "obfs4proxy $(basename "$dsc")" >&2
	origsha=$(sha "$dir/$orig")
	pinned .obfs4proxy.orig_sha256 "$origsha" "obfs4proxy source $orig" >&2
	# The .dsc (signed by the Debian archive through the Release file
	# apt-get checked) lists the tarball's SHA-256 too.
	grep -q "^ $origsha [0-9]* $orig\$" "$dsc" || die "$orig's SHA-256 is not the one its .dsc lists"
	src="$dir/src"
	if [ ! -d "$src" ]; then
		mkdir -p "$src.tmp"
		tar -xjf "$dir/$orig" -C "$src.tmp" --strip-components=1
		mv "$src.tmp" "$src"
	fi
	echo "$src"
}

# module_source <key> prints the directory of a writable copy of the
# checked Go module pinned under <key> in transports.json (snowflake,
# webtunnel).
module_source() {
	mod=$(jq -r ".$1.module" "$pins")
	ver=$(jq -r ".$1.version" "$pins")
	json=$(go mod download -json "$mod@$ver") || die "go mod download $mod@$ver failed"
	modsum=$(echo "$json" | jq -r .Sum)
	pinned ".$1.h1" "$modsum" "$1 module $mod@$ver" >&2
	pinned ".$1.zip_sha256" "$(sha "$(echo "$json" | jq -r .Zip)")" "$1 module zip" >&2
	src="$cache/$1-$ver/src"
	if [ ! -d "$src" ]; then
		mkdir -p "$(dirname "$src")"
		cp -R "$(echo "$json" | jq -r .Dir)" "$src.tmp"
		chmod -R u+w "$src.tmp"
		mv "$src.tmp" "$src"
	fi
	echo "$src"
}

# build <name> <src> <package> <goos> <goarch> <out>
build() {
	(cd "$2" && GOOS=$4 GOARCH=$5 go build -trimpath -ldflags "-s -w -buildid=" -o "$6" "$3") ||
		die "building $1 for $4-$5 failed"
}

for name in $names; do
	case "$name" in
	obfs4proxy) src=$(obfs4_source); pkg=./obfs4proxy ;;
	snowflake-client) src=$(module_source snowflake); pkg=./client ;;
	webtunnel-client) src=$(module_source webtunnel); pkg=./main/client ;;
	snowflake-server | snowflake-broker | snowflake-proxy)
		src=$(module_source snowflake); pkg=./${name#snowflake-} ;;
	*) die "unknown transport $name (obfs4proxy, snowflake-client, webtunnel-client; for tests snowflake-server, snowflake-broker, snowflake-proxy)" ;;
	esac
	testonly=0
	case "$name" in snowflake-server | snowflake-broker | snowflake-proxy) testonly=1 ;; esac
	for p in $platforms; do
		goos=${p%-*}
		goarch=${p#*-}
		ext=""
		[ "$goos" = windows ] && ext=.exe
		outdir=${outbase:-$here/$p}
		[ "$testonly" = 1 ] && outdir=${outbase:-$cache/test-programs/$p}
		mkdir -p "$outdir"
		out="$outdir/$name$ext"
		build "$name" "$src" "$pkg" "$goos" "$goarch" "$out.tmp"
		if [ "$check" = 1 ]; then
			# A second build from a copy of the source in another
			# directory, with a separate build cache: -trimpath must
			# make the directory irrelevant.
			second="$cache/recheck-$name"
			rm -rf "$second" && cp -R "$src" "$second"
			GOCACHE="$cache/gocache-recheck" build "$name" "$second" "$pkg" "$goos" "$goarch" "$out.second"
			a=$(sha "$out.tmp")
			b=$(sha "$out.second")
			rm -f "$out.second"
			[ "$a" = "$b" ] || die "$p/$name is not reproducible: $a then $b"
			echo "reproducible $p/$name $a"
		fi
		if [ "$testonly" = 1 ]; then
			echo "test only (not shipped, no pin) $p/$name$ext $(sha "$out.tmp")"
		else
			pinned ".binaries[\"$p\"][\"$name$ext\"]" "$(sha "$out.tmp")" "$p/$name$ext"
		fi
		size=$(wc -c <"$out.tmp" | tr -d ' ')
		mv "$out.tmp" "$out"
		echo "built $out ($size bytes)"
	done
done
