package ui

import (
	"context"
	"crypto/rand"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// heldServer is a group server that holds a catch-up half way: it sends
// the first half of its n stored blobs (other groups' blobs: random
// bytes), then waits until release is closed before it sends the rest and
// CaughtUp. It answers nothing but subscriptions.
type heldServer struct {
	n       int
	release chan struct{}
	halfway chan struct{} // closed once the first half went out
	ln      net.Listener
	id      *identity.Identity
	done    chan struct{}
}

func (s *heldServer) serve() {
	defer close(s.done)
	first := true
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		sess, err := handshake.Server(context.Background(), c, s.id, nil)
		if err != nil {
			c.Close()
			continue
		}
		r, err := sess.Recv()
		sub, ok := r.(*protocol.Subscribe)
		if err != nil || !ok || sub.Cursor == math.MaxUint64 || !first {
			// The probe for the head, or a later subscription: the head.
			sess.Send(&protocol.CaughtUp{Head: uint64(s.n), Oldest: 1})
			go func() { sess.Recv(); sess.Close() }() // until the client leaves
			continue
		}
		first = false
		go func() {
			defer sess.Close()
			var batch []protocol.Record
			for seq := 1; seq <= s.n; seq++ {
				b := &protocol.Blob{Seq: uint64(seq)}
				rand.Read(b.Blob[:])
				if batch = append(batch, b); len(batch) == 8 {
					if sess.SendAll(batch) != nil {
						return
					}
					batch = batch[:0]
				}
				if seq == s.n/2 {
					close(s.halfway)
					<-s.release
				}
			}
			sess.SendAll(batch)
			sess.Send(&protocol.CaughtUp{Head: uint64(s.n), Oldest: 1})
			sess.Recv()
		}()
	}
}

// TestUsableDuringCatchUp: with real engines on a loopback network, Bob
// joins a group whose server is in the middle of a catch-up of 4 000
// blobs and holds it there. Meanwhile the group shows its progress, Bob
// switches conversations and sends Alice a message, which she receives:
// nothing waits for the catch-up. Released, it ends and the bar goes.
func TestUsableDuringCatchUp(t *testing.T) {
	test.NewTempApp(t)
	network := newNet()
	hs := make([]*harness, 2)
	for i, name := range []string{"Alice", "Bob"} {
		hs[i] = newHarness(t, newEngine(t, t.TempDir(), loopback.New(network)))
		hs[i].createProfile(name, strings.ToLower(name)+" password")
	}
	alice, bob := hs[0], hs[1]
	befriend(t, alice, bob)
	aliceAddr := alice.self()

	srvID, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ik, err := tokens.GenerateIssuerKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	bundle := &invite.Bundle{Version: invite.BundleVersion, Address: srvID.Address(), Created: time.Now().Truncate(time.Second), TokenKey: ik.Public()}
	if err := bundle.Sign(srvID); err != nil {
		t.Fatal(err)
	}
	s := &heldServer{n: 4000, release: make(chan struct{}), halfway: make(chan struct{}), id: srvID, done: make(chan struct{})}
	if s.ln, err = loopback.New(network).Listen(context.Background(), srvID); err != nil {
		t.Fatal(err)
	}
	go s.serve()
	released := false
	defer func() {
		if !released {
			close(s.release)
		}
		s.ln.Close()
		<-s.done
	}()
	var key [group.KeySize]byte
	rand.Read(key[:])
	inv, err := invite.NewGroupInvite("Slow server", key, bundle)
	if err != nil {
		t.Fatal(err)
	}
	res, err := bob.eng.AcceptInvite(inv.Encode())
	if err != nil {
		t.Fatal(err)
	}
	conv := res.Group.Conversation()
	bob.waitFor("the group in Bob's list", func() bool { return bob.item(string(conv)) != nil })
	select {
	case <-s.halfway:
	case <-time.After(step):
		t.Fatal("the server never got half way")
	}
	gc := bob.open(string(conv))
	bob.waitFor("the catch-up bar half way", func() bool {
		return gc.syncBar.Visible() && gc.syncBar.Percent() >= 40
	})

	// Held half way: Bob switches to Alice, writes, and back to the group.
	ac := bob.open(aliceAddr)
	test.Type(ac.entry, "Still catching up on the group, but here")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Bob's message on his screen", func() bool { return len(ac.msgs()) == 1 })
	bobAddr := bob.self()
	alc := alice.open(bobAddr)
	alice.waitFor("Bob's message on Alice's screen", func() bool { return len(alc.msgs()) == 1 })
	gc = bob.open(string(conv))
	if st, ok := bob.ui.state.CatchingUp(gc.cv); !ok || st.Done >= st.Total || !gc.syncBar.Visible() {
		t.Fatalf("the catch-up is not running any more (%+v, %v): the test proves nothing", st, ok)
	}

	close(s.release)
	released = true
	bob.waitFor("the end of the catch-up", func() bool { return !gc.syncBar.Visible() })
}
