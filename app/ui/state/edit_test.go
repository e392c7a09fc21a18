package state

import (
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestEdited: a MessageChanged with a new text replaces the message in
// the open window and names Updated both it and the loaded replies that
// quote it (they show the quoted text); a quoted message not in the
// window is kept with its new text and its replies are updated too; a
// change that leaves the text alone (a reaction) updates no reply. An
// edit is never a notification and does not move the list.
func TestEdited(t *testing.T) {
	a := model.ConversationID(alice)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10))
	m.OpenConversation(a)
	o := m.Open()
	ms := page(a, 1, 3)
	ms[2].ReplyTo = ms[0].ID
	m.SetPage(o.Token, 0, ms, nil)

	edited := ms[0]
	edited.Body, edited.Edited = "message 1, edited", at(9)
	c := m.Apply(model.MessageChanged{Message: edited})
	if !slices.Equal(c.Updated, []model.MessageID{ms[0].ID, ms[2].ID}) || len(c.Notify) != 0 || c.Tray || c.List || len(c.Rows) != 0 {
		t.Fatalf("change: %+v", c)
	}
	if q, _ := o.Lookup(ms[0].ID); q.Body != "message 1, edited" || q.Edited.IsZero() {
		t.Fatalf("in the window: %+v", q)
	}
	reacted := edited
	reacted.Reactions = []model.Reaction{{Author: alice, Emoji: "👍"}}
	if c := m.Apply(model.MessageChanged{Message: reacted}); !slices.Equal(c.Updated, []model.MessageID{ms[0].ID}) {
		t.Fatalf("a reaction updated replies: %+v", c)
	}

	// A quoted message not in the window.
	quoted := msg(a, 0, alice, "old")
	quoted.ID = msgID(777)
	reply := msg(a, 4, alice, "re")
	reply.ReplyTo = quoted.ID
	m.Apply(model.MessageAdded{Message: reply})
	m.SetQuoted(o.Token, quoted.ID, quoted, true)
	quoted.Body, quoted.Edited = "new", at(0).Add(time.Minute)
	if c := m.Apply(model.MessageChanged{Message: quoted}); !slices.Equal(c.Updated, []model.MessageID{reply.ID}) {
		t.Fatalf("the reply to a quoted message: %+v", c)
	}
	if q, _ := o.Lookup(quoted.ID); q.Body != "new" {
		t.Fatalf("the quoted message: %+v", q)
	}

	// The latest message of a conversation not open: its row shows the
	// new text, in the same place.
	bc := contact(bob, "Bob", model.ContactAccepted, 5)
	last := msg(model.ConversationID(bob), 7, bob, "lunch at 1")
	bc.Last = last
	m = unlocked(t, bc, contact(alice, "Alice", model.ContactAccepted, 10))
	order := m.Shown()
	last.Body, last.Edited = "lunch at 2", at(8)
	c = m.Apply(model.MessageChanged{Message: last})
	if !slices.Equal(c.Rows, []model.ConversationID{model.ConversationID(bob)}) || c.List || len(c.Notify) != 0 {
		t.Fatalf("the latest message edited: %+v", c)
	}
	if cv, _ := m.Conversation(model.ConversationID(bob)); cv.Last.Body != "lunch at 2" || !cv.LastActivity.Equal(at(5)) {
		t.Fatalf("the row: %+v", cv)
	}
	if !slices.Equal(m.Shown(), order) {
		t.Fatalf("an edit moved the list: %v → %v", order, m.Shown())
	}
}
