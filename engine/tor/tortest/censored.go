package tortest

import (
	"context"
	"testing"
	"time"
)

// CensoredBridge starts an obfs4 bridge of the network (obfs4: the path of
// obfs4proxy, see Obfs4) and a Censor that lets through only the bridge's
// obfs4 port; both are stopped when tb's test ends.
func (n *Network) CensoredBridge(ctx context.Context, tb testing.TB, obfs4 string) (*Bridge, *Censor) {
	tb.Helper()
	br, err := n.StartBridge(ctx, obfs4)
	if err != nil {
		tb.Fatalf("StartBridge: %v", err)
	}
	tb.Cleanup(func() { br.Stop(2 * time.Second) })
	censor, err := StartCensor(br.PTPort)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { censor.Close() })
	return br, censor
}
