package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// topButtons returns the visible buttons of the top dialog, in order.
func (h *harness) topButtons() []*widget.Button {
	h.t.Helper()
	var out []*widget.Button
	visitVisible(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		if b := asButton(o); b != nil {
			out = append(out, b)
			return false
		}
		return true
	})
	return out
}

// checkButtons checks the one pattern of the app's dialogs: they end with
// Cancel and then the action, neither with an icon, the action in the
// danger colour when it destroys something.
func (h *harness) checkButtons(dialog, action string, destructive bool) {
	h.t.Helper()
	bs := h.topButtons()
	if len(bs) < 2 {
		h.t.Errorf("%s: %d buttons", dialog, len(bs))
		return
	}
	cancel, act := bs[len(bs)-2], bs[len(bs)-1]
	if cancel.Text != "Cancel" || act.Text != action {
		h.t.Errorf("%s: the buttons end with %q, %q; want Cancel, %q", dialog, cancel.Text, act.Text, action)
	}
	for _, b := range []*widget.Button{cancel, act} {
		if b.Icon != nil {
			h.t.Errorf("%s: %q has an icon (%s)", dialog, b.Text, b.Icon.Name())
		}
	}
	want := widget.HighImportance
	if destructive {
		want = widget.DangerImportance
	}
	if act.Importance != want {
		h.t.Errorf("%s: %q has importance %v, want %v", dialog, act.Text, act.Importance, want)
	}
	h.ui.closeDialogs()
}

// TestDialogButtons: every dialog that asks before doing something has
// the same buttons (there were three patterns: Fyne's confirmations put
// a ✓ on Block and Delete, and No before Yes).
func TestDialogButtons(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	cp := h.ui.main.chat

	cp.confirmBlock()
	h.checkButtons("Block", "Block", true)
	cp.confirmDelete()
	h.checkButtons("Delete contact", "Delete", true)
	cp.showRename()
	h.checkButtons("Rename", "Save", false)
	cp.showDisappear()
	h.checkButtons("Disappearing messages", "Save", false)
	test.Tap(h.settingsButton("Change password…"))
	h.checkButtons("Change password", "Change password", false)
	h.ui.showExport()
	h.checkButtons("Export", "Choose where to save…", false)
}

// TestAddedSaysTheDay: Contact details says on which day the contact was
// added ("Added 14:05." left it out).
func TestAddedSaysTheDay(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	h.ui.main.chat.showInfo()
	if !h.hasText("Added today at ") {
		t.Error("Contact details do not say on which day the contact was added")
	}
}
