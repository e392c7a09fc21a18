// Package tortest provides a private Tor network on 127.0.0.1 for tests:
// one directory authority (keys from tor-gencert) and three relays run
// from the system's tor, configured as in shared/TORNET.md (TestingTorNetwork
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
package tortest
