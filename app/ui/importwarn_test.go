package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestImportWarnsOfCopy: after an import the app says to use the profile
// on one computer only, and, when it is a copy of the open profile, says
// that too.
func TestImportWarnsOfCopy(t *testing.T) {
	h := newProfile(t, "Traveller", "traveller password")
	path := filepath.Join(t.TempDir(), "backup"+exportExt)
	if err := h.eng.ExportProfile(path, "export password"); err != nil {
		t.Fatal(err)
	}
	h.ui.showImportPasswords(path)
	entries := h.topEntries()
	if len(entries) != 3 {
		t.Fatalf("the import dialog has %d entries, want 3", len(entries))
	}
	test.Type(entries[0], "export password")
	test.Type(entries[1], "a new password for it")
	test.Type(entries[2], "a new password for it")
	h.tap("Import")
	h.waitFor("the import's warning", func() bool { return h.hasText("one computer only") })
	if !h.hasText("a copy of the profile that is open now") {
		t.Error("the warning does not say the import is a copy of the open profile")
	}
}
