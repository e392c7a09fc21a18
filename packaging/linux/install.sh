#!/bin/sh
# Installs @NAME@ from this folder.
#
#   ./install.sh              for you only, into ~/.local (no root needed)
#   sudo ./install.sh --system   for everyone, into /usr/local
#   ./install.sh --prefix DIR    into DIR (bin/, lib/@PKG@/, share/)
#
# Installing again upgrades in place; profiles are never touched. To remove:
# ~/.local/lib/@PKG@/uninstall.sh (or /usr/local/lib/@PKG@/uninstall.sh --system).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=$HOME/.local
while [ $# -gt 0 ]; do
	case "$1" in
	--system) prefix=/usr/local ;;
	--prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift ;;
	-h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ "$prefix" = /usr/local ] && [ "$(id -u)" -ne 0 ]; then
	echo "install.sh: --system needs root: sudo $0 --system" >&2
	exit 1
fi

lib=$prefix/lib/@PKG@
list=$lib/installed-files
# An earlier install: remove its files first, so nothing stale stays behind.
if [ -f "$list" ]; then
	sh "$here/uninstall.sh" --prefix "$prefix" --quiet
fi

mkdir -p "$lib" "$prefix/bin"
: >"$list.new"
put() { # put SRC DEST MODE
	mkdir -p "$(dirname "$2")"
	rm -f "$2"
	cp "$1" "$2"
	chmod "$3" "$2"
	echo "$2" >>"$list.new"
}
put "$here/lib/@PKG@/@PKG@" "$lib/@PKG@" 755
if [ -d "$here/lib/@PKG@/tor-bundles" ]; then
	for f in $(cd "$here/lib/@PKG@" && find tor-bundles -type f | sort); do
		mode=644
		[ -x "$here/lib/@PKG@/$f" ] && mode=755
		put "$here/lib/@PKG@/$f" "$lib/$f" "$mode"
	done
fi
put "$here/uninstall.sh" "$lib/uninstall.sh" 755
ln -sf "$lib/@PKG@" "$prefix/bin/@PKG@"
echo "$prefix/bin/@PKG@" >>"$list.new"
for f in $(cd "$here/share" && find . -type f | sort); do
	put "$here/share/$f" "$prefix/share/${f#./}" 644
done
# Menus run the program by its full path: ~/.local/bin is not always on PATH.
desktop=$prefix/share/applications/@ID@.desktop
sed "s|^Exec=.*|Exec=$prefix/bin/@PKG@|" "$desktop" >"$desktop.tmp" && mv "$desktop.tmp" "$desktop"
chmod 644 "$desktop"
mv "$list.new" "$list"

if command -v update-desktop-database >/dev/null 2>&1; then
	update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
fi
# Refresh an icon cache only where one exists (a stale one hides new icons).
if [ -f "$prefix/share/icons/hicolor/icon-theme.cache" ]; then
	gtk-update-icon-cache -q -t -f "$prefix/share/icons/hicolor" 2>/dev/null || true
fi

echo "@NAME@ @VERSION@ installed in $prefix: start it from your applications menu, or run $prefix/bin/@PKG@"
if [ ! -d "$lib/tor-bundles" ] && ! command -v tor >/dev/null 2>&1; then
	echo "Note: this package does not include Tor, and no tor is installed. Install it first:" >&2
	echo "  sudo apt install tor     (or your distribution's tor package)" >&2
fi
