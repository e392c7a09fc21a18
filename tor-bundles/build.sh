#!/bin/sh
# build.sh builds the tor that Nook's installers ship, from Debian's source
# packages, reproducibly, and fills tor-bundles/<platform>/.
#
#   build.sh [--fresh] [--pin] [--out DIR] PLATFORM
#
#   PLATFORM   windows-amd64  tor.exe, geoip, geoip6 (mingw-w64, static)
#              linux-amd64    tor, geoip, geoip6 (musl, fully static)
#   --fresh    build from a new, empty directory even if the cache holds a
#              build for these sources (the source tarballs are still reused)
#   --pin      record the SHA-256 of the built files in manifest.json when the
#              manifest has none (review and commit the diff)
#   --out DIR  put the files in DIR instead of tor-bundles/PLATFORM
#
# Sources: manifest.json's "build.sources" names, for tor, openssl, libevent
# and zlib, the Debian bookworm source package version and the SHA-256 of its
# upstream tarball. The tarballs are fetched with `apt-get source
# --download-only` from a deb-src list of this script's own (apt authenticates
# the .dsc through Debian's signed Release and Sources files, and the .dsc the
# tarball), then checked against the manifest's SHA-256. Nothing else is
# downloaded; the system's apt configuration is not changed.
#
# Reproducible: every step runs with SOURCE_DATE_EPOCH (manifest), TZ=UTC,
# LC_ALL=C, umask 022, in a fresh directory whose path is mapped to /build in
# everything the compiler records (-ffile-prefix-map through a wrapper, so
# the flag never appears in strings the programs embed). The result must
# equal the SHA-256 in the manifest, else the script fails: a build made on
# another Debian 12 machine with the same packages gives the same bytes.
# `make tor-repro` builds twice from clean directories and compares.
#
# Cache (outside the repository): $NOOK_CACHE_DIR, default
# ${XDG_CACHE_HOME:-~/.cache}/nook. tor-build/src/<sha256> holds the
# verified tarballs, tor-build/out/<key>/ a finished build, where key is the
# SHA-256 of the source hashes, this script and the toolchain versions. A
# later run with the same key copies the files (after checking them against
# the manifest) and builds nothing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
manifest="$here/manifest.json"
fresh=0 pin=0 out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--fresh) fresh=1 ;;
	--pin) pin=1 ;;
	--out) shift; out=$1 ;;
	-*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
platform=$1
out=${out:-$here/$platform}

die() { echo "build.sh: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
for tool in jq sha256sum make; do
	command -v "$tool" >/dev/null 2>&1 || die "needs $tool (packaging/deps.sh tor-build installs everything)"
done

case "$platform" in
windows-amd64)
	host=x86_64-w64-mingw32
	cc_name=$host-gcc
	strip_tool=$host-strip
	exe=tor.exe
	;;
linux-amd64)
	host=x86_64-linux-musl
	cc_name=musl-gcc
	strip_tool="strip"
	exe=tor
	;;
*) die "unknown platform $platform (windows-amd64 or linux-amd64)" ;;
esac
command -v "$cc_name" >/dev/null 2>&1 || die "needs $cc_name (packaging/deps.sh tor-build)"
files=$(jq -r --arg p "$platform" '.platforms[$p].files[]' "$manifest")

cache=${NOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nook}/tor-build
mkdir -p "$cache/src" "$cache/out"

src_field() { jq -r --arg n "$1" --arg f "$2" '.build.sources[$n][$f]' "$manifest"; }
epoch=$(jq -r '.build.source_date_epoch' "$manifest")

# --- sources -------------------------------------------------------------

apt_ready=0
apt_opts() {
	a="$cache/apt"
	echo "-o Dir::Etc::SourceList=$a/sources.list -o Dir::Etc::SourceParts=$a/parts.d
-o Dir::State::Lists=$a/lists -o Dir::Cache=$a/cache -o Dir::State::Status=/var/lib/dpkg/status
-o APT::Sandbox::User=$(id -un) -o Debug::NoLocking=1 -q=2"
}
apt_setup() {
	[ $apt_ready = 1 ] && return
	a="$cache/apt"
	mirror=${NOOK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	keyring=${NOOK_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
	[ -r "$keyring" ] || die "needs Debian's archive keyring $keyring (apt-get install debian-archive-keyring)"
	command -v apt-get >/dev/null 2>&1 || die "needs apt-get (a Debian or Ubuntu build machine)"
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/parts.d"
	suite=$(jq -r '.build.debian_suite' "$manifest")
	echo "deb-src [signed-by=$keyring] $mirror $suite main" >"$a/sources.list"
	log "apt-get update (deb-src $mirror $suite main, lists in $a)"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update || die "apt-get update failed for $mirror"
	apt_ready=1
}

fetch() { # name
	want=$(src_field "$1" sha256)
	tarball=$(src_field "$1" tarball)
	if [ -z "$want" ] || [ "$want" = null ]; then die "manifest.json has no build.sources.$1.sha256"; fi
	if [ -f "$cache/src/$want" ] && [ "$(sha "$cache/src/$want")" = "$want" ]; then
		return
	fi
	apt_setup
	ver=$(src_field "$1" debian_version)
	pkg=$(src_field "$1" debian_package)
	tmp=$(mktemp -d)
	log "fetching source package $pkg=$ver"
	# shellcheck disable=SC2046
	(cd "$tmp" && apt-get $(apt_opts) source --download-only "$pkg=$ver") ||
		die "apt-get source $pkg=$ver failed (Debian may have replaced that version: update build.sources in manifest.json)"
	[ -f "$tmp/$tarball" ] || die "$pkg=$ver has no $tarball"
	got=$(sha "$tmp/$tarball")
	[ "$got" = "$want" ] || die "$tarball: SHA-256 $got does not match the manifest's $want"
	mv "$tmp/$tarball" "$cache/src/$want"
	rm -rf "$tmp"
}

for n in zlib openssl libevent tor; do fetch "$n"; done

# --- cache lookup ----------------------------------------------------------

ld_tool=ld
[ "$platform" = windows-amd64 ] && ld_tool=$host-ld
toolchain=$("$cc_name" --version | head -1; "$ld_tool" --version | head -1)
key=$({
	jq -c '.build' "$manifest"
	echo "$platform"
	cat "$0"
	echo "$toolchain"
} | sha256sum | cut -d' ' -f1)

# verify_into <dir>: check every file against the manifest (or pin), copy to $out.
verify_into() {
	for f in $files; do
		want=$(jq -r --arg p "$platform" --arg f "$f" '.platforms[$p].sha256[$f] // ""' "$manifest")
		got=$(sha "$1/$f")
		if [ -z "$want" ]; then
			[ "$pin" = 1 ] || die "$platform/$f has no SHA-256 in manifest.json (built: $got; run with --pin to record it)"
			tmp=$(mktemp)
			jq --arg p "$platform" --arg f "$f" --arg v "$got" '.platforms[$p].sha256[$f] = $v' "$manifest" >"$tmp"
			cat "$tmp" >"$manifest"
			rm -f "$tmp"
			log "pinned $platform/$f $got"
		elif [ "$want" != "$got" ]; then
			die "$platform/$f: built SHA-256 $got differs from the manifest's $want (not reproducible, or a different toolchain: see tor-bundles/README.md)"
		fi
	done
	mkdir -p "$out"
	for f in $files; do
		cp "$1/$f" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"
	done
	chmod 755 "$out/$exe"
	for f in $files; do echo "$(sha "$out/$f")  $platform/$f"; done
}

if [ "$fresh" = 0 ] && [ -f "$cache/out/$key/done" ]; then
	log "cached build $key"
	verify_into "$cache/out/$key"
	exit 0
fi

# --- build -----------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/nook-tor-build.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
stage=$work/stage
p=/opt/nook-tor # the prefix compiled into the libraries; installed under $stage
mkdir -p "$work/bin" "$stage"
# The compiler wrapper: same name as the compiler, first on PATH, adds the
# prefix map so no temporary path reaches the binary.
real_cc=$(command -v "$cc_name")
extra=
if [ "$platform" = linux-amd64 ]; then
	# musl-gcc sees musl's headers only; OpenSSL and tor also want the
	# kernel's (linux-libc-dev), which belong to no C library.
	mkdir -p "$work/kernel-include"
	ln -s /usr/include/linux /usr/include/asm-generic "$work/kernel-include/"
	ln -s "/usr/include/$(uname -m)-linux-gnu/asm" "$work/kernel-include/asm"
	extra="-idirafter $work/kernel-include"
fi
printf '#!/bin/sh\nexec %s -ffile-prefix-map=%s=/build %s "$@"\n' "$real_cc" "$work" "$extra" >"$work/bin/$cc_name"
chmod 755 "$work/bin/$cc_name"
PATH=$work/bin:$PATH
SOURCE_DATE_EPOCH=$epoch TZ=UTC LC_ALL=C
export PATH SOURCE_DATE_EPOCH TZ LC_ALL
umask 022
jobs=${NOOK_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}

unpack() { # name -> prints the source directory
	d="$work/src-$1"
	mkdir -p "$d"
	tar -xf "$cache/src/$(src_field "$1" sha256)" -C "$d"
	echo "$d/$(ls "$d")"
}

start=$(date +%s)
step() { log "$platform: $* ($(($(date +%s) - start)) s)"; }

step "zlib"
z=$(unpack zlib)
if [ "$platform" = windows-amd64 ]; then
	set -- CHOST="$host" AR="$host-ar" RANLIB="$host-ranlib"
else
	set -- CHOST="$host"
fi
(cd "$z" && env "$@" CC="$cc_name" CFLAGS="-O2" ./configure --static --prefix=$p/zlib >"$work/zlib.log" 2>&1 &&
	make -j"$jobs" libz.a >>"$work/zlib.log" 2>&1) || { tail -30 "$work/zlib.log"; die "zlib failed"; }
mkdir -p "$stage$p/zlib/lib" "$stage$p/zlib/include"
cp "$z/libz.a" "$stage$p/zlib/lib/"
cp "$z/zlib.h" "$z/zconf.h" "$stage$p/zlib/include/"

step "openssl"
o=$(unpack openssl)
if [ "$platform" = windows-amd64 ]; then
	set -- mingw64 --cross-compile-prefix="$host-"
else
	set -- linux-x86_64 CC="$cc_name" no-afalgeng no-async
fi
(cd "$o" && ./Configure "$@" no-shared no-tests no-dso no-engine no-module \
	--prefix=$p/openssl --openssldir=$p/openssl/ssl --libdir=lib >"$work/openssl.log" 2>&1 &&
	make -j"$jobs" build_libs >>"$work/openssl.log" 2>&1 &&
	make install_dev DESTDIR="$stage" >>"$work/openssl.log" 2>&1) || { tail -30 "$work/openssl.log"; die "openssl failed"; }

step "libevent"
e=$(unpack libevent)
(cd "$e" && CC=$cc_name ./configure --host="$host" --prefix=$p/libevent --disable-shared --enable-static \
	--disable-openssl --disable-mbedtls --disable-samples --disable-libevent-regress --disable-debug-mode \
	--disable-dependency-tracking >"$work/libevent.log" 2>&1 &&
	make -j"$jobs" >>"$work/libevent.log" 2>&1 &&
	make install DESTDIR="$stage" >>"$work/libevent.log" 2>&1) || { tail -30 "$work/libevent.log"; die "libevent failed"; }

step "tor"
t=$(unpack tor)
set -- --host="$host" --prefix=$p/tor --disable-dependency-tracking \
	--enable-static-libevent --with-libevent-dir="$stage$p/libevent" \
	--enable-static-openssl --with-openssl-dir="$stage$p/openssl" \
	--enable-static-zlib --with-zlib-dir="$stage$p/zlib" \
	--disable-lzma --disable-zstd --disable-unittests --disable-module-relay --disable-module-dirauth \
	--disable-asciidoc --disable-manpage --disable-html-manual --disable-tool-name-check
if [ "$platform" = linux-amd64 ]; then
	set -- "$@" --enable-static-tor --disable-seccomp --disable-libscrypt --disable-systemd --disable-linker-hardening
fi
(cd "$t" && CC=$cc_name LDFLAGS=-static ./configure "$@" >"$work/tor.log" 2>&1 &&
	make -j"$jobs" "src/app/$exe" >>"$work/tor.log" 2>&1) || { tail -40 "$work/tor.log"; die "tor failed"; }

step "result"
r="$work/result"
mkdir -p "$r"
"$strip_tool" -o "$r/$exe" "$t/src/app/$exe"
cp "$t/src/config/geoip" "$t/src/config/geoip6" "$r/"
touch -d "@$epoch" "$r"/*
step "done"
rm -rf "$cache/out/$key"
cp -a "$r" "$cache/out/$key"
echo "$(($(date +%s) - start))" >"$cache/out/$key/seconds"
touch "$cache/out/$key/done"
verify_into "$cache/out/$key"
