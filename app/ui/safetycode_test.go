package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// TestSafetyCodeView: Bob accepted Alice's in-person invite. His Nook does
// not show her as verified (it cannot know where the invite came from);
// the conversation's safety-code view shows the same digits as Alice's
// and, after Mark as verified, the header says "Verified". Alice, whose
// invite never left her screen, sees Bob verified in person.
func TestSafetyCodeView(t *testing.T) {
	alice, bob := twoProfiles(t)
	aliceAddr, bobAddr := alice.self(), bob.self()
	text, err := alice.eng.MyInvite(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.eng.AcceptInvite(text); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("Alice accepted on Bob's side", func() bool {
		it := bob.ui.main.sidebar.item(aliceAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
	bob.ui.main.openChat(aliceAddr)
	cp := bob.ui.main.chat
	if cp.verified.Visible() {
		t.Fatal("Bob's Nook shows Alice verified after he merely used an invite")
	}
	cp.showInfo()
	if !bob.hasText("Not verified") {
		t.Fatal("the contact details do not say Alice is not verified")
	}
	code, err := alice.eng.SafetyCode(identity.Address(bobAddr))
	if err != nil {
		t.Fatal(err)
	}
	cp.showSafetyCode()
	for _, line := range strings.Split(safetyCodeLines(code), "\n") {
		if !bob.hasText(line) {
			t.Fatalf("the safety-code view does not show %q (Alice's code is %q)", line, code)
		}
	}
	if !bob.hasText("nobody in between") {
		t.Fatal("the view does not say what matching digits mean")
	}
	bob.tap("Mark as verified")
	bob.waitFor("the Verified badge", func() bool { return cp.verified.Visible() })
	c, err := bob.eng.Contact(identity.Address(aliceAddr))
	if err != nil || c.Verification != model.VerifiedSafetyCode {
		t.Fatalf("after Mark as verified: %v, %v", c.Verification, err)
	}
	cp.showSafetyCode()
	bob.tap("Remove verification")
	bob.waitFor("the badge to go", func() bool { return !cp.verified.Visible() })

	alice.waitFor("Bob verified in person on Alice's side", func() bool {
		it := alice.ui.main.sidebar.item(bobAddr)
		return it != nil && it.c.Verification == model.VerifiedInPerson
	})
}

// TestCopiedInPersonInvite: copying an in-person invite's text takes the
// verification away: the caption says so, and whoever uses it is added
// without a request but not verified.
func TestCopiedInPersonInvite(t *testing.T) {
	alice, bob := twoProfiles(t)
	home := alice.ui.main.home
	ordinary := home.invite()
	test.Tap(home.inPerson)
	alice.waitFor("an in-person invite", func() bool { return home.invite() != ordinary })
	if home.textCard.Visible() {
		t.Fatal("an in-person invite's text is shown, where it can be selected and copied unnoticed")
	}
	alice.tap("Copy invite text")
	alice.waitFor("the copied caption", func() bool { return home.qr.Caption == captionShared })
	copied := alice.ui.app.Clipboard().Content()
	if copied != home.invite() {
		t.Fatalf("clipboard holds %q", copied)
	}
	if _, err := bob.eng.AcceptInvite(copied); err != nil {
		t.Fatal(err)
	}
	bobAddr := bob.self()
	alice.waitFor("Bob accepted", func() bool {
		it := alice.ui.main.sidebar.item(bobAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
	if it := alice.ui.main.sidebar.item(bobAddr); it.c.Verified {
		t.Fatal("a copied in-person invite made its user verified")
	}
}
