package engine

import (
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// deletedNote waits until te holds message id of conv as the note of its
// deletion by its author.
func (te *testEngine) deletedNote(conv model.ConversationID, id model.MessageID) model.Message {
	te.t.Helper()
	var m model.Message
	te.waitUntil("the deletion", step, func() bool {
		var err error
		m, err = te.Message(conv, id)
		return err == nil && m.Kind == model.KindNote && m.Body == model.NoteDeleted
	})
	if m.ReplyTo != (model.MessageID{}) || len(m.Reactions) != 0 {
		te.t.Fatalf("the deleted message kept its quote or reactions: %+v", m)
	}
	return m
}

// TestDeleteForEveryoneContact: two engines over the loopback transport.
// Alice deletes her message for everyone: on both sides it becomes the
// note of her deletion (no text, no reactions), Bob's reply quoting it
// finds that note, Bob's unread count and the list's order do not move.
// Bob cannot delete Alice's message, nor Alice Bob's; missing messages and
// unknown conversations are refused with errors people can read.
func TestDeleteForEveryoneContact(t *testing.T) {
	p := newPair(t, asContacts, "the address is 12 Elm Street")
	alice, bob, aConv, bConv, msg := p.alice, p.bob, p.aConv, p.bConv, p.msg
	reply, err := bob.Reply(bConv, "got it", msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's reply", step, func() bool { _, err := alice.Message(aConv, reply.ID); return err == nil })
	if err := bob.React(bConv, msg.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's reaction", step, func() bool { m, err := alice.Message(aConv, msg.ID); return err == nil && len(m.Reactions) == 1 })
	before, err := bob.Conversation(bConv)
	if err != nil {
		t.Fatal(err)
	}

	if err := alice.DeleteForEveryone(aConv, msg.ID); err != nil {
		t.Fatal(err)
	}
	if m := alice.deletedNote(aConv, msg.ID); !m.Outgoing {
		t.Fatalf("alice's note: %+v", m)
	}
	if m := bob.deletedNote(bConv, msg.ID); m.Outgoing || m.Author != string(alice.self()) {
		t.Fatalf("bob's note: %+v", m)
	}
	if r, err := bob.Message(bConv, reply.ID); err != nil || r.ReplyTo != msg.ID {
		t.Fatalf("the reply: %+v, %v", r, err)
	} else if q, err := bob.Message(bConv, r.ReplyTo); err != nil || q.Kind != model.KindNote || q.Body != model.NoteDeleted {
		t.Fatalf("the reply quotes %+v, %v", q, err)
	}
	if after, err := bob.Conversation(bConv); err != nil || after.Unread != before.Unread || !after.LastActivity.Equal(before.LastActivity) {
		t.Fatalf("a deletion moved bob's conversation: %+v → %+v, %v", before, after, err)
	}
	for _, tc := range []struct {
		te   *testEngine
		conv model.ConversationID
		id   model.MessageID
		want error
	}{
		{bob, bConv, msg.ID, ErrNotDeletable},
		{alice, aConv, msg.ID, ErrNotDeletable}, // already deleted
		{alice, aConv, reply.ID, ErrNotDeletable},
		{alice, aConv, model.NewMessageID(), ErrNoMessage},
		{alice, "nobody", msg.ID, ErrNoConversation},
	} {
		if err := tc.te.DeleteForEveryone(tc.conv, tc.id); !errors.Is(err, tc.want) {
			t.Errorf("DeleteForEveryone(%q, %v): %v, want %v", tc.conv, tc.id, err, tc.want)
		}
	}
	if m, h := Explain(ErrNotDeletable); m == Unexplained || h == "" {
		t.Fatalf("ErrNotDeletable is not explained: %q, %q", m, h)
	}
}

// TestDeleteForEveryoneGroup: the same in a group hosted by Alice: her
// deletion reaches Bob through the server; Bob cannot delete her post.
func TestDeleteForEveryoneGroup(t *testing.T) {
	p := newPair(t, inGroup, "the source's name is …")
	alice, bob, conv, m := p.alice, p.bob, p.aConv, p.msg
	if err := bob.DeleteForEveryone(conv, m.ID); !errors.Is(err, ErrNotDeletable) {
		t.Fatalf("bob deletes alice's post: %v", err)
	}
	if err := alice.DeleteForEveryone(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	alice.deletedNote(conv, m.ID)
	if n := bob.deletedNote(conv, m.ID); n.Outgoing || n.Author != m.Author {
		t.Fatalf("bob's note: %+v", n)
	}
	if err := bob.DeleteForEveryone(conv, model.NewMessageID()); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("a deletion of a message not held: %v", err)
	}
}

// TestCommitsPerDeleteForEveryone counts the commits of a deletion, as
// TestCommitsPerEdit does an edit's: within a message's budget, at most
// 3 for the one who deletes and 2 for the one who receives it.
func TestCommitsPerDeleteForEveryone(t *testing.T) {
	const n = 5
	t.Run("contact", func(t *testing.T) {
		p := newPair(t, asContacts, "")
		alice, bob, aConv, bConv := p.alice, p.bob, p.aConv, p.bConv
		var msgs []model.Message
		for range n {
			msgs = append(msgs, alice.sendDelivered(bob.self(), "to delete", step))
		}
		del0, recv0 := alice.commits(), bob.commits()
		for _, m := range msgs {
			if err := alice.DeleteForEveryone(aConv, m.ID); err != nil {
				t.Fatal(err)
			}
			bob.deletedNote(bConv, m.ID)
		}
		alice.sendDelivered(bob.self(), "barrier", step)
		dels, recv := alice.commits()-del0, bob.commits()-recv0
		t.Logf("per deletion with the barrier message: deleter %.1f commits, receiver %.1f", float64(dels)/n, float64(recv)/n)
		if dels > 3*(n+1) || recv > 2*(n+1) {
			t.Errorf("deleter %d, receiver %d commits for %d deletions and a message; want at most 3 and 2 each", dels, recv, n)
		}
	})
	t.Run("group", func(t *testing.T) {
		p := newPair(t, inGroup, "")
		alice, bob, conv := p.alice, p.bob, p.aConv
		waitJoinNote(conv, bob, alice, bob)
		settleJoin(conv, bob, alice)
		var msgs []model.Message
		for range n {
			msgs = append(msgs, alice.postReceived(conv, "to delete", bob))
		}
		del0, recv0 := alice.commits(), bob.commits()
		for _, m := range msgs {
			if err := alice.DeleteForEveryone(conv, m.ID); err != nil {
				t.Fatal(err)
			}
			bob.deletedNote(conv, m.ID)
		}
		alice.postReceived(conv, "barrier", bob)
		dels, recv := alice.commits()-del0, bob.commits()-recv0
		t.Logf("per deletion with the barrier post: deleter %.1f commits, member %.1f", float64(dels)/n, float64(recv)/n)
		if dels > 3*(n+1) || recv > 2*(n+1) {
			t.Errorf("deleter %d, member %d commits for %d deletions and a post; want at most 3 and 2 each", dels, recv, n)
		}
	})
}
