package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestProfileFileError: an import or export that fails for want of disk
// space says so with the hint to make room; any other failure says what
// did not happen and why, with Explain's hint or else its own. (The
// message of an import that needs more space than is free, the
// profile's SpaceError, is TestImportDiskFull's and engine.TestExplain's.)
func TestProfileFileError(t *testing.T) {
	const failed, other, full = "The backup could not be imported", "Check the file.", "Free some space."
	diskMsg, _ := engine.Explain(engine.ErrDiskFull)
	pwMsg, pwHint := engine.Explain(engine.ErrWrongPassword)
	for _, tc := range []struct {
		name      string
		err       error
		msg, hint string
	}{
		{"disk full", engine.ErrDiskFull, diskMsg, full},
		{"wrapped disk full", fmt.Errorf("import: %w", engine.ErrDiskFull), diskMsg, full},
		{"known", fmt.Errorf("import: %w", engine.ErrWrongPassword), failed + ". " + pwMsg, pwHint},
		{"other", errors.New("not a nook export"), failed + ". " + engine.Unexplained, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, hint := profileFileError(tc.err, failed, other, full)
			if msg != tc.msg || hint != tc.hint {
				t.Errorf("got %q, %q; want %q, %q", msg, hint, tc.msg, tc.hint)
			}
		})
	}
}

// TestImportDiskFull: importing a backup larger than the free space of
// the data folder's disk (a sparse file) fails before anything is
// written, and the import dialog says so and how to make room, not that
// the file may be broken.
func TestImportDiskFull(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	path := filepath.Join(t.TempDir(), "huge"+exportExt)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// The largest size the file system takes, far beyond its free space.
	sized := false
	for _, size := range []int64{1 << 62, 1 << 50, 1<<44 - 1<<20, 1 << 42} {
		if f.Truncate(size) == nil {
			sized = true
			break
		}
	}
	f.Close()
	if !sized {
		t.Skip("this file system takes no sparse file of 4 TiB")
	}

	h.ui.showImportPasswords(path)
	e := h.topEntries() // backup password, new password, confirmation
	test.Type(e[1], "new password")
	test.Type(e[2], "new password")
	h.tap("Import")
	h.waitFor("the import's error", func() bool { return h.hasText("Free some space") })
	if !h.hasText("Not enough free disk space to import the profile") {
		t.Error("the dialog does not show the space error as it is")
	}
	if h.hasText("Check that this is a Nook backup file") {
		t.Error("the dialog blames the backup file for a full disk")
	}
}
