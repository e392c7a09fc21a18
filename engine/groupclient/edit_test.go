package groupclient

import (
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
)

// TestEdits: a member's edit of their own text travels as a group post
// and replaces the text on every side (MessageChanged, Edited set, no
// unread count); a member cannot edit someone else's message, through
// Edit (ErrNotEditable) or by posting a signed edit of it themselves
// (the others do not apply it); a member's edit of a message the group
// does not hold is refused (ErrUnknownMessage).
func TestEdits(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, sent := friends(t, srv.Bundle(), "see you at noom", alice, bob)
	unread := func() uint64 {
		c, err := bob.st.Conversation(info.Conversation)
		if err != nil {
			t.Fatal(err)
		}
		return c.Unread
	}
	before := unread()

	got, err := alice.c.Edit(info.ID, sent.ID, "see you at noon")
	if err != nil || got.Body != "see you at noon" || got.Edited.IsZero() {
		t.Fatalf("Edit = %+v, %v", got, err)
	}
	bob.ev.waitFor(t, "bob sees the edit", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool {
			return e.Message.ID == sent.ID && e.Message.Body == "see you at noon" && !e.Message.Edited.IsZero()
		}) > 0
	})
	if after := unread(); after != before {
		t.Fatalf("an edit counted unread: %d → %d", before, after)
	}

	// Bob may not edit Alice's message, nor make the others take his.
	if _, err := bob.c.Edit(info.ID, sent.ID, "bob's words"); !errors.Is(err, ErrNotEditable) {
		t.Fatalf("bob edits alice's message: %v", err)
	}
	bob.c.mu.Lock()
	gs := bob.c.groups[info.ID]
	full, err := bob.c.fullID(gs, sent.ID)
	if err == nil {
		forged := group.Message{Kind: group.KindEdit, ReplyTo: full, Text: "bob's words", Sent: bob.c.cfg.Now(), Prev: gs.head}
		_, err = bob.c.queuePostLocked(gs, &forged, nil)
	}
	bob.c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	say(t, bob, alice, info, "after the forged edit") // bob's posts go in order
	for _, m := range []*member{alice, bob} {
		got, err := m.st.GetMessage(info.Conversation, sent.ID)
		if err != nil || got.Body != "see you at noon" {
			t.Fatalf("%s holds %q, %v after bob's edit of alice's message", m.name, got.Body, err)
		}
	}
	if _, err := alice.c.Edit(info.ID, model.NewMessageID(), "x"); !errors.Is(err, ErrUnknownMessage) {
		t.Fatalf("an edit of a message not held: %v", err)
	}
}
