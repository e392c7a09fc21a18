package ui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestEditUI: Alice edits her message from its bubble's menu: the
// composer takes its text ("Editing your message" above it), Escape gives
// the entry back empty, a second Edit and Enter replace the text. Bob sees
// the new text marked edited, and the reply he wrote before shows the new
// text it quotes, on both screens; Bob's bubble of her message offers no
// Edit, and the edit notifies nobody. With NOOK_SCREENSHOTS set, Alice's
// composer while editing is written as edit.png and Bob's conversation
// after the edit as edited.png.
func TestEditUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	aliceAddr, bobAddr := alice.self(), bob.self()
	ac := alice.open(bobAddr)
	bc := bob.open(aliceAddr)

	test.Type(ac.entry, "See you at the station at noom")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("the message on Bob's screen", func() bool { return len(bc.msgs()) == 1 })
	id := bc.msgs()[0].ID
	bc.setReply(id.String())
	test.Type(bc.entry, "I'll be there")
	bc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Bob's reply on his screen", func() bool { return len(bc.msgs()) == 2 })
	reply := bc.msgs()[1].ID
	alice.waitFor("Bob's reply on Alice's screen", func() bool { return alice.bubbleOf(reply) != nil })
	bob.ui.focused = false // a notification would show
	notices := len(bob.notices)

	if bb := bob.bubbleOf(id); bb == nil || bb.Message().Editable {
		t.Fatal("Bob's bubble of Alice's message offers Edit")
	}
	ab := alice.bubbleOf(id)
	if ab == nil || ab.OnEdit == nil || !ab.Message().Editable {
		t.Fatal("Alice's bubble offers no Edit")
	}
	ab.OnEdit(ab.Message())
	if ac.entry.Text != "See you at the station at noom" || !ac.quoteBar.Visible() || ac.quoteTxt.Text != "Editing your message" {
		t.Fatalf("editing: entry %q, bar %v %q", ac.entry.Text, ac.quoteBar.Visible(), ac.quoteTxt.Text)
	}
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if ac.entry.Text != "" || ac.quoteBar.Visible() || !ac.editing.IsZero() {
		t.Fatalf("after Escape: entry %q, bar %v", ac.entry.Text, ac.quoteBar.Visible())
	}

	ab.OnEdit(ab.Message())
	ac.entry.SetText("See you at the station at noon")
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		alice.win.Resize(fyne.NewSize(820, 560))
		alice.shoot(dir, "edit.png")
	}
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if ac.entry.Text != "" || ac.quoteBar.Visible() {
		t.Fatalf("after sending the edit: entry %q, bar %v", ac.entry.Text, ac.quoteBar.Visible())
	}
	for _, h := range []*harness{alice, bob} {
		h.waitFor("the new text marked edited", func() bool {
			b := h.bubbleOf(id)
			return b != nil && b.Message().Body == "See you at the station at noon" && b.Message().Edited
		})
		h.waitFor("the reply quoting the new text", func() bool {
			b := h.bubbleOf(reply)
			return b != nil && b.Message().Quote != nil && b.Message().Quote.Text == "See you at the station at noon"
		})
	}
	if len(bc.msgs()) != 2 {
		t.Fatalf("Bob's conversation holds %d messages after the edit, want 2", len(bc.msgs()))
	}
	if len(bob.notices) != notices {
		t.Fatalf("the edit notified Bob: %v", bob.notices[notices:])
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		bob.win.Resize(fyne.NewSize(820, 560))
		bob.shoot(dir, "edited.png")
	}
}
