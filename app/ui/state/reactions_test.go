package state

import (
	"slices"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// TestReactions: a MessageChanged replaces the message in the open window
// (the same Seq kept) and names it Updated; one for a message not loaded,
// or of another conversation, changes nothing; a quoted message is kept
// as it is now; Reactions groups by emoji, the profile's first as "You",
// others by name; a stranger reacting in the open group asks for the
// members again. A reaction is never a notification.
func TestReactions(t *testing.T) {
	a := model.ConversationID(alice)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10), contact(bob, "Bob", model.ContactAccepted, 5),
		groupConv(group, "Club", 1))
	m.OpenConversation(a)
	o := m.Open()
	ms := page(a, 1, 3)
	m.SetPage(o.Token, 0, ms, nil)

	changed := ms[1]
	changed.Seq = 0 // the event's Seq is the store's; the window keeps its own
	changed.Reactions = []model.Reaction{{Author: alice, Emoji: "👍"}, {Author: self, Emoji: "❤"}, {Author: bob, Emoji: "👍"}}
	c := m.Apply(model.MessageChanged{Message: changed})
	if !slices.Equal(c.Updated, []model.MessageID{changed.ID}) || len(c.Notify) != 0 || c.Tray || c.List || len(c.Rows) != 0 {
		t.Fatalf("change: %+v", c)
	}
	if got := o.Messages[1]; got.Seq != 2 || len(got.Reactions) != 3 {
		t.Fatalf("in the window: %+v", got)
	}
	want := []Reaction{
		{Emoji: "👍", Count: 2, Who: []string{"Alice", "Bob"}},
		{Emoji: "❤", Count: 1, Mine: true, Who: []string{"You"}},
	}
	got := m.Reactions(a, o.Messages[1])
	if len(got) != len(want) {
		t.Fatalf("Reactions = %+v", got)
	}
	for i := range want {
		if got[i].Emoji != want[i].Emoji || got[i].Count != want[i].Count || got[i].Mine != want[i].Mine ||
			!slices.Equal(got[i].Who, want[i].Who) {
			t.Errorf("reaction %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	mineToo := o.Messages[1]
	mineToo.Reactions = append(mineToo.Reactions, model.Reaction{Author: self, Emoji: "👍"})
	if r := m.Reactions(a, mineToo)[0]; !r.Mine || !slices.Equal(r.Who, []string{"You", "Alice", "Bob"}) {
		t.Errorf("the profile among others: %+v", r)
	}

	// Not loaded, another conversation: nothing.
	other := msg(a, 9, alice, "not loaded")
	other.Reactions = []model.Reaction{{Author: alice, Emoji: "👍"}}
	if c := m.Apply(model.MessageChanged{Message: other}); !c.Empty() {
		t.Fatalf("not loaded: %+v", c)
	}
	if c := m.Apply(model.MessageChanged{Message: msg(model.ConversationID(bob), 1, bob, "x")}); !c.Empty() {
		t.Fatalf("other conversation: %+v", c)
	}
	// A quoted message, not in the window, is kept as it is now.
	quoted := msg(a, 0, alice, "old")
	quoted.ID = msgID(777)
	reply := msg(a, 4, alice, "re")
	reply.ReplyTo = quoted.ID
	m.Apply(model.MessageAdded{Message: reply})
	m.SetQuoted(o.Token, quoted.ID, quoted, true)
	quoted.Reactions = []model.Reaction{{Author: bob, Emoji: "😮"}}
	m.Apply(model.MessageChanged{Message: quoted})
	if q, _ := o.Lookup(quoted.ID); len(q.Reactions) != 1 {
		t.Fatalf("the quoted message: %+v", q)
	}

	// In a group, a stranger's reaction asks for the members.
	m.OpenConversation(group)
	o = m.Open()
	gm := msg(group, 1, carol, "hello")
	m.SetPage(o.Token, 0, []model.Message{gm}, nil)
	m.SetMembers(o.Token, []model.GroupMember{{Address: dave, Name: "Dee"}}, nil)
	gm.Reactions = []model.Reaction{{Author: dave, Emoji: "👍"}}
	if c := m.Apply(model.MessageChanged{Message: gm}); c.MembersStale {
		t.Fatalf("a known member's reaction: %+v", c)
	}
	gm.Reactions = append(gm.Reactions, model.Reaction{Author: strings56('e'), Emoji: "👍"})
	if c := m.Apply(model.MessageChanged{Message: gm}); !c.MembersStale {
		t.Fatalf("a stranger's reaction: %+v", c)
	}
}

func strings56(b byte) string {
	s := make([]byte, 56)
	for i := range s {
		s[i] = b
	}
	return string(s)
}
