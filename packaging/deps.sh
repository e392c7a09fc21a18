#!/usr/bin/env bash
# Checks (and, as root on Debian/Ubuntu, installs) what building and testing
# Nook needs on a fresh machine: the C headers Fyne's OpenGL/X11 backend
# compiles against, Mesa's GL runtime, Debian's tor (the tests run a private
# Tor network on 127.0.0.1 with it), Xvfb/xdotool/ImageMagick/zbar for the
# tests that look at real windows and QR codes, and jq and bzip2 for
# tor-bundles/transports.sh (the censorship tests build obfs4proxy with it).
#
#   packaging/deps.sh build   what `make run` needs
#   packaging/deps.sh test    what `make test` needs (build + tor + headless tools)
set -euo pipefail

want=${1:-test}
pkgs=(gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev libxrandr-dev
      libxinerama-dev libxi-dev libxxf86vm-dev libgl1 libgl1-mesa-dri)
if [ "$want" = test ]; then
  pkgs+=(tor xvfb xdotool xclip imagemagick zbar-tools iproute2 jq bzip2)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Nook needs these packages (Debian names): ${missing[*]}" >&2
  echo "Install their equivalents with your distribution's package manager, then run make again." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Nook needs some packages that are not installed. Run this once, then run make again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# Never let a package's install script start a service: Debian's tor package
# would otherwise start a system tor with its default configuration, which
# talks to the public Tor network. Nook runs its own tor processes.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Stop a system tor if the package manager started one anyway.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now tor >/dev/null 2>&1 || true; fi
