package tor_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
	"github.com/nookchat/nook/engine/transport/transporttest"
)

// echoRTTs measures n round trips of a 32-byte message over c.
func echoRTTs(t testing.TB, c net.Conn, n int) []time.Duration {
	t.Helper()
	msg := bytes.Repeat([]byte{'n'}, 32)
	buf := make([]byte, 32)
	rtts := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write: %v", err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatalf("read: %v", err)
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	return rtts
}

func pct(sorted []time.Duration, p int) time.Duration { return sorted[(len(sorted)-1)*p/100] }

// TestOnionRoundTrip: A publishes an onion service from an identity key, B
// dials it by onion address and they exchange bytes; it reports the
// timings of the private network and of the first round trip, and the RTT
// of 32-byte messages over the established connection.
func TestOnionRoundTrip(t *testing.T) {
	a, b := sharedPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := newID(t)
	start := time.Now()
	ln, err := a.Listen(ctx, id)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	published := time.Since(start)
	stop := transporttest.Echo(ln)
	defer stop()
	c, err := dialRetry(ctx, b, id.Address())
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	first := echoRTTs(t, c, 1)
	firstRT := time.Since(start)
	rtts := echoRTTs(t, c, 64)
	t.Logf("private network bootstrap %v; engine first start to ready: A %v, B %v",
		tortest.Shared(t).Bootstrapped.Round(time.Millisecond), pair.readyA.Round(time.Millisecond), pair.readyB.Round(time.Millisecond))
	t.Logf("Listen (ADD_ONION to descriptor uploaded) %v; Listen to first 32-byte round trip %v (that RTT %v)",
		published.Round(time.Millisecond), firstRT.Round(time.Millisecond), first[0].Round(time.Microsecond))
	t.Logf("32-byte RTT over the onion connection: median %v, p90 %v (n=%d)",
		pct(rtts, 50).Round(time.Microsecond), pct(rtts, 90).Round(time.Microsecond), len(rtts))

	hist := a.history()
	if hist[0].State != tor.StateStarting {
		t.Errorf("first status %v, want starting", hist[0])
	}
	sawBoot := slices.ContainsFunc(hist, func(s tor.Status) bool {
		return s.State == tor.StateBootstrapping && s.Progress > 0 && s.Progress < 100 && s.Phase != ""
	})
	if !sawBoot || !slices.ContainsFunc(hist, func(s tor.Status) bool { return s.State == tor.StateReady && s.Progress == 100 }) {
		t.Errorf("status history lacks bootstrapping n%% with a phase, or ready 100%%: %v", hist)
	}
}

// TestConformance runs the transport conformance suite over Tor. Each
// step may take up to 90 s: on a loaded machine the private network's
// directories have answered "descriptor not found" for an unpublished
// address (DialUnknown) only after more than 30 s.
func TestConformance(t *testing.T) {
	a, b := sharedPair(t)
	transporttest.Run(t, transporttest.Env{Server: a, Client: b, Transient: transient, Timeout: 90 * time.Second})
}

// TestAddressMatchesTorHostname: the onion address identity derives equals
// the hostname tor writes for the same key in a HiddenServiceDir.
func TestAddressMatchesTorHostname(t *testing.T) {
	n := tortest.Shared(t)
	id := newID(t)
	hsDir := filepath.Join(t.TempDir(), "hs")
	if err := tortest.WriteHiddenServiceDir(hsDir, id.PrivateKey()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := n.StartTor(ctx, "DisableNetwork 1", "HiddenServiceDir "+hsDir, "HiddenServicePort 80 127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop(2 * time.Second)
	var hostname string
	backoff := 20 * time.Millisecond
	for hostname == "" {
		if b, err := os.ReadFile(filepath.Join(hsDir, "hostname")); err == nil && len(b) > 0 {
			hostname = strings.TrimSpace(string(b))
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("tor wrote no hostname file")
		case <-p.Done():
			t.Fatal("tor exited before writing the hostname file")
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 300*time.Millisecond)
	}
	if hostname != id.Address().String() {
		t.Fatalf("tor's hostname %s, identity's address %s", hostname, id.Address())
	}
	if _, err := identity.ParseAddress(hostname); err != nil {
		t.Fatalf("ParseAddress(tor's hostname): %v", err)
	}
}

// TestRestartAfterKill: a second start with the kept data directory, then
// SIGKILL of the engine's tor mid-session: the supervisor restarts tor and
// re-publishes the service, Accept keeps working, and B connects again.
func TestRestartAfterKill(t *testing.T) {
	n := tortest.Shared(t)
	_, b := sharedPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()

	c1 := startEngine(t, n, dir)
	if err := c1.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	firstStart := time.Since(c1.started)
	c1.Close()
	if _, err := os.Stat(filepath.Join(dir, "data", "cached-microdesc-consensus")); err != nil {
		t.Errorf("no cached consensus kept: %v", err)
	}
	c := startEngine(t, n, dir)
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	secondStart := time.Since(c.started)
	t.Logf("engine start to ready: first (empty data dir) %v, second (kept data dir) %v",
		firstStart.Round(time.Millisecond), secondStart.Round(time.Millisecond))

	id, conn := echoService(t, ctx, c, b)
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	echoRTTs(t, conn, 1)

	seen := len(c.history())
	oldPID := c.PID()
	killed := time.Now()
	if err := killPID(oldPID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.waitStatus(ctx, seen, func(s tor.Status) bool { return s.State == tor.StateRestarting }); err != nil {
		t.Fatalf("no restarting status after SIGKILL: %v", err)
	}
	if _, err := c.waitStatus(ctx, seen, func(s tor.Status) bool { return s.State == tor.StateReady }); err != nil {
		t.Fatalf("not ready again after SIGKILL: %v (%v)", err, c.history()[seen:])
	}
	restarted := time.Since(killed)
	for _, s := range c.history()[seen:] {
		t.Logf("  +%v %v", s.Time.Sub(killed).Round(time.Millisecond), s)
	}
	if c.PID() == oldPID || c.PID() == 0 {
		t.Fatalf("PID after restart %d (before %d)", c.PID(), oldPID)
	}
	// The old connection is gone with the old tor.
	if _, err := conn.Write([]byte("x")); err == nil {
		buf := make([]byte, 1)
		if _, err := conn.Read(buf); err == nil {
			t.Error("connection through the killed tor still works")
		}
	}
	// B reaches the re-published service through the same listener.
	conn2, err := dialRetry(ctx, b, id.Address())
	if err != nil {
		t.Fatalf("Dial after restart: %v", err)
	}
	defer conn2.Close()
	conn2.SetDeadline(time.Now().Add(30 * time.Second))
	echoRTTs(t, conn2, 1)
	t.Logf("SIGKILL to ready again %v; to B's next round trip %v", restarted.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))
	if s := c.Status(); s.Restarts != 1 {
		t.Errorf("Restarts = %d, want 1", s.Restarts)
	}
}

// TestOnionDialTimeout: a dial that tor does not complete within
// OnionDialTimeout ends with an error that says so and counts as
// unreachable, while the caller's own context is still live.
func TestOnionDialTimeout(t *testing.T) {
	n := tortest.Shared(t)
	c := startEngine(t, n, t.TempDir(), func(cfg *tor.Config) { cfg.OnionDialTimeout = time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	// Nobody publishes this address: tor would look for its descriptor
	// on the directories, which takes longer than a millisecond.
	_, err := c.Dial(ctx, newID(t).Address())
	if !errors.Is(err, transport.ErrUnreachable) || !strings.Contains(err.Error(), "in time") {
		t.Fatalf("Dial = %v, want a timeout that counts as unreachable", err)
	}
	if s := c.Status(); s.State != tor.StateReady {
		t.Errorf("tor is %v after a timed-out dial (forgetting descriptors must not disturb it)", s.State)
	}
}

// TestListenDialErrors covers the errors before Start and after Close.
func TestListenDialErrors(t *testing.T) {
	tr := tor.New(tor.Config{DataDir: t.TempDir()})
	id := newID(t)
	if _, err := tr.Listen(context.Background(), id); !errors.Is(err, tor.ErrNotStarted) {
		t.Errorf("Listen before Start: %v", err)
	}
	tr.Close()
	if _, err := tr.Dial(context.Background(), id.Address()); !errors.Is(err, tor.ErrClosed) {
		t.Errorf("Dial after Close: %v", err)
	}
}

// BenchmarkOnionEcho measures 32-byte round trips over an established onion
// connection, and reports the median and its ratio to loopback.
func BenchmarkOnionEcho(b *testing.B) {
	a, cl := sharedPair(b)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, c := echoService(b, ctx, a, cl)
	onion := benchEcho(b, c)
	base := loopbackMedian(b)
	b.ReportMetric(float64(onion.Microseconds()), "median-µs")
	b.ReportMetric(float64(onion)/float64(base), "x-loopback")
}

func benchEcho(b *testing.B, c net.Conn) time.Duration {
	msg := bytes.Repeat([]byte{'n'}, 32)
	buf := make([]byte, 32)
	var rtts []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	return pct(rtts, 50)
}

// loopbackMedian is the median 32-byte RTT over the loopback transport
// (BenchmarkLoopbackEcho's measure), taken over 2000 round trips.
func loopbackMedian(tb testing.TB) time.Duration {
	ts := loopback.NewNetwork(2)
	id := newID(tb)
	ln, err := ts[0].Listen(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	stop := transporttest.Echo(ln)
	defer stop()
	c, err := ts[1].Dial(context.Background(), id.Address())
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	rtts := echoRTTs(tb, c, 2000)
	return pct(rtts, 50)
}

// killPID crashes a process: SIGKILL on Unix.
func killPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

// TestRestartWithNewSettings: a user changes the torrc lines; the running
// tor is replaced by one started with them, its services are published
// again, and invalid settings are refused without touching the running tor.
func TestRestartWithNewSettings(t *testing.T) {
	n := tortest.Shared(t)
	_, b := sharedPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	c := startEngine(t, n, dir)
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	id := newID(t)
	ln, err := c.Listen(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	stop := transporttest.Echo(ln)
	defer stop()

	oldPID := c.PID()
	if err := c.Restart(ctx, tor.Settings{ExtraTorrc: []string{"FallbackDir 192.0.2.1:80 orport=9001 id=0000000000000000000000000000000000000000"}}); !errors.Is(err, tor.ErrConfig) {
		t.Fatalf("a line that could reach outside the private network: %v, want ErrConfig", err)
	}
	if c.PID() != oldPID {
		t.Fatal("refused settings restarted tor")
	}
	seen := len(c.history())
	if err := c.Restart(ctx, tor.Settings{ExtraTorrc: []string{"CircuitBuildTimeout 30"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.waitStatus(ctx, seen, func(s tor.Status) bool { return s.State == tor.StateReady }); err != nil {
		t.Fatalf("not ready after a restart with new settings: %v", err)
	}
	if c.PID() == oldPID {
		t.Fatal("tor was not replaced")
	}
	if got := c.Settings().ExtraTorrc; len(got) != 1 || got[0] != "CircuitBuildTimeout 30" {
		t.Fatalf("settings after restart: %v", got)
	}
	torrc, err := os.ReadFile(filepath.Join(dir, "torrc"))
	if err != nil || !strings.Contains(string(torrc), "CircuitBuildTimeout 30") {
		t.Fatalf("torrc does not carry the new line (%v)", err)
	}
	conn, err := dialRetry(ctx, b, id.Address())
	if err != nil {
		t.Fatalf("Dial after restart: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	echoRTTs(t, conn, 1)
}
