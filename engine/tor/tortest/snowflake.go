package tortest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Snowflake is snowflake end to end on loopback, inside the private
// network, with nothing of it reaching past 127.0.0.0/8:
//
//   - a bridge relay whose server transport is snowflake-server
//     (-disable-tls: plain WebSocket on 127.0.0.1, no ACME);
//   - snowflake-broker on 127.0.0.1 (-disable-tls, -disable-geoip, its
//     bridge list naming only that bridge, relays allowed only at
//     127.0.0.1);
//   - snowflake-proxy in a network namespace of its own (NetNS) where only
//     a loopback interface exists, so it can reach nothing else even if a
//     default took over: its broker, relay (the bridge's WebSocket), STUN
//     server and NAT probe are on the namespace's 127.0.0.1, where the
//     harness forwards the broker's and the relay's ports to the test's
//     loopback and runs a STUN server (the NAT probe port is closed: the
//     proxy's NAT type stays unknown);
//   - a Censor for the client: it lets through TCP to the broker only and
//     relays UDP (WebRTC) to 127.0.0.0/8, into the proxy's namespace;
//     the client, run by the censored tor, has no STUN server (no ice=)
//     and keeps its local ICE candidates (-keep-local-addresses).
//
// Every destination the client asked the censor for is recorded
// (Censor.Outside lists any off loopback). It needs root for the
// namespace; StartSnowflake skips the test without it.
type Snowflake struct {
	// Bridge is the bridge relay; Bridge.Line is the client's bridge line
	// ("snowflake 127.0.0.1:PTPort FINGERPRINT fingerprint=… url=http://
	// 127.0.0.1:BrokerPort/").
	Bridge *Bridge
	// Censor is the client's network: broker and WebRTC pass, Tor does
	// not.
	Censor *Censor
	// ClientArgs are the arguments snowflake-client takes here
	// (ClientTransportPlugin snowflake exec <client> <args>).
	ClientArgs []string
	// Broker and Proxy are the broker's and the proxy's processes;
	// BrokerPort is the broker's port on 127.0.0.1.
	Broker, Proxy *Proc
	BrokerPort    int
	// NS is the proxy's namespace; STUN its STUN server.
	NS   *NetNS
	STUN *STUN
	// Dir holds the programs' logs (broker.log, proxy.log,
	// snowflake-client.log, and snowflake-server.log in the bridge's data
	// directory).
	Dir string

	relay *forwarder // the namespace's port to the bridge's WebSocket
}

// RelayConnections is how many connections the proxy made to the relay
// (the bridge's snowflake-server): one per client it served.
func (s *Snowflake) RelayConnections() int64 { return s.relay.count.Load() }

// StartSnowflake starts snowflake end to end (see Snowflake) with the
// programs of progs (see BuildSnowflake); everything stops when
// tb's test ends. Without the rights to make a network namespace (a
// container without CAP_SYS_ADMIN) it skips tb, loudly, even when
// NOOK_REQUIRE_TOR=1: a missing capability of the machine is not a missing
// tor. NOOK_REQUIRE_NETNS=1 turns the skip into a failure.
func (n *Network) StartSnowflake(ctx context.Context, tb testing.TB, progs SnowflakePrograms) *Snowflake {
	tb.Helper()
	ns, err := NewNetNS()
	if err != nil {
		if os.Getenv(RequireNetNSEnv) == "1" {
			tb.Fatalf("snowflake end to end needs a network namespace, and %s=1: %v", RequireNetNSEnv, err)
		}
		tb.Skipf("snowflake end to end needs a network namespace (THE SNOWFLAKE TESTS DID NOT RUN): %v", err)
	}
	tb.Cleanup(ns.Close) // last: after the proxy (started in it) stops
	s := &Snowflake{NS: ns, Dir: tb.TempDir()}
	fail := func(format string, args ...any) {
		tb.Helper()
		tb.Fatalf("snowflake: "+format+"%s", append(args, s.logs())...)
	}

	// The bridge, with snowflake-server on a port of 127.0.0.1.
	sp, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	br, err := n.startBridge(ctx, sp,
		fmt.Sprintf("ServerTransportPlugin snowflake exec %s -disable-tls -unsafe-logging -log %s",
			progs.Server, filepath.Join(n.Dir, "snowflake-server-"+strconv.Itoa(sp)+".log")),
		fmt.Sprintf("ServerTransportListenAddr snowflake 127.0.0.1:%d", sp),
	)
	if err != nil {
		fail("bridge: %v", err)
	}
	s.Bridge = br
	tb.Cleanup(func() { br.Stop(2 * time.Second) })
	if err := waitListening(ctx, fmt.Sprintf("127.0.0.1:%d", sp)); err != nil {
		fail("snowflake-server does not listen: %v%s", err, logTail(br.DataDir))
	}

	// The broker.
	if s.BrokerPort, err = freePort(); err != nil {
		tb.Fatal(err)
	}
	list := filepath.Join(s.Dir, "bridge-list.json")
	entry := fmt.Sprintf(`{"displayName":"nook-test","webSocketAddress":"ws://127.0.0.1:%d/","fingerprint":"%s"}`+"\n", sp, br.Fingerprint)
	if err := os.WriteFile(list, []byte(entry), 0o600); err != nil {
		tb.Fatal(err)
	}
	broker := fmt.Sprintf("127.0.0.1:%d", s.BrokerPort)
	s.Broker, err = startProgram("snowflake-broker", s.Dir, filepath.Join(s.Dir, "broker.log"), progs.Broker,
		"-addr", broker, "-disable-tls", "-disable-geoip", "-bridge-list-path", list,
		"-allowed-relay-pattern", "^127.0.0.1$", "-metrics-log", filepath.Join(s.Dir, "broker-metrics.log"),
		"-unsafe-logging")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Broker.Stop(2 * time.Second) })
	if err := waitListening(ctx, broker); err != nil {
		fail("the broker does not listen: %v", err)
	}

	// The proxy's namespace: the broker's and the relay's ports forwarded
	// to the test's loopback, a STUN server.
	bfw, err := forward(ns, broker, broker)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(bfw.Close)
	relay := fmt.Sprintf("127.0.0.1:%d", sp)
	if s.relay, err = forward(ns, relay, relay); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.relay.Close)
	sc, err := ns.ListenUDP()
	if err != nil {
		tb.Fatal(err)
	}
	s.STUN = ServeSTUN(sc)
	tb.Cleanup(func() { s.STUN.Close() })

	// The proxy, born in the namespace. Port 9 there is closed: the NAT
	// probe fails at once and the proxy's NAT type stays unknown.
	err = ns.Do(func() (err error) {
		s.Proxy, err = startProgram("snowflake-proxy", s.Dir, filepath.Join(s.Dir, "proxy.log"), progs.Proxy,
			"-broker", "http://"+broker+"/",
			"-relay", "ws://"+relay+"/",
			"-stun", "stun:"+s.STUN.Addr(),
			"-nat-probe-server", "http://127.0.0.1:9/probe",
			"-nat-retest-interval", "0s",
			"-keep-local-addresses",
			"-allowed-relay-hostname-pattern", "^127.0.0.1$",
			"-allow-proxying-to-private-addresses",
			"-allow-non-tls-relay",
			"-summary-interval", "0s",
			"-geoipdb", filepath.Join(s.Dir, "no-geoip"),
			"-geoip6db", filepath.Join(s.Dir, "no-geoip6"),
			"-verbose", "-unsafe-logging")
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Proxy.Stop(2 * time.Second) })
	// Ready when the broker holds the proxy's poll.
	if err := retry(ctx, func() (bool, error) {
		if !s.Proxy.Running() {
			return false, fmt.Errorf("snowflake-proxy exited: %v", s.Proxy.err)
		}
		return brokerProxies(ctx, broker) > 0, nil
	}); err != nil {
		fail("no proxy at the broker: %v", err)
	}

	// The client's censor.
	s.Censor, err = StartCensor(s.BrokerPort)
	if err != nil {
		tb.Fatal(err)
	}
	s.Censor.AllowUDP(ns.ListenUDP)
	tb.Cleanup(func() { s.Censor.Close() })
	br.Line = fmt.Sprintf("snowflake 127.0.0.1:%d %s fingerprint=%s url=http://%s/", sp, br.Fingerprint, br.Fingerprint, broker)
	s.ClientArgs = []string{"-keep-local-addresses", "-unsafe-logging", "-log", filepath.Join(s.Dir, "snowflake-client.log")}
	return s
}

// logs returns the tails of the programs' logs, for failures.
func (s *Snowflake) logs() string {
	var b strings.Builder
	for _, f := range []string{"broker.log", "proxy.log", "snowflake-client.log"} {
		if t := fileTail(filepath.Join(s.Dir, f)); t != "" {
			b.WriteString("\n" + f + ":" + t)
		}
	}
	return b.String()
}

// Logs returns the tails of the broker's, the proxy's and the client's
// logs.
func (s *Snowflake) Logs() string { return s.logs() }

// brokerProxies returns how many proxies the broker at addr holds (its
// /debug page: "current snowflakes available: N"), or 0.
func brokerProxies(ctx context.Context, addr string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug", nil)
	if err != nil {
		return 0
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}).Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "current snowflakes available:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// waitListening waits until something accepts TCP connections at addr.
func waitListening(ctx context.Context, addr string) error {
	return retry(ctx, func() (bool, error) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, nil
		}
		c.Close()
		return true, nil
	})
}

// fileTail returns the last lines of a file, or "".
func fileTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "\n\t" + strings.Join(lines, "\n\t")
}

// forwarder accepts connections on a listener inside a namespace and joins
// each to a new connection to a target on the test's loopback.
type forwarder struct {
	ln     net.Listener
	target string
	count  atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex // guards conns
	conns  map[net.Conn]struct{}
}

// forward listens on addr inside ns and forwards to target.
func forward(ns *NetNS, addr, target string) (*forwarder, error) {
	ln, err := ns.Listen(addr)
	if err != nil {
		return nil, err
	}
	f := &forwarder{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	f.wg.Go(f.serve)
	return f, nil
}

func (f *forwarder) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

func (f *forwarder) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.count.Add(1)
		f.wg.Go(func() {
			defer c.Close()
			up, err := net.DialTimeout("tcp", f.target, 5*time.Second)
			if err != nil {
				return
			}
			defer up.Close()
			if !f.track(c) || !f.track(up) {
				return
			}
			done := make(chan struct{}, 2)
			go func() { io.Copy(up, c); up.Close(); done <- struct{}{} }()
			go func() { io.Copy(c, up); c.Close(); done <- struct{}{} }()
			<-done
			<-done
		})
	}
}

// Close stops forwarding, closes every connection and waits.
func (f *forwarder) Close() {
	f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.wg.Wait()
}
