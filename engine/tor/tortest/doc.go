// Package tortest provides a private Tor network on 127.0.0.1 for tests:
// one directory authority (keys from tor-gencert) and four relays run
// from the system's tor, configured as Tor's own test networks are (TestingTorNetwork
// 1, explicit DirAuthority lines for its own authority only,
// UseDefaultFallbackDirs 0, every address 127.0.0.1, no exits), each tor
// started with "-f <torrc> --defaults-torrc <empty file>" in its own
// process group and stopped by PID.
//
// Shared starts one network per test binary, lazily, and hands its client
// settings (Network.Client) to engine/tor. Main, called from TestMain,
// tears it down, fails the binary if any tor it started is still running,
// and fails it if any tor child of the test process ever had a connection
// outside 127.0.0.0/8 (a Monitor samples /proc while tests run).
//
// Start waits for a consensus that lists every node as a running HSDir,
// sends SIGNAL RELOAD to the relays (they would otherwise wait out their
// download back-off) and waits until each relay holds enough directory
// information (bootstrap 75 %), kicking it again when it stalls. It does not
// wait for the relays' own circuits (100 %): onion services need the relays
// only as HSDirs, introduction and rendezvous points, and on a loaded machine
// a relay sometimes stayed at 95 % ("failed to find node for hop #2") while
// clients built circuits fine. Four relays rather than three give clients'
// path selection slack when one node misses a consensus; the fifth node
// costs well under a second of CPU.
//
// Options.Bandwidth limits every node of a network to a rate in bytes per
// second (BandwidthLines: BandwidthRate and RelayBandwidthRate with bursts
// of the same size, and CountPrivateBandwidth 1, without which tor limits
// nothing on 127.0.0.1), for benchmarks of slow circuits
// (engine/groupclient's BenchmarkCatchUpTor); the shared network is
// unlimited.
//
// Where Tor is blocked: StartBridge adds an obfs4 bridge, and a Censor (a
// SOCKS5 proxy a tor makes every connection through, Network.Censored)
// lets through only chosen loopback ports. StartSnowflake runs snowflake
// end to end on loopback from the pinned module (BuildSnowflake): a bridge
// with snowflake-server, the broker, and the proxy inside a NetNS (a
// network namespace with only a loopback interface, so it can reach
// nothing else), with a STUN server of the harness; its censor relays the
// client's WebRTC (SOCKS5 UDP ASSOCIATE) to 127.0.0.0/8 only and lists
// every destination asked for off loopback (Censor.Outside). The monitor
// watches the broker and the proxy too, reading each process's socket
// tables in its own namespace.
package tortest
