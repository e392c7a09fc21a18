package engine

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// reacted waits until te holds exactly want on message id of conv, and
// returns the MessageChanged event that reported it.
func (te *testEngine) reacted(conv model.ConversationID, id model.MessageID, want []model.Reaction) model.MessageChanged {
	te.t.Helper()
	ev := te.waitEvent(fmt.Sprintf("reactions %v", want), func(ev model.Event) bool {
		c, ok := ev.(model.MessageChanged)
		return ok && c.Message.ID == id && c.Message.Conversation == conv && slices.Equal(c.Message.Reactions, want)
	})
	return ev.(model.MessageChanged)
}

// history returns te's whole conversation conv through History, without
// its notes.
func (te *testEngine) history(conv model.ConversationID) []model.Message {
	te.t.Helper()
	h, err := te.History(conv, 0, 1000)
	if err != nil {
		te.t.Fatal(err)
	}
	return withoutNotes(h)
}

// withoutNotes returns msgs without the notes (joined, left) among them.
func withoutNotes(msgs []model.Message) []model.Message {
	return slices.DeleteFunc(msgs, func(m model.Message) bool { return m.Kind == model.KindNote })
}

// TestReactContact: two engines over the loopback transport. Bob reacts
// to Alice's message, changes and removes his reaction; Alice reacts to
// her own. Each side's History returns the message with the reactions,
// MessageChanged reports them with the whole message, the unread count
// does not move, and React refuses text, missing messages and unknown
// conversations with errors people can read.
func TestReactContact(t *testing.T) {
	p := newPair(t, asContacts, "react to me")
	alice, bob, aConv, bConv, msg := p.alice, p.bob, p.aConv, p.bConv, p.msg
	unread := func(te *testEngine, conv model.ConversationID) int {
		c, err := te.Conversation(conv)
		if err != nil {
			t.Fatal(err)
		}
		return c.Unread
	}
	before := unread(alice, aConv)

	if err := bob.React(bConv, msg.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	bobs := []model.Reaction{{Author: string(bob.self()), Emoji: "👍"}}
	bob.reacted(bConv, msg.ID, bobs)
	if ev := alice.reacted(aConv, msg.ID, bobs); ev.Message.Body != "react to me" || !ev.Message.Outgoing {
		t.Fatalf("MessageChanged carries %+v, want the whole message", ev.Message)
	}
	if h := alice.history(aConv); len(h) != 1 || !slices.Equal(h[0].Reactions, bobs) {
		t.Fatalf("alice's History: %+v", h)
	}
	if got := unread(alice, aConv); got != before {
		t.Fatalf("a reaction moved alice's unread count from %d to %d", before, got)
	}

	if err := alice.React(aConv, msg.ID, "❤\ufe0f"); err != nil {
		t.Fatal(err)
	}
	if err := bob.React(bConv, msg.ID, ""); err != nil {
		t.Fatal(err)
	}
	alices := []model.Reaction{{Author: string(alice.self()), Emoji: "❤\ufe0f"}}
	alice.reacted(aConv, msg.ID, alices)
	bob.reacted(bConv, msg.ID, alices)
	if h := bob.history(bConv); len(h) != 1 || !slices.Equal(h[0].Reactions, alices) {
		t.Fatalf("bob's History: %+v", h)
	}

	for _, tc := range []struct {
		conv  model.ConversationID
		id    model.MessageID
		emoji string
		want  error
	}{
		{bConv, msg.ID, "nice", ErrBadEmoji},
		{bConv, msg.ID, "👍\u202e", ErrBadEmoji},
		{bConv, model.NewMessageID(), "👍", ErrNoMessage},
		{"nobody", msg.ID, "👍", ErrNoConversation},
		{"g:00", msg.ID, "👍", ErrNoConversation},
	} {
		if err := bob.React(tc.conv, tc.id, tc.emoji); !errors.Is(err, tc.want) {
			t.Errorf("React(%q, %q): %v, want %v", tc.conv, tc.emoji, err, tc.want)
		}
	}
}

// TestReactGroup: the same in a group hosted by Alice: Bob's reaction
// reaches Alice through the server, Alice's reaches Bob, History returns
// both, a reaction to a message the group does not hold is refused, and
// once Alice blocked Bob as a contact his reactions are not stored (she
// knows which member he is from his contact tags: they are contacts).
func TestReactGroup(t *testing.T) {
	p := newPair(t, inGroupAsContacts, "who is in?")
	alice, bob, conv, m := p.alice, p.bob, p.aConv, p.msg
	if err := bob.React(conv, m.ID, "🙋"); err != nil {
		t.Fatal(err)
	}
	bobs := []model.Reaction{{Author: bob.in(conv), Emoji: "🙋"}}
	alice.reacted(conv, m.ID, bobs)
	if err := alice.React(conv, m.ID, "🙋🏽"); err != nil {
		t.Fatal(err)
	}
	both := append(bobs, model.Reaction{Author: alice.in(conv), Emoji: "🙋🏽"})
	bob.reacted(conv, m.ID, both)
	for _, te := range []*testEngine{alice, bob} {
		if h := te.history(conv); len(h) != 1 || !slices.Equal(h[0].Reactions, both) {
			t.Fatalf("History: %+v", h)
		}
		c, err := te.Conversation(conv)
		if err != nil || c.Unread != 0 && te == alice {
			t.Fatalf("alice's group: %+v, %v", c, err)
		}
	}
	if err := bob.React(conv, model.NewMessageID(), "👍"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("a reaction to a missing post: %v, want ErrNoMessage", err)
	}

	// Alice blocks Bob as a contact: his reactions in the group are no
	// longer stored. He reacts, then writes; once Alice has his text she
	// has seen the reaction before it.
	op, err := alice.current()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.peers.Block(identity.Address(bob.self())); err != nil {
		t.Fatal(err)
	}
	if err := bob.React(conv, m.ID, "👎"); err != nil {
		t.Fatal(err)
	}
	after, err := bob.SendMessage(conv, "after my reaction")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's text", step, func() bool {
		_, err := alice.Message(conv, after.ID)
		return err == nil
	})
	if got, err := alice.Message(conv, m.ID); err != nil || !slices.Equal(got.Reactions, both) {
		t.Fatalf("after blocking bob alice has %+v, %v; want %v", got.Reactions, err, both)
	}
}

// TestCommitsPerReaction counts the synced commits of a reaction between
// contacts: the reactor stores it on the message with its pending record
// (one), and forgets the record when the Ack comes (one); the receiver
// stores it on the message and acknowledges (one). A message Alice sends
// last is delivered only after Bob handled every Ack before it, so the
// window holds all of them (and that message: three commits for Alice, one
// for Bob).
func TestCommitsPerReaction(t *testing.T) {
	p := newPair(t, asContacts, "warm-up")
	alice, bob, aConv, bConv, msg := p.alice, p.bob, p.aConv, p.bConv, p.msg

	const n = 6
	emoji := []string{"👍", "❤", "😂", "🎉", "😮", "🙏"}
	react0, recv0 := bob.commits(), alice.commits()
	for i := range n {
		if err := bob.React(bConv, msg.ID, emoji[i]); err != nil {
			t.Fatal(err)
		}
		alice.reacted(aConv, msg.ID, []model.Reaction{{Author: string(bob.self()), Emoji: emoji[i]}})
	}
	alice.sendDelivered(bob.self(), "barrier", step)
	react, recv := bob.commits()-react0-1, alice.commits()-recv0-3
	t.Logf("per reaction: reactor %.1f commits, receiver %.1f", float64(react)/n, float64(recv)/n)
	if react > 2*n {
		t.Errorf("the reactor committed %d times for %d reactions, want at most 2 each", react, n)
	}
	if recv > n {
		t.Errorf("the receiver committed %d times for %d reactions, want at most 1 each", recv, n)
	}
	op, err := bob.current()
	if err != nil {
		t.Fatal(err)
	}
	left := 0
	if err := op.st.Bucket("peer-reactions").Iterate(nil, func(k, v []byte) error { left++; return nil }); err != nil || left != 0 {
		t.Fatalf("%d reactions still to send after every Ack (%v)", left, err)
	}
}

// TestCommitsPerGroupReaction counts the same for a reaction in a group:
// the reactor stores it on the message with its sealed post, queue entry
// and reserved posting token (one), records the post stored by the server
// (one) and stores the server's cursor when its copy comes back (one); a
// member stores it on the message with the cursor (one). A post of the
// reactor's, delivered last, closes the window (at most three commits for
// the reactor, two for the member). Measured: 3.4 per reaction with the
// barrier post for the reactor (4.6 to 4.8 before tokens were reserved),
// 1.2 for the member.
func TestCommitsPerGroupReaction(t *testing.T) {
	p := newPair(t, inGroup, "")
	alice, bob, conv := p.alice, p.bob, p.aConv
	waitJoinNote(conv, bob, alice, bob)
	settleJoin(conv, bob, alice)
	target := alice.postReceived(conv, "warm-up", bob)

	const n = 5
	emoji := []string{"👍", "❤", "😂", "🎉", "😮"}
	react0, recv0 := alice.commits(), bob.commits()
	for i := range n {
		if err := alice.React(conv, target.ID, emoji[i]); err != nil {
			t.Fatal(err)
		}
		bob.reacted(conv, target.ID, []model.Reaction{{Author: alice.in(conv), Emoji: emoji[i]}})
	}
	alice.postReceived(conv, "barrier", bob)
	react, recv := alice.commits()-react0, bob.commits()-recv0
	t.Logf("per reaction with the barrier post: reactor %.1f commits, member %.1f", float64(react)/n, float64(recv)/n)
	if react > 3*(n+1) {
		t.Errorf("the reactor committed %d times for %d reactions and a post, want at most 3 each", react, n)
	}
	if recv > n+2 {
		t.Errorf("the member committed %d times for %d reactions and a post, want at most 1 each and 2 for the post", recv, n)
	}
}
