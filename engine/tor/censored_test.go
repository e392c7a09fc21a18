package tor_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// TestCensoredThroughObfs4: a tor behind a censor (tortest.Censor, a SOCKS5
// proxy through which the tor makes every connection, that lets through
// only connections to an obfs4 bridge's port) does not bootstrap directly;
// restarted with the bridge line and the obfs4proxy built by
// tor-bundles/transports.sh, it bootstraps through the bridge, publishes
// an onion service that an uncensored tor reaches, and reaches that tor's
// service; bytes go both ways. It logs the bootstrap times of a fresh
// uncensored tor and of the censored one through obfs4, started together.
func TestCensoredThroughObfs4(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network")
	}
	n := tortest.Shared(t)
	obfs4 := tortest.Obfs4(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	br, censor := n.CensoredBridge(ctx, t, obfs4)

	// Direct: the censored tor makes no progress past the start.
	dir := t.TempDir()
	cens := startEngine(t, n, dir, func(c *tor.Config) { c.PrivateNetwork = n.Censored(censor) })
	const blocked = 25 * time.Second
	wctx, wcancel := context.WithTimeout(ctx, blocked)
	err := cens.WaitReady(wctx)
	wcancel()
	if err == nil {
		t.Fatalf("the censored tor bootstrapped directly: the censorship does not bite")
	}
	best := 0
	for _, s := range cens.history() {
		best = max(best, s.Progress)
	}
	if best >= 50 {
		t.Fatalf("the censored tor got to %d %% directly", best)
	}
	if len(censor.Refused()) == 0 || len(censor.Passed()) != 0 {
		t.Fatalf("the censor refused %v and passed %v; want refusals only", censor.Refused(), censor.Passed())
	}
	t.Logf("direct: not bootstrapped after %v (best %d %%); the censor refused %d connections", blocked, best, len(censor.Refused()))

	// Through the bridge, while a fresh uncensored tor starts beside it.
	free := startEngine(t, n, t.TempDir())
	start := time.Now()
	if err := cens.Restart(ctx, tor.Settings{
		Bridges:          []string{br.Line},
		TransportPlugins: []tor.TransportPlugin{{Transports: []string{"obfs4"}, Path: obfs4}},
	}); err != nil {
		t.Fatalf("Restart with the bridge: %v", err)
	}
	if err := cens.WaitReady(ctx); err != nil {
		t.Fatalf("through obfs4: %v\n%s", err, logTail(filepath.Join(dir, "notice.log")))
	}
	if err := free.WaitReady(ctx); err != nil {
		t.Fatalf("uncensored: %v", err)
	}
	// From each start to its first ready status (both waits are over).
	readyAt := func(e *engine, since time.Time) time.Duration {
		// The status reaches OnStatus shortly after WaitReady returns.
		i, err := e.waitStatus(ctx, 0, func(s tor.Status) bool { return s.State == tor.StateReady && s.Time.After(since) })
		if err != nil {
			t.Fatalf("no ready status: %v", err)
		}
		return e.history()[i].Time.Sub(since)
	}
	viaObfs4, direct := readyAt(cens, start), readyAt(free, free.started)
	t.Logf("bootstrap on the private network, same run: direct (uncensored) %v, censored through obfs4 %v",
		direct.Round(time.Millisecond), viaObfs4.Round(time.Millisecond))

	// The censored tor publishes a service the free one reaches …
	_, c := echoService(t, ctx, cens, free)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	rtt := echoRTTs(t, c, 4)
	// … and reaches the free one's.
	_, c2 := echoService(t, ctx, free, cens)
	c2.SetDeadline(time.Now().Add(30 * time.Second))
	rtt2 := echoRTTs(t, c2, 4)
	t.Logf("32-byte RTT: to the censored tor's service %v, from it %v", pct(rtt, 50), pct(rtt2, 50))

	// Everything the censor let through went to the bridge's obfs4 port.
	for _, p := range censor.Passed() {
		if p != fmt.Sprintf("127.0.0.1:%d", br.PTPort) {
			t.Errorf("the censor let through a connection to %s", p)
		}
	}
	if len(censor.Passed()) == 0 {
		t.Error("nothing went through the censor to the bridge")
	}
}
