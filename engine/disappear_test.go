package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// TestDisappearingMessages: with a one-second timer, the author's copy is
// deleted a second after sending and the recipient's a second after the
// recipient opened the conversation (not before, however long it waited);
// both engines report the deletions, and a message that expired while the
// profile was locked is gone when it is unlocked.
func TestDisappearingMessages(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)

	if _, err := alice.SetDisappear(bob.self(), time.Second); err != nil {
		t.Fatal(err)
	}
	bob.waitUntil("bob to adopt the timer", step, func() bool {
		c, err := bob.Contact(alice.self())
		return err == nil && c.Disappear == time.Second
	})
	m := alice.sendDelivered(bob.self(), "read me, then I am gone", step)
	expired := func(te *testEngine) func(model.Event) bool {
		return func(ev model.Event) bool {
			x, ok := ev.(model.MessagesExpired)
			return ok && len(x.IDs) == 1 && x.IDs[0] == m.ID && x.Conversation == model.ConversationID(bob.self())
		}
	}
	alice.waitEvent("alice's copy to disappear", expired(alice))
	if _, err := alice.Message(m.Conversation, m.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("alice's copy after its timer: %v, want not found", err)
	}

	// Bob has not opened the conversation: his copy stays.
	time.Sleep(1500 * time.Millisecond)
	got, err := bob.Message(model.ConversationID(alice.self()), m.ID)
	if err != nil || !got.ExpiresAt.IsZero() {
		t.Fatalf("bob's unread copy = %+v, %v; want kept until read", got, err)
	}
	conv := model.ConversationID(alice.self())
	if err := bob.MarkRead(conv); err != nil {
		t.Fatal(err)
	}
	bob.waitEvent("bob's copy to disappear after reading", func(ev model.Event) bool {
		x, ok := ev.(model.MessagesExpired)
		return ok && x.Conversation == conv && len(x.IDs) == 1 && x.IDs[0] == m.ID
	})
	if msgs, err := bob.Messages(conv, 0, 10); err != nil || len(msgs) != 0 {
		t.Fatalf("bob's history after expiry = %d messages, %v", len(msgs), err)
	}

	// A message read, then the profile locked past its timer: gone at unlock.
	m2 := alice.sendDelivered(bob.self(), "second", step)
	bob.waitUntil("bob to store the second", step, func() bool { _, err := bob.Message(model.ConversationID(alice.self()), m2.ID); return err == nil })
	if err := bob.MarkRead(conv); err != nil {
		t.Fatal(err)
	}
	if err := bob.Lock(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	bob.seen = nil
	if _, err := bob.UnlockAny(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	bob.waitEvent("the second to be deleted at unlock", func(ev model.Event) bool {
		x, ok := ev.(model.MessagesExpired)
		return ok && len(x.IDs) == 1 && x.IDs[0] == m2.ID
	})
	if _, err := bob.Message(model.ConversationID(alice.self()), m2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second message after unlock: %v, want not found", err)
	}
}
