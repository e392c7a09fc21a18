//go:build unix

package tor_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport/transporttest"
)

// Liveness settings of the fault tests: a hung tor is detected within
// faultInterval + faultTimeout.
const (
	faultInterval = 500 * time.Millisecond
	faultTimeout  = 2 * time.Second
)

// TestTorFaults: the engine's tor, in the private network, meets two
// faults in turn, and the transport recovers from each by itself:
//
//   - hung: tor is frozen with SIGSTOP (alive, its sockets open, but it
//     answers nothing). The liveness check notices within its bound,
//     reports a restart that says why, kills the frozen process and starts
//     a new tor; a published service is reachable again.
//   - control connection lost: the engine's control connection to tor
//     is closed. The supervisor notices, stops that tor and starts a new
//     one.
//
// No tor process is left (tortest.Main checks) and no goroutine (goleak).
func TestTorFaults(t *testing.T) {
	n := tortest.Shared(t)
	_, b := sharedPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := &engine{changed: make(chan struct{})}
	e.Tor = tor.New(tor.Config{
		DataDir: t.TempDir(), TorPath: n.Tor, PrivateNetwork: n.Client(),
		RestartBackoff: 100 * time.Millisecond, StopGrace: 2 * time.Second,
		LivenessInterval: faultInterval, LivenessTimeout: faultTimeout,
		OnStatus: func(s tor.Status) {
			e.mu.Lock()
			e.statuses = append(e.statuses, s)
			close(e.changed)
			e.changed = make(chan struct{})
			e.mu.Unlock()
		},
	})
	e.started = time.Now()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	id := newID(t)
	ln, err := e.Listen(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	stop := transporttest.Echo(ln)
	defer stop()

	// recovers waits for a restart whose reason matches, then for ready
	// on a new process, and returns how long detection took.
	recovers := func(what string, seen, oldPID int, since time.Time, reason string) time.Duration {
		t.Helper()
		i, err := e.waitStatus(ctx, seen, func(s tor.Status) bool { return s.State == tor.StateRestarting })
		if err != nil {
			t.Fatalf("%s: no restart reported: %v", what, err)
		}
		restarting := e.history()[i]
		detected := restarting.Time.Sub(since)
		if restarting.Err == nil || !strings.Contains(restarting.Err.Error(), reason) {
			t.Errorf("%s: restart reported with %v, want a reason with %q", what, restarting.Err, reason)
		}
		if _, err := e.waitStatus(ctx, i, func(s tor.Status) bool { return s.State == tor.StateReady }); err != nil {
			t.Fatalf("%s: not ready again: %v (%v)", what, err, e.history()[seen:])
		}
		if pid := e.PID(); pid == 0 || pid == oldPID {
			t.Fatalf("%s: PID after restart %d (before %d)", what, pid, oldPID)
		}
		if err := syscall.Kill(oldPID, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s: the old tor (pid %d) is still there: %v", what, oldPID, err)
		}
		t.Logf("%s: detected after %v, ready again after %v", what, detected.Round(time.Millisecond), time.Since(since).Round(time.Millisecond))
		for _, s := range e.history()[seen:] {
			t.Logf("  +%v %v", s.Time.Sub(since).Round(time.Millisecond), s)
		}
		return detected
	}

	// 1. Hung.
	seen, pid := len(e.history()), e.PID()
	frozen := time.Now()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGCONT) }) // if the engine failed to kill it
	if d := recovers("SIGSTOP", seen, pid, frozen, "did not answer"); d > faultInterval+faultTimeout+5*time.Second {
		t.Errorf("a hung tor was detected after %v, want within %v", d, faultInterval+faultTimeout)
	}
	conn, err := dialRetry(ctx, b, id.Address())
	if err != nil {
		t.Fatalf("dial after the hung tor was replaced: %v", err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	echoRTTs(t, conn, 1)
	conn.Close()

	// 2. Control connection lost.
	seen, pid = len(e.history()), e.PID()
	cut := time.Now()
	if !tor.CloseControlConn(e.Tor) {
		t.Fatal("no tor running")
	}
	recovers("control connection closed", seen, pid, cut, "control connection")
	if s := e.Status(); s.Restarts != 2 {
		t.Errorf("Restarts = %d, want 2", s.Restarts)
	}
}
