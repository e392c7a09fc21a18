#!/bin/sh
# deps.sh checks (and, as root on Debian/Ubuntu, installs) what the packaging
# targets need, like packaging/deps.sh does for the build:
#
#   deps.sh test      make packaging-test  (the .deb test, the macOS dry run)
#   deps.sh linux     make package-linux
#   deps.sh windows   make package-windows (mingw-w64, NSIS; wine is optional:
#                     apt-get install wine to try the installer)
set -eu

case "${1:-test}" in
test) pkgs="jq dpkg-dev desktop-file-utils appstream x11-utils xz-utils libplist-utils imagemagick file" ;;
linux) pkgs="jq dpkg-dev desktop-file-utils appstream xz-utils imagemagick file" ;;
windows) pkgs="jq gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis icoutils imagemagick file" ;;
*) echo "usage: deps.sh test|linux|windows" >&2; exit 2 ;;
esac

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "Packaging needs these packages (Debian names):$missing" >&2
	exit 0 # the scripts and tests say what is missing themselves
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "Packaging needs some packages that are not installed. Run once:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 0
fi
echo "Installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # a list of package names
apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
