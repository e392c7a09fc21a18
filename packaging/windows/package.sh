#!/bin/sh
# package.sh cross-compiles Nook for Windows (amd64) on Linux and builds its
# installer:
#
#   dist/<pkg>-<version>-windows-amd64-setup.exe   NSIS, per-user, no admin
#
# nook.exe is built with mingw-w64 (cgo: Fyne's OpenGL driver), the Makefile's
# -trimpath and -H windowsgui, and carries an icon, version information and a
# manifest (a resource object made with windres from nook.rc.in, linked with
# -extldflags, so nothing is written into app/desktop). tor.exe, geoip and
# geoip6 come from tor-bundles/windows-amd64/, checked against
# tor-bundles/manifest.json; tor-bundles/build.sh windows-amd64 builds them
# from Debian's source packages (make package-windows runs it). Without them
# the script refuses, unless NOOK_WITHOUT_TOR=1 asks for an installer
# without tor (named ...-without-tor-setup.exe; it needs a tor on PATH).
# obfs4proxy.exe, snowflake-client.exe and webtunnel-client.exe (the
# pluggable transports) go
# beside tor.exe: tor-bundles/transports.sh windows-amd64 builds them (make
# package-windows runs it), each must have tor-bundles/transports.json's
# SHA-256 (NOOK_WITHOUT_TRANSPORTS=1 leaves them out).
#
# NSIS_COMPRESSOR (zlib, bzip2) replaces the default LZMA, e.g. for tests.
#
# Optional Authenticode signing of nook.exe, the installer and the
# uninstaller with osslsigncode: SIGN_CERT (PEM/DER certificate chain),
# SIGN_KEY (its private key), SIGN_PASS_FILE (the key's passphrase, if any),
# SIGN_TIMESTAMP_URL (an RFC 3161 time-stamping server; needs network).
#
# The installer is tried under wine 10 by make test-windows
# (packaging/windows/wine_test.go).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/packaging/linux/common.sh"
here=$root/packaging/windows

need go x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres makensis convert jq file
load_app
dist=${DIST:-$root/dist}
platform=windows-amd64

# Tor is part of the package unless NOOK_WITHOUT_TOR=1 asks otherwise.
if [ "${NOOK_WITHOUT_TOR:-}" = 1 ]; then NOOK_REQUIRE_TOR_BUNDLE=; else NOOK_REQUIRE_TOR_BUNDLE=1; fi
bundled=0
if tor_bundle "$platform"; then
	bundled=1
	transports_bundle "$platform"
else
	note "WARNING: no Tor bundle in $TOR_BUNDLE_DIR: the installer will NOT include Tor."
	note "  Build it from source first: tor-bundles/build.sh $platform (make package-windows does)"
fi

sign=
if [ -n "${SIGN_CERT:-}${SIGN_KEY:-}" ]; then
	if [ ! -f "${SIGN_CERT:-}" ] || [ ! -f "${SIGN_KEY:-}" ]; then die "signing needs both SIGN_CERT and SIGN_KEY to be files"; fi
	need osslsigncode
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
stage=$work/stage
mkdir -p "$stage"

# --- resources: icon, version, manifest -----------------------------------
v1=$(echo "$APP_VERSION" | cut -d. -f1)
v2=$(echo "$APP_VERSION" | cut -d. -f2)
v3=$(echo "$APP_VERSION" | cut -d. -f3)
convert "$APP_ICON" -define icon:auto-resize=256,128,64,48,32,16 "$work/$APP_PKG.ico"
subst() {
	sed -e "s|@ID@|$APP_ID|g" -e "s|@NAME@|$APP_NAME|g" -e "s|@PKG@|$APP_PKG|g" \
		-e "s|@VERSION@|$APP_VERSION|g" -e "s|@BUILD@|$APP_BUILD|g" \
		-e "s|@V1@|$v1|g" -e "s|@V2@|$v2|g" -e "s|@V3@|$v3|g" \
		-e "s|@ICO@|$APP_PKG.ico|g" -e "s|@MANIFEST@|$APP_PKG.exe.manifest|g" "$1" >"$2"
}
subst "$here/nook.rc.in" "$work/$APP_PKG.rc"
subst "$here/nook.exe.manifest.in" "$work/$APP_PKG.exe.manifest"
(cd "$work" && x86_64-w64-mingw32-windres -O coff -i "$APP_PKG.rc" -o rsrc.o)

# --- nook.exe -------------------------------------------------------------
start=$(date +%s)
note "building $APP_PKG.exe (cold: 5-7 minutes, compiling Fyne's C code with mingw; warm: seconds)"
(cd "$root" && CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 \
	go build -trimpath -ldflags "-H windowsgui -extldflags $work/rsrc.o" -o "$stage/$APP_PKG.exe" ./app/desktop)
note "built $APP_PKG.exe in $(($(date +%s) - start)) s"

kind=$(file -b "$stage/$APP_PKG.exe")
case "$kind" in
"PE32+ executable (GUI) x86-64"*) ;;
*) die "$APP_PKG.exe is not a 64-bit GUI program: $kind" ;;
esac
if command -v wrestool >/dev/null 2>&1; then
	res=$(wrestool -l "$stage/$APP_PKG.exe")
	for t in 'type=14' 'type=16' 'type=24'; do # group icon, version, manifest
		echo "$res" | grep -q "$t" || die "$APP_PKG.exe lacks resource $t: $res"
	done
else
	x86_64-w64-mingw32-objdump -h "$stage/$APP_PKG.exe" | grep -q '\.rsrc' || die "$APP_PKG.exe has no resources"
fi
# Only system DLLs: nothing from MinGW to ship.
dlls=$(x86_64-w64-mingw32-objdump -p "$stage/$APP_PKG.exe" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr '\n' ' ')
note "$APP_PKG.exe: $kind; imports $dlls"

# --- staging ----------------------------------------------------------------
licenses "$stage/THIRD-PARTY-LICENSES.txt" windows amd64 ./app/desktop
if [ "$bundled" = 1 ]; then
	mkdir -p "$stage/tor-bundles/$platform"
	for f in $TOR_FILES; do
		cp "$TOR_BUNDLE_DIR/$f" "$stage/tor-bundles/$platform/$f"
	done
	for f in $PT_FILES; do
		cp "$TOR_BUNDLE_DIR/$f" "$stage/tor-bundles/$platform/$f"
	done
	bundle_licenses "$platform" >>"$stage/THIRD-PARTY-LICENSES.txt"
fi

if [ -n "${SIGN_CERT:-}" ]; then
	cat >"$work/sign.sh" <<EOF
#!/bin/sh
set -e
osslsigncode sign -certs "$SIGN_CERT" -key "$SIGN_KEY" ${SIGN_PASS_FILE:+-readpass "$SIGN_PASS_FILE"} \\
	-h sha256 -n "$APP_NAME" -i https://github.com/nookchat/nook \\
	${SIGN_TIMESTAMP_URL:+-ts "$SIGN_TIMESTAMP_URL"} -in "\$1" -out "\$1.signed" >/dev/null
mv "\$1.signed" "\$1"
EOF
	chmod 755 "$work/sign.sh"
	sign=$work/sign.sh
	"$sign" "$stage/$APP_PKG.exe"
	note "signed $APP_PKG.exe"
fi

# --- installer --------------------------------------------------------------
mkdir -p "$dist"
name=$APP_PKG-$APP_VERSION-$platform
[ "$bundled" = 1 ] || name=$name-without-tor
out=$dist/$name-setup.exe
rm -f "$dist/$APP_PKG-"*"-$platform"*-setup.exe
l10n_nsis "$work/lang.nsh"
set -- -V2 -NOCD "-DLANGFILE=$work/lang.nsh" \
	"-DNAME=$APP_NAME" "-DID=$APP_ID" "-DPKG=$APP_PKG" "-DVERSION=$APP_VERSION" \
	"-DVERSION4=$APP_VERSION.$APP_BUILD" "-DSRC=$stage" "-DICON=$work/$APP_PKG.ico" \
	"-DOUTFILE=$out" "-DTOR=$bundled"
[ -z "$sign" ] || set -- "$@" "-DSIGN=$sign"
# NSIS_COMPRESSOR=zlib: much faster than LZMA (tests; the installer is larger).
[ -z "${NSIS_COMPRESSOR:-}" ] || set -- "$@" "-XSetCompressor /SOLID /FINAL $NSIS_COMPRESSOR"
(cd "$here" && makensis "$@" nook.nsi) >"$work/makensis.log" 2>&1 || {
	cat "$work/makensis.log" >&2
	die "makensis failed"
}
case "$(file -b "$out")" in
PE32*) ;;
*) die "$out is not a Windows program" ;;
esac
echo "built $out ($(du -h "$out" | cut -f1))"
update_sums "$dist"

note "to try it under wine 10: make test-windows"
