#!/bin/sh
# winechroot.sh prints the path of a Debian 13 (trixie) tree holding wine 10,
# Xvfb and Mesa, making it first if the cache has none.
#
#   winechroot.sh            make (or reuse) the tree, print its path
#
# Why a chroot: Debian 12's wine is 8.0, which lacks bcryptprimitives.dll
# (ProcessPrng), so no program built with Go >= 1.24 starts under it. Debian
# 13's wine 10 runs them. The tree is made with debootstrap from the mirror
# of the host's apt sources (NOOK_DEBIAN_MIRROR overrides), then wine and the
# X tools are installed in it with its own apt-get. Nothing of the host's
# system is changed; the tree lives in the user cache:
#
#   ${NOOK_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/nook}/wine-chroot/<key>/
#
# where key is the SHA-256 of the suite, the package list and this script:
# a change to either makes a new tree (old ones can be deleted by hand).
# Needs root (debootstrap, chroot) and debootstrap (apt-get install
# debootstrap). Cold: ≈ 1 minute and ≈ 900 MB; warm: nothing.
#
# The tree is used by wine_test.go, which bind-mounts /proc, /dev and the X
# socket directory into it while it runs and unmounts them afterwards.
set -eu

suite=trixie
# libgl1 and libglx-mesa0: wine's opengl32 needs the host's libGL (Fyne
# draws with OpenGL); Recommends are not installed, so they are named here.
pkgs="wine wine64 xauth xdotool libgl1 libglx-mesa0 libegl1 libegl-mesa0 libgl1-mesa-dri fonts-dejavu-core ca-certificates procps"

die() { echo "winechroot.sh: $*" >&2; exit 1; }
log() { echo "winechroot.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot)"
command -v debootstrap >/dev/null 2>&1 || die "needs debootstrap (apt-get install debootstrap)"

cache=${NOOK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nook}/wine-chroot
key=$({ echo "$suite"; echo "$pkgs"; cat "$0"; } | sha256sum | cut -c1-16)
dir=$cache/$key
if [ -f "$dir/.nook-ready" ]; then
	echo "$dir"
	exit 0
fi

mirror=${NOOK_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
	# The host's own Debian mirror: the first URIs/deb line naming /debian.
	mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*\([^ ]*\/debian\)\/*$/\1/p' | head -n1)
	[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^ ]*\/debian\)\/*[[:space:]].*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi

start=$(date +%s)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
mounted=
cleanup() {
	for m in $mounted; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
	rm -rf "$dir.tmp"
}
trap cleanup EXIT INT TERM

log "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase "$suite" "$dir.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
	{ tail -20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
log "debootstrap done in $(($(date +%s) - start)) s; installing $pkgs"
mount --bind /proc "$dir.tmp/proc" && mounted="$dir.tmp/proc $mounted"
mount --bind /dev "$dir.tmp/dev" && mounted="$dir.tmp/dev $mounted"
# No service may start inside the tree.
printf '#!/bin/sh\nexit 101\n' >"$dir.tmp/usr/sbin/policy-rc.d"
chmod 755 "$dir.tmp/usr/sbin/policy-rc.d"
# shellcheck disable=SC2086 # a list of package names
chroot "$dir.tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
	sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs" >"$cache/apt.log" 2>&1 ||
	{ tail -20 "$cache/apt.log" >&2; die "apt-get install in the tree failed (log: $cache/apt.log)"; }
chroot "$dir.tmp" apt-get clean
for m in $mounted; do umount "$m"; done
mounted=
# shellcheck disable=SC2016 # ${Version} is dpkg-query's, not the shell's
v=$(chroot "$dir.tmp" /usr/bin/env -i PATH=/usr/bin:/bin dpkg-query -W -f '${Version}' wine)
echo "$suite wine $v" >"$dir.tmp/.nook-ready"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
log "ready in $(($(date +%s) - start)) s: $dir (wine $v)"
echo "$dir"
