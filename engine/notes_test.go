package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// TestGroupJoinNotes: with two engines, Bob joining Alice's group from
// her invite message counts Alice as a member before anyone wrote (it
// said "only you so far": the members were only those who had posted),
// and both timelines show the joins as notes, which are not unread; Bob
// leaving shows as a note on Alice's side.
func TestGroupJoinNotes(t *testing.T) {
	ctx := context.Background()
	alice, bob := groupPair(t)
	g := alice.hostGroup(ctx, "Allotment")
	aliceAddr := string(alice.self())
	aliceID := alice.in(g.Conversation())
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	alice.waitUntil("Alice's join note delivered", step, func() bool {
		h, _ := alice.History(g.Conversation(), 0, 10)
		return len(h) == 1 && h[0].Kind == model.KindNote && h[0].Body == model.NoteJoined && h[0].Status == model.StatusDelivered
	})
	inv, err := alice.InviteToGroup(bob.self(), g.Conversation())
	if err != nil {
		t.Fatal(err)
	}
	bob.waitUntil("the invite", step, func() bool {
		_, err := bob.Message(model.ConversationID(aliceAddr), inv.ID)
		return err == nil
	})
	if _, err := bob.AcceptInvite(inv.Body); err != nil {
		t.Fatal(err)
	}
	notes := func(te *testEngine) []string {
		h, err := te.History(g.Conversation(), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range h {
			if m.Kind == model.KindNote {
				out = append(out, m.Author[:8]+" "+m.Body)
			}
		}
		return out
	}
	bobID := bob.in(g.Conversation())
	want := []string{aliceID[:8] + " joined", bobID[:8] + " joined"}
	bob.waitUntil("both joins in Bob's timeline", step, func() bool { return slices.Equal(notes(bob), want) })
	alice.waitUntil("both joins in Alice's timeline", step, func() bool { return slices.Equal(notes(alice), want) })
	ms, err := bob.Members(g.Conversation())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range ms {
		if m.Address == aliceID && !m.Left && m.Messages == 0 {
			found = true
		}
	}
	if !found {
		t.Fatalf("Bob's members before anyone wrote: %+v", ms)
	}
	if cv, _ := bob.Conversation(g.Conversation()); cv.Unread != 0 {
		t.Fatalf("Bob's group unread after the notes: %d", cv.Unread)
	}

	if err := bob.LeaveGroup(g.Conversation(), false); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("Bob's leave note", step, func() bool {
		return slices.Equal(notes(alice), append(want, bobID[:8]+" left"))
	})
}
