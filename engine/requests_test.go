package engine

import (
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// setBlockRequests turns "Block contact requests" on or off.
func (te *testEngine) setBlockRequests(on bool) {
	te.t.Helper()
	s, err := te.Settings()
	if err != nil {
		te.t.Fatal(err)
	}
	s.BlockUnknown = on
	if err := te.SetSettings(s); err != nil {
		te.t.Fatal(err)
	}
}

// sessionEnded waits until te's session with addr came up and ended (the
// peer manager's own presence, which conversations do not show for a
// contact not accepted).
func (te *testEngine) sessionEnded(addr string) {
	te.t.Helper()
	up := false
	te.waitEvent("a session with "+addr[:8]+" up and closed", func(ev model.Event) bool {
		p, ok := ev.(model.PresenceChanged)
		if !ok || p.Address != addr {
			return false
		}
		if p.Presence == model.Online {
			up = true
			return false
		}
		return up
	})
}

// TestRequestDelivery: a contact request says truthfully how far it got.
// To a profile that blocks requests it stays "not delivered" (and the
// requester is never shown online) although the session came up; once
// requests are taken it becomes "delivered, waiting for them to accept",
// reported as ConversationChanged; accepted, the flag goes. A request to
// someone who blocked the requester is never delivered either, and an
// in-person invite still works while requests are blocked.
func TestRequestDelivery(t *testing.T) {
	alice, bob, dirNet, _ := twoProfiles(t)
	bob.setBlockRequests(true)
	bobAddr := string(bob.self())
	c, err := alice.AddContact(bobAddr, "Bob")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != model.ContactPending || c.RequestDelivered {
		t.Fatalf("a new request: %+v", c)
	}
	alice.sessionEnded(bobAddr)
	alice.sessionEnded(bobAddr) // and once more, after a redial
	if c, _ := alice.Contact(bob.self()); c.RequestDelivered {
		t.Fatal("a request to a profile that blocks requests shows as delivered")
	}
	if cv, _ := alice.Conversation(model.ConversationID(bobAddr)); cv.Presence != model.Offline {
		t.Fatalf("the requester sees Bob %v", cv.Presence)
	}
	for _, ev := range alice.seen {
		if cv, ok := ev.(model.ConversationChanged); ok && cv.Conversation.ID == model.ConversationID(bobAddr) && cv.Conversation.Presence != model.Offline {
			t.Fatalf("a conversation change showed the requester Bob %v", cv.Conversation.Presence)
		}
	}
	if _, err := bob.Contact(alice.self()); err == nil {
		t.Fatal("Bob stored a request while blocking requests")
	}

	// Bob takes requests again: Alice's next dial delivers it.
	bob.setBlockRequests(false)
	alice.waitConv("the request delivered", model.ConversationID(bobAddr), func(cv model.Conversation) bool {
		return cv.Contact.State == model.ContactPending && cv.Contact.RequestDelivered
	})
	bob.waitContact(alice.self(), model.ContactRequest)
	if _, err := bob.AcceptContact(alice.self()); err != nil {
		t.Fatal(err)
	}
	if c := alice.waitContact(bob.self(), model.ContactAccepted); c.RequestDelivered {
		t.Fatalf("an accepted contact still flagged: %+v", c)
	}
	alice.waitUntil("Bob shown online", step, func() bool {
		cv, err := alice.Conversation(model.ConversationID(bobAddr))
		return err == nil && cv.Presence == model.Online
	})

	// Carol: Bob blocked her address before she asked.
	carol := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	carol.createProfile("Carol", "c")
	if _, err := bob.BlockContact(carol.self()); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.AddContact(bobAddr, ""); err != nil {
		t.Fatal(err)
	}
	carol.sessionEnded(bobAddr)
	if c, _ := carol.Contact(bob.self()); c.RequestDelivered || c.State != model.ContactPending {
		t.Fatalf("a request to someone who blocked its sender: %+v", c)
	}
	if c, _ := bob.Contact(carol.self()); c.State != model.ContactBlocked {
		t.Fatalf("Bob's record of Carol: %+v", c)
	}

	// Dave meets Bob, who blocks requests, and scans his in-person
	// invite: they become contacts without a request.
	bob.setBlockRequests(true)
	dave := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	dave.createProfile("Dave", "d")
	dave.acceptInviteOf(bob)
	bob.waitContact(dave.self(), model.ContactAccepted)
	dave.waitContact(bob.self(), model.ContactAccepted)
}

// TestMessagesDuringBlock: what a blocked contact writes during the block
// is neither taken nor acknowledged (their Nook reaches this one, which
// closes the session after the handshake), so it is never shown
// delivered; it waits on their computer and arrives when they are
// unblocked, each message with the time it was written
// (docs/security.md, "Requests and blocking").
func TestMessagesDuringBlock(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	bob.waitContact(alice.self(), model.ContactAccepted)
	aliceAddr, bobAddr := string(alice.self()), string(bob.self())
	if _, err := bob.BlockContact(alice.self()); err != nil {
		t.Fatal(err)
	}
	var written []model.Message
	for _, body := range []string{"are you there?", "please answer"} {
		m, err := alice.SendMessage(model.ConversationID(bobAddr), body)
		if err != nil {
			t.Fatal(err)
		}
		written = append(written, m)
	}
	alice.sessionEnded(bobAddr)
	alice.sessionEnded(bobAddr)
	for _, m := range written {
		if got, _ := alice.Message(m.Conversation, m.ID); got.Status == model.StatusDelivered {
			t.Fatalf("%q shows delivered to someone who blocked her", m.Body)
		}
		if _, err := bob.Message(model.ConversationID(aliceAddr), m.ID); err == nil {
			t.Fatalf("%q reached Bob while he blocked Alice", m.Body)
		}
	}
	if cv, _ := bob.Conversation(model.ConversationID(aliceAddr)); cv.Unread != 0 {
		t.Fatalf("Bob's conversation while blocking: %+v", cv)
	}

	if _, err := bob.UnblockContact(alice.self()); err != nil {
		t.Fatal(err)
	}
	for _, m := range written {
		bob.waitUntil("the message written during the block", step, func() bool {
			got, err := bob.Message(model.ConversationID(aliceAddr), m.ID)
			return err == nil && got.Body == m.Body && got.Sent.Equal(m.Sent.Truncate(1e6))
		})
		alice.waitUntil("delivered after the unblock", step, func() bool {
			got, err := alice.Message(m.Conversation, m.ID)
			return err == nil && got.Status == model.StatusDelivered
		})
	}
}
