#!/bin/sh
# fetch.sh fills tor-bundles/<os>-<arch>/ with the tor that Nook's installers
# ship for the platforms that are not built from source here, as described
# by manifest.json, and checks every file against the SHA-256 recorded there.
# linux-amd64 and windows-amd64 are built by build.sh instead.
#
#   fetch.sh [--pin] [platform ...]     platforms: linux-arm64 darwin-amd64
#                                       darwin-arm64 (default: all three)
#
# linux-<host arch>: copied from the installed Debian tor package
#   (/usr/bin/tor, version checked with dpkg-query); needs no network.
# linux-<other arch>: "apt-get download tor:<arch>=<version>" + dpkg-deb -x.
# windows/darwin: the Tor Expert Bundle from archive.torproject.org; the
#   archive is checked against sha256sums-signed-build.txt, whose OpenPGP
#   signature must verify with the Tor Browser Developers key
#   (manifest.expert_bundle.signing_key_fingerprint), and against the manifest.
#
# Anything that downloads runs only on a build machine with network, and only
# when NOOK_FETCH_NETWORK=1 is set: development and CI machines have no
# internet and must not try to reach it, so without that variable the script
# refuses before opening any connection.
#
# --pin records the SHA-256 of files whose manifest entry is empty (after the
# signature check for Expert Bundles); review and commit manifest.json then.
# Without --pin an empty entry is an error. The binaries are never committed
# (.gitignore ignores tor-bundles/*/).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
manifest="$here/manifest.json"
pin=0
if [ "${1:-}" = "--pin" ]; then pin=1; shift; fi

die() { echo "fetch.sh: $*" >&2; exit 1; }
for tool in jq sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || die "needs $tool (apt-get install $tool)"
done

platforms=${*:-$(jq -r '.platforms | to_entries[] | select(.value.source | startswith("built by") | not) | .key' "$manifest")}
version=$(jq -r .tor_version "$manifest")

sha() { sha256sum "$1" | cut -d' ' -f1; }

# check <platform> <key> <file>: compare with the manifest, or pin.
check() {
	want=$(jq -r --arg p "$1" --arg k "$2" '.platforms[$p].sha256[$k] // ""' "$manifest")
	got=$(sha "$3")
	if [ -z "$want" ]; then
		[ "$pin" = 1 ] || die "$1/$2 has no SHA-256 in manifest.json (run with --pin on a trusted build machine)"
		tmp=$(mktemp)
		jq --arg p "$1" --arg k "$2" --arg v "$got" '.platforms[$p].sha256[$k] = $v' "$manifest" >"$tmp"
		mv "$tmp" "$manifest"
		echo "pinned $1/$2 $got"
	elif [ "$want" != "$got" ]; then
		die "$1/$2: SHA-256 $got does not match the manifest's $want"
	else
		echo "ok $1/$2 $got"
	fi
}

need_network() {
	[ "${NOOK_FETCH_NETWORK:-}" = 1 ] || die "$1 must be downloaded, and this machine is not marked as a build machine with network.
  Run fetch.sh on a build machine with internet access and NOOK_FETCH_NETWORK=1.
  (Development and CI machines have no internet; the script opened no connection.)"
	command -v curl >/dev/null 2>&1 || die "needs curl"
	curl -fsS --max-time 15 -o /dev/null https://archive.torproject.org/ ||
		die "no network: cannot reach archive.torproject.org"
}

host_arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)

fetch_linux() { # platform arch
	out="$here/$1"
	mkdir -p "$out"
	if [ "$2" = "$host_arch" ]; then
		have=$(dpkg-query -W -f '${Version}' tor 2>/dev/null || true)
		case "$have" in
		"$version"-*) ;;
		*) die "$1: installed Debian tor is '${have:-none}', manifest wants $version (apt-get install tor=$(jq -r --arg p "$1" '.platforms[$p].debian_package' "$manifest" | cut -d= -f2))" ;;
		esac
		cp /usr/bin/tor "$out/tor"
	else
		need_network "$1"
		pkg=$(jq -r --arg p "$1" '.platforms[$p].debian_package' "$manifest")
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download "tor:$2=${pkg#tor=}") || die "$1: apt-get download failed (add the $2 architecture: dpkg --add-architecture $2 && apt-get update)"
		dpkg-deb -x "$tmp"/tor_*.deb "$tmp/x"
		cp "$tmp/x/usr/bin/tor" "$out/tor"
		rm -rf "$tmp"
	fi
	chmod 755 "$out/tor"
	check "$1" tor "$out/tor"
}

fetch_expert() { # platform
	need_network "$1"
	command -v gpg >/dev/null 2>&1 || die "needs gpg"
	tb=$(jq -r '.expert_bundle.tb_version' "$manifest")
	[ -n "$tb" ] || die "manifest.expert_bundle.tb_version is empty: choose the Tor Browser release that ships tor $version"
	fpr=$(jq -r '.expert_bundle.signing_key_fingerprint' "$manifest")
	url=$(jq -r --arg p "$1" '.platforms[$p].source' "$manifest" | sed "s/^Tor Expert Bundle: //; s/\${TB_VERSION}/$tb/g")
	sums=$(jq -r '.expert_bundle.signed_sums' "$manifest" | sed "s/\${TB_VERSION}/$tb/g")
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	curl -fsSL -o "$tmp/bundle.tar.gz" "$url"
	curl -fsSL -o "$tmp/sums.txt" "$sums"
	curl -fsSL -o "$tmp/sums.txt.asc" "$sums.asc"
	export GNUPGHOME="$tmp/gnupg"
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --quiet --auto-key-locate nodefault,wkd --locate-keys torbrowser@torproject.org >/dev/null 2>&1 || true
	gpg --batch --status-fd 1 --verify "$tmp/sums.txt.asc" "$tmp/sums.txt" 2>/dev/null | grep -q "VALIDSIG $fpr" ||
		die "$1: the signature of $(basename "$sums") does not verify with key $fpr"
	name=$(basename "$url")
	grep -q "$(sha "$tmp/bundle.tar.gz")  $name" "$tmp/sums.txt" ||
		die "$1: $name is not listed with this SHA-256 in the signed checksums"
	check "$1" archive "$tmp/bundle.tar.gz"
	mkdir -p "$tmp/x" "$here/$1"
	tar -xzf "$tmp/bundle.tar.gz" -C "$tmp/x"
	for f in $(jq -r --arg p "$1" '.platforms[$p].files[]' "$manifest"); do
		src=$(jq -r --arg p "$1" --arg f "$f" '.platforms[$p].archive_paths[$f]' "$manifest")
		cp "$tmp/x/$src" "$here/$1/$f"
		check "$1" "$f" "$here/$1/$f"
	done
	chmod 755 "$here/$1"/tor* 
	rm -rf "$tmp"
	trap - EXIT
}

for p in $platforms; do
	case "$p" in
	linux-amd64 | windows-amd64) die "$p is built from source: tor-bundles/build.sh $p" ;;
	linux-arm64) fetch_linux "$p" arm64 ;;
	darwin-*) fetch_expert "$p" ;;
	*) die "unknown platform $p" ;;
	esac
done
