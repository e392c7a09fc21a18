#!/bin/sh
# Entrypoint of the nook-server container: create the state directories
# with the right owner and permissions, then exec the server as the
# unprivileged user. Arguments are passed on to nook-server.
#
# Environment (defaults in brackets; NOOK_ROOT exists for tests):
#   NOOK_ROOT        prefix of every path []
#   NOOK_USER        user to run as [nook]
#   NOOK_SERVER_BIN  the server binary [/usr/local/bin/nook-server]
set -eu

root="${NOOK_ROOT:-}"
user="${NOOK_USER:-nook}"
server="${NOOK_SERVER_BIN:-/usr/local/bin/nook-server}"
data="$root/var/lib/nook-server"     # keys, bundle, message store
tordir="$data/tor"                   # Tor state (kept: faster restarts)
conf="$root/etc/nook-server/nook-server.conf"

umask 077
mkdir -p "$data" "$tordir"
if [ "$(id -u)" = 0 ]; then
	chown -R "$user:$user" "$data"
fi
chmod 700 "$data" "$tordir"

set -- --data-dir "$data" "$@"
if [ -f "$conf" ]; then
	set -- --config "$conf" "$@"
fi

if [ "$(id -u)" = 0 ] && [ "$user" != root ]; then
	exec setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all "$server" "$@"
fi
exec "$server" "$@"
