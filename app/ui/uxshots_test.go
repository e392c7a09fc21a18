package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
)

// TestReadingScreenshots renders what the keyboard and reading work
// changed into the folder named by NOOK_SCREENSHOTS (docs/screenshots for
// the docs): the lock button's tooltip, a plain invite error with its
// details, the one confirmation pattern, the focus ring of the contact
// list, a request at an 800 px window, a
// conversation at 512 px with its badges and disappearing messages, and
// the lock screen of a profile without a password in the light theme.
// Without the variable it is skipped.
func TestReadingScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	shoot := func(h *harness, name string) { h.t.Helper(); h.shoot(dir, name) }

	// Alice and Bob: Bob's request on Alice's side at 800 px.
	alice, bob := twoProfiles(t)
	alice.setTheme("light")
	request(t, alice, bob)
	alice.win.Resize(fyne.NewSize(800, 560))
	shoot(alice, "request-800.png")

	// A damaged invite: one sentence, details on request.
	alice.win.Resize(fyne.NewSize(800, 640))
	alice.ui.main.showAddContact()
	a := alice.ui.main.add
	a.text.SetText(damage(bob.invite()))
	alice.tap("Add from invite")
	alice.waitFor("the error", func() bool { return a.errLabel.Visible() })
	test.Tap(a.details.toggle)
	shoot(alice, "invite-error.png")
	alice.ui.closeDialogs()

	// A conversation at 512 px: presence, the timer, and messages that
	// will disappear.
	h := bob
	h.setTheme("dark")
	pat := randomAddress(t)
	if _, err := h.eng.AddContact(string(pat), "Pat"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the contact", func() bool { return h.item(string(pat)) != nil })
	if _, err := h.eng.SetConversationTimer(model.ConversationID(pat), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	h.open(string(pat))
	cp := h.ui.main.chat
	for _, text := range []string{"The draft is in the usual place.", "Delete this once you have read it."} {
		test.Type(cp.entry, text)
		cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	h.waitFor("the messages", func() bool { return len(cp.msgs()) == 2 })
	h.win.Resize(fyne.NewSize(512, 520))
	shoot(h, "narrow-chat.png")

	// The contact list with the keyboard focus: a ring on its row, and
	// the focused button of the conversation.
	h.win.Resize(fyne.NewSize(800, 560))
	h.win.Canvas().Focus(h.ui.main.sidebar.list)
	h.press(fyne.KeyDown, false)
	shoot(h, "list-focus.png")

	// The same confirmation everywhere: Cancel, then the action.
	cp.confirmBlock()
	shoot(h, "confirm-block.png")
	h.ui.closeDialogs()

	// The lock screen of a profile without a password, light theme (the
	// warning colour is 5.1:1 there now).
	n := newProfile(t, "Maya", "")
	n.setTheme("light")
	n.win.Resize(fyne.NewSize(800, 560))
	// The lock button's tooltip (the test driver finds the canvas of the
	// last window made, this one's).
	for _, b := range n.tooltipButtons() {
		if b.Tooltip == "Lock Nook now (Ctrl+L)" {
			b.MouseIn(&desktop.MouseEvent{})
		}
	}
	shoot(n, "lock-tooltip.png")
	n.ui.lockNow()
	n.tap("Lock anyway")
	n.waitFor("the lock screen", func() bool { return n.ui.unlock != nil && n.button("Open") != nil })
	shoot(n, "unlock-no-password-light.png")

}
