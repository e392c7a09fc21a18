#!/bin/sh
# deps.sh checks (and, as root on Debian/Ubuntu, installs) what the packaging
# targets need, like packaging/deps.sh does for the build:
#
#   deps.sh test      make packaging-test  (the .deb test, the macOS dry run)
#   deps.sh linux     make package-linux
#   deps.sh windows   make package-windows (mingw-w64, NSIS)
#   deps.sh tor-build tor-bundles/build.sh (mingw-w64 and musl cross
#                     compilers, make, the Debian archive keyring; the
#                     sources come through apt-get source, see build.sh)
#   deps.sh windows-test  make test-windows (the above, debootstrap for the
#                     Debian 13 tree with wine 10, Xvfb and xdotool)
set -eu

case "${1:-test}" in
test) pkgs="jq dpkg-dev desktop-file-utils appstream x11-utils xz-utils libplist-utils imagemagick file" ;;
linux) pkgs="jq dpkg-dev desktop-file-utils appstream xz-utils imagemagick file" ;;
windows) pkgs="jq gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis icoutils imagemagick file" ;;
tor-build) pkgs="jq make gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 musl-tools linux-libc-dev debian-archive-keyring bzip2 xz-utils" ;;
windows-test) pkgs="jq make gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 musl-tools linux-libc-dev debian-archive-keyring bzip2 nsis icoutils imagemagick file debootstrap xvfb xdotool" ;;
*) echo "usage: deps.sh test|linux|windows|tor-build|windows-test" >&2; exit 2 ;;
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
