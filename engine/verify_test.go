package engine

import (
	"context"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// waitContact waits until te's contact addr is in state, and returns it.
func (te *testEngine) waitContact(addr model.ConversationID, state model.ContactState) model.Contact {
	te.t.Helper()
	var c model.Contact
	te.waitUntil("contact in state "+state.String(), step, func() bool {
		var err error
		c, err = te.Contact(addr)
		return err == nil && c.State == state
	})
	return c
}

// TestForgedInviteGivesNoBadge plays the forger of security finding H-1:
// Mallory sends Bob, through any channel, a contact invite with her own
// address, the name "Alice" and a one-time secret, Bob pastes and accepts
// it, and Mallory's Nook accepts him. Bob's Nook must not show "Alice" as
// verified in person: an invite alone never says where it came from. The
// forger tries both a secret she made up (her Nook then accepts the
// request by hand) and a real secret of her own Nook renamed "Alice" (her
// Nook then redeems it and confirms it, as an honest inviter's does).
func TestForgedInviteGivesNoBadge(t *testing.T) {
	dirNet := loopback.NewMemoryDirectory()
	for _, realSecret := range []bool{false, true} {
		bob := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
		mallory := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
		bob.createProfile("Bob", "b")
		mallory.createProfile("Mallory", "m")

		secret, err := invite.NewSecret(nil)
		if err != nil {
			t.Fatal(err)
		}
		if realSecret {
			secret, _ = mallory.inPersonInvite().Secret()
		}
		forged, err := invite.NewContactInvite(identity.Address(mallory.self()), "Alice",
			invite.ContactOptions{Secret: secret, Expires: time.Now().Add(10 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bob.AcceptInvite(forged.Encode()); err != nil {
			t.Fatal(err)
		}
		if !realSecret {
			mallory.waitContact(bob.self(), model.ContactRequest)
			if _, err := mallory.AcceptContact(bob.self()); err != nil {
				t.Fatal(err)
			}
		}
		c := bob.waitContact(mallory.self(), model.ContactAccepted)
		if c.Name() != "Alice" {
			t.Fatalf("the forged contact is called %q", c.Name())
		}
		if c.Verified || c.Verification != model.Unverified {
			t.Fatalf("real secret %v: a forged invite made %q verified (%v) on the victim's side", realSecret, c.Name(), c.Verification)
		}
		if c.InviteConfirmed != realSecret {
			t.Fatalf("real secret %v: InviteConfirmed = %v", realSecret, c.InviteConfirmed)
		}
	}
}

// TestSharedInviteGivesNoBadge: an in-person invite whose text or picture
// left the inviter's screen (copied, saved) still adds its first user
// without a request, but not as verified: whoever used it may have got it
// anywhere.
func TestSharedInviteGivesNoBadge(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	text, err := alice.MyInvite(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.InviteShared(text); err != nil {
		t.Fatal(err)
	}
	// Marking it shared survives a restart of the profile.
	if err := alice.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.UnlockAny(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AcceptInvite(text); err != nil {
		t.Fatal(err)
	}
	c := alice.waitContact(bob.self(), model.ContactAccepted)
	if c.Verified || c.Verification != model.Unverified {
		t.Fatalf("a copied in-person invite made its user verified (%v)", c.Verification)
	}
	// Only our own in-person invites can be marked.
	plain, _ := alice.MyInvite(false)
	if err := alice.InviteShared(plain); err != nil {
		t.Fatalf("InviteShared of an invite without secret: %v", err)
	}
	other, _ := bob.MyInvite(true)
	if err := alice.InviteShared(other); err == nil {
		t.Fatal("InviteShared accepted someone else's invite")
	}
}

// TestSafetyCodeVerification: after an in-person exchange the inviter
// shows the dialler verified, the dialler does not (but knows the inviter
// confirmed the invite); both see the same safety code, and marking the
// contact verified after comparing it gives the dialler the badge, which
// survives a restart and can be taken back.
func TestSafetyCodeVerification(t *testing.T) {
	ctx := context.Background()
	alice, bob, dirNet, bobDir := twoProfiles(t)
	bob.acceptInviteOf(alice)
	ca := bob.waitContact(alice.self(), model.ContactAccepted)
	cb := alice.waitContact(bob.self(), model.ContactAccepted)
	if !cb.Verified || cb.Verification != model.VerifiedInPerson {
		t.Fatalf("inviter's side: verified %v (%v), want verified in person", cb.Verified, cb.Verification)
	}
	if ca.Verified || !ca.InviteConfirmed {
		t.Fatalf("dialler's side: verified %v, invite confirmed %v; want not verified, confirmed", ca.Verified, ca.InviteConfirmed)
	}
	codeA, err := alice.SafetyCode(bob.self())
	if err != nil {
		t.Fatal(err)
	}
	codeB, err := bob.SafetyCode(alice.self())
	if err != nil {
		t.Fatal(err)
	}
	if codeA != codeB {
		t.Fatalf("safety codes differ: %q and %q", codeA, codeB)
	}
	want, _ := invite.SafetyCode(identity.Address(alice.self()), identity.Address(bob.self()))
	if codeA != want {
		t.Fatalf("SafetyCode = %q, want %q", codeA, want)
	}
	stranger, _ := identity.Generate(nil)
	if _, err := bob.SafetyCode(model.ConversationID(stranger.Address())); err == nil {
		t.Fatal("a safety code for someone who is not a contact")
	}
	c, err := bob.MarkVerified(alice.self(), true)
	if err != nil || !c.Verified || c.Verification != model.VerifiedSafetyCode {
		t.Fatalf("MarkVerified: %+v, %v", c, err)
	}
	bob.Close()
	bob = newTestEngine(t, bobDir, loopback.New(dirNet))
	if _, err := bob.UnlockAny(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if c, err := bob.Contact(alice.self()); err != nil || !c.Verified || c.Verification != model.VerifiedSafetyCode {
		t.Fatalf("after a restart: %+v, %v", c, err)
	}
	if c, err := bob.MarkVerified(alice.self(), false); err != nil || c.Verified || c.Verification != model.Unverified {
		t.Fatalf("MarkVerified(false): %+v, %v", c, err)
	}
}

// TestVerifiedMigration opens a profile export made by the code before
// the fix of H-1 (testdata/verified-v1.nookexport, password "fixture"):
// Bob, who accepted Alice's in-person invite (verified on the dialler's
// side, which a forged invite could fake) and whose own in-person invite
// Carol accepted (verified on the inviter's side). After the import Alice
// is no longer shown verified, with a note saying why; Carol still is, but
// as verified by an earlier version (security review 2, L-A): that
// version showed and copied in-person invites freely and kept their
// secrets a day, so "only ever shown on your screen" is not known. Both
// get the name the badge belongs to (M-B).
//
// The export was written by a test run on commit d395ad2, with that
// commit's testEngine helpers and the profiles "Alice"/"a", "Bob"/"b",
// "Carol"/"c" on one loopback network:
//
//	bob.acceptInviteOf(alice)
//	carol.acceptInviteOf(bob)
//	// wait until Bob's contacts Alice and Carol are accepted and verified
//	bob.ExportProfile(".../verified-v1.nookexport", "fixture")
func TestVerifiedMigration(t *testing.T) {
	const (
		aliceAddr = identity.Address("do2nbkexaw7xnaurzks5gwg4wxxtaldf6iuz7yuhk6h4lz4dz6tjt2yd")
		carolAddr = identity.Address("5nhupqepbuv2wvz2xnhrr2jlor2hudybkynvd5c47yamnvegqmuqanqd")
	)
	e := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	info, err := e.ImportProfile("testdata/verified-v1.nookexport", "fixture", "new")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Unlock(context.Background(), info.ID, "new"); err != nil {
		t.Fatal(err)
	}
	alice, err := e.Contact(model.ConversationID(aliceAddr))
	if err != nil {
		t.Fatal(err)
	}
	if alice.Verified || alice.Verification != model.Unverified || !alice.VerifyRevoked {
		t.Fatalf("dialler-side badge after migration: verified %v (%v), revoked %v", alice.Verified, alice.Verification, alice.VerifyRevoked)
	}
	carol, err := e.Contact(model.ConversationID(carolAddr))
	if err != nil {
		t.Fatal(err)
	}
	if !carol.Verified || carol.Verification != model.VerifiedEarlierVersion || carol.VerifyRevoked {
		t.Fatalf("inviter-side badge after migration: verified %v (%v), revoked %v", carol.Verified, carol.Verification, carol.VerifyRevoked)
	}
	if carol.VerifiedName != "Carol" || carol.Name() != "Carol" {
		t.Fatalf("the badge kept belongs to %q, shown as %q", carol.VerifiedName, carol.Name())
	}
	// The migration runs at every unlock and changes nothing more.
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Unlock(context.Background(), info.ID, "new"); err != nil {
		t.Fatal(err)
	}
	if again, err := e.Contact(model.ConversationID(carolAddr)); err != nil || again.Verification != model.VerifiedEarlierVersion || again.VerifiedName != "Carol" {
		t.Fatalf("after a second unlock: %v %q, %v", again.Verification, again.VerifiedName, err)
	}
	// Marking Alice verified after comparing safety codes clears the note.
	if c, err := e.MarkVerified(model.ConversationID(aliceAddr), true); err != nil || !c.Verified || c.VerifyRevoked {
		t.Fatalf("MarkVerified: %+v, %v", c, err)
	}
}

// TestVerifiedNameKept (security review 2, M-B): Alice verifies Mallory in
// person; later Mallory renames himself "Bob", which reaches Alice's Nook
// on his next connection. Alice must never see "Bob — Verified": the badge
// stays with the name it was given under ("Mallory"), and the new name is
// shown as a change only. Removing the badge and giving it again (after a
// new comparison) takes the name of that moment.
func TestVerifiedNameKept(t *testing.T) {
	dirNet := loopback.NewMemoryDirectory()
	alice := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	mallory := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.createProfile("Alice", "a")
	mallory.createProfile("Mallory", "m")
	mallory.acceptInviteOf(alice)
	var c model.Contact
	alice.waitUntil("Mallory verified in person", step, func() bool {
		var err error
		c, err = alice.Contact(mallory.self())
		return err == nil && c.Verification == model.VerifiedInPerson
	})
	if c.Name() != "Mallory" || c.VerifiedName != "Mallory" {
		t.Fatalf("verified as %q (name %q)", c.VerifiedName, c.Name())
	}

	if err := mallory.SetDisplayName("Bob"); err != nil {
		t.Fatal(err)
	}
	if err := mallory.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := mallory.UnlockAny(context.Background(), "m"); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("Mallory's new name", step, func() bool {
		var err error
		c, err = alice.Contact(mallory.self())
		return err == nil && c.DisplayName == "Bob"
	})
	if !c.Verified || c.Name() != "Mallory" {
		t.Fatalf("after the rename Alice sees %q, verified %v: the badge went to a name nobody verified", c.Name(), c.Verified)
	}
	if got := c.RenamedTo(); got != "Bob" {
		t.Fatalf("RenamedTo = %q, want the new name shown as a change", got)
	}
	// The event the UI follows carries the same.
	if _, err := alice.RenameContact(mallory.self(), ""); err != nil {
		t.Fatal(err)
	}
	ev := alice.waitEvent("the contact's change", func(e model.Event) bool {
		cc, ok := e.(model.ContactChanged)
		return ok && cc.Contact.Address == string(mallory.self()) && cc.Contact.DisplayName == "Bob"
	}).(model.ContactChanged)
	if ev.Contact.Name() != "Mallory" || ev.Contact.VerifiedName != "Mallory" {
		t.Fatalf("the event shows %q (verified as %q)", ev.Contact.Name(), ev.Contact.VerifiedName)
	}

	// A new comparison under the new name verifies that name.
	if _, err := alice.MarkVerified(mallory.self(), false); err != nil {
		t.Fatal(err)
	}
	c, err := alice.MarkVerified(mallory.self(), true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "Bob" || c.VerifiedName != "Bob" || c.RenamedTo() != "" {
		t.Fatalf("verified again: name %q, verified as %q, renamed to %q", c.Name(), c.VerifiedName, c.RenamedTo())
	}
}
