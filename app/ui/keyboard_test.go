package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/widgets"
)

// press delivers a key as the desktop driver does (Fyne's
// internal/driver/glfw keyPressed): Tab and Shift+Tab move the focus
// unless the focused widget accepts Tab; every other key goes to the
// focused widget, or to the window when nothing has the focus.
func (h *harness) press(k fyne.KeyName, shift bool) {
	h.t.Helper()
	c := h.win.Canvas()
	focused := c.Focused()
	if k == fyne.KeyTab {
		if t, ok := focused.(fyne.Tabbable); !ok || !t.AcceptsTab() {
			if shift {
				c.FocusPrevious()
			} else {
				c.FocusNext()
			}
			return
		}
	}
	ev := &fyne.KeyEvent{Name: k}
	switch {
	case focused != nil:
		focused.TypedKey(ev)
	case c.OnTypedKey() != nil:
		c.OnTypedKey()(ev)
	}
}

// withContact is a profile with one contact, Pat, whose conversation is
// open.
func withContact(t *testing.T) (*harness, string) {
	t.Helper()
	h := newProfile(t, "Jo", "pw for jo")
	pat := string(randomAddress(t))
	if _, err := h.eng.AddContact(pat, "Pat"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the contact", func() bool { return h.item(pat) != nil })
	return h, pat
}

// TestTabLeavesComposer: Tab and Shift+Tab move the focus out of the
// message field and the invite box instead of typing a tab character.
func TestTabLeavesComposer(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	e := h.ui.main.chat.entry
	c := h.win.Canvas()
	if c.Focused() != e {
		t.Fatal("the message field is not focused when the conversation opens")
	}
	test.Type(e, "hello")
	h.press(fyne.KeyTab, false)
	if e.Text != "hello" {
		t.Fatalf("Tab typed into the message field: %q", e.Text)
	}
	if c.Focused() == e {
		t.Fatal("Tab left the focus in the message field")
	}
	h.press(fyne.KeyTab, true)
	if c.Focused() != e {
		t.Fatalf("Shift+Tab did not come back to the message field (focus on %T)", c.Focused())
	}
	h.press(fyne.KeyTab, true)
	if c.Focused() == e || e.Text != "hello" {
		t.Fatalf("Shift+Tab did not leave the message field (text %q)", e.Text)
	}

	h.ui.main.showAddContact()
	box := h.ui.main.add.text
	if c.Focused() != box {
		t.Fatal("the invite box is not focused when Add a contact opens")
	}
	test.Type(box, "NOOK")
	h.press(fyne.KeyTab, false)
	if box.Text != "NOOK" || c.Focused() == box {
		t.Fatalf("Tab in the invite box: text %q, focus still there: %v", box.Text, c.Focused() == box)
	}
	if c.Focused() != h.button("Add from invite") {
		t.Fatalf("Tab from the invite box went to %T, not to Add from invite", c.Focused())
	}
}

// TestEscapeClosesDialogs: Escape closes the top dialog while one of its
// fields has the focus (Fyne's entries swallow the key).
func TestEscapeClosesDialogs(t *testing.T) {
	h, pat := withContact(t)
	c := h.win.Canvas()

	h.ui.main.showAddContact()
	test.Type(h.ui.main.add.text, "half an invite")
	h.press(fyne.KeyEscape, false)
	if h.ui.main.add != nil {
		t.Fatal("Escape in the invite box did not close Add a contact")
	}

	test.Tap(h.settingsButton("Change password…"))
	e := h.topEntries()
	c.Focus(e[1])
	h.press(fyne.KeyEscape, false) // Change password
	h.press(fyne.KeyEscape, false) // Settings
	if n := len(h.ui.dialogs); n != 0 {
		t.Fatalf("%d dialogs open after Escape twice", n)
	}

	// On a dialog's buttons too (Fyne's buttons swallow Escape).
	h.open(pat)
	h.ui.main.chat.confirmBlock()
	c.FocusNext() // Cancel
	if _, ok := c.Focused().(*formButton); !ok {
		t.Fatalf("Tab in Block went to %T", c.Focused())
	}
	h.press(fyne.KeyEscape, false)
	c.Focus(nil)
	test.Tap(h.settingsButton("Change password…"))
	c.Focus(h.button("Cancel"))
	h.press(fyne.KeyEscape, false) // Change password, from its Cancel
	h.press(fyne.KeyEscape, false) // Settings
	if n := len(h.ui.dialogs); n != 0 {
		t.Fatalf("%d dialogs open after Escape on their buttons", n)
	}

	// In the search field, Escape goes to the window too.
	c.Focus(h.ui.main.sidebar.search)
	h.openSettings()
	c.Focus(h.ui.main.sidebar.search)
	h.press(fyne.KeyEscape, false)
	if h.ui.settings != nil {
		t.Fatal("Escape in the search field did not close Settings")
	}
}

// TestEnterSubmitsForms: Enter in any field of a form does what the
// form's main button does.
func TestEnterSubmitsForms(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	c := h.win.Canvas()
	test.Tap(h.settingsButton("Change password…"))
	e := h.topEntries()
	test.Type(e[0], "maya password")
	test.Type(e[1], "a new long password")
	test.Type(e[2], "a new long password")
	c.Focus(e[1]) // Enter in the middle field, not only the last
	h.press(fyne.KeyReturn, false)
	h.waitFor("the password changed", func() bool { return h.hasText("Password changed") })

	// The Add contact dialog: Enter in the name field sends the request.
	h.ui.closeDialogs()
	h.ui.main.showAddContact()
	a := h.ui.main.add
	test.Type(a.onion, "not an address")
	c.Focus(a.nickname)
	test.Type(a.nickname, "Pat")
	h.press(fyne.KeyReturn, false)
	if !a.errLabel.Visible() {
		t.Fatal("Enter in the name field did not send the request (no error for a bad address)")
	}
}

// TestSearchEnterOpensFirstMatch: Enter in Search opens the first
// conversation that matches, with the focus in its message field.
func TestSearchEnterOpensFirstMatch(t *testing.T) {
	h, pat := withContact(t)
	other := string(randomAddress(t))
	if _, err := h.eng.AddContact(other, "Robin"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the second contact", func() bool { return h.item(other) != nil })
	s := h.ui.main.sidebar
	h.win.Canvas().Focus(s.search)
	test.Type(s.search, "pa")
	h.press(fyne.KeyReturn, false)
	if h.ui.main.chat == nil || string(h.ui.main.chat.conv) != pat {
		t.Fatal("Enter in Search did not open the matching conversation")
	}
	if h.win.Canvas().Focused() != h.ui.main.chat.entry {
		t.Fatal("the message field is not focused after Enter in Search")
	}
}

// TestComposerGrows: the message field grows with its text up to six
// lines, and shrinks again once the message is sent.
func TestComposerGrows(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	e := h.ui.main.chat.entry
	empty := e.Size().Height
	heights := []float32{}
	for i := 1; i <= 8; i++ {
		if i > 1 {
			e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShift})
		}
		test.Type(e, "line")
		heights = append(heights, e.Size().Height)
	}
	if heights[1] != empty {
		t.Errorf("two lines: height %v, want the empty field's %v", heights[1], empty)
	}
	for i := 2; i <= 5; i++ {
		if heights[i] <= heights[i-1] {
			t.Errorf("the field does not grow from %d to %d lines: heights %v", i, i+1, heights)
		}
	}
	if heights[7] != heights[5] {
		t.Errorf("the field grows past 6 lines: heights %v", heights)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if e.Text != "" || e.Size().Height != empty {
		t.Errorf("after sending: text %q, height %v (empty field %v)", e.Text, e.Size().Height, empty)
	}
}

// focusedRows returns the addresses of the contact rows on screen that
// show the focus ring.
func (h *harness) focusedRows() []string {
	var out []string
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		if r, ok := o.(*widgets.ContactRow); ok && r.Focused() {
			out = append(out, r.Contact().Address)
		}
		return false
	})
	return out
}

// TestListFocusRing: the contact list's row that has the keyboard focus
// shows a ring, which follows Up and Down and goes when the list loses the
// focus.
func TestListFocusRing(t *testing.T) {
	h, _ := withContact(t)
	other := string(randomAddress(t))
	if _, err := h.eng.AddContact(other, "Robin"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the second contact", func() bool { return h.item(other) != nil })
	s := h.ui.main.sidebar
	c := h.win.Canvas()
	if f := h.focusedRows(); len(f) != 0 {
		t.Fatalf("rows %v show focus before the list has it", f)
	}
	c.Focus(s.list)
	shown := h.ui.state.Shown()
	first, second := string(shown[0]), string(shown[1])
	if f := h.focusedRows(); len(f) != 1 || f[0] != first {
		t.Fatalf("focused rows %v, want the first, %s", f, first)
	}
	h.press(fyne.KeyDown, false)
	if f := h.focusedRows(); len(f) != 1 || f[0] != second {
		t.Fatalf("after Down: focused rows %v, want the second, %s", f, second)
	}
	h.press(fyne.KeySpace, false) // opens it; the focus goes to its message field
	if h.ui.main.chat == nil || string(h.ui.main.chat.conv) != second {
		t.Fatal("Space did not open the focused conversation")
	}
	if f := h.focusedRows(); len(f) != 0 {
		t.Errorf("rows %v still show focus after it went to the message field", f)
	}
}
