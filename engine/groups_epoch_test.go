package engine

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/model"
)

// hasBody reports whether te holds a message of conv with body.
func (te *testEngine) hasBody(conv model.ConversationID, body string) bool {
	msgs, _ := te.Messages(conv, 0, 100)
	return slices.ContainsFunc(msgs, func(m model.Message) bool { return m.Body == body })
}

// TestRemoveMemberEngines goes through the facade with three engines:
// Alice hosts the server and owns the group, Bob and Dave join it; Bob
// cannot remove, Alice removes Dave. Bob is told and reads what Alice
// writes next; Dave is told, his engine cannot post any more (and leaves
// the group as read-only history), and what Alice writes next never
// reaches it. Members reports the roles and the removal.
func TestRemoveMemberEngines(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, bob, dave := es[0], es[1], es[2]
	alice.createProfile("Alice", "alice pw")
	bob.createProfile("Bob", "bob pw")
	dave.createProfile("Dave", "dave pw")
	g := alice.hostGroup(ctx, "Newsroom")
	conv := g.Conversation()
	if _, err := alice.SendMessage(conv, "editorial meeting at noon"); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("alice's first post delivered", step, func() bool {
		msgs, _ := alice.Messages(conv, 0, 10)
		msgs = withoutNotes(msgs)
		return len(msgs) == 1 && msgs[0].Status == model.StatusDelivered
	})
	text, err := alice.GroupInvite(conv)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*testEngine{bob, dave} {
		if _, err := m.AcceptInvite(text); err != nil {
			t.Fatal(err)
		}
		if _, err := m.SendMessage(conv, "here"); err != nil {
			t.Fatal(err)
		}
	}
	alice.waitUntil("bob's and dave's posts at alice", step, func() bool {
		ms, _ := alice.Members(conv)
		return len(ms) == 3
	})

	if err := bob.RemoveMember(conv, dave.in(conv)); !errors.Is(err, groupclient.ErrNotAdmin) {
		t.Fatalf("bob removes dave: %v", err)
	}
	if err := bob.SetAdmin(conv, dave.in(conv), true); !errors.Is(err, groupclient.ErrNotAdmin) {
		t.Fatalf("bob names dave an admin: %v", err)
	}
	if err := bob.RevokeInvites(conv); !errors.Is(err, groupclient.ErrNotAdmin) {
		t.Fatalf("bob revokes the invites: %v", err)
	}
	if err := alice.RemoveMember(model.ConversationID(bob.self()), dave.in(conv)); !errors.Is(err, ErrNotGroup) {
		t.Fatalf("removing from a contact's conversation: %v", err)
	}
	if err := alice.RemoveMember(conv, dave.in(conv)); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendMessage(conv, "the new key is in use"); err != nil {
		t.Fatal(err)
	}
	isRemoval := func(ev model.Event) bool {
		r, ok := ev.(model.GroupRekeyed)
		return ok && r.Conversation == conv && r.Epoch == 1 && r.By == alice.in(conv) &&
			slices.Equal(r.Removed, []string{dave.in(conv)})
	}
	bob.waitEvent("bob told of dave's removal", isRemoval)
	bob.waitUntil("alice's post in the new epoch at bob", step, func() bool { return bob.hasBody(conv, "the new key is in use") })
	dave.waitEvent("dave told of his removal", isRemoval)
	dave.waitEvent("dave's group left", func(ev model.Event) bool {
		l, ok := ev.(model.GroupLeft)
		return ok && l.Conversation == conv
	})
	if _, err := dave.SendMessage(conv, "still here?"); err == nil {
		t.Fatal("dave's engine posts after his removal")
	}
	if c, err := dave.Conversation(conv); err != nil || !c.Left {
		t.Fatalf("dave's conversation after his removal: %+v, %v", c, err)
	}
	// Bob writes in the new epoch; alice reads it, dave never does.
	if _, err := bob.SendMessage(conv, "welcome to the new key"); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's post at alice", step, func() bool { return alice.hasBody(conv, "welcome to the new key") })
	if dave.hasBody(conv, "the new key is in use") || dave.hasBody(conv, "welcome to the new key") {
		t.Fatal("dave reads the new epoch")
	}

	if c, err := alice.Conversation(conv); err != nil || c.Group.Epoch != 1 || c.Group.Role != model.RoleOwner {
		t.Fatalf("alice's group after the removal: %+v, %v", c.Group, err)
	}
	bob.waitConv("bob's group in epoch 1", conv, func(c model.Conversation) bool {
		return c.Group.Epoch == 1 && c.Group.Role == model.RoleMember
	})
	ms, err := bob.Members(conv)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		want := model.RoleMember
		if m.Address == alice.in(conv) {
			want = model.RoleOwner
		}
		if m.Role != want || m.Removed != (m.Address == dave.in(conv)) {
			t.Errorf("bob sees %s as %v, removed %v", m.Name, m.Role, m.Removed)
		}
	}
}
