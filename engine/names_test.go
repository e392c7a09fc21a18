package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestNamesRefuseFormatCharacters (security L-3): every place a name enters
// the engine refuses format characters other than ZWJ (text-direction
// overrides, isolates and marks, invisible characters): the profile's
// display name when it is created and changed, a contact's nickname, a
// group's name. A profile whose name was stored by an older version with
// such characters still makes invites, without them.
func TestNamesRefuseFormatCharacters(t *testing.T) {
	dirNet := loopback.NewMemoryDirectory()
	alice := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	bob := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	bad := []string{"\u202eecilA", "Al\u2066ice", "Alice\u200f", "Al\u00adice", "Al\u200bice"}
	for _, name := range bad {
		if _, err := alice.CreateProfile(context.Background(), name, "pw"); err == nil {
			t.Fatalf("profile named %q created", name)
		}
	}
	alice.createProfile("Alice", "pw")
	bob.createProfile("Dana 👩\u200d💻", "pw")
	text, err := bob.MyInvite(false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := alice.AcceptInvite(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range bad {
		if err := alice.SetDisplayName(name); err == nil {
			t.Errorf("display name %q accepted", name)
		}
		if _, err := alice.RenameContact(identity.Address(res.Contact.Address), name); err == nil {
			t.Errorf("nickname %q accepted", name)
		}
		if _, err := alice.CreateGroup(name, ""); !errors.Is(err, invite.ErrName) {
			t.Errorf("group named %q: %v, want invite.ErrName", name, err)
		}
	}
	if _, err := alice.RenameContact(identity.Address(res.Contact.Address), "Dana 👩\u200d💻"); err != nil {
		t.Fatal(err)
	}

	// A name stored before this check (written here beneath the engine's
	// check) goes out without the characters.
	op, err := alice.current()
	if err != nil {
		t.Fatal(err)
	}
	if err := op.prof.SetDisplayName("\u202eecilA"); err != nil {
		t.Fatal(err)
	}
	text, err = alice.MyInvite(true)
	if err != nil {
		t.Fatalf("invite of a profile with an old name: %v", err)
	}
	inv, err := invite.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.(*invite.ContactInvite).Name(); got != "ecilA" {
		t.Fatalf("invite carries the name %q", got)
	}
}
