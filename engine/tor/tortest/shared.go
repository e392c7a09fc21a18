package tortest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing tor into a
// test failure instead of a skip (CI sets NOOK_REQUIRE_TOR=1).
const RequireEnv = "NOOK_REQUIRE_TOR"

var shared struct {
	once    sync.Once
	net     *Network
	err     error
	monitor *Monitor
	mu      sync.Mutex // guards used
	used    bool
}

// Available reports whether tor and tor-gencert are installed, and if not
// why.
func Available() (bool, string) {
	for _, b := range []string{"tor", "tor-gencert"} {
		if _, err := exec.LookPath(b); err != nil {
			return false, fmt.Sprintf("%s not found on PATH (%v); install Debian's tor package", b, err)
		}
	}
	return true, ""
}

// Require skips tb when tor is not installed, loudly, or fails it when
// NOOK_REQUIRE_TOR=1.
func Require(tb testing.TB) {
	tb.Helper()
	if ok, why := Available(); !ok {
		if os.Getenv(RequireEnv) == "1" {
			tb.Fatalf("tor not installed, and %s=1: %s", RequireEnv, why)
		}
		tb.Skip("tor not installed: " + why + " (THE REAL-TOR TESTS DID NOT RUN)")
	}
}

// Shared returns the test binary's private Tor network, starting it on first
// use (≈ 10–15 s). Every test of the binary shares it; Main stops it. It
// skips or fails tb as Require does when tor is absent.
func Shared(tb testing.TB) *Network {
	tb.Helper()
	Require(tb)
	shared.once.Do(func() {
		shared.mu.Lock()
		shared.used = true
		shared.mu.Unlock()
		shared.monitor = StartMonitor(200 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		start := time.Now()
		shared.net, shared.err = Start(ctx, Options{Logf: func(f string, a ...any) {
			if testing.Verbose() {
				fmt.Fprintf(os.Stderr, "%6.2fs "+f+"\n", append([]any{time.Since(start).Seconds()}, a...)...)
			}
		}})
	})
	if shared.err != nil {
		tb.Fatalf("private tor network: %v", shared.err)
	}
	return shared.net
}

// SharedMonitor returns the monitor of the shared network, or nil when no
// test has started it.
func SharedMonitor() *Monitor { return shared.monitor }

// Main runs the tests and then, if a test started the shared network, stops
// it and fails the binary if a tor it started is still running, if any tor
// child of the test process remains, or if the monitor saw a tor connection
// outside 127.0.0.0/8. Call it from TestMain: os.Exit(tortest.Main(m)).
// The before functions run after the tests and before the network stops
// (to close clients shared between tests).
func Main(m *testing.M, before ...func()) int {
	code := m.Run()
	for _, f := range before {
		f()
	}
	shared.mu.Lock()
	used := shared.used
	shared.mu.Unlock()
	if !used {
		return code
	}
	fail := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "tortest: "+format+"\n", args...)
		code = 1
	}
	shared.monitor.Sample()
	if shared.net != nil {
		if err := shared.net.Close(); err != nil {
			fail("stopping the private network: %v", err)
		}
	}
	shared.monitor.Stop()
	samples, maxTors, violations, err := shared.monitor.Result()
	if err != nil {
		fail("socket monitor: %v", err)
	}
	for _, v := range violations {
		fail("a tor connected outside 127.0.0.0/8: %v", v)
	}
	if left := TorChildren(); len(left) > 0 {
		fail("tor processes still running after the tests: %v", left)
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "tortest: %d socket samples, up to %d tor processes, none outside loopback\n", samples, maxTors)
	}
	return code
}
