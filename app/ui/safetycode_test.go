package ui

import (
	"context"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
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
		it := bob.item(aliceAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
	bob.open(aliceAddr)
	cp := bob.ui.main.chat
	if cp.verified.Visible() {
		t.Fatal("Bob's Nook shows Alice verified after he merely used an invite")
	}
	cp.showInfo()
	if !bob.hasText("Not verified") {
		t.Fatal("the contact details do not say Alice is not verified")
	}
	code, err := alice.eng.SafetyCode(model.ConversationID(bobAddr))
	if err != nil {
		t.Fatal(err)
	}
	cp.showSafetyCode()
	bob.waitFor("the safety code", func() bool { return bob.hasText("nobody in between") })
	for _, line := range strings.Split(safetyCodeLines(code), "\n") {
		if !bob.hasText(line) {
			t.Fatalf("the safety-code view does not show %q (Alice's code is %q)", line, code)
		}
	}
	if !bob.hasText("nobody in between") {
		t.Fatal("the view does not say what matching digits mean")
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		bob.win.Resize(fyne.NewSize(900, 640))
		bob.shoot(dir, "verification.png")
	}
	bob.tap("Mark as verified")
	bob.waitFor("the Verified badge", func() bool { return cp.verified.Visible() })
	c, err := bob.eng.Contact(model.ConversationID(aliceAddr))
	if err != nil || c.Verification != model.VerifiedSafetyCode {
		t.Fatalf("after Mark as verified: %v, %v", c.Verification, err)
	}
	cp.showSafetyCode()
	bob.waitFor("the safety code", func() bool { return bob.button("Remove verification") != nil })
	bob.tap("Remove verification")
	bob.waitFor("the badge to go", func() bool { return !cp.verified.Visible() })

	alice.waitFor("Bob verified in person on Alice's side", func() bool {
		it := alice.item(bobAddr)
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
	alice.waitFor("the copied caption", func() bool { return home.qr.Caption == captionShared() })
	copied := alice.ui.app.Clipboard().Content()
	if copied != home.invite() {
		t.Fatalf("clipboard holds %q", copied)
	}
	if _, err := bob.eng.AcceptInvite(copied); err != nil {
		t.Fatal(err)
	}
	bobAddr := bob.self()
	alice.waitFor("Bob accepted", func() bool {
		it := alice.item(bobAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
	if it := alice.item(bobAddr); it.c.Verified {
		t.Fatal("a copied in-person invite made its user verified")
	}
}

// TestVerifiedRename (security review 2, M-B): Alice verifies Mallory in
// person; Mallory then renames himself "Bob". Alice's window must never
// show "Bob" beside the badge: the header, the list and the details keep
// "Mallory", verified, and the conversation says that he now calls
// himself "Bob".
func TestVerifiedRename(t *testing.T) {
	test.NewTempApp(t)
	net := newNet()
	alice := newHarness(t, newEngine(t, t.TempDir(), loopback.New(net)))
	alice.createProfile("Alice", "alice password")
	mallory := newEngine(t, t.TempDir(), loopback.New(net))
	if _, err := mallory.CreateProfile(context.Background(), "Mallory", "m"); err != nil {
		t.Fatal(err)
	}
	mAddr, _, _ := mallory.Self()
	text, err := alice.eng.MyInvite(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mallory.AcceptInvite(text); err != nil {
		t.Fatal(err)
	}
	alice.waitFor("Mallory verified in person", func() bool {
		it := alice.item(string(mAddr))
		return it != nil && it.c.Verification == model.VerifiedInPerson
	})
	alice.open(string(mAddr))
	cp := alice.ui.main.chat

	if err := mallory.SetDisplayName("Bob"); err != nil {
		t.Fatal(err)
	}
	if err := mallory.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := mallory.UnlockAny(context.Background(), "m"); err != nil {
		t.Fatal(err)
	}
	alice.waitFor("the new name to arrive", func() bool { return cp.contact().DisplayName == "Bob" })
	if !cp.verified.Visible() {
		t.Fatal("the badge went away")
	}
	if cp.name.Text != "Mallory" {
		t.Fatalf("the header shows %q beside the badge", cp.name.Text)
	}
	if it := alice.item(string(mAddr)); it.c.Name() != "Mallory" {
		t.Fatalf("the list shows %q", it.c.Name())
	}
	if !alice.hasText("Mallory now calls themselves “Bob”") {
		t.Fatal("the conversation does not say that Mallory renamed himself")
	}
	cp.showInfo()
	if !alice.hasText("You verified them as “Mallory”") {
		t.Fatal("the details do not say which name was verified")
	}
}

// TestEarlierVersionBadge (security review 2, L-A): a badge an earlier
// version gave on the inviter's side is explained honestly: that version
// let in-person invites be copied, so the details do not claim the invite
// was only shown on this screen, and ask to compare the safety code. The
// in-person caption says that a screenshot or a shared screen hands the
// invite over too.
func TestEarlierVersionBadge(t *testing.T) {
	c := model.Contact{Address: "5nhupqepbuv2wvz2xnhrr2jlor2hudybkynvd5c47yamnvegqmuqanqd", DisplayName: "Carol",
		VerifiedName: "Carol", Verified: true, Verification: model.VerifiedEarlierVersion}
	s := verificationText(c)
	if strings.Contains(s, "only ever shown on your screen") || !strings.Contains(s, "earlier version") ||
		!strings.Contains(s, "Compare the safety code") {
		t.Fatalf("the details say %q", s)
	}
	alice, _ := twoProfiles(t)
	home := alice.ui.main.home
	ordinary := home.invite()
	test.Tap(home.inPerson)
	alice.waitFor("an in-person invite", func() bool { return home.invite() != ordinary })
	if !alice.hasText("A screenshot or a shared screen hands it over too") {
		t.Fatal("the in-person caption does not warn about screenshots and screen sharing")
	}
}
