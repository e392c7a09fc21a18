package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// TestDeleteForMe: with two real engines, deleting a message removes it
// on one side only and fixes the conversation's summary at once; a
// message deleted while still queued is never sent; clearing a
// conversation keeps the contact, and the conversation goes on.
func TestDeleteForMe(t *testing.T) {
	ctx := context.Background()
	alice, bob, _, _ := twoProfiles(t)
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	bob.waitContact(alice.self(), model.ContactAccepted)
	bobAddr := bob.self()
	toBob, toAlice := model.ConversationID(bobAddr), model.ConversationID(alice.self())

	one := alice.sendDelivered(bob.self(), "one", step)
	two := alice.sendDelivered(bob.self(), "two", step)
	cv := bob.waitConv("two unread", toAlice, func(c model.Conversation) bool { return c.Unread == 2 })
	if cv.Messages != 2 || cv.Last.ID != two.ID {
		t.Fatalf("Bob's conversation before: %+v", cv)
	}

	// Bob deletes the unread "two", the latest: count, unread and the
	// latest message change in the state returned and in the event.
	cv, err := bob.DeleteMessage(toAlice, two.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cv.Messages != 1 || cv.Unread != 1 || cv.Last.ID != one.ID {
		t.Fatalf("Bob's conversation after deleting %q: %+v", "two", cv)
	}
	bob.waitEvent("MessagesDeleted", func(ev model.Event) bool {
		d, ok := ev.(model.MessagesDeleted)
		return ok && d.Conversation == toAlice && len(d.IDs) == 1 && d.IDs[0] == two.ID && !d.All
	})
	bob.waitEvent("ConversationChanged after the deletion", func(ev model.Event) bool {
		c, ok := ev.(model.ConversationChanged)
		return ok && c.Conversation.ID == toAlice && c.Conversation.Messages == 1 && c.Conversation.Last.ID == one.ID
	})
	if _, err := bob.DeleteMessage(toAlice, two.ID); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("deleting it again: %v, want ErrNoMessage", err)
	}
	// Alice still has both.
	if h, _ := alice.History(toBob, 0, 10); len(h) != 2 {
		t.Fatalf("Alice's history after Bob deleted: %d messages", len(h))
	}

	// Alice writes to the wrong person while Bob is away, and deletes it
	// before it left: it never reaches him.
	if err := bob.Lock(); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("Bob offline", step, func() bool { return alice.Presence(bobAddr) != model.Online })
	wrong, err := alice.SendMessage(toBob, "meant for someone else")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.DeleteMessage(toBob, wrong.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.UnlockAny(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	after := alice.sendDelivered(bobAddr, "after", step)
	bob.waitUntil("the message after", step, func() bool {
		_, err := bob.Message(toAlice, after.ID)
		return err == nil
	})
	h, err := bob.History(toAlice, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range h {
		if m.ID == wrong.ID || m.Body == "meant for someone else" {
			t.Fatal("the message deleted while queued reached Bob")
		}
	}
	if len(h) != 2 {
		t.Fatalf("Bob's history: %d messages, want 2 (one, after)", len(h))
	}

	// Alice clears the conversation: no messages, the contact stays, and
	// the conversation goes on.
	cv, err = alice.ClearConversation(toBob)
	if err != nil {
		t.Fatal(err)
	}
	if cv.Messages != 0 || !cv.Last.ID.IsZero() || cv.Contact == nil || cv.Contact.State != model.ContactAccepted {
		t.Fatalf("Alice's conversation after clearing: %+v", cv)
	}
	alice.waitEvent("MessagesDeleted, all", func(ev model.Event) bool {
		d, ok := ev.(model.MessagesDeleted)
		return ok && d.Conversation == toBob && d.All && len(d.IDs) == 3
	})
	if h, _ := alice.History(toBob, 0, 10); len(h) != 0 {
		t.Fatalf("Alice's history after clearing: %d messages", len(h))
	}
	if h, _ := bob.History(toAlice, 0, 10); len(h) != 2 {
		t.Fatalf("Bob's history after Alice cleared hers: %d messages", len(h))
	}
	again := alice.sendDelivered(bob.self(), "again", step)
	if cv, _ := alice.Conversation(toBob); cv.Messages != 1 || cv.Last.ID != again.ID {
		t.Fatalf("Alice's conversation after writing again: %+v", cv)
	}
}

// TestDeleteGroupMessage: in a group, deleting a post still queued drops
// it for good; deleting a received message and clearing the group keep
// the group, and the other member keeps everything.
func TestDeleteGroupMessage(t *testing.T) {
	ctx := context.Background()
	alice, bob := groupPair(t)
	g := alice.hostGroup(ctx, "Allotment")
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	bob.joinGroupOf(alice, g)
	hello, err := alice.SendMessage(g.Conversation(), "hello")
	if err != nil {
		t.Fatal(err)
	}
	bob.waitUntil("Alice's post", step, func() bool {
		_, err := bob.Message(g.Conversation(), hello.ID)
		return err == nil
	})
	before, err := bob.Conversation(g.Conversation())
	if err != nil {
		t.Fatal(err)
	}
	cv, err := bob.DeleteMessage(g.Conversation(), hello.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cv.Messages != before.Messages-1 || cv.Last.ID == hello.ID || cv.Group == nil {
		t.Fatalf("Bob's group after deleting: %+v (before %d messages)", cv, before.Messages)
	}
	if _, err := alice.Message(g.Conversation(), hello.ID); err != nil {
		t.Fatalf("Alice lost her post: %v", err)
	}

	// Bob clears the group: it stays, empty, and he can still post.
	if cv, err = bob.ClearConversation(g.Conversation()); err != nil || cv.Messages != 0 || cv.Left {
		t.Fatalf("Bob's group after clearing: %+v, %v", cv, err)
	}
	if h, _ := alice.History(g.Conversation(), 0, 50); len(h) == 0 {
		t.Fatal("Alice's history went with Bob's")
	}
	post := bob.sendGroupDelivered(g.Conversation(), "still here")
	alice.waitUntil("Bob's post after he cleared", step, func() bool {
		_, err := alice.Message(g.Conversation(), post.ID)
		return err == nil
	})
}

// sendGroupDelivered posts body to a group and waits until it came back
// from the server.
func (te *testEngine) sendGroupDelivered(conv model.ConversationID, body string) model.Message {
	te.t.Helper()
	m, err := te.SendMessage(conv, body)
	if err != nil {
		te.t.Fatal(err)
	}
	te.waitUntil("delivery of "+body, step, func() bool {
		got, err := te.Message(conv, m.ID)
		return err == nil && got.Status == model.StatusDelivered
	})
	return m
}

// postReceived posts body from te to group conv, and waits until it came
// back from the server and each of members holds it.
func (te *testEngine) postReceived(conv model.ConversationID, body string, members ...*testEngine) model.Message {
	te.t.Helper()
	m := te.sendGroupDelivered(conv, body)
	for _, o := range members {
		o.waitUntil("received "+body, step, func() bool {
			_, err := o.Message(conv, m.ID)
			return err == nil
		})
	}
	return m
}
