#!/bin/sh
# Removes @NAME@ installed by install.sh. Your profiles stay, unless you ask.
#
#   uninstall.sh                    from ~/.local
#   sudo uninstall.sh --system      from /usr/local
#   uninstall.sh --prefix DIR       from DIR
#   uninstall.sh --delete-profiles  also delete your profiles and settings
#                                   (~/.config/@NAME@): this cannot be undone
set -eu

prefix=$HOME/.local
quiet=0
profiles=0
while [ $# -gt 0 ]; do
	case "$1" in
	--system) prefix=/usr/local ;;
	--prefix) [ $# -ge 2 ] || { echo "uninstall.sh: --prefix needs a folder" >&2; exit 2; }; prefix=$2; shift ;;
	--quiet) quiet=1 ;;
	--delete-profiles) profiles=1 ;;
	-h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "uninstall.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

lib=$prefix/lib/@PKG@
list=$lib/installed-files
if [ ! -f "$list" ]; then
	echo "uninstall.sh: @NAME@ is not installed in $prefix (no $list)" >&2
	exit 1
fi
while IFS= read -r f; do
	case "$f" in
	"$prefix"/*) rm -f "$f" ;;
	*) echo "uninstall.sh: skipping $f: outside $prefix" >&2 ;;
	esac
done <"$list"
rm -f "$list"
# Remove the folders install.sh created, when empty.
find "$lib" -depth -type d -exec rmdir {} \; 2>/dev/null || true
find "$prefix/share/icons/hicolor" -depth -type d -exec rmdir {} \; 2>/dev/null || true
rmdir "$prefix/share/metainfo" "$prefix/share/applications" 2>/dev/null || true

if command -v update-desktop-database >/dev/null 2>&1; then
	update-desktop-database -q "$prefix/share/applications" 2>/dev/null || true
fi
if [ -f "$prefix/share/icons/hicolor/icon-theme.cache" ]; then
	gtk-update-icon-cache -q -t -f "$prefix/share/icons/hicolor" 2>/dev/null || true
fi

if [ "$profiles" = 1 ]; then
	conf=${XDG_CONFIG_HOME:-$HOME/.config}
	rm -rf "$conf/@NAME@" "$conf/fyne/@ID@"
	[ "$quiet" = 1 ] || echo "Deleted your @NAME@ profiles and settings ($conf/@NAME@)."
elif [ "$quiet" = 0 ]; then
	echo "@NAME@ removed from $prefix. Your profiles are kept in ${XDG_CONFIG_HOME:-$HOME/.config}/@NAME@ (delete them with --delete-profiles)."
fi
