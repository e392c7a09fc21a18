package engine

import (
	"context"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// TestGroupNameCollision (security review L-4): a group member who is not
// a contact can carry a contact's name. GroupMembers marks who is a
// contact, and a non-contact whose name is a contact's (however spaced or
// capitalised) as colliding, so the app never shows them as the contact.
func TestGroupNameCollision(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 4)
	alice, bob, mallory, carol := es[0], es[1], es[2], es[3]
	for te, name := range map[*testEngine]string{alice: "Alice", bob: "Bob", mallory: "BOB", carol: "Carol"} {
		if _, err := te.CreateProfile(ctx, name, "pw "+name); err != nil {
			t.Fatal(err)
		}
	}
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	g := alice.hostGroup(ctx, "Newsroom")
	groupInvite, err := alice.GroupInvite(g.Conversation())
	if err != nil {
		t.Fatal(err)
	}
	for _, te := range []*testEngine{bob, mallory, carol} {
		if _, err := te.AcceptInvite(groupInvite); err != nil {
			t.Fatal(err)
		}
		if _, err := te.PostToGroup(g.Conversation(), "hello", model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	var members map[identity.Address]struct{ contact, collides bool }
	// Bob's contact tags follow his join notice (after the random pause
	// between posts): wait for them too.
	alice.waitUntil("the three members and Alice (her join notice) seen, Bob recognised", step, func() bool {
		ms, err := alice.GroupMembers(g.Conversation())
		if err != nil {
			t.Fatal(err)
		}
		members = map[identity.Address]struct{ contact, collides bool }{}
		for _, m := range ms {
			members[identity.Address(m.Address)] = struct{ contact, collides bool }{m.IsContact, m.NameCollides}
		}
		return len(members) == 4 && members[identity.Address(bob.in(g.Conversation()))].contact
	})
	for who, want := range map[*testEngine]struct{ contact, collides bool }{
		bob:     {contact: true},
		mallory: {collides: true},
		carol:   {},
	} {
		if got := members[identity.Address(who.in(g.Conversation()))]; got != want {
			t.Errorf("%s: contact %v, name collides %v; want %v, %v", who.self()[:8], got.contact, got.collides, want.contact, want.collides)
		}
	}
	if err := alice.StopServer(); err != nil {
		t.Fatal(err)
	}
}

// TestGroupLastAuthor: a group's conversation names the author of its
// latest message as the group does (LastAuthor), in ConversationChanged,
// Conversation and Conversations alike, so that the list can show "Carol:
// hello" before the group was ever opened: Carol, who is no contact of
// Alice's, by the name she carries; Mallory, who calls herself "alice", as
// colliding with Alice's own name; and nobody once Alice wrote last.
func TestGroupLastAuthor(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, carol, mallory := es[0], es[1], es[2]
	for te, name := range map[*testEngine]string{alice: "Alice", carol: "Carol", mallory: "alice"} {
		if _, err := te.CreateProfile(ctx, name, "pw "+name); err != nil {
			t.Fatal(err)
		}
	}
	g := alice.hostGroup(ctx, "Newsroom")
	conv := g.Conversation()
	groupInvite, err := alice.GroupInvite(conv)
	if err != nil {
		t.Fatal(err)
	}
	check := func(body string, want model.GroupMember) {
		t.Helper()
		cv := alice.waitConv("alice has "+body, conv, func(c model.Conversation) bool { return c.Last.Body == body })
		one, err := alice.Conversation(conv)
		if err != nil {
			t.Fatal(err)
		}
		all, err := alice.Conversations()
		if err != nil {
			t.Fatal(err)
		}
		var listed model.Conversation
		for _, c := range all {
			if c.ID == conv {
				listed = c
			}
		}
		for how, c := range map[string]model.Conversation{"event": cv, "Conversation": one, "Conversations": listed} {
			got := c.LastAuthor
			if got.Address != want.Address || got.Name != want.Name || got.NameCollides != want.NameCollides || got.IsContact {
				t.Errorf("%s after %q: LastAuthor %+v, want %+v", how, body, got, want)
			}
		}
	}
	for _, te := range []*testEngine{carol, mallory} {
		if _, err := te.AcceptInvite(groupInvite); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := carol.SendMessage(conv, "hello from carol"); err != nil {
		t.Fatal(err)
	}
	check("hello from carol", model.GroupMember{Address: carol.memberID(conv), Name: "Carol"})
	if _, err := mallory.SendMessage(conv, "hello from mallory"); err != nil {
		t.Fatal(err)
	}
	check("hello from mallory", model.GroupMember{Address: mallory.memberID(conv), Name: "alice", NameCollides: true})
	if _, err := alice.SendMessage(conv, "mine"); err != nil {
		t.Fatal(err)
	}
	check("mine", model.GroupMember{})
	if err := alice.StopServer(); err != nil {
		t.Fatal(err)
	}
}
