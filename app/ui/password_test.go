package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// newProfile starts a test app and one harness past create-profile, with
// the password given ("" ticks "Don't use a password").
func newProfile(t *testing.T, name, password string) *harness {
	t.Helper()
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	if password != "" {
		h.createProfile(name, password)
		return h
	}
	h.tap("Create your profile")
	s := h.ui.create
	test.Type(s.name, name)
	s.noPass.SetChecked(true)
	h.tap("Create profile without a password")
	h.waitFor("the main window", func() bool { return h.ui.main != nil })
	return h
}

// settingsButton opens Settings on the tab that shows the button
// labelled text, and returns the button.
func (h *harness) settingsButton(text string) *widget.Button {
	h.t.Helper()
	if h.ui.settings == nil {
		h.openSettings()
	}
	tabs := h.ui.settings.tabs
	for _, ti := range tabs.Items {
		tabs.Select(ti)
		if b := h.button(text); b != nil {
			return b
		}
	}
	h.t.Fatalf("no button %q in Settings", text)
	return nil
}

// topEntries returns the visible entries of the top dialog, in order.
func (h *harness) topEntries() []*field {
	h.t.Helper()
	overlays := h.win.Canvas().Overlays().List()
	if len(overlays) == 0 {
		h.t.Fatal("no dialog open")
	}
	var out []*field
	walk(overlays[len(overlays)-1], func(o fyne.CanvasObject) bool {
		if e, ok := o.(*field); ok {
			out = append(out, e)
			return false
		}
		_, isSelect := o.(*widget.Select)
		return isSelect
	})
	return out
}

// label returns a visible label containing s, or nil.
func (h *harness) label(s string) *widget.Label {
	c := h.win.Canvas()
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	var found *widget.Label
	for _, r := range roots {
		walk(r, func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, s) {
				found = l
			}
			return found != nil
		})
	}
	return found
}

// openedWithout reports whether the empty password opens a profile on
// h's computer (the engine is locked first, and the profile left locked).
func (h *harness) openedWithout() bool {
	h.t.Helper()
	if err := h.eng.Lock(); err != nil {
		h.t.Fatal(err)
	}
	_, err := h.eng.UnlockAny(context.Background(), "")
	if err != nil && !errors.Is(err, engine.ErrWrongPassword) {
		h.t.Fatal(err)
	}
	if err == nil {
		h.eng.Lock()
	}
	return err == nil
}

// TestChangePasswordRefusesEmpty: Change password with the new fields
// left empty is an error, and the profile keeps its password.
func TestChangePasswordRefusesEmpty(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	test.Tap(h.settingsButton("Change password…"))
	e := h.topEntries()
	if len(e) != 3 {
		t.Fatalf("the Change password dialog has %d fields, want 3", len(e))
	}
	test.Type(e[0], "maya password")
	h.tap("Change password")
	h.waitFor("the dialog's answer", func() bool {
		return h.hasText("Type a new password") || h.hasText("Password changed")
	})
	if !h.hasText("Type a new password, or use Remove password") {
		t.Error("empty new password fields are not refused")
	}
	if h.openedWithout() {
		t.Fatal("two empty fields removed the password")
	}
}

// TestRemovePassword: Remove password is its own action, shown only with
// a password, warns in the warning colour, needs the current password
// and a second confirmation, and says what state the profile is in.
func TestRemovePassword(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	remove := h.settingsButton("Remove password…")
	if !h.hasText("Password: set") {
		t.Error("Settings do not say that the profile has a password")
	}
	test.Tap(remove)
	warn := h.label("anyone using this computer can open this profile")
	if warn == nil || warn.Importance != widget.WarningImportance {
		t.Fatal("the Remove password dialog does not warn in the warning colour")
	}
	e := h.topEntries()
	if len(e) != 1 {
		t.Fatalf("the Remove password dialog has %d fields, want 1", len(e))
	}
	test.Type(e[0], "wrong")
	h.tap("Remove password")
	if h.button("Remove it") == nil {
		t.Fatal("no second confirmation")
	}
	h.tap("Remove it")
	h.waitFor("the wrong password refused", func() bool { return h.hasText("current password is not right") })
	if has, _ := h.eng.HasPassword(); !has {
		t.Fatal("a wrong password removed the password")
	}
	e[0].SetText("maya password")
	h.tap("Remove password")
	h.tap("Remove it")
	h.waitFor("the password removed", func() bool {
		return h.hasText("This profile now has no password — anyone using this computer can open it")
	})
	if has, err := h.eng.HasPassword(); err != nil || has {
		t.Fatalf("HasPassword = %v, %v after removal", has, err)
	}
	if l := h.label("Password: none"); l == nil || l.Importance != widget.WarningImportance {
		t.Error("Settings do not show, in the warning colour, that the profile has no password")
	}
	if h.button("Set a password…") == nil || h.button("Remove password…") != nil {
		t.Error("Settings do not offer Set a password… (and only that) without a password")
	}
}

// TestNoPasswordIsShown: without a password, Settings say so, automatic
// lock is off with the reason, Lock offers to set a password, the lock
// screen says so and opens with "Open", and Set a password asks for no
// current password.
func TestNoPasswordIsShown(t *testing.T) {
	h := newProfile(t, "Maya", "")
	test.Tap(h.settingsButton("Set a password…"))
	h.ui.closeTopDialog()
	if l := h.label("Password: none — anyone using this computer can open this profile"); l == nil ||
		l.Importance != widget.WarningImportance {
		t.Fatal("Settings do not say in the warning colour that the profile has no password")
	}
	if sd := h.ui.settings; sd.autoLock == nil || !sd.autoLock.Disabled() || !h.hasText("protects nothing") {
		t.Error("automatic lock can be set without a password, or does not say why not")
	}
	h.ui.settings.d.Hide()

	// Ctrl+L offers to set a password; Lock anyway locks.
	h.ui.appShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if h.ui.main == nil || h.button("Set a password…") == nil || h.button("Lock anyway") == nil {
		t.Fatal("Ctrl+L without a password does not say that locking protects nothing")
	}
	h.tap("Lock anyway")
	h.waitFor("the lock screen", func() bool { return h.ui.unlock != nil && h.button("Open") != nil })
	if !h.hasText("This profile has no password") || h.button("Unlock") != nil || h.ui.unlock.password.Visible() {
		t.Error("the lock screen asks for a password the profile does not have")
	}
	h.tap("Open")
	h.waitFor("the main window", func() bool { return h.ui.main != nil })

	// Set a password: no current password field.
	test.Tap(h.settingsButton("Set a password…"))
	e := h.topEntries()
	if len(e) != 2 {
		t.Fatalf("Set a password has %d fields, want 2 (new and confirmation)", len(e))
	}
	h.tap("Set password")
	if !h.hasText("Type a password") {
		t.Error("an empty password was not refused")
	}
	test.Type(e[0], "new password")
	test.Type(e[1], "new password")
	h.tap("Set password")
	h.waitFor("the password set", func() bool { return h.hasText("This profile now has a password") })
	if has, _ := h.eng.HasPassword(); !has {
		t.Fatal("no password after Set a password")
	}
	if h.label("Password: set") == nil || h.ui.settings.autoLock.Disabled() {
		t.Error("Settings still show no password, or automatic lock stays off")
	}
	h.ui.settings.d.Hide()
	h.ui.appShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	h.waitFor("the lock screen", func() bool { return h.ui.unlock != nil && h.button("Unlock") != nil })
	if h.button("Open") != nil {
		t.Error("the lock screen offers Open for a profile with a password")
	}
}

// TestDeleteProfileConfirm: deleting a profile without a password takes
// its name typed, one with a password takes the password (not an empty
// field); the dialog offers Export first; afterwards it says what was
// deleted.
func TestDeleteProfileConfirm(t *testing.T) {
	h := newProfile(t, "Maya", "")
	test.Tap(h.settingsButton("Delete this profile…"))
	h.tap("Delete for ever")
	h.waitFor("the dialog's answer", func() bool {
		return h.hasText("exactly as shown") || h.hasText("not this profile's password") || h.ui.main == nil
	})
	if infos, _ := h.eng.Profiles(); len(infos) != 1 {
		t.Fatal("an empty confirmation deleted a profile without a password")
	}
	if !h.hasText("Maya") {
		t.Error("the dialog does not ask for the profile's name")
	}
	if h.button("Export first…") == nil {
		t.Fatal("the delete dialog does not offer Export first")
	}
	test.Tap(h.button("Export first…"))
	if !h.hasText("Password for the backup") {
		t.Fatal("Export first does not open the export dialog")
	}
	h.ui.closeTopDialog()
	e := h.topEntries()
	if len(e) != 1 {
		t.Fatalf("the delete dialog has %d fields, want 1", len(e))
	}
	test.Type(e[0], "Mya")
	h.tap("Delete for ever")
	if infos, _ := h.eng.Profiles(); len(infos) != 1 {
		t.Fatal("a wrong name deleted the profile")
	}
	e[0].SetText("Maya")
	h.tap("Delete for ever")
	h.waitFor("the profile deleted", func() bool { return h.ui.main == nil })
	if infos, _ := h.eng.Profiles(); len(infos) != 0 {
		t.Fatal("the profile is still there")
	}
	if !h.hasText("Profile “Maya” and all its messages were deleted from this computer") {
		t.Error("nothing says what was deleted")
	}
}

// TestDeleteProfileWithPassword: with a password, an empty field is
// refused and the password deletes.
func TestDeleteProfileWithPassword(t *testing.T) {
	h := newProfile(t, "Jonas", "jonas password")
	test.Tap(h.settingsButton("Delete this profile…"))
	h.tap("Delete for ever")
	h.waitFor("the dialog's answer", func() bool {
		return h.hasText("Type this profile's password") || h.hasText("not this profile's password") || h.ui.main == nil
	})
	if infos, _ := h.eng.Profiles(); len(infos) != 1 || !h.hasText("Type this profile's password") {
		t.Fatal("an empty field was not refused")
	}
	e := h.topEntries()
	test.Type(e[0], "jonas password")
	h.tap("Delete for ever")
	h.waitFor("the profile deleted", func() bool { return h.ui.main == nil })
	if !h.hasText("Profile “Jonas” and all its messages were deleted from this computer") {
		t.Error("nothing says what was deleted")
	}
}

// TestUnlockScreenMixed: with one profile that has a password and one
// that has none, the lock screen asks for the password and offers a
// separate Open for the other; each opens its own profile.
func TestUnlockScreenMixed(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	h.ui.lockNow()
	h.waitFor("the lock screen", func() bool { return h.ui.unlock != nil && h.button("Unlock") != nil })
	if h.button("Open the profile without a password") != nil {
		t.Fatal("Open offered while every profile has a password")
	}
	h.tap("Create another profile")
	test.Type(h.ui.create.name, "Jonas")
	h.ui.create.noPass.SetChecked(true)
	h.tap("Create profile without a password")
	h.waitFor("Jonas's main window", func() bool { return h.ui.main != nil })
	h.ui.lockNow()
	h.tap("Lock anyway")
	h.waitFor("the lock screen", func() bool {
		return h.ui.unlock != nil && h.button("Open the profile without a password") != nil
	})
	if h.button("Unlock") == nil || !h.hasText("Another profile on this computer has no password") {
		t.Fatal("the lock screen does not ask for the password beside Open")
	}
	test.Type(h.ui.unlock.password, "maya password")
	h.tap("Unlock")
	h.waitFor("Maya's main window", func() bool { return h.ui.main != nil })
	if h.ui.main.name != "Maya" {
		t.Fatalf("the password opened %q", h.ui.main.name)
	}
	h.ui.lockNow()
	h.waitFor("the lock screen", func() bool {
		return h.ui.unlock != nil && h.button("Open the profile without a password") != nil
	})
	h.tap("Open the profile without a password")
	h.waitFor("Jonas's main window", func() bool { return h.ui.main != nil })
	if h.ui.main.name != "Jonas" {
		t.Fatalf("Open opened %q", h.ui.main.name)
	}
}

// TestImportNeedsPassword: importing a backup with the new password fields
// left empty is refused, not a profile anyone can open.
func TestImportNeedsPassword(t *testing.T) {
	h := newProfile(t, "Maya", "maya password")
	path := filepath.Join(t.TempDir(), "maya"+exportExt)
	if err := h.eng.ExportProfile(path, "backup password"); err != nil {
		t.Fatal(err)
	}
	h.ui.showImportPasswords(path)
	e := h.topEntries()
	if len(e) != 3 {
		t.Fatalf("the import dialog has %d fields, want 3", len(e))
	}
	test.Type(e[0], "backup password")
	h.tap("Import")
	h.waitFor("the dialog's answer", func() bool {
		return h.hasText("Choose a password") || h.hasText("imported") || h.hasText("could not be imported")
	})
	if infos, _ := h.eng.Profiles(); len(infos) != 1 {
		t.Fatalf("%d profiles after an import with no new password, want the one there was", len(infos))
	}
}
