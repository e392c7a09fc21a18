package peer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestPendingRequestsCapped: contact requests from strangers are kept up
// to Config.MaxRequests; each one past that drops the oldest request, so
// someone who makes identities by the thousand cannot fill the disk or
// the contact list. Contacts in other states are never dropped.
func TestPendingRequestsCapped(t *testing.T) {
	nw := loopbackNet(t)
	victim := newNode(t, "victim", 20, nw.new(t))
	victim.opts = func(c *Config) { c.MaxRequests = 5 }
	victim.restart()
	friend := newNode(t, "friend", 21, nw.new(t))
	befriend(t, friend, victim, nw.timeout)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tr := nw.new(t)
	var senders []identity.Address
	for i := range 8 {
		id, err := identity.Generate(nil)
		if err != nil {
			t.Fatal(err)
		}
		s := evilSession(t, ctx, tr, id, victim)
		if err := s.Send(&protocol.ContactRequest{DisplayName: fmt.Sprintf("stranger %d", i)}); err != nil {
			t.Fatal(err)
		}
		victim.ev.waitUntil(t, fmt.Sprintf("request %d stored", i), nw.timeout, func() bool {
			c, err := victim.st.GetContact(string(id.Address()))
			return err == nil && c.State == model.ContactRequest
		})
		s.Close()
		senders = append(senders, id.Address())
	}
	// The last request is trimmed after it is stored: wait for the cap.
	requests := func() map[identity.Address]bool {
		contacts, err := victim.st.Contacts()
		if err != nil {
			t.Fatal(err)
		}
		out := map[identity.Address]bool{}
		for _, c := range contacts {
			if c.State == model.ContactRequest {
				out[identity.Address(c.Address)] = true
			}
		}
		return out
	}
	victim.ev.waitUntil(t, "the cap of 5 requests", nw.timeout, func() bool { return len(requests()) <= 5 })
	kept := requests()
	if len(kept) != 5 {
		t.Fatalf("%d requests stored, want the cap of 5", len(kept))
	}
	for i, a := range senders {
		if kept[a] != (i >= 3) {
			t.Errorf("request %d kept: %v; want only the 5 newest", i, kept[a])
		}
	}
	if c := victim.contact(friend); c.State != model.ContactAccepted {
		t.Fatalf("the accepted friend was touched: %v", c.State)
	}
}
