package tor_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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

// TestCensoredThroughSnowflake: snowflake end to end on loopback
// (tortest.StartSnowflake: a bridge with snowflake-server, the broker, and
// the proxy in a network namespace that has nothing but a loopback
// interface, all built from the pinned snowflake module). A tor behind a
// censor that lets through only the broker and WebRTC's UDP, with the
// bundled snowflake-client as its transport, bootstraps through the
// proxy, publishes an onion service an uncensored tor reaches, and
// reaches that tor's; bytes go both ways. Nothing the client asked the
// censor for was off 127.0.0.0/8, the proxy's STUN requests went to the
// harness's STUN server, and it served the client through the bridge.
// First it measures bootstrap, one after another in this run: a fresh
// uncensored tor, a censored one through obfs4, the censored one through
// snowflake.
func TestCensoredThroughSnowflake(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network")
	}
	progs := tortest.BuildSnowflake(t) // skips at once when they cannot be built
	n := tortest.Shared(t)
	obfs4 := tortest.Obfs4(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	sf := n.StartSnowflake(ctx, t, progs)
	if ifs, err := sf.NS.Interfaces(); err != nil || !slices.Equal(ifs, []string{"lo"}) {
		t.Fatalf("the proxy's namespace has interfaces %v (%v); want only lo", ifs, err)
	}

	// ready waits for e and returns the time from its start to its first
	// ready status.
	ready := func(e *engine, what, logFile string) time.Duration {
		t.Helper()
		if err := e.WaitReady(ctx); err != nil {
			t.Fatalf("%s: %v\n%s%s", what, err, logTail(logFile), sf.Logs())
		}
		i, err := e.waitStatus(ctx, 0, func(s tor.Status) bool { return s.State == tor.StateReady })
		if err != nil {
			t.Fatalf("%s: no ready status: %v", what, err)
		}
		return e.history()[i].Time.Sub(e.started)
	}
	free := startEngine(t, n, t.TempDir())
	direct := ready(free, "uncensored", "")

	br, censor := n.CensoredBridge(ctx, t, obfs4)
	odir := t.TempDir()
	viaObfs4 := startEngine(t, n, odir, func(c *tor.Config) {
		c.PrivateNetwork = n.Censored(censor)
		c.Bridges = []string{br.Line}
		c.TransportPlugins = []tor.TransportPlugin{{Transports: []string{"obfs4"}, Path: obfs4}}
	})
	throughObfs4 := ready(viaObfs4, "through obfs4", filepath.Join(odir, "notice.log"))
	viaObfs4.Close()

	dir := t.TempDir()
	cens := startEngine(t, n, dir, func(c *tor.Config) {
		c.PrivateNetwork = n.Censored(sf.Censor)
		c.Bridges = []string{sf.Bridge.Line}
		c.TransportPlugins = []tor.TransportPlugin{{Transports: []string{"snowflake"}, Path: progs.Client, Args: sf.ClientArgs}}
	})
	throughSnowflake := ready(cens, "through snowflake", filepath.Join(dir, "notice.log"))
	t.Logf("bootstrap on the private network, one after another in this run: direct (uncensored) %v, censored through obfs4 %v, censored through snowflake %v",
		direct.Round(time.Millisecond), throughObfs4.Round(time.Millisecond), throughSnowflake.Round(time.Millisecond))

	// The censored tor publishes a service the free one reaches …
	_, c := echoService(t, ctx, cens, free)
	c.SetDeadline(time.Now().Add(60 * time.Second))
	rtt := echoRTTs(t, c, 4)
	// … and reaches the free one's.
	_, c2 := echoService(t, ctx, free, cens)
	c2.SetDeadline(time.Now().Add(60 * time.Second))
	rtt2 := echoRTTs(t, c2, 4)
	t.Logf("32-byte RTT through snowflake: to the censored tor's service %v, from it %v", pct(rtt, 50), pct(rtt2, 50))

	// What went through the censor: the broker over TCP, WebRTC over UDP
	// to loopback, nothing else, and nothing asked for off loopback.
	for _, p := range sf.Censor.Passed() {
		if p != fmt.Sprintf("127.0.0.1:%d", sf.BrokerPort) {
			t.Errorf("the censor let through a TCP connection to %s", p)
		}
	}
	if len(sf.Censor.Passed()) == 0 {
		t.Error("the client never reached the broker through the censor")
	}
	relayed := 0
	for dst, ok := range sf.Censor.UDP() {
		if ok {
			relayed++
		}
		t.Logf("UDP to %s: relayed %v", dst, ok)
	}
	if relayed == 0 {
		t.Error("no UDP went through the censor: WebRTC did not carry the connection")
	}
	// One request off loopback is expected, and refused: given
	// -keep-local-addresses (its ICE candidates must include loopback
	// here), snowflake-client lets pion set up multicast DNS, whose group
	// address (224.0.0.0, pion/mdns's default) it "resolves" through the
	// proxy with a DNS query to 1.1.1.1:53. The censor never sends it
	// anywhere. Nook does not pass -keep-local-addresses, and then the
	// client turns multicast DNS off. Any other destination off loopback
	// fails the test.
	for _, out := range sf.Censor.Outside() {
		q := dnsQuestion(sf.Censor.FirstDatagram(strings.TrimPrefix(out, "udp ")))
		if out == "udp 1.1.1.1:53" && (q == "224.0.0.0." || q == "FF02::.") {
			t.Logf("refused by the censor, as expected: %s (a DNS query for %q)", out, q)
			continue
		}
		t.Errorf("the snowflake client asked for a destination off 127.0.0.0/8: %s (%q)", out, q)
	}
	if sf.STUN.Requests() == 0 {
		t.Error("the proxy never asked the harness's STUN server")
	}
	if sf.RelayConnections() == 0 {
		t.Error("the proxy never connected to the bridge's snowflake-server")
	}
	t.Logf("proxy: %d STUN requests to the harness's server, %d connections to the relay; censor: %d TCP connections to the broker, %d UDP destinations",
		sf.STUN.Requests(), sf.RelayConnections(), len(sf.Censor.Passed()), len(sf.Censor.UDP()))
}

// dnsQuestion returns the name asked for in a DNS query, or "".
func dnsQuestion(b []byte) string {
	if len(b) < 12 || b[4] != 0 || b[5] != 1 { // one question
		return ""
	}
	var name strings.Builder
	for i := 12; i < len(b); {
		n := int(b[i])
		if n == 0 {
			return name.String()
		}
		if n > 63 || i+1+n > len(b) {
			return ""
		}
		name.Write(b[i+1 : i+1+n])
		name.WriteByte('.')
		i += 1 + n
	}
	return ""
}
