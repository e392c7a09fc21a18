package groupclient

import (
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
)

// TestChange: Client.Change posts a change of the model's table as a
// group.KindChange, which the others apply by the type's rule
// (MessageChanged); a member cannot make a change the rule does not
// allow them, through Change (ErrChangeRefused) or by posting a signed
// one themselves (the others do not apply it); a reaction posted as a
// KindChange is applied as kind 5's; a change of a type this version does
// not know is dropped.
func TestChange(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, err := alice.c.CreateGroup("friends", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	bob.join(t, text)
	sent := postAndWait(t, alice, info.ID, "see you at noom")
	received(t, bob, info.Conversation, sent.Body)

	got, err := alice.c.Change(info.ID, sent.ID, model.ChangeEdit, []byte("see you at noon"))
	if err != nil || got.Body != "see you at noon" || got.Edited.IsZero() {
		t.Fatalf("Change = %+v, %v", got, err)
	}
	bob.ev.waitFor(t, "bob sees the change", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool {
			return e.Message.ID == sent.ID && e.Message.Body == "see you at noon"
		}) > 0
	})
	if _, err := bob.c.Change(info.ID, sent.ID, model.ChangeEdit, []byte("bob's words")); !errors.Is(err, ErrChangeRefused) {
		t.Fatalf("bob changes alice's text: %v", err)
	}
	if _, err := alice.c.Change(info.ID, sent.ID, 0xfe, nil); !errors.Is(err, ErrChangeRefused) {
		t.Fatalf("a change of an unknown type: %v", err)
	}
	if _, err := alice.c.Change(info.ID, model.NewMessageID(), model.ChangeEdit, []byte("x")); !errors.Is(err, ErrUnknownMessage) {
		t.Fatalf("a change of a message not held: %v", err)
	}

	// Bob posts signed changes by hand: an edit and a deletion of Alice's
	// text (refused by the rules: only the author edits or deletes), one
	// of a type unknown here, and a reaction.
	bob.c.mu.Lock()
	gs := bob.c.groups[info.ID]
	full, err := bob.c.fullID(gs, sent.ID)
	for _, c := range []struct {
		typ     model.ChangeType
		payload string
	}{{model.ChangeEdit, "bob's words"}, {model.ChangeDelete, ""}, {0xfe, "later"}, {model.ChangeReaction, "👍"}} {
		if err != nil {
			break
		}
		forged := group.Message{Kind: group.KindChange, ReplyTo: full, Change: c.typ, Payload: []byte(c.payload), Sent: bob.c.cfg.Now(), Prev: gs.head}
		_, err = bob.c.queuePostLocked(gs, &forged, nil)
	}
	bob.c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "alice sees bob's reaction", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool {
			return e.Message.ID == sent.ID && len(e.Message.Reactions) == 1 && e.Message.Reactions[0].Emoji == "👍"
		}) > 0
	})
	if got, err := alice.st.GetMessage(info.Conversation, sent.ID); err != nil || got.Kind != model.KindText || got.Body != "see you at noon" {
		t.Fatalf("alice holds %+v, %v after bob's edit and deletion of her text", got, err)
	}
}
