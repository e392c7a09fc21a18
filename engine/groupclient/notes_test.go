package groupclient

import (
	"slices"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// withJoinNotices restarts m's client posting join notices, as the
// engine's does.
func (m *member) withJoinNotices() *member {
	m.stop()
	m.tune = func(c *Config) { c.NoJoinNotice = false }
	m.start()
	return m
}

// note describes a stored note for comparisons: its word, its author and
// whether it is ours.
type note struct {
	body     string
	author   identity.Address
	outgoing bool
}

// timeline returns what m stored in conv: each note as a note, each text
// as its body (author empty).
func timeline(m *member, conv model.ConversationID) []note {
	var out []note
	for _, msg := range m.messages(conv) {
		if msg.Kind == model.KindNote {
			out = append(out, note{msg.Body, identity.Address(msg.Author), msg.Outgoing})
		} else {
			out = append(out, note{body: msg.Body})
		}
	}
	return out
}

// waitTimeline waits until m stored exactly want in conv.
func waitTimeline(t *testing.T, m *member, conv model.ConversationID, want ...note) {
	t.Helper()
	var got []note
	defer func() {
		if t.Failed() {
			t.Logf("%s's timeline: %+v", m.name, got)
		}
	}()
	m.ev.waitFor(t, m.name+"'s timeline", func([]model.Event) bool {
		got = timeline(m, conv)
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	})
}

// TestJoinAndLeaveNotes: joining posts a join notice, stored on every side
// as a "joined" note once it came back from the server, after the history
// the server holds; notes are not unread; a member counts as one before
// they write. A group joined on a server already followed for another
// group gets its history all the same (before, its blobs were behind the
// cursor: its creator was missing from the members, "only you so far").
// Leaving shows as a "left" note.
func TestJoinAndLeaveNotes(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice := newMember(t, tr, "alice").withJoinNotices()
	bob := newMember(t, tr, "bob").withJoinNotices()
	club, err := alice.c.CreateGroup("club", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	a := alice.as(club.ID)
	waitTimeline(t, alice, club.Conversation, note{model.NoteJoined, a, true})
	alice.ev.waitFor(t, "alice's join notice delivered", func([]model.Event) bool {
		ms := alice.messages(club.Conversation)
		return len(ms) == 1 && ms[0].Status == model.StatusDelivered
	})
	inviteAndJoin(t, alice, bob, club.ID)
	b := bob.as(club.ID)
	waitTimeline(t, bob, club.Conversation, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, true})
	waitTimeline(t, alice, club.Conversation, note{model.NoteJoined, a, true}, note{model.NoteJoined, b, false})
	if m := memberOf(t, bob, club.ID, a); m.Left || m.Name != "alice" {
		t.Fatalf("alice as bob sees her before she wrote: %+v", m)
	}
	if info, err := bob.st.Conversation(club.Conversation); err != nil || info.Unread != 0 {
		t.Fatalf("bob's unread count after two notes: %+v, %v", info, err)
	}

	// A second group on the same server: Bob's cursor is past its
	// history, which is read again for it.
	chess, err := alice.c.CreateGroup("chess", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	postAndWait(t, alice, chess.ID, "e4")
	say(t, alice, bob, club, "chess, anyone?")
	inviteAndJoin(t, alice, bob, chess.ID)
	// Another group, other keys: nothing links Alice's two memberships.
	a, b = alice.as(chess.ID), bob.as(chess.ID)
	if a == alice.as(club.ID) || b == bob.as(club.ID) || a == alice.id.Address() {
		t.Fatal("a member's key is the same in two groups, or their onion key")
	}
	waitTimeline(t, bob, chess.Conversation,
		note{model.NoteJoined, a, false}, note{body: "e4"}, note{model.NoteJoined, b, true})
	if m := memberOf(t, bob, chess.ID, a); m.Left || m.Name != "alice" {
		t.Fatalf("alice in the second group, as bob sees her: %+v", m)
	}
	if got := timeline(bob, club.Conversation); len(got) != 3 {
		t.Fatalf("the first group read again: %+v", got)
	}

	// Bob leaves the second group: Alice stores a "left" note. He says
	// something first, so that the contact tags he queued after his join
	// notice have left (a poster sends oldest first): leaving drops what
	// is still queued, and Alice would see a gap before his leave notice.
	say(t, bob, alice, chess, "e5")
	_ = bob.as(chess.ID) // its key, read while it is a member
	if err := bob.c.Leave(chess.ID, false); err != nil {
		t.Fatal(err)
	}
	waitTimeline(t, alice, chess.Conversation,
		note{model.NoteJoined, a, true}, note{body: "e4"}, note{model.NoteJoined, b, false}, note{body: "e5"}, note{model.NoteLeft, b, false})
	if m := memberOf(t, alice, chess.ID, b); !m.Left {
		t.Fatalf("bob as alice sees him after he left: %+v", m)
	}
	for _, m := range []*member{alice, bob} {
		evs, _ := m.ev.snapshot()
		if n := count(evs, func(model.GroupWarning) bool { return true }); n != 0 {
			t.Errorf("%s got %d warnings: %+v", m.name, n, evs)
		}
	}
}

// TestRotationNotes: the rotations leave notes in the timeline, stored
// like the join notes and never unread. Alice removes Carol: Alice stores
// "removed carol" as hers, Bob as Alice's, Carol as Alice's naming her
// (her group then read-only). Alice names Bob an admin: "admins +bob".
// Alice revokes the invites: "renewed" on both sides. Eve, joining with the invite made before, stores
// "revoked". The notes survive a restart, and nothing is stored twice.
func TestRotationNotes(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice := newMember(t, tr, "alice").withJoinNotices()
	bob := newMember(t, tr, "bob").withJoinNotices()
	carol := newMember(t, tr, "carol").withJoinNotices()
	g, err := alice.c.CreateGroup("club", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	conv := g.Conversation
	alice.waitDelivered(t, conv) // her join notice, on the server before Bob's
	old := inviteAndJoin(t, alice, bob, g.ID)
	// Members are known by their keys in this group.
	a, b := alice.as(g.ID), bob.as(g.ID)
	waitTimeline(t, alice, conv, note{model.NoteJoined, a, true}, note{model.NoteJoined, b, false})
	bob.waitDelivered(t, conv)
	carol.join(t, old)
	c := carol.as(g.ID)
	joined := []note{{model.NoteJoined, a, true}, {model.NoteJoined, b, false}, {model.NoteJoined, c, false}}
	waitTimeline(t, alice, conv, joined...)
	waitTimeline(t, bob, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, true}, note{model.NoteJoined, c, false})
	waitTimeline(t, carol, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, false}, note{model.NoteJoined, c, true})

	if err := alice.c.RemoveMember(g.ID, c); err != nil {
		t.Fatal(err)
	}
	removed := model.NoteRemoved + " " + string(c)
	waitTimeline(t, alice, conv, append(joined, note{removed, a, true})...)
	waitTimeline(t, bob, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, true},
		note{model.NoteJoined, c, false}, note{removed, a, false})
	waitTimeline(t, carol, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, false},
		note{model.NoteJoined, c, true}, note{removed, a, false})
	if word, ids := model.NoteWords(removed); word != model.NoteRemoved || !slices.Equal(ids, []string{string(c)}) {
		t.Fatalf("NoteWords(%q) = %q, %q", removed, word, ids)
	}

	if err := alice.c.SetAdmin(g.ID, b, true); err != nil {
		t.Fatal(err)
	}
	admins := note{model.NoteAdmins + " +" + string(b), a, false}
	waitTimeline(t, bob, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, true},
		note{model.NoteJoined, c, false}, note{removed, a, false}, admins)
	if err := alice.c.RevokeInvites(g.ID); err != nil {
		t.Fatal(err)
	}
	renewed := note{model.NoteRenewed, a, false}
	waitTimeline(t, bob, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, true},
		note{model.NoteJoined, c, false}, note{removed, a, false}, admins, renewed)
	eve := newMember(t, tr, "eve").withJoinNotices()
	eve.join(t, old)
	eve.ev.waitFor(t, "eve's revoked note", func([]model.Event) bool {
		return slices.Contains(timeline(eve, conv), note{model.NoteRevoked, a, false})
	})
	for _, m := range []*member{bob, carol, eve} {
		if info, err := m.st.Conversation(conv); err != nil || info.Unread != 0 {
			t.Fatalf("%s's unread count after the notes: %+v, %v", m.name, info, err)
		}
	}
	bob.stop()
	bob.start()
	postAndWait(t, alice, g.ID, "after")
	waitTimeline(t, bob, conv, note{model.NoteJoined, a, false}, note{model.NoteJoined, b, true},
		note{model.NoteJoined, c, false}, note{removed, a, false}, admins, renewed, note{body: "after"})
	waitTimeline(t, alice, conv, append(joined, note{removed, a, true}, note{admins.body, a, true},
		note{model.NoteRenewed, a, true}, note{body: "after"})...)
}
