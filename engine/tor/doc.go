// Package tor provides Nook's Tor transport: it runs its own tor process,
// publishes ephemeral v3 onion services from identity keys, dials peers
// through tor's SOCKS port, reports bootstrap progress, and restarts tor
// (re-publishing every service) when it dies. It implements
// transport.Transport; protocol code never sees Tor.
//
// # Finding and configuring tor
//
// FindBinary tries the bundled tor first
// (tor-bundles/<goos>-<goarch>/tor[.exe] next to the executable or in the
// install directory), then the path the user configured, then "tor" on
// PATH; when none is found the error wraps ErrTorNotFound and carries a
// hint for the user (see Hint).
//
// The engine writes the whole torrc itself at every start, into
// Config.DataDir (under the app's data directory), and starts tor with
// "-f <torrc> --defaults-torrc <empty file>", so no system torrc is ever
// read. The tor is an onion-only client: SocksPort 127.0.0.1:auto with
// OnionTrafficOnly and ExtendedErrors, ClientOnly 1, no exit use; a
// ControlPort on 127.0.0.1:auto with cookie authentication; tor's
// DataDirectory kept between starts so the cached consensus makes the
// second start faster. The engine takes ownership of tor on the control
// port (tor exits when the engine's connection closes or its process
// dies), starts it in its own process group, and on Linux has the kernel
// kill it with the engine. Users may add bridges (obfs4, snowflake, webtunnel, with
// their ClientTransportPlugin) and extra torrc lines. The transport
// programs ship beside tor and FindTransport finds them the same way;
// ParseBridge checks bridge lines; Builtin returns the bridges Tor Browser
// ships, which are refused off loopback wherever the public network is
// forbidden (PublicForbidden).
//
// Control-port work goes through github.com/cretz/bine's control package
// (SAFECOOKIE authentication, ADD_ONION ED25519-V3 with the identity's key,
// DEL_ONION, events). The process itself is managed here rather than by
// bine's tor.Start, which cannot start tor in its own process group, pass
// --defaults-torrc first-class, or let a supervisor wait on the process;
// SOCKS is spoken here too, so that tor's extended reply codes (0xF0
// "descriptor not found", …) map to transport.ErrUnreachable.
//
// # Public network and private network
//
// A user's normal start has no PrivateNetwork: tor uses the public Tor
// network through its built-in directory authorities and fallback
// directories (or the user's bridges), exactly like Tor Browser.
//
// Tests instead set Config.PrivateNetwork, normally from
// engine/tor/tortest, which runs a private Tor network (one directory
// authority and three relays) on 127.0.0.1. The engine then writes, after
// all other lines so that nothing can override them, TestingTorNetwork 1,
// the network's own DirAuthority lines (which replace the public
// authorities), UseDefaultFallbackDirs 0, UseBridges 0,
// OutboundBindAddress 127.0.0.1, ClientUseIPv6 0 and ReachableAddresses
// limited to 127.0.0.0/8; it refuses DirAuthority addresses off loopback
// and extra lines that could undo any of this. Such a tor knows no public
// relay and can open connections only from and to loopback. Start refuses
// outright (ErrPublicNetworkInTest) to start a tor without a
// PrivateNetwork inside a test binary, so no test, in this package or any
// other, can reach the public network. A private network may use bridges
// on loopback and a SOCKS5 proxy on loopback (PrivateNetwork.Proxy): the
// tests' censor (tortest.Censor) lets through only a bridge's port. Apart from these lines, the tests
// run exactly the code path users run.
//
// # Lifecycle and status
//
// New does nothing; Start validates, finds tor, writes the torrc and starts
// the supervisor; Close closes the listeners, stops tor (SIGTERM to its
// process group, SIGKILL after Config.StopGrace) and waits for every
// goroutine. Status changes (starting, bootstrapping n % with tor's phase
// text, ready, restarting with the reason, failed) go to Config.OnStatus
// in order; WaitReady waits for 100 %. Keys are never logged: they travel
// only in ADD_ONION on the loopback control connection.
package tor
