#!/bin/sh
# package.sh builds Nook's Linux packages from an already built binary:
#
#   dist/<pkg>_<version>-<build>_<arch>.deb      for Debian/Ubuntu (dpkg-deb)
#   dist/<pkg>-<version>-linux-<arch>.tar.xz      any distribution: install.sh
#                                                 (per user, or --system)
#
# The app's ID, name and version come from FyneApp.toml. The tor bundled in
# /usr/lib/<pkg>/tor-bundles/linux-<arch>/ comes from tor-bundles/ and must
# match tor-bundles/manifest.json's SHA-256 (else the script refuses); without
# a bundle the .deb depends on Debian's tor instead, and the tarball's name
# says "without-tor". Beside a bundled tor go the pluggable transports
# (obfs4proxy, snowflake-client, webtunnel-client) that
# tor-bundles/transports.sh builds, each
# with tor-bundles/transports.json's SHA-256 (else the script refuses;
# NOOK_WITHOUT_TRANSPORTS=1 leaves them out).
#
# /usr/bin/<pkg> is a symlink to /usr/lib/<pkg>/<pkg>: the engine looks for
# tor-bundles/ beside the resolved executable (engine/tor/find.go).
#
# Environment: NOOK_BIN (default bin/nook, built by "make build"), DIST
# (default dist), DEB_ARCH (default: dpkg's), DEB_MAINTAINER, NOOK_TOR_BUNDLES,
# NOOK_WITHOUT_TOR=1 (build without a bundle; otherwise its absence is an error), NOOK_NO_TARBALL=1,
# XZ_LEVEL (default 6; the test uses 1: the 40 MB binary takes ≈ 20 s at 6).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/packaging/linux/common.sh"
here=$root/packaging/linux

need dpkg-deb convert xz tar jq
load_app
bin=${NOOK_BIN:-$root/bin/$APP_PKG}
dist=${DIST:-$root/dist}
arch=${DEB_ARCH:-$(dpkg --print-architecture)}
case "$arch" in
amd64 | arm64) ;;
*) die "unsupported architecture $arch (amd64 or arm64)" ;;
esac
maintainer=${DEB_MAINTAINER:-"Nook developers <nookchat@users.noreply.github.com>"}
homepage=https://github.com/nookchat/nook
[ -x "$bin" ] || die "no executable at $bin: run 'make build' first (or set NOOK_BIN)"
case "$(file -b "$bin" 2>/dev/null || echo ELF)" in
ELF*) ;;
*) die "$bin is not a Linux executable" ;;
esac

platform=linux-$arch
# Tor is part of the package unless NOOK_WITHOUT_TOR=1 asks otherwise.
if [ "${NOOK_WITHOUT_TOR:-}" = 1 ]; then NOOK_REQUIRE_TOR_BUNDLE=; else NOOK_REQUIRE_TOR_BUNDLE=1; fi
bundled=0
if tor_bundle "$platform"; then
	bundled=1
	transports_bundle "$platform"
else
	note "no Tor bundle in $TOR_BUNDLE_DIR: the .deb will depend on Debian's tor package instead."
	note "  To bundle it: tor-bundles/build.sh $platform (builds tor $TOR_VERSION from Debian's sources; make package-linux does)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
stage=$work/deb
date=$(date -u -d "@$(epoch)" +%Y-%m-%d 2>/dev/null || date -u -r "$(epoch)" +%Y-%m-%d)

# The English words of the desktop entry and the metainfo are the source
# catalog's (app/i18n/catalogs/en.json, package.*), as their translations.
sedtext() { catalog_text en "$1" | sed 's/[\\|&]/\\&/g'; }
generic_name=$(sedtext package.generic_name)
comment=$(sedtext package.comment)
keywords=$(sedtext package.keywords)
summary=$(catalog_text en package.summary | jq -Rr @html | sed 's/[\\|&]/\\&/g')
if [ -z "$generic_name" ] || [ -z "$comment" ] || [ -z "$keywords" ] || [ -z "$summary" ]; then
	die "app/i18n/catalogs/en.json lacks a package.* text"
fi

subst() { # subst TEMPLATE OUT EXEC
	sed -e "s|@ID@|$APP_ID|g" -e "s|@NAME@|$APP_NAME|g" -e "s|@PKG@|$APP_PKG|g" \
		-e "s|@VERSION@|$APP_VERSION|g" -e "s|@DATE@|$date|g" \
		-e "s|@HOMEPAGE@|$homepage|g" -e "s|@EXEC@|$3|g" \
		-e "s|@GENERIC_NAME@|$generic_name|g" -e "s|@COMMENT@|$comment|g" \
		-e "s|@KEYWORDS@|$keywords|g" -e "s|@SUMMARY@|$summary|g" "$1" >"$2"
}

# share/ for both packages: desktop entry, icons, metainfo, docs.
share() { # share DIR EXEC
	mkdir -p "$1/applications" "$1/metainfo" "$1/doc/$APP_PKG"
	subst "$here/app.desktop.in" "$1/applications/$APP_ID.desktop" "$2"
	l10n_desktop "$1/applications/$APP_ID.desktop"
	subst "$here/metainfo.xml.in" "$1/metainfo/$APP_ID.metainfo.xml" "$2"
	l10n_metainfo "$1/metainfo/$APP_ID.metainfo.xml"
	for s in 16 32 48 64 128 256 512; do
		d=$1/icons/hicolor/${s}x$s/apps
		mkdir -p "$d"
		convert "$APP_ICON" -resize "${s}x$s" -strip "PNG32:$d/$APP_ID.png"
	done
	copyright >"$1/doc/$APP_PKG/copyright"
	cp "$work/licenses.txt" "$1/doc/$APP_PKG/THIRD-PARTY-LICENSES"
}

copyright() {
	cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $APP_NAME
Source: $homepage

Files: *
Copyright: 2026 The $APP_NAME developers
License: MIT
EOF
	sed 's/^/ /; s/^ $/ ./' "$root/LICENSE"
	cat <<EOF
Comment: The Go modules compiled into the program are listed, with their
 licences, in /usr/share/doc/$APP_PKG/THIRD-PARTY-LICENSES.

Files: assets/fonts/DroidSansFallbackFull.ttf
Copyright: 2006-2010 Google Corp.
Comment: Droid Sans Fallback, compiled into the program for Chinese text
 (from Debian's fonts-droid-fallback).
License: Apache-2.0
 On Debian systems, the complete text of the Apache License Version 2.0
 can be found in /usr/share/common-licenses/Apache-2.0.
EOF
	if [ "$bundled" = 1 ]; then
		cat <<EOF

Files: usr/lib/$APP_PKG/tor-bundles/*
Copyright: The Tor Project, Inc. and others; The OpenSSL Project Authors;
 Niels Provos and Nick Mathewson (libevent); Jean-loup Gailly and Mark Adler
 (zlib); the musl authors. See the notices below.
Comment: tor $TOR_VERSION with OpenSSL, libevent and zlib, built statically from
 Debian's source packages by tor-bundles/build.sh (tor-bundles/manifest.json)
License: BSD-3-clause and Apache-2.0 and Zlib and MIT
EOF
		[ -z "$PT_FILES" ] || cat <<EOF

Files: usr/lib/$APP_PKG/tor-bundles/*/obfs4proxy usr/lib/$APP_PKG/tor-bundles/*/snowflake-client
 usr/lib/$APP_PKG/tor-bundles/*/webtunnel-client
Copyright: Yawning Angel and others (obfs4proxy); The Tor Project, Inc. and
 others (snowflake, webtunnel); the authors of the Go modules compiled in. See below.
Comment: the pluggable transports obfs4proxy (Debian source package),
 snowflake-client and webtunnel-client (Go module proxy), built by tor-bundles/transports.sh
 (tor-bundles/transports.json); every module's licence is in the notices below
License: BSD-2-clause and BSD-3-clause and GPL-3 and MIT and Apache-2.0
EOF
		bundle_licenses "$platform" | sed 's/^/ /; s/^ $/ ./'
	fi
}

goarch=$arch
licenses "$work/licenses.txt" linux "$goarch" ./app/desktop
[ "$bundled" = 1 ] && bundle_licenses "$platform" >>"$work/licenses.txt"

# --- the .deb -----------------------------------------------------------
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/lib/$APP_PKG"
cp "$bin" "$stage/usr/lib/$APP_PKG/$APP_PKG"
chmod 755 "$stage/usr/lib/$APP_PKG/$APP_PKG"
ln -s "../lib/$APP_PKG/$APP_PKG" "$stage/usr/bin/$APP_PKG"
if [ "$bundled" = 1 ]; then
	mkdir -p "$stage/usr/lib/$APP_PKG/tor-bundles/$platform"
	for f in $TOR_FILES; do
		cp "$TOR_BUNDLE_DIR/$f" "$stage/usr/lib/$APP_PKG/tor-bundles/$platform/$f"
	done
	chmod 755 "$stage/usr/lib/$APP_PKG/tor-bundles/$platform/tor"
	for f in $PT_FILES; do
		cp "$TOR_BUNDLE_DIR/$f" "$stage/usr/lib/$APP_PKG/tor-bundles/$platform/$f"
		chmod 755 "$stage/usr/lib/$APP_PKG/tor-bundles/$platform/$f"
	done
fi
share "$stage/usr/share" "$APP_PKG"
gzip -9n -c >"$stage/usr/share/doc/$APP_PKG/changelog.gz" <<EOF
$APP_PKG ($APP_VERSION-$APP_BUILD) stable; urgency=medium

  * Release $APP_VERSION.

 -- $maintainer  $(LC_ALL=C date -u -R -d "@$(epoch)" 2>/dev/null || LC_ALL=C date -u -R)
EOF
command -v desktop-file-validate >/dev/null 2>&1 &&
	{ desktop-file-validate "$stage/usr/share/applications/$APP_ID.desktop" || die "the .desktop file does not validate"; }
if command -v appstreamcli >/dev/null 2>&1; then
	appstreamcli validate --no-net --pedantic "$stage/usr/share/metainfo/$APP_ID.metainfo.xml" >"$work/as.log" 2>&1 ||
		{ cat "$work/as.log" >&2; die "the AppStream metainfo does not validate"; }
fi

# Depends: what the binaries link (dpkg-shlibdeps), the X11/GL libraries Fyne
# opens, and Debian's tor when none is bundled.
libs="libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"
shlibs=
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
	mkdir -p "$work/shl/debian"
	printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$APP_PKG" "$APP_PKG" >"$work/shl/debian/control"
	set -- "$stage/usr/lib/$APP_PKG/$APP_PKG"
	[ "$bundled" = 1 ] && set -- "$@" "$stage/usr/lib/$APP_PKG/tor-bundles/$platform/tor"
	shlibs=$(cd "$work/shl" && dpkg-shlibdeps -O "$@" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
	[ -n "$shlibs" ] || die "dpkg-shlibdeps found no dependencies"
elif [ "$bundled" = 1 ]; then
	# Without dpkg-dev: what Debian 12's tor links.
	shlibs="libc6, libcap2, libevent-2.1-7, liblzma5, libseccomp2, libssl3, libsystemd0, libzstd1, zlib1g"
fi
depends=$shlibs
for l in $(echo "$libs" | tr -d ,); do
	echo ", $depends," | grep -q ", ${l}[ ,]" || depends="${depends:+$depends, }$l"
done
[ "$bundled" = 1 ] || depends="$depends, tor (>= ${TOR_VERSION%.*})"

size=$(du -sk "$stage/usr" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: $APP_PKG
Version: $APP_VERSION-$APP_BUILD
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Recommends: libgl1-mesa-dri
Section: net
Priority: optional
Homepage: $homepage
Description: private messenger where everyone is a Tor onion address
 $APP_NAME is a desktop messenger without phone numbers, e-mail addresses or
 accounts. Contacts talk peer to peer over Tor onion services, so no server
 learns who talks to whom; groups go through untrusted servers that store
 only sealed blobs. Contacts are added in person with QR codes.
 .
 Profiles are encrypted at rest with keys derived from their passwords.
EOF
if [ "$bundled" = 1 ]; then
	if [ -n "$PT_FILES" ]; then
		printf ' .\n This package includes tor %s and the pluggable transports\n obfs4proxy, snowflake-client and webtunnel-client (bridges where Tor\n is blocked).\n' "$TOR_VERSION"
	else
		printf ' .\n This package includes tor %s.\n' "$TOR_VERSION"
	fi >>"$stage/DEBIAN/control"
fi
(cd "$stage" && find usr -type f -exec md5sum {} + | sort -k2) >"$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 755 {} +
find "$stage/usr/share" -type f -exec chmod 644 {} +
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p "$dist"
deb=$dist/${APP_PKG}_$APP_VERSION-${APP_BUILD}_$arch.deb
rm -f "$dist/${APP_PKG}_"*"_$arch.deb"
SOURCE_DATE_EPOCH=$(epoch) dpkg-deb --root-owner-group -Zxz -z"${XZ_LEVEL:-6}" --build "$stage" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1)), Depends: $depends"

# --- the tarball --------------------------------------------------------
if [ "${NOOK_NO_TARBALL:-}" != 1 ]; then
	name=$APP_PKG-$APP_VERSION-$platform
	[ "$bundled" = 1 ] || name=$name-without-tor
	t=$work/tar/$name
	mkdir -p "$t/lib"
	cp -a "$stage/usr/lib/$APP_PKG" "$t/lib/"
	cp -a "$stage/usr/share" "$t/share"
	rm -f "$t/share/doc/$APP_PKG/changelog.gz"
	for s in install.sh uninstall.sh; do
		subst "$here/$s" "$t/$s" "$APP_PKG"
		chmod 755 "$t/$s"
	done
	rm -f "$dist/$APP_PKG-"*"-$platform"*.tar.xz
	tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$(epoch)" \
		-cf - "$name" | xz -"${XZ_LEVEL:-6}" -T0 >"$dist/$name.tar.xz"
	echo "built $dist/$name.tar.xz ($(du -h "$dist/$name.tar.xz" | cut -f1))"
fi
update_sums "$dist"
