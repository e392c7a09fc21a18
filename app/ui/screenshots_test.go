package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// TestPasswordScreenshots renders the password states into the folder
// named by NOOK_SCREENSHOTS (docs/screenshots for the docs): Settings with
// and without a password, Lock and the lock screen without one, the
// Remove password dialog and its confirmation, and Delete this profile
// without a password. Without the variable it is skipped.
func TestPasswordScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	shoot := func(h *harness, name string) { h.t.Helper(); h.shoot(dir, name) }
	dark := func(h *harness) {
		h.setTheme("dark")
		h.win.Resize(fyne.NewSize(1000, 680))
	}
	privacy := func(h *harness) {
		h.openSettings()
		h.ui.settings.tabs.SelectIndex(1)
	}

	h := newProfile(t, "Maya", "maya password")
	dark(h)
	privacy(h)
	shoot(h, "password-set.png")
	test.Tap(h.button("Remove password…"))
	test.Type(h.topEntries()[0], "maya password")
	shoot(h, "password-remove.png")
	h.tap("Remove password")
	shoot(h, "password-remove-confirm.png")

	h = newProfile(t, "Maya", "")
	dark(h)
	privacy(h)
	shoot(h, "password-none.png")
	h.ui.settings.tabs.SelectIndex(0)
	test.Tap(h.button("Delete this profile…"))
	shoot(h, "delete-no-password.png")
	h.ui.closeDialogs()
	h.ui.appShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	shoot(h, "lock-no-password.png")
	h.tap("Lock anyway")
	h.waitFor("the lock screen", func() bool { return h.ui.unlock != nil && h.button("Open") != nil })
	shoot(h, "unlock-no-password.png")

	// Beside a profile with a password.
	h.tap("Create another profile")
	test.Type(h.ui.create.name, "Jonas")
	test.Type(h.ui.create.password, "jonas password")
	test.Type(h.ui.create.confirm, "jonas password")
	h.tap("Create profile")
	h.waitFor("the main window", func() bool { return h.ui.main != nil })
	h.ui.lockNow()
	h.waitFor("the lock screen", func() bool { return h.ui.unlock != nil && h.button("Unlock") != nil })
	shoot(h, "unlock-mixed.png")
}

// screenshotDir returns the folder named by NOOK_SCREENSHOTS, and skips
// the test when the variable is not set.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NOOK_SCREENSHOTS")
	if dir == "" {
		t.Skip("set NOOK_SCREENSHOTS to a folder to write the screenshots")
	}
	return dir
}

// shoot writes the window, settled, as the PNG file name in dir.
func (h *harness) shoot(dir, name string) {
	h.t.Helper()
	h.settle()
	// The test canvas does not lay containers out again when what they
	// hold grew, as the desktop driver does before each frame: without
	// this the lock screen's form, filled in once the profiles were read,
	// was drawn over the links below it.
	relayout(h.win.Content())
	if o := h.win.Canvas().Overlays().Top(); o != nil {
		relayout(o)
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, h.win.Canvas().Capture()); err != nil {
		h.t.Fatal(err)
	}
}

// relayout lays out o and everything in it again, innermost first, as
// the desktop driver does when a minimum size changed.
func relayout(o fyne.CanvasObject) {
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			relayout(c)
		}
		x.Refresh()
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		for _, c := range r.Objects() {
			relayout(c)
		}
		r.Layout(x.Size())
		x.Refresh()
	}
}
