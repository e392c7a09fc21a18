package engine

import (
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// A pairKind says what a pair's conversation is.
type pairKind int

const (
	asContacts        pairKind = iota // Alice and Bob are contacts
	inGroup                           // the group "Newsroom" Alice hosts, Bob joined
	inGroupAsContacts                 // the same, Alice and Bob contacts first
)

// pair is what newPair starts: Alice and Bob, each's conversation with
// the other (a group's is the same on both sides), and Alice's first
// message in it.
type pair struct {
	alice, bob   *testEngine
	aConv, bConv model.ConversationID
	msg          model.Message
}

// newPair is the start of the tests of the changes of a message (edits,
// reactions, Change, deletions for everyone): Alice and Bob, in a
// conversation of kind. Contacts are made by Bob accepting Alice's
// in-person invite, each waiting until the other is accepted; a group is
// hosted by Alice (two engines of groupPair), and its server stops when
// the test ends. With first not empty, Alice sends it, and it is
// delivered to Bob (in a group, back from the server and held by Bob).
func newPair(t *testing.T, kind pairKind, first string) *pair {
	t.Helper()
	p := &pair{}
	if kind == asContacts {
		p.alice, p.bob, _, _ = twoProfiles(t)
	} else {
		p.alice, p.bob = groupPair(t)
	}
	if kind != inGroup {
		contacts(p.alice, p.bob)
	}
	if kind == asContacts {
		p.aConv, p.bConv = p.bob.self(), p.alice.self()
		if first != "" {
			p.msg = p.alice.sendDelivered(p.bob.self(), first, step)
		}
		return p
	}
	g := p.alice.hostGroup(t.Context(), "Newsroom")
	t.Cleanup(func() { p.alice.StopServer() })
	p.bob.joinGroupOf(p.alice, g)
	p.aConv, p.bConv = g.Conversation(), g.Conversation()
	if first != "" {
		p.msg = p.alice.postReceived(p.aConv, first, p.bob)
	}
	return p
}

// TestChangeMessage: the facade's one path for changes of the model's
// table, over a contact and a group: a change the rule allows reaches
// the other side (here an edit sent as a Change record and as a
// group.KindChange), one it does not allow is errChangeRefused, a
// missing message ErrNoMessage, an unknown conversation
// ErrNoConversation.
func TestChangeMessage(t *testing.T) {
	p := newPair(t, asContacts, "see you at noom")
	alice, bob, aConv, bConv, msg := p.alice, p.bob, p.aConv, p.bConv, p.msg
	if err := alice.changeMessage(aConv, msg.ID, model.ChangeEdit, []byte("see you at noon")); err != nil {
		t.Fatal(err)
	}
	bob.edited(bConv, msg.ID, "see you at noon")
	for _, tc := range []struct {
		te   *testEngine
		conv model.ConversationID
		id   model.MessageID
		want error
	}{
		{bob, bConv, msg.ID, errChangeRefused},
		{alice, aConv, model.NewMessageID(), ErrNoMessage},
		{alice, "nobody", msg.ID, ErrNoConversation},
	} {
		if err := tc.te.changeMessage(tc.conv, tc.id, model.ChangeEdit, []byte("x")); !errors.Is(err, tc.want) {
			t.Errorf("changeMessage(%q): %v, want %v", tc.conv, err, tc.want)
		}
	}
}

// TestChangeMessageGroup: the same in a group hosted by Alice.
func TestChangeMessageGroup(t *testing.T) {
	p := newPair(t, inGroup, "meeting at noom")
	alice, bob, conv, m := p.alice, p.bob, p.aConv, p.msg
	if err := alice.changeMessage(conv, m.ID, model.ChangeEdit, []byte("meeting at noon")); err != nil {
		t.Fatal(err)
	}
	bob.edited(conv, m.ID, "meeting at noon")
	if err := bob.changeMessage(conv, m.ID, model.ChangeEdit, []byte("x")); !errors.Is(err, errChangeRefused) {
		t.Fatalf("bob changes alice's post: %v", err)
	}
}
