package peer

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
)

// staleTransport wraps a transport whose dials can be made to hang until
// their context ends, the way a Tor dial hangs on a descriptor that names
// the peer's old introduction points after the peer's tor restarted.
type staleTransport struct {
	transport.Transport
	hang      atomic.Bool
	abandoned atomic.Int32 // hanging dials that ended by their context
	forgot    atomic.Int32 // ForgetOnionDescriptors calls while dials hang

	mu    sync.Mutex
	cause error // context.Cause of the last abandoned dial
}

func (s *staleTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	if !s.hang.Load() {
		return s.Transport.Dial(ctx, addr)
	}
	<-ctx.Done()
	s.abandoned.Add(1)
	s.mu.Lock()
	s.cause = context.Cause(ctx)
	s.mu.Unlock()
	return nil, ctx.Err()
}

func (s *staleTransport) ForgetOnionDescriptors() error {
	if s.hang.Load() {
		s.forgot.Add(1)
	}
	return nil
}

// TestInboundSessionSupersedesHangingDial: bob restarts (as when his tor
// restarts) while alice's dial to him hangs on stale routing information.
// Bob dials alice; his authenticated session replaces alice's dial at once,
// and alice's next message is delivered over it, long before her dial
// would time out.
func TestInboundSessionSupersedesHangingDial(t *testing.T) {
	nw := loopbackNet(t)
	tr := &staleTransport{Transport: nw.new(t)}
	alice := newNode(t, "alice", 41, tr)
	alice.opts = func(c *Config) { c.DialTimeout = time.Hour }
	alice.restart()
	bob := newNode(t, "bob", 42, nw.new(t))
	befriend(t, alice, bob, nw.timeout)

	tr.hang.Store(true)
	bob.stop()
	alice.ev.waitUntil(t, "alice's dial to bob to hang", nw.timeout, func() bool {
		return alice.m.Presence(bob.addr()) == model.Connecting
	})
	bob.start()
	alice.ev.waitUntil(t, "bob's session at alice", nw.timeout, func() bool {
		return alice.m.Presence(bob.addr()) == model.Online
	})
	if n := tr.abandoned.Load(); n != 1 {
		t.Errorf("%d hanging dials abandoned, want 1", n)
	}
	if _, err := alice.m.Send(bob.addr(), "after bob came back", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.ev.waitUntil(t, "delivery over bob's session", nw.timeout, delivered(alice, bob))
}

// TestHangingDialTimesOut: a dial that hangs is cut off after DialTimeout,
// counts as unreachable, and makes the transport forget cached onion
// descriptors, after which the next dial reaches the peer.
func TestHangingDialTimesOut(t *testing.T) {
	nw := loopbackNet(t)
	tr := &staleTransport{Transport: nw.new(t)}
	alice := newNode(t, "alice", 43, tr)
	alice.opts = func(c *Config) { c.DialTimeout = 300 * time.Millisecond }
	alice.restart()
	bob := newNode(t, "bob", 44, nw.new(t))
	befriend(t, alice, bob, nw.timeout)
	bob.stop() // bob stays away and does not dial alice
	alice.ev.waitUntil(t, "alice to see bob go", nw.timeout, func() bool {
		return alice.m.Presence(bob.addr()) != model.Online
	})

	tr.hang.Store(true)
	if _, err := alice.m.Send(bob.addr(), "are you there?", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.ev.waitUntil(t, "the hanging dial to be cut off", nw.timeout, func() bool {
		return tr.abandoned.Load() > 0 && tr.forgot.Load() > 0
	})
	tr.mu.Lock()
	cause := tr.cause
	tr.mu.Unlock()
	if cause != errDialTimeout {
		t.Errorf("hanging dial ended by %v, want the dial timeout", cause)
	}
	tr.hang.Store(false)
	bob.start()
	alice.ev.waitUntil(t, "delivery once dials work again", nw.timeout, delivered(alice, bob))
}
