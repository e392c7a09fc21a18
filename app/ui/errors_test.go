package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// damage changes one letter in the middle of an invite (its checksum no
// longer matches).
func damage(inv string) string {
	i := len(inv) / 2
	c := byte('A')
	if inv[i] == 'A' {
		c = 'B'
	}
	return inv[:i] + string(c) + inv[i+1:]
}

// TestInviteErrorIsOneSentence: a damaged invite is explained in plain
// words once, without the error's internals ("invite checksum does not
// match"), which are there behind Details.
func TestInviteErrorIsOneSentence(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	inv := h.invite()
	h.ui.main.showAddContact()
	a := h.ui.main.add
	a.text.SetText(damage(inv))
	h.tap("Add from invite")
	h.waitFor("the error", func() bool { return a.errLabel.Visible() })
	msg := a.errLabel.Text
	if strings.Contains(strings.ToLower(msg), "checksum") || strings.Contains(msg, "(") {
		t.Errorf("the error shows internals: %q", msg)
	}
	if !strings.Contains(msg, "mistyped or damaged") || strings.Count(msg, "invite") > 1 {
		t.Errorf("the error does not say it once, plainly: %q", msg)
	}
	if a.details.text.Visible() {
		t.Error("the details are shown before they are asked for")
	}
	test.Tap(a.details.toggle)
	if !a.details.text.Visible() || !strings.Contains(a.details.text.Text, "checksum does not match") {
		t.Errorf("Details shows %q", a.details.text.Text)
	}
	// A new attempt clears both.
	a.text.SetText("")
	h.tap("Add from invite")
	if a.details.root.Visible() {
		t.Error("the details of the last error stay under a new one")
	}
}

// TestAddServerErrorInView: the error of Add server is scrolled into view
// (it was below the end of the tab) and says it plainly.
func TestAddServerErrorInView(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	h.win.Resize(fyne.NewSize(800, 600))
	h.openSettings()
	st := h.ui.settings.servers
	h.ui.settings.tabs.SelectIndex(4)
	h.settle()
	st.add.SetText(damage(h.invite()))
	h.tap("Add server")
	h.waitFor("the error", func() bool { return st.errLabel.Visible() })
	h.settle()
	scroll := st.root.(*container.Scroll)
	top := st.errLabel.Position().Y - scroll.Offset.Y
	if top < 0 || top+st.errLabel.Size().Height > scroll.Size().Height {
		t.Errorf("the error is at %v in a view %v high (scrolled %v)", top, scroll.Size().Height, scroll.Offset.Y)
	}
	if strings.Contains(strings.ToLower(st.errLabel.Text), "checksum") {
		t.Errorf("the error shows internals: %q", st.errLabel.Text)
	}
}

// labelledFields reports whether every field of the top dialog has a
// label before it (and after the field before it).
func (h *harness) labelledFields() bool {
	h.t.Helper()
	labelled, ok, fields := false, true, 0
	visitVisible(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		switch o.(type) {
		case *widget.Label:
			labelled = true
			return false
		case *field:
			fields++
			ok = ok && labelled
			labelled = false
			return false
		}
		return true
	})
	if fields < 2 {
		h.t.Fatalf("%d fields in the dialog", fields)
	}
	return ok
}

// TestPasswordFieldsLabelled: each password field of Change password,
// Set a password, Export and Import has a label, the second "new
// password" field too.
func TestPasswordFieldsLabelled(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	test.Tap(h.settingsButton("Change password…"))
	if !h.labelledFields() {
		t.Error("Change password has a field without a label")
	}
	h.ui.closeTopDialog()
	h.ui.showExport()
	if !h.labelledFields() {
		t.Error("Export has a field without a label")
	}
	h.ui.closeDialogs()
	h.ui.showImportPasswords("/nonexistent.nook")
	if !h.labelledFields() {
		t.Error("Import has a field without a label")
	}
}
