package engine

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// edited waits until te holds text, marked edited, as message id of conv.
func (te *testEngine) edited(conv model.ConversationID, id model.MessageID, text string) {
	te.t.Helper()
	te.waitUntil(fmt.Sprintf("the edit %q", text), step, func() bool {
		m, err := te.Message(conv, id)
		return err == nil && m.Body == text && !m.Edited.IsZero()
	})
}

// TestEditContact: two engines over the loopback transport. Alice edits
// her message: both sides' History returns the new text marked edited, a
// reply quoting it finds the new text, Bob's unread count does not move;
// Bob cannot edit Alice's message; EditMessage refuses an empty text,
// missing messages and unknown conversations with errors people can
// read; a message deleted on Bob's side stays deleted when a later edit
// arrives.
func TestEditContact(t *testing.T) {
	p := newPair(t, asContacts, "see you at noom")
	alice, bob, aConv, bConv, msg := p.alice, p.bob, p.aConv, p.bConv, p.msg
	reply, err := bob.Reply(bConv, "fine", msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's reply", step, func() bool { _, err := alice.Message(aConv, reply.ID); return err == nil })
	before, err := bob.Conversation(bConv)
	if err != nil {
		t.Fatal(err)
	}

	if err := alice.EditMessage(aConv, msg.ID, "see you at noon"); err != nil {
		t.Fatal(err)
	}
	alice.edited(aConv, msg.ID, "see you at noon")
	bob.edited(bConv, msg.ID, "see you at noon")
	if h := bob.history(bConv); len(h) != 2 || h[0].Body != "see you at noon" || h[0].Edited.IsZero() {
		t.Fatalf("bob's History: %+v", h)
	}
	// The reply quotes the message by its ID: what it quotes is the new text.
	if r, err := bob.Message(bConv, reply.ID); err != nil || r.ReplyTo != msg.ID {
		t.Fatalf("the reply: %+v, %v", r, err)
	} else if q, err := bob.Message(bConv, r.ReplyTo); err != nil || q.Body != "see you at noon" {
		t.Fatalf("the quoted message: %+v, %v", q, err)
	}
	if after, err := bob.Conversation(bConv); err != nil || after.Unread != before.Unread || !after.LastActivity.Equal(before.LastActivity) {
		t.Fatalf("an edit moved bob's conversation: %+v → %+v, %v", before, after, err)
	}

	for _, tc := range []struct {
		te   *testEngine
		conv model.ConversationID
		id   model.MessageID
		text string
		want error
	}{
		{bob, bConv, msg.ID, "bob's words", ErrNotEditable},
		{alice, aConv, reply.ID, "alice's words", ErrNotEditable},
		{alice, aConv, msg.ID, "  ", ErrEmptyMessage},
		{alice, aConv, model.NewMessageID(), "x", ErrNoMessage},
		{alice, "nobody", msg.ID, "x", ErrNoConversation},
	} {
		if err := tc.te.EditMessage(tc.conv, tc.id, tc.text); !errors.Is(err, tc.want) {
			t.Errorf("EditMessage(%q, %q): %v, want %v", tc.conv, tc.text, err, tc.want)
		}
	}

	// Bob deletes the message on his side; Alice's later edit does not
	// bring it back.
	if _, err := bob.DeleteMessage(bConv, msg.ID); err != nil {
		t.Fatal(err)
	}
	if err := alice.EditMessage(aConv, msg.ID, "see you at one"); err != nil {
		t.Fatal(err)
	}
	alice.sendDelivered(bob.self(), "after the edit", step) // delivered after the edit was handled
	if m, err := bob.Message(bConv, msg.ID); err == nil {
		t.Fatalf("an edit brought back a deleted message: %+v", m)
	}
}

// TestEditGroup: the same in a group hosted by Alice: her edit reaches
// Bob through the server; Bob cannot edit her post.
func TestEditGroup(t *testing.T) {
	p := newPair(t, inGroup, "meeting at noom")
	alice, bob, conv, m := p.alice, p.bob, p.aConv, p.msg
	if err := alice.EditMessage(conv, m.ID, "meeting at noon"); err != nil {
		t.Fatal(err)
	}
	alice.edited(conv, m.ID, "meeting at noon")
	bob.edited(conv, m.ID, "meeting at noon")
	if err := bob.EditMessage(conv, m.ID, "bob's words"); !errors.Is(err, ErrNotEditable) {
		t.Fatalf("bob edits alice's post: %v", err)
	}
	if err := bob.EditMessage(conv, model.NewMessageID(), "x"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("an edit of a message not held: %v", err)
	}
}

// TestCommitsPerEdit counts the commits of edits: between contacts the
// editor stores the edit with its pending record (one) and forgets the
// record on the Ack (one), the receiver stores it (one); in a group the
// editor queues it with its token (one), records it sent (one) and
// stores the server's cursor when it comes back (one), a member stores it
// (one). Within a message's budget: three for the author, two for the
// receiver. A message (a post) sent last closes each window.
func TestCommitsPerEdit(t *testing.T) {
	const n = 5
	t.Run("contact", func(t *testing.T) {
		p := newPair(t, asContacts, "warm-up")
		alice, bob, aConv, bConv, msg := p.alice, p.bob, p.aConv, p.bConv, p.msg
		edit0, recv0 := alice.commits(), bob.commits()
		for i := range n {
			text := fmt.Sprintf("edit %d", i)
			if err := alice.EditMessage(aConv, msg.ID, text); err != nil {
				t.Fatal(err)
			}
			bob.edited(bConv, msg.ID, text)
		}
		alice.sendDelivered(bob.self(), "barrier", step)
		edits, recv := alice.commits()-edit0, bob.commits()-recv0
		t.Logf("per edit with the barrier message: editor %.1f commits, receiver %.1f", float64(edits)/n, float64(recv)/n)
		if edits > 3*(n+1) || recv > 2*(n+1) {
			t.Errorf("editor %d, receiver %d commits for %d edits and a message; want at most 3 and 2 each", edits, recv, n)
		}
	})
	t.Run("group", func(t *testing.T) {
		p := newPair(t, inGroup, "")
		alice, bob, conv := p.alice, p.bob, p.aConv
		waitJoinNote(conv, bob, alice, bob)
		settleJoin(conv, bob, alice)
		msg := alice.postReceived(conv, "warm-up", bob)
		edit0, recv0 := alice.commits(), bob.commits()
		for i := range n {
			text := fmt.Sprintf("edit %d", i)
			if err := alice.EditMessage(conv, msg.ID, text); err != nil {
				t.Fatal(err)
			}
			bob.edited(conv, msg.ID, text)
		}
		alice.postReceived(conv, "barrier", bob)
		edits, recv := alice.commits()-edit0, bob.commits()-recv0
		t.Logf("per edit with the barrier post: editor %.1f commits, member %.1f", float64(edits)/n, float64(recv)/n)
		if edits > 3*(n+1) || recv > 2*(n+1) {
			t.Errorf("editor %d, member %d commits for %d edits and a post; want at most 3 and 2 each", edits, recv, n)
		}
	})
}
