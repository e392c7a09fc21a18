package engine

import (
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// TestChangeMessage: the facade's one path for changes of the model's
// table, over a contact and a group: a change the rule allows reaches
// the other side (here an edit sent as a Change record and as a
// group.KindChange), one it does not allow is errChangeRefused, a
// missing message ErrNoMessage, an unknown conversation
// ErrNoConversation.
func TestChangeMessage(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	bob.acceptInviteOf(alice)
	bob.waitContact(alice.self(), model.ContactAccepted)
	alice.waitContact(bob.self(), model.ContactAccepted)
	msg := alice.sendDelivered(bob.self(), "see you at noom", step)
	aConv, bConv := model.ConversationID(bob.self()), model.ConversationID(alice.self())
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
	alice, bob := groupPair(t)
	g := alice.hostGroup(t.Context(), "Newsroom")
	bob.joinGroupOf(alice, g)
	conv := g.Conversation()
	m := alice.postReceived(conv, "meeting at noom", bob)
	if err := alice.changeMessage(conv, m.ID, model.ChangeEdit, []byte("meeting at noon")); err != nil {
		t.Fatal(err)
	}
	bob.edited(conv, m.ID, "meeting at noon")
	if err := bob.changeMessage(conv, m.ID, model.ChangeEdit, []byte("x")); !errors.Is(err, errChangeRefused) {
		t.Fatalf("bob changes alice's post: %v", err)
	}
	alice.StopServer()
}
