package tortest

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestNetwork(t *testing.T) {
	n := Shared(t)
	t.Logf("private network: consensus after %v, bootstrapped in %v", n.Consensus, n.Bootstrapped)
	if len(n.DirAuthorities) != 1 || len(n.Procs()) != 5 {
		t.Fatalf("want 1 authority and 5 processes, got %v and %d", n.DirAuthorities, len(n.Procs()))
	}
	for _, p := range n.Procs() {
		if !p.Running() {
			t.Errorf("%s (pid %d) is not running", p.Name, p.PID)
		}
	}
}

func TestNoConnectionOutsideLoopback(t *testing.T) {
	Shared(t)
	m := SharedMonitor()
	m.Sample()
	samples, maxTors, violations, err := m.Result()
	if err != nil {
		t.Fatal(err)
	}
	if maxTors < 5 {
		t.Fatalf("monitor saw at most %d tor processes, want the network's 5", maxTors)
	}
	for _, v := range violations {
		t.Errorf("tor connection outside 127.0.0.0/8: %v", v)
	}
	conns, err := Sockets(TorChildren())
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) == 0 {
		t.Fatal("no tor sockets found: the check would see nothing")
	}
	t.Logf("%d samples, %d tor processes, %d sockets now, all on loopback", samples, maxTors, len(conns))
}

func TestParseHexAddr(t *testing.T) {
	ip, port := parseHexAddr("0100007F:1F90")
	if ip.String() != "127.0.0.1" || port != 8080 {
		t.Fatalf("got %v:%d", ip, port)
	}
	ip, _ = parseHexAddr("00000000000000000000000001000000:0050")
	if ip.String() != "::1" {
		t.Fatalf("got %v", ip)
	}
	if (Conn{Remote: ip}).outside() {
		t.Fatal("::1 counted as outside")
	}
	ip, _ = parseHexAddr("0202000A:0050")
	if !(Conn{Remote: ip}).outside() {
		t.Fatalf("%v not counted as outside", ip)
	}
}
