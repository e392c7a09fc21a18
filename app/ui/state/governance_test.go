package state

import (
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// note returns a note of conv by author with body.
func note(conv model.ConversationID, seq int, author, body string) model.Message {
	n := msg(conv, seq, author, body)
	n.Kind = model.KindNote
	return n
}

// TestRotationNoteTexts: the notes that renewals of a group's key leave
// say who did what, naming the person "You" and members by their names;
// they never notify.
func TestRotationNoteTexts(t *testing.T) {
	m := unlocked(t, groupConv(group, "Garden", 1), contact(bob, "Bob", model.ContactAccepted, 0))
	m.OpenConversation(group)
	m.SetMembers(m.Open().Token, []model.GroupMember{{Address: dave, Name: "Dee"}, {Address: carol, Name: "Cat"}}, nil)
	for _, c := range []struct {
		author, body string
		want         string
	}{
		{bob, model.NoteRemoved + " " + dave, "Bob removed Dee"},
		{self, model.NoteRemoved + " " + dave, "You removed Dee"},
		{bob, model.NoteRemoved + " " + dave + " " + carol, "Bob removed Dee and Cat"},
		{bob, model.NoteRemoved + " " + dave + " " + carol + " " + alice, "Bob removed Dee, Cat and " + alice[:8]},
		{bob, model.NoteRemoved + " " + self, "You were removed from this group by Bob"},
		{bob, model.NoteRenewed, "Bob renewed the group's key — earlier invites no longer work"},
		{bob, model.NoteAdmins + " +" + dave, "Bob made Dee an admin — earlier invites no longer work"},
		{self, model.NoteAdmins + " +" + dave + " +" + carol, "You made Dee and Cat admins — earlier invites no longer work"},
		{bob, model.NoteAdmins + " -" + dave, "Bob removed Dee as admin — earlier invites no longer work"},
		{bob, model.NoteAdmins + " +" + carol + " -" + self, "Bob made Cat an admin; Bob removed you as admin — earlier invites no longer work"},
		{bob, model.NoteAdmins + " +" + self, "Bob made you an admin — earlier invites no longer work"},
		{bob, model.NoteAdmins + " -" + self + " -" + dave + " -" + carol, "Bob removed you as admin; Bob removed Dee and Cat as admins — earlier invites no longer work"},
		{self, model.NoteAdmins + " -" + dave, "You removed Dee as admin — earlier invites no longer work"},
		{self, model.NoteRenewed, "You renewed the group's key — earlier invites no longer work"},
		{bob, model.NoteNoKey, "Bob renewed the group's key without giving it to you — you can no longer read or write here"},
		{bob, model.NoteRevoked, "This invite no longer works — ask for a new one"},
		{bob, model.NoteOwnerUnknown, "This group's key was renewed — ask for a new invite"},
		{bob, "somethingnew", "Bob: somethingnew"},
	} {
		n := note(group, 1, c.author, c.body)
		if got := m.NoteText(n); got != c.want {
			t.Errorf("NoteText(%q by %s) = %q, want %q", c.body, c.author[:3], got, c.want)
		}
	}
	if c := m.Apply(model.MessageAdded{Message: note(group, 2, bob, model.NoteRemoved+" "+dave)}); len(c.Notify) != 0 {
		t.Fatalf("a removal note notifies: %+v", c.Notify)
	}
	if c := m.Apply(model.GroupRekeyed{Conversation: group, Epoch: 1, By: bob, Reason: "renewal"}); !c.MembersStale || !c.Header {
		t.Fatalf("a renewal of the open group's key: %+v", c)
	}
	if c := m.Apply(model.GroupRekeyed{Conversation: group2, Epoch: 1, By: bob}); c.MembersStale || c.Header {
		t.Fatalf("a renewal of another group's key: %+v", c)
	}
}

// TestEndedOf: a group left says why it is read-only, from its newest
// note: left, removed, not given the key, or a revoked invite; the list's
// preview says the same. A group not left has no such reason.
func TestEndedOf(t *testing.T) {
	g := groupConv(group, "Garden", 1)
	m := unlocked(t, g, contact(bob, "Bob", model.ContactAccepted, 0))
	if _, ended := m.EndedOf(g); ended {
		t.Fatal("a group not left is ended")
	}
	for _, c := range []struct {
		last      model.Message
		title     string
		textHasBy bool
	}{
		{note(group, 5, bob, model.NoteRemoved+" "+self), RemovedNote(), true},
		{note(group, 5, bob, model.NoteNoKey), NoKeyNote(), true},
		{note(group, 5, bob, model.NoteRevoked), RevokedNote(), false},
		{note(group, 5, bob, model.NoteOwnerUnknown), OwnerUnknownNote(), false},
		{note(group, 5, bob, model.NoteRemoved+" "+dave), LeftNote(), false}, // someone else's removal
		{msg(group, 5, bob, "hello"), LeftNote(), false},
	} {
		cv := g
		cv.Left, cv.Group.Left = true, true
		cv.Last = c.last
		m.Apply(model.ConversationChanged{Conversation: cv})
		e, ended := m.EndedOf(cv)
		if !ended || e.Title != c.title || e.Text == "" || strings.Contains(e.Text, "Bob") != c.textHasBy {
			t.Errorf("last %q: ended %v %+v, want %q", c.last.Body, ended, e, c.title)
		}
		if r, _ := m.Row(group); r.Preview != c.title {
			t.Errorf("last %q: row %q, want %q", c.last.Body, r.Preview, c.title)
		}
	}
	// The open window's newest such note counts, also when the
	// conversation's last message is not it yet.
	cv := g
	cv.Left, cv.Group.Left = true, true
	m.Apply(model.ConversationChanged{Conversation: cv})
	m.OpenConversation(group)
	m.SetPage(m.Open().Token, 0, []model.Message{msg(group, 1, bob, "hi"), note(group, 2, bob, model.NoteRemoved+" "+self)}, nil)
	if e, _ := m.EndedOf(cv); e.Title != RemovedNote() {
		t.Fatalf("removed, from the open window: %+v", e)
	}
}

// TestWarningTexts: the warnings about the group's key are told in plain
// words and are not called server problems; the server's keep their
// title and reason.
func TestWarningTexts(t *testing.T) {
	m := unlocked(t, groupConv(group, "Garden", 1), contact(bob, "Bob", model.ContactAccepted, 0))
	for _, c := range []struct {
		w               model.GroupWarning
		title, textPart string
		server          bool
	}{
		{model.GroupWarning{Conversation: group, Author: bob, Kind: "old key",
			Reason: "a member wrote with the group's old key, before their Nook had the new one: whoever was removed could read it too"},
			"A message used the group's old key", "Bob wrote with the key the group used before", false},
		{model.GroupWarning{Conversation: group, Author: dave, Kind: "old key",
			Reason: "someone who was removed from the group, or holds an invite it revoked, wrote with its old key; it is not shown"},
			"A message with the group's old key was not shown", "Their message is not shown.", false},
		{model.NewGroupWarning(group, "", bob, "rotation", model.Say("groupwarning.rotation_not_admin")),
			"A change to the group's key was refused", "Someone who is not an admin of the group tried to renew its key. It is ignored.", false},
		{model.GroupWarning{Conversation: group, Kind: "concurrent rotation", Reason: "x"},
			"Two admins renewed the group's key at once", "Nothing needs doing.", false},
		{model.GroupWarning{Conversation: group, Kind: "invite revoked", Reason: "x"}, RevokedNote(), "renewed after", false},
		{model.GroupWarning{Conversation: group, Kind: "not given the key", Reason: "x"}, NoKeyNote(), "without giving it to you", false},
		{model.GroupWarning{Conversation: group, Author: bob, Kind: "owner unknown", Reason: "x"}, OwnerUnknownNote(), "does not say who owns the group", false},
		{model.NewGroupWarning(group, "", "", "gap", model.Say("groupwarning.gap", "Count", 2, "First", uint64(4), "Last", uint64(5))),
			"Problem with the group server", "The server dropped 2 messages of a member (numbers 4 to 5).", true},
		{model.NewGroupWarning("", server, "", "stream", model.Say("groupwarning.stream")),
			"Problem with the group server", "The group server sent a blob out of order.", true},
		// A reason of a later engine, without a key the app has: a
		// sentence of the app's, never the engine's English.
		{model.GroupWarning{Server: server, Kind: "stream", Reason: "the server reordered messages"},
			"Problem with the group server", "Nook noticed something in this group that should not happen.", true},
		{model.GroupWarning{Server: server, Kind: "stream", Reason: "a new reason", Why: model.Text{Key: "groupwarning.of_a_later_version", English: "a new reason"}},
			"Problem with the group server", "Nook noticed something in this group that should not happen.", true},
	} {
		title, text, isServer := m.WarningText(c.w)
		if title != c.title || !strings.Contains(text, c.textPart) || isServer != c.server {
			t.Errorf("%s: %q, %q, server %v", c.w.Kind, title, text, isServer)
		}
		if strings.Contains(text, "rotation") || strings.Contains(text, "epoch") {
			t.Errorf("%s: internals in %q", c.w.Kind, text)
		}
	}
}
