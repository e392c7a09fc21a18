package engine

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// nextEvent returns the subscription's next event.
func nextEvent(t *testing.T, ch <-chan model.Event) model.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(step):
		t.Fatal("no event")
	}
	return nil
}

// waitConv waits for a ConversationChanged of id that satisfies ok.
func (te *testEngine) waitConv(what string, id model.ConversationID, ok func(model.Conversation) bool) model.Conversation {
	te.t.Helper()
	ev := te.waitEvent(what, func(ev model.Event) bool {
		c, is := ev.(model.ConversationChanged)
		return is && c.Conversation.ID == id && ok(c.Conversation)
	})
	return ev.(model.ConversationChanged).Conversation
}

// TestConversationAPI drives a contact's and a group's conversation
// through the same methods: send, reply, history, archive, the timer,
// mark read and delete; each change is reported as ConversationChanged or
// ConversationRemoved, and a group invite travels as the typed record.
func TestConversationAPI(t *testing.T) {
	alice, bob := groupPair(t)
	g := alice.hostGroup(t.Context(), "Newsroom")
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())

	first, err := alice.SendMessage(toBob, "hello Bob")
	if err != nil {
		t.Fatal(err)
	}
	cv := bob.waitConv("alice's message counted", toAlice, func(c model.Conversation) bool {
		return c.Last.ID == first.ID && c.Unread == 1
	})
	if cv.Kind != model.KindContact || cv.Contact == nil || cv.Title != "Alice" || cv.Group != nil {
		t.Fatalf("contact conversation %+v", cv)
	}
	reply, err := bob.Reply(toAlice, "hello Alice", first.ID)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitConv("bob's reply", toBob, func(c model.Conversation) bool { return c.Last.ID == reply.ID })
	if h, err := alice.History(toBob, 0, 10); err != nil || len(h) != 2 || h[1].ReplyTo != first.ID {
		t.Fatalf("history %+v, %v", h, err)
	}

	// The invite is a message of its own kind, on both sides.
	inv, err := alice.InviteToGroup(bob.self(), g.Conversation())
	if err != nil || inv.Kind != model.KindGroupInvite {
		t.Fatalf("invite message %+v, %v", inv, err)
	}
	got := bob.waitEvent("the invite", func(ev model.Event) bool {
		m, ok := ev.(model.MessageAdded)
		return ok && m.Message.ID == inv.ID
	}).(model.MessageAdded).Message
	if got.Kind != model.KindGroupInvite || got.Body != inv.Body {
		t.Fatalf("received invite %+v", got)
	}
	if _, err := bob.AcceptInvite(got.Body); err != nil {
		t.Fatal(err)
	}
	if cv, err := bob.Conversation(g.Conversation()); err != nil || cv.Kind != model.KindGroup || cv.Title != "Newsroom" || cv.Group == nil {
		t.Fatalf("group conversation %+v, %v", cv, err)
	}
	post, err := bob.SendMessage(g.Conversation(), "joined")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitConv("bob's post in the group", g.Conversation(), func(c model.Conversation) bool {
		return c.Last.ID == post.ID && c.Unread == 1
	})
	if err := alice.MarkRead(g.Conversation()); err != nil {
		t.Fatal(err)
	}
	alice.waitConv("the group read", g.Conversation(), func(c model.Conversation) bool { return c.Unread == 0 })

	// Archive: the same call for both kinds.
	for _, id := range []model.ConversationID{g.Conversation(), toAlice} {
		cv, err := bob.Archive(id, true)
		if err != nil || !cv.Archived {
			t.Fatalf("archive %s: %+v, %v", id, cv, err)
		}
		bob.waitConv("archived", id, func(c model.Conversation) bool { return c.Archived })
		if cv, err := bob.Archive(id, false); err != nil || cv.Archived {
			t.Fatalf("unarchive %s: %+v, %v", id, cv, err)
		}
	}

	// Timers: contacts only.
	if _, err := bob.SetConversationTimer(g.Conversation(), time.Hour); !errors.Is(err, ErrNoGroupTimer) {
		t.Fatalf("group timer: %v, want ErrNoGroupTimer", err)
	}
	if cv, err := bob.SetConversationTimer(toAlice, time.Hour); err != nil || cv.Disappear != time.Hour {
		t.Fatalf("contact timer: %+v, %v", cv, err)
	}
	if _, err := bob.Conversation("not a conversation"); !errors.Is(err, ErrNoConversation) {
		t.Fatalf("unknown conversation: %v", err)
	}

	// Delete: the group is left with its history, the contact deleted.
	for _, id := range []model.ConversationID{g.Conversation(), toAlice} {
		if err := bob.DeleteConversation(id); err != nil {
			t.Fatal(err)
		}
		bob.waitEvent("removed", func(ev model.Event) bool {
			r, ok := ev.(model.ConversationRemoved)
			return ok && r.ID == id
		})
	}
	if cs, err := bob.Conversations(); err != nil || len(cs) != 0 {
		t.Fatalf("conversations after deleting both: %+v, %v", cs, err)
	}
	alice.StopServer()
}

// TestSnapshotFirst: a subscription's first event is the whole current
// state, and an unlock sends it again; the list needs no other query.
func TestSnapshotFirst(t *testing.T) {
	alice, bob := groupPair(t)
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	m := alice.sendDelivered(bob.self(), "before the subscription", step)
	bob.waitUntil("stored", step, func() bool { n, _ := bob.Unread(model.ConversationID(alice.self())); return n == 1 })

	ch, cancel := bob.Subscribe()
	defer cancel()
	snap, ok := nextEvent(t, ch).(model.Snapshot)
	if !ok || !snap.Unlocked || len(snap.Conversations) != 1 {
		t.Fatalf("first event %#v, want a snapshot of one conversation", snap)
	}
	cv := snap.Conversations[0]
	if cv.ID != model.ConversationID(alice.self()) || cv.Last.ID != m.ID || cv.Unread != 1 || cv.Messages != 1 || cv.Title != "Alice" {
		t.Fatalf("snapshot conversation %+v", cv)
	}

	if err := bob.Lock(); err != nil {
		t.Fatal(err)
	}
	for {
		if s, ok := nextEvent(t, ch).(model.Snapshot); ok {
			if s.Unlocked || len(s.Conversations) != 0 {
				t.Fatalf("snapshot after lock %+v", s)
			}
			break
		}
	}
	if _, err := bob.UnlockAny(t.Context(), "bob pw"); err != nil {
		t.Fatal(err)
	}
	for {
		if s, ok := nextEvent(t, ch).(model.Snapshot); ok {
			if !s.Unlocked || len(s.Conversations) != 1 || s.Conversations[0].Last.ID != m.ID {
				t.Fatalf("snapshot after unlock %+v", s)
			}
			break
		}
	}
}

// TestOldTextInvite: a group invite that an earlier version sent as an
// ordinary Text (testdata/profile-v1) reads as a group invite; the text
// before it stays a text.
func TestOldTextInvite(t *testing.T) {
	e := openFixture(t)
	cs, err := e.Conversations()
	if err != nil || len(cs) != 1 {
		t.Fatalf("conversations %+v, %v", cs, err)
	}
	if cs[0].Last.Kind != model.KindGroupInvite || cs[0].Unread != 2 {
		t.Fatalf("the conversation's summary %+v", cs[0])
	}
	h, err := e.History(cs[0].ID, 0, 10)
	if err != nil || len(h) != 2 {
		t.Fatalf("history %+v, %v", h, err)
	}
	if h[0].Kind != model.KindText || h[0].Body != "an invite follows" || h[1].Kind != model.KindGroupInvite {
		t.Fatalf("kinds %v %v, want text then group invite", h[0].Kind, h[1].Kind)
	}
	if m, err := e.Message(cs[0].ID, h[1].ID); err != nil || m.Kind != model.KindGroupInvite {
		t.Fatalf("Message: %+v, %v", m, err)
	}
	if _, err := e.AcceptInvite(h[1].Body); err != nil {
		t.Fatalf("joining from the old invite: %v", err)
	}
}

// TestNotifierBatch: a burst of changes (every contact's presence at an
// unlock) is reported from one read of the list, each conversation with
// its state, and one that is gone as removed.
func TestNotifierBatch(t *testing.T) {
	e := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	e.createProfile("Reporter", "pw")
	op := e.op()
	var batch []model.ConversationID
	for i := range batchAll + 2 {
		id, err := identity.Generate(nil)
		if err != nil {
			t.Fatal(err)
		}
		c := model.Contact{Address: string(id.Address()), Nickname: fmt.Sprintf("contact %d", i), State: model.ContactAccepted}
		if err := op.st.PutContact(c); err != nil {
			t.Fatal(err)
		}
		batch = append(batch, model.ConversationID(c.Address))
	}
	gone := model.ConversationID("g:00000000000000000000000000000000")
	if !op.notify.changedAll(append(batch, gone)) {
		t.Fatal("the list could not be read")
	}
	for i, id := range batch {
		cv := e.waitConv("the batch", id, func(model.Conversation) bool { return true })
		if cv.Title != fmt.Sprintf("contact %d", i) || cv.Kind != model.KindContact {
			t.Fatalf("conversation %+v", cv)
		}
	}
	e.waitEvent("the gone one removed", func(ev model.Event) bool {
		r, ok := ev.(model.ConversationRemoved)
		return ok && r.ID == gone
	})
}
