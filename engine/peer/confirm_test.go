package peer

import (
	"context"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
)

// TestInviteConfirm: the side that used an invite records InviteConfirmed
// only for an InviteConfirm that verifies (Config.CheckConfirm, here the
// real invite.VerifyConfirm over this session's binding); a wrong one is
// ignored without ending the session, and neither ever marks the contact
// verified.
func TestInviteConfirm(t *testing.T) {
	nw := loopbackNet(t)
	inviterID, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := invite.NewSecret(nil)
	if err != nil {
		t.Fatal(err)
	}
	dialler := newNode(t, "dialler", 30, nw.new(t))
	dialler.opts = func(c *Config) {
		c.CheckConfirm = func(contact identity.Address, binding, confirm []byte) bool {
			return contact == inviterID.Address() &&
				invite.VerifyConfirm(secret, contact, dialler.addr(), binding, confirm)
		}
	}
	dialler.restart()
	if _, err := dialler.m.AddContact(inviterID.Address(), "inviter"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := evilSession(t, ctx, nw.new(t), inviterID, dialler)
	defer s.Close()
	confirmed := func() bool {
		c, err := dialler.st.GetContact(string(inviterID.Address()))
		return err == nil && c.InviteConfirmed
	}
	// pingPong sends a ping and reads until its pong: everything sent
	// before it has been handled.
	pingPong := func(nonce uint64) {
		t.Helper()
		if err := s.Send(&protocol.Ping{Nonce: nonce}); err != nil {
			t.Fatal(err)
		}
		for {
			r, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := r.(*protocol.Pong); ok && p.Nonce == nonce {
				return
			}
		}
	}
	wrong := &protocol.InviteConfirm{}
	copy(wrong.MAC[:], invite.Confirm(secret, inviterID.Address(), dialler.addr(), []byte("another session")))
	if err := s.Send(wrong); err != nil {
		t.Fatal(err)
	}
	pingPong(1)
	if confirmed() {
		t.Fatal("a confirmation made for another session was accepted")
	}
	right := &protocol.InviteConfirm{}
	copy(right.MAC[:], invite.Confirm(secret, inviterID.Address(), dialler.addr(), s.ChannelBinding()))
	if err := s.Send(right); err != nil {
		t.Fatal(err)
	}
	pingPong(2)
	if !confirmed() {
		t.Fatal("a valid confirmation was not recorded")
	}
	if c := dialler.contact(&node{id: inviterID}); c.Verified {
		t.Fatal("a confirmation marked the contact verified")
	}
}
