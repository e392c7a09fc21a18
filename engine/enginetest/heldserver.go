package enginetest

import (
	"context"
	"crypto/rand"
	"math"
	"net"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport"
)

// HeldServer is a group server for tests that holds a catch-up half way:
// to the first subscription it sends the first half of its n stored blobs
// (other groups' blobs: random bytes), then waits until Release before it
// sends the rest and CaughtUp. It answers nothing but subscriptions, so a
// client can join its group (Invite) but not post. The app's tests use it
// to show that nothing waits for a long catch-up.
type HeldServer struct {
	// Invite is the text of an invite to a group on the server.
	Invite string
	// Halfway is closed once the first half of the blobs went out.
	Halfway <-chan struct{}

	n       int
	id      *identity.Identity
	ln      net.Listener
	halfway chan struct{}
	release chan struct{}
	done    chan struct{}
	closed  bool
}

// StartHeldServer starts a HeldServer of n blobs on tr, with a group
// named name.
func StartHeldServer(tr transport.Transport, n int, name string) (*HeldServer, error) {
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		return nil, err
	}
	ik, err := tokens.GenerateIssuerKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	bundle := &invite.Bundle{Version: invite.BundleVersion, Address: id.Address(), Created: time.Now().Truncate(time.Second), TokenKey: ik.Public()}
	if err := bundle.Sign(id); err != nil {
		return nil, err
	}
	var key [group.KeySize]byte
	rand.Read(key[:])
	inv, err := invite.NewGroupInvite(name, key, bundle)
	if err != nil {
		return nil, err
	}
	ln, err := tr.Listen(context.Background(), id)
	if err != nil {
		return nil, err
	}
	s := &HeldServer{Invite: inv.Encode(), n: n, id: id, ln: ln, halfway: make(chan struct{}),
		release: make(chan struct{}), done: make(chan struct{})}
	s.Halfway = s.halfway
	go s.serve()
	return s, nil
}

// Release lets the held catch-up go on to its end.
func (s *HeldServer) Release() {
	if !s.closed {
		s.closed = true
		close(s.release)
	}
}

// Close releases the catch-up, stops listening and waits for the server.
func (s *HeldServer) Close() {
	s.Release()
	s.ln.Close()
	<-s.done
}

func (s *HeldServer) serve() {
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
		if _, accept := r.(*protocol.AcceptBlobs); accept && err == nil {
			// A client that takes packed blobs says so first; this server
			// sends one Blob a record, as servers before Blobs did.
			r, err = sess.Recv()
		}
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
