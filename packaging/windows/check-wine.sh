#!/bin/sh
# check-wine.sh SETUP.EXE: installs Nook's Windows installer silently under
# wine in a throwaway WINEPREFIX (and a throwaway HOME), and checks the files,
# the shortcuts, the uninstall registration and the uninstaller: a silent
# uninstall keeps the profiles, /DELETEPROFILES deletes them.
#
# It does not start nook.exe: Debian 12's wine 8 cannot run programs built
# with Go >= 1.24 (no bcryptprimitives.dll, used by Go's random number
# source); whether the program starts needs real Windows (docs/packaging.md).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/packaging/linux/common.sh"
if [ $# -ne 1 ] || [ ! -f "$1" ]; then die "usage: check-wine.sh SETUP.EXE"; fi
need wine wineserver
load_app
setup=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

tmp=$(mktemp -d)
export WINEPREFIX="$tmp/prefix" HOME="$tmp/home" WINEDEBUG=-all
# No Mono/Gecko download prompts, no menu entries in the (throwaway) HOME.
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export DISPLAY=
mkdir -p "$HOME"
cleanup() {
	wineserver -k 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

start=$(date +%s)
wine wineboot -i >/dev/null 2>&1 || true
wineserver -w
user=$(id -un)
base=$WINEPREFIX/drive_c/users/$user
inst=$base/AppData/Local/Programs/$APP_NAME
key="HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$APP_ID"
fail=0
bad() {
	printf 'check-wine.sh: FAIL: %s\n' "$*" >&2
	fail=1
}
has() { [ -e "$1" ] || bad "missing $1"; }
hasnt() { [ ! -e "$1" ] || bad "still there: $1"; }

wine "$setup" /S >/dev/null 2>&1 || bad "the installer exited with an error"
wineserver -w
has "$inst/$APP_PKG.exe"
has "$inst/uninstall.exe"
has "$inst/THIRD-PARTY-LICENSES.txt"
tor=$(find "$inst" -path '*tor-bundles/windows-amd64/tor.exe' 2>/dev/null | head -n1)
case "$(basename "$setup")" in
*without-tor*) [ -z "$tor" ] || bad "tor.exe in an installer named without-tor" ;;
*) [ -n "$tor" ] || bad "no tor-bundles/windows-amd64/tor.exe" ;;
esac
startmenu=$base/AppData/Roaming/Microsoft/Windows/Start\ Menu/Programs/$APP_NAME.lnk
desktop=$base/Desktop/$APP_NAME.lnk
has "$startmenu"
has "$desktop"
reg=$(wine reg query "$key" 2>/dev/null | tr -d '\r') || true
for v in DisplayName DisplayVersion UninstallString QuietUninstallString InstallLocation DisplayIcon; do
	printf '%s\n' "$reg" | grep -q "$v" || bad "registry $key lacks $v"
done
printf '%s\n' "$reg" | grep -q "DisplayVersion.*$APP_VERSION" || bad "registry DisplayVersion is not $APP_VERSION"

# A profile, then a silent uninstall: everything goes but the profile.
profile=$base/AppData/Roaming/$APP_NAME/profiles/p1
mkdir -p "$profile"
wine "$inst/uninstall.exe" /S >/dev/null 2>&1 || bad "the uninstaller exited with an error"
wineserver -w
hasnt "$inst/$APP_PKG.exe"
hasnt "$inst"
hasnt "$startmenu"
hasnt "$desktop"
wine reg query "$key" >/dev/null 2>&1 && bad "the uninstall registration is still there"
has "$profile"

# Again, with /DELETEPROFILES.
wine "$setup" /S >/dev/null 2>&1 || bad "the second install exited with an error"
wineserver -w
has "$inst/$APP_PKG.exe"
wine "$inst/uninstall.exe" /S /DELETEPROFILES >/dev/null 2>&1 || bad "uninstall /DELETEPROFILES exited with an error"
wineserver -w
hasnt "$inst"
hasnt "$base/AppData/Roaming/$APP_NAME"

[ "$fail" = 0 ] || die "the installer did not pass under wine"
echo "check-wine.sh: install, shortcuts, registry, uninstall (profiles kept; /DELETEPROFILES deletes them) all pass under $(wine --version) in $(($(date +%s) - start)) s"
