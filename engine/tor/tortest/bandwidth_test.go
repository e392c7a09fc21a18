package tortest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBandwidthLines checks that tor accepts a relay's torrc limited to
// 1 MiB/s by BandwidthLines, and refuses one limited below a relay's
// minimum (75 KiB/s) rather than ignoring the rate: a limited network
// either runs at its limit or does not start.
func TestBandwidthLines(t *testing.T) {
	Require(t)
	lines := BandwidthLines(1 << 20)
	for _, want := range []string{"BandwidthRate 1048576 bytes", "BandwidthBurst 1048576 bytes", "CountPrivateBandwidth 1"} {
		if !slices.Contains(lines, want) {
			t.Fatalf("BandwidthLines(1 MiB) lacks %q: %q", want, lines)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	relay := func(rate int64) error {
		dir := t.TempDir()
		n := &Network{Tor: "tor", Dir: dir, Bandwidth: rate, empty: filepath.Join(dir, "empty"), resolv: filepath.Join(dir, "resolv.conf")}
		for _, f := range []string{n.empty, n.resolv} {
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fp := strings.Repeat("A", 40)
		torrc := filepath.Join(dir, "torrc")
		lines := append(n.commonLines("relay0", dir, "auth0 orport=9001 no-v2 v3ident="+fp+" 127.0.0.1:9030 "+fp),
			"ORPort 127.0.0.1:9001", "SocksPort 0", "AssumeReachable 1")
		if err := writeLines(torrc, append(lines, n.limitLines()...)); err != nil {
			t.Fatal(err)
		}
		return n.verify(ctx, torrc)
	}
	if err := relay(1 << 20); err != nil {
		t.Fatalf("a relay limited to 1 MiB/s: %v", err)
	}
	err := relay(10_000)
	if err == nil || !strings.Contains(err.Error(), "BandwidthRate") {
		t.Fatalf("a relay limited to 10 kB/s: got %v, want tor to refuse its BandwidthRate", err)
	}
}
