package groupclient

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestReactions: members' reactions travel as group posts and are stored
// on their target (replaced, removed), reported as MessageChanged with
// the whole message and no unread count; a reaction to a message the
// group does not hold is refused; a blocked contact's reaction is not
// stored.
func TestReactions(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob, carol := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol")
	alice.stop()
	alice.tune = func(c *Config) {
		// Carol is a contact Alice blocked; her contact tags (she still
		// counts Alice as her contact) tell Alice which member she is.
		c.Contacts = func() []identity.Address { return []identity.Address{carol.id.Address()} }
		c.Blocked = func(a identity.Address) bool { return a == carol.id.Address() }
	}
	alice.start()
	carol.withContacts(alice)
	info, sent := friends(t, srv.Bundle(), "react to this", alice, bob, carol)
	unread := func() uint64 {
		info, err := alice.st.Conversation(info.Conversation)
		if err != nil {
			t.Fatal(err)
		}
		return info.Unread
	}
	before := unread()
	byBob := func(emoji string) []model.Reaction {
		if emoji == "" {
			return nil
		}
		return []model.Reaction{{Author: string(bob.as(info.ID)), Emoji: emoji}}
	}
	for _, emoji := range []string{"👍", "❤\ufe0f", ""} {
		got, err := bob.c.React(info.ID, sent.ID, emoji)
		if err != nil || !slices.Equal(got.Reactions, byBob(emoji)) {
			t.Fatalf("React(%q) = %+v, %v", emoji, got.Reactions, err)
		}
		alice.ev.waitFor(t, "bob's reaction "+emoji, func(evs []model.Event) bool {
			return count(evs, func(e model.MessageChanged) bool {
				return e.Message.ID == sent.ID && e.Message.Body == sent.Body && slices.Equal(e.Message.Reactions, byBob(emoji))
			}) > 0
		})
	}
	if m, err := alice.st.GetMessage(info.Conversation, sent.ID); err != nil || len(m.Reactions) != 0 {
		t.Fatalf("after the removal alice has %+v, %v", m.Reactions, err)
	}
	if after := unread(); after != before {
		t.Fatalf("reactions changed the unread count: %d → %d", before, after)
	}
	if _, err := bob.c.React(info.ID, sent.ID, "😀"); err != nil {
		t.Fatal(err)
	}
	// Bob's reaction is on the server before Carol's posts (React only
	// queues it), so what Alice stores at the end is his alone.
	alice.ev.waitFor(t, "bob's reaction 😀", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool {
			return e.Message.ID == sent.ID && slices.Equal(e.Message.Reactions, byBob("😀"))
		}) > 0
	})
	// Carol, whom alice blocked, reacts, then writes: once alice has her
	// text, she has seen the reaction before it, and not stored it.
	if _, err := carol.c.React(info.ID, sent.ID, "👎"); err != nil {
		t.Fatal(err)
	}
	after, err := carol.c.Post(info.ID, "after my reaction", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "carol's text", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool { return e.Message.ID == after.ID }) == 1
	})
	bob.ev.waitFor(t, "carol's reaction at bob", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool { return len(e.Message.Reactions) == 2 }) > 0
	})
	if m, err := alice.st.GetMessage(info.Conversation, sent.ID); err != nil || !slices.Equal(m.Reactions, byBob("😀")) {
		t.Fatalf("alice stored %+v, %v; want bob's only", m.Reactions, err)
	}
	if _, err := bob.c.React(info.ID, model.NewMessageID(), "👍"); !errors.Is(err, ErrUnknownMessage) {
		t.Fatalf("a reaction to a missing message: %v, want ErrUnknownMessage", err)
	}
	if _, err := bob.c.React(info.ID, sent.ID, "words"); !errors.Is(err, model.ErrBadEmoji) {
		t.Fatalf("a reaction that is no emoji: %v", err)
	}
}

// TestReactionReordered: a server that holds a member's reaction back
// until after the removal that followed it cannot bring it back: a
// reaction older than its author's newest message is not applied (and the
// timeline reports the reordering).
func TestReactionReordered(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice, bob, carol := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol")
	info, sent := friends(t, px.bundle, "react to this", alice, bob, carol)
	carol.stop()
	for _, emoji := range []string{"👍", ""} {
		if _, err := bob.c.React(info.ID, sent.ID, emoji); err != nil {
			t.Fatal(err)
		}
		alice.ev.waitFor(t, "alice sees "+emoji, func(evs []model.Event) bool {
			return count(evs, func(e model.MessageChanged) bool {
				return len(e.Message.Reactions) == 0 && emoji == "" || len(e.Message.Reactions) == 1 && e.Message.Reactions[0].Emoji == emoji
			}) > 0
		})
	}
	// Server seq 1 is the text (carol read it before she stopped), 2 bob's
	// 👍, 3 his removal: carol gets 3, then 2.
	// Alice's and Bob's subscriptions pass through the proxy too, and one
	// may still be sent seq 3 after this is set (the removal coming back
	// to Bob): only a connection that held seq 2 back reorders.
	var (
		mu   sync.Mutex
		held = map[*protocol.Blob]bool{}
		last *protocol.Blob
	)
	px.setMangle(func(b *protocol.Blob) []*protocol.Blob {
		mu.Lock()
		defer mu.Unlock()
		switch b.Seq {
		case 2:
			held[b], last = true, b
			return nil
		case 3:
			if last != nil && held[last] {
				delete(held, last)
				return []*protocol.Blob{b, last}
			}
		}
		return []*protocol.Blob{b}
	})
	carol.start()
	evs := carol.ev.waitFor(t, "carol caught up", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0
	})
	if n := count(evs, func(e model.GroupWarning) bool { return e.Kind == "reordered" }); n != 1 {
		t.Errorf("%d reordering warnings, want 1", n)
	}
	m, err := carol.st.GetMessage(info.Conversation, sent.ID)
	if err != nil || len(m.Reactions) != 0 {
		t.Fatalf("carol has %+v, %v: the held-back reaction came back", m.Reactions, err)
	}
	if n := count(evs, func(e model.MessageChanged) bool { return true }); n != 0 {
		t.Errorf("carol was told of %d changes", n)
	}
}
