package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/model"
)

// TestLeaveGroup goes through the facade: bob joins alice's group, alice
// leaves it keeping its history (read-only, listed by LeftGroups, no more
// posting), bob is told, and then alice deletes the history: messages,
// conversation and unread count go, also after the profile is locked and
// unlocked again.
func TestLeaveGroup(t *testing.T) {
	ctx := context.Background()
	alice, bob := groupPair(t)
	g := alice.hostGroup(ctx, "Allotment")
	conv := g.Conversation()
	text, err := alice.GroupInvite(conv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AcceptInvite(text); err != nil {
		t.Fatal(err)
	}
	posted, err := bob.PostToGroup(conv, "tomatoes are ripe", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitEvent("bob's post", func(ev model.Event) bool {
		m, ok := ev.(model.MessageAdded)
		return ok && m.Message.ID == posted.ID
	})
	if n, _ := alice.Unread(conv); n != 1 {
		t.Fatalf("unread before leaving: %d", n)
	}

	if err := alice.LeaveGroup(model.ConversationID(bob.self()), false); !errors.Is(err, ErrNotGroup) {
		t.Fatalf("leaving a contact's conversation: %v, want ErrNotGroup", err)
	}
	aliceID := alice.in(conv)
	if err := alice.LeaveGroup(conv, false); err != nil {
		t.Fatal(err)
	}
	alice.waitEvent("GroupLeft", func(ev model.Event) bool {
		l, ok := ev.(model.GroupLeft)
		return ok && l.Conversation == conv && !l.HistoryDeleted
	})
	if gs, _ := alice.Groups(); len(gs) != 0 {
		t.Fatalf("groups after leaving: %+v", gs)
	}
	left, err := alice.LeftGroups()
	if err != nil || len(left) != 1 || left[0].Conversation() != conv || !left[0].Left || left[0].Name != "Allotment" {
		t.Fatalf("left groups %+v, %v", left, err)
	}
	// The history kept: the two joins (notes) and Bob's post.
	if msgs, _ := alice.Messages(conv, 0, 10); len(msgs) != 3 || msgs[2].ID != posted.ID ||
		msgs[0].Kind != model.KindNote || msgs[1].Kind != model.KindNote {
		t.Fatalf("the history kept: %+v", msgs)
	}
	if _, err := alice.PostToGroup(conv, "still here?", model.MessageID{}); !errors.Is(err, groupclient.ErrUnknownGroup) {
		t.Fatalf("posting to a group left: %v", err)
	}
	if _, err := alice.GroupMembers(conv); err != nil {
		t.Fatalf("the members of a group left (history kept): %v", err)
	}
	bob.waitEvent("alice's leave notice", func(ev model.Event) bool {
		l, ok := ev.(model.GroupMemberLeft)
		return ok && l.Conversation == conv && l.Author == aliceID && l.Name == "Alice"
	})
	ms, err := bob.GroupMembers(conv)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if (m.Address == aliceID) != m.Left {
			t.Errorf("member %+v as bob sees them", m)
		}
	}

	if err := alice.LeaveGroup(conv, true); err != nil {
		t.Fatal(err)
	}
	alice.waitEvent("GroupLeft with the history deleted", func(ev model.Event) bool {
		l, ok := ev.(model.GroupLeft)
		return ok && l.Conversation == conv && l.HistoryDeleted
	})
	alice.waitEvent("the unread count cleared", func(ev model.Event) bool {
		u, ok := ev.(model.UnreadChanged)
		return ok && u.Conversation == conv && u.Unread == 0
	})
	gone := func() {
		t.Helper()
		if msgs, _ := alice.Messages(conv, 0, 10); len(msgs) != 0 {
			t.Fatalf("messages after deleting the history: %+v", msgs)
		}
		convs, err := alice.Conversations()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range convs {
			if c.ID == conv {
				t.Fatal("the group's conversation is still listed")
			}
		}
		if left, _ := alice.LeftGroups(); len(left) != 0 {
			t.Fatalf("left groups after deleting the history: %+v", left)
		}
		if n, _ := alice.Unread(conv); n != 0 {
			t.Fatalf("unread after deleting the history: %d", n)
		}
		if err := alice.LeaveGroup(conv, true); !errors.Is(err, groupclient.ErrUnknownGroup) {
			t.Fatalf("leaving a forgotten group: %v", err)
		}
	}
	gone()
	if err := alice.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.UnlockAny(ctx, "alice pw"); err != nil {
		t.Fatal(err)
	}
	gone()
	if gs, _ := alice.Groups(); len(gs) != 0 {
		t.Fatalf("groups after unlocking: %+v", gs)
	}
}
