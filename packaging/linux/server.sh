#!/bin/sh
# server.sh builds the headless group server for Linux servers (make
# package-server):
#
#   dist/server/nook-server-<version>-linux-amd64   static (CGO_ENABLED=0)
#   dist/server/nook-server-<version>-linux-arm64   (Raspberry Pi 3/4/5, arm VPS)
#   dist/server/{Dockerfile,entrypoint.sh,nook-server.conf,nook-server.service,README.md}
#                                                   from packaging/server/
#   dist/server/SHA256SUMS
#
# The server must stay free of Fyne and cgo: the script refuses to build if
# app/server depends on fyne.io or go-gl. The binaries need Debian's tor on
# the server (apt install tor); packaging/server/README.md says how to run
# them with systemd or Docker.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/packaging/linux/common.sh"
need go
load_app
out=${DIST:-$root/dist}/server

deps=$(cd "$root" && CGO_ENABLED=0 GOOS=linux go list -deps ./app/server) || die "go list ./app/server failed"
gui=$(echo "$deps" | grep -E '^(fyne\.io|github\.com/go-gl)/' || true)
[ -z "$gui" ] || die "app/server imports GUI packages, which need cgo: $(echo "$gui" | head -n3 | tr '\n' ' ')"

rm -rf "$out"
mkdir -p "$out"
for arch in amd64 arm64; do
	bin=$out/nook-server-$APP_VERSION-linux-$arch
	(cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -o "$bin" ./app/server)
	case "$(file -b "$bin" 2>/dev/null || echo 'statically linked')" in
	*"statically linked"*) ;;
	*) die "$bin is not statically linked" ;;
	esac
	echo "built $bin ($(du -h "$bin" | cut -f1))"
done
for f in Dockerfile entrypoint.sh nook-server.conf nook-server.service README.md; do
	cp -p "$root/packaging/server/$f" "$out/$f"
done
(
	cd "$out"
	for f in nook-server-* Dockerfile entrypoint.sh nook-server.conf nook-server.service README.md; do
		printf '%s  %s\n' "$(sha256 "$f")" "$f"
	done >SHA256SUMS
)
echo "wrote $out/SHA256SUMS"
