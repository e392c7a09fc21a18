#!/bin/sh
# package.sh builds Nook for macOS: the app bundle and a disk image.
#
#   packaging/macos/package.sh              on a Mac (make package-macos):
#       dist/<pkg>-<version>-macos-<arch>.dmg   with <Name>.app and a link to
#                                               /Applications
#   packaging/macos/package.sh --dry-run DIR    anywhere (CI): only the
#       bundle's layout and Info.plist in DIR/<Name>.app, with NOOK_BIN (or a
#       placeholder) as the executable; no compiler, no hdiutil
#
# The bundle:
#   Contents/Info.plist        from Info.plist.in and FyneApp.toml (ID, name,
#                              version, build), LSMinimumSystemVersion,
#                              NSHighResolutionCapable
#   Contents/PkgInfo
#   Contents/MacOS/<pkg>       the program (go build -trimpath, cgo with clang)
#   Contents/Resources/<pkg>.icns                      from assets/icon.png
#   Contents/Resources/tor-bundles/darwin-<arch>/...   the Tor Expert Bundle's
#                              files, checked against tor-bundles/manifest.json
#                              (the engine looks in ../Resources, find.go)
#   Contents/Resources/THIRD-PARTY-LICENSES.txt
#
# Environment:
#   ARCH                  arm64, amd64 or universal (both, joined with lipo);
#                         default: this Mac's
#   MACOS_MIN             LSMinimumSystemVersion (default 12.0: Go 1.26's minimum)
#   MACOS_SIGN_IDENTITY   "Developer ID Application: … (TEAMID)": sign tor, the
#                         app (hardened runtime) and the .dmg with codesign
#   NOTARY_PROFILE        a notarytool keychain profile: notarize the .dmg and
#                         staple the ticket (needs MACOS_SIGN_IDENTITY)
#   NOOK_REQUIRE_TOR_BUNDLE=1, NOOK_TOR_BUNDLES, DIST   as for the other packages
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/packaging/linux/common.sh"
here=$root/packaging/macos

dry=
if [ "${1:-}" = --dry-run ]; then
	[ $# -eq 2 ] || die "usage: package.sh --dry-run DIR"
	dry=$2
elif [ $# -gt 0 ]; then
	die "usage: package.sh [--dry-run DIR]"
fi
if [ -z "$dry" ] && [ "$(uname -s)" != Darwin ]; then
	die "the macOS package is built on a Mac (Xcode command line tools: clang, hdiutil, codesign).
  Here, 'package.sh --dry-run DIR' only lays out the bundle (what CI checks)."
fi
load_app
minos=${MACOS_MIN:-12.0}
dist=${DIST:-$root/dist}

case "${ARCH:-}" in
"") case "$(uname -m)" in arm64 | aarch64) arch=arm64 ;; *) arch=amd64 ;; esac ;;
arm64 | amd64 | universal) arch=$ARCH ;;
*) die "ARCH must be arm64, amd64 or universal" ;;
esac
case "$arch" in
universal) goarches="amd64 arm64" ;;
*) goarches=$arch ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
if [ -n "$dry" ]; then
	out=$dry
else
	out=$work/dmg
fi
app=$out/$APP_NAME.app
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

# --- Info.plist, PkgInfo ------------------------------------------------
sed -e "s|@ID@|$APP_ID|g" -e "s|@NAME@|$APP_NAME|g" -e "s|@PKG@|$APP_PKG|g" \
	-e "s|@VERSION@|$APP_VERSION|g" -e "s|@BUILD@|$APP_BUILD|g" -e "s|@MINOS@|$minos|g" \
	"$here/Info.plist.in" >"$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"
if command -v plutil >/dev/null 2>&1; then
	plutil -lint "$app/Contents/Info.plist" >/dev/null || die "Info.plist does not lint"
fi

# --- the icon: an .icns of PNGs (what iconutil writes), made here so the
# same code runs on a Mac and in CI.
resize() { # resize SRC SIZE OUT
	if command -v convert >/dev/null 2>&1; then
		convert "$1" -resize "$2x$2" -strip "PNG32:$3"
	elif command -v sips >/dev/null 2>&1; then
		sips -z "$2" "$2" "$1" --out "$3" >/dev/null
	else
		die "needs ImageMagick's convert or macOS's sips to make the icon"
	fi
}
be32() { # a 32-bit big-endian number, as bytes
	# shellcheck disable=SC2059 # the format is the octal escapes
	printf "\\$(printf %03o $(($1 >> 24 & 255)))\\$(printf %03o $(($1 >> 16 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))\\$(printf %03o $(($1 & 255)))"
}
icns=$app/Contents/Resources/$APP_PKG.icns
: >"$work/icns.body"
for e in icp4:16 icp5:32 ic07:128 ic08:256 ic09:512 ic11:32 ic12:64 ic13:256 ic14:512; do
	type=${e%%:*}
	size=${e#*:}
	resize "$APP_ICON" "$size" "$work/$type.png"
	len=$(($(wc -c <"$work/$type.png") + 8))
	{
		printf '%s' "$type"
		be32 "$len"
		cat "$work/$type.png"
	} >>"$work/icns.body"
done
{
	printf 'icns'
	be32 $(($(wc -c <"$work/icns.body") + 8))
	cat "$work/icns.body"
} >"$icns"

# --- tor ------------------------------------------------------------------
bundled=0
for ga in $goarches; do
	if tor_bundle "darwin-$ga"; then
		mkdir -p "$app/Contents/Resources/tor-bundles/darwin-$ga"
		for f in $TOR_FILES; do
			cp "$TOR_BUNDLE_DIR/$f" "$app/Contents/Resources/tor-bundles/darwin-$ga/$f"
		done
		chmod 755 "$app/Contents/Resources/tor-bundles/darwin-$ga/tor"
		bundled=$((bundled + 1))
	else
		note "WARNING: no Tor bundle for darwin-$ga in $TOR_BUNDLE_DIR: the app will NOT include Tor for $ga Macs."
		note "  On a build machine with internet: NOOK_FETCH_NETWORK=1 tor-bundles/fetch.sh darwin-$ga"
	fi
done
# shellcheck disable=SC2086 # a list of architectures
set -- $goarches
if [ "$bundled" -gt 0 ] && [ "$bundled" -lt $# ]; then
	die "a universal app needs the Tor bundles of both darwin-amd64 and darwin-arm64"
fi

# --- the program ------------------------------------------------------------
exe=$app/Contents/MacOS/$APP_PKG
if [ -n "$dry" ]; then
	if [ -n "${NOOK_BIN:-}" ]; then
		cp "$NOOK_BIN" "$exe"
	else
		printf '#!/bin/sh\necho "placeholder for the macOS build of %s"\n' "$APP_NAME" >"$exe"
	fi
	chmod 755 "$exe"
else
	need go clang
	export MACOSX_DEPLOYMENT_TARGET="$minos"
	for ga in $goarches; do
		note "building $APP_PKG for darwin/$ga"
		(cd "$root" && CGO_ENABLED=1 GOOS=darwin GOARCH=$ga go build -trimpath -o "$work/$APP_PKG-$ga" ./app/desktop)
	done
	if [ "$arch" = universal ]; then
		lipo -create -output "$exe" "$work/$APP_PKG-amd64" "$work/$APP_PKG-arm64"
	else
		cp "$work/$APP_PKG-$arch" "$exe"
	fi
	chmod 755 "$exe"
	licenses "$app/Contents/Resources/THIRD-PARTY-LICENSES.txt" darwin "$1" ./app/desktop
fi
if [ -n "$dry" ]; then
	echo "third-party licenses are collected on the Mac build" >"$app/Contents/Resources/THIRD-PARTY-LICENSES.txt"
fi
if [ "$bundled" -gt 0 ]; then
	{
		echo
		echo "== tor $TOR_VERSION (Contents/Resources/tor-bundles, the Tor Expert Bundle)"
		echo
		tor_license
	} >>"$app/Contents/Resources/THIRD-PARTY-LICENSES.txt"
fi

if [ -n "$dry" ]; then
	echo "laid out $app (dry run: no build, no disk image)"
	exit 0
fi

# --- signing, disk image, notarization ----------------------------------------
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
	# Inner executables first (tor), then the app; hardened runtime and a
	# secure timestamp, as notarization requires.
	find "$app/Contents/Resources/tor-bundles" -type f -perm -u+x 2>/dev/null | while read -r f; do
		codesign --force --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$f"
	done
	codesign --force --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$app"
	codesign --verify --strict --deep --verbose=2 "$app"
else
	note "not signed (set MACOS_SIGN_IDENTITY): Gatekeeper will refuse a double-click on other Macs"
fi

mkdir -p "$dist"
name=$APP_PKG-$APP_VERSION-macos-$arch
[ "$bundled" -gt 0 ] || name=$name-without-tor
dmg=$dist/$name.dmg
ln -s /Applications "$out/Applications"
rm -f "$dmg"
hdiutil create -volname "$APP_NAME $APP_VERSION" -srcfolder "$out" -fs HFS+ -format UDZO -ov "$dmg" >/dev/null
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
	codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
	if [ -n "${NOTARY_PROFILE:-}" ]; then
		xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
		xcrun stapler staple "$dmg"
		xcrun stapler validate "$dmg"
		spctl --assess --type open --context context:primary-signature --verbose "$dmg" || true
	fi
fi
echo "built $dmg ($(du -h "$dmg" | cut -f1))"
update_sums "$dist"
