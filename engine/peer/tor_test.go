package peer

import (
	"context"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
)

// torNet returns a network whose transports are real tor clients of the
// test binary's private Tor network on 127.0.0.1 (engine/tor/tortest): the
// same code path users run, against a network that cannot reach anything
// outside this machine.
func torNet(t testing.TB) network {
	n := tortest.Shared(t)
	return network{
		name:    "tor",
		timeout: 90 * time.Second,
		new: func(tb testing.TB) transport.Transport {
			tr := tor.New(tor.Config{
				DataDir:        tb.TempDir(),
				TorPath:        n.Tor,
				PrivateNetwork: n.Client(),
				StopGrace:      2 * time.Second,
			})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if err := tr.Start(ctx); err != nil {
				tb.Fatalf("start tor: %v", err)
			}
			tb.Cleanup(func() { tr.Close() })
			if err := tr.WaitReady(ctx); err != nil {
				tb.Fatalf("tor not ready: %v", err)
			}
			return tr
		},
	}
}

// TestConversationTor runs the conversation suite over the private Tor
// network.
func TestConversationTor(t *testing.T) {
	if testing.Short() {
		t.Skip("the Tor suite takes a minute; run without -short")
	}
	runConversation(t, torNet(t))
}
