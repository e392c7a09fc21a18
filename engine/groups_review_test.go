package engine

import (
	"context"
	"testing"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestGroupNameCollision (security review L-4): a group member who is not
// a contact can carry a contact's name. GroupMembers marks who is a
// contact, and a non-contact whose name is a contact's (however spaced or
// capitalised) as colliding, so the app never shows them as the contact.
func TestGroupNameCollision(t *testing.T) {
	ctx := context.Background()
	dirNet := loopback.NewMemoryDirectory()
	alice := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.cfg.Server = groupserver.Config{PoWBits: groupserver.NoPoW, NoSync: true}
	bob := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	mallory := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	carol := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
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
