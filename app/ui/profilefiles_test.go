package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestProfileFileError: an import or export that fails for want of disk
// space shows the *profile.SpaceError as it is, with the hint to make
// room; any other failure keeps its own hint.
func TestProfileFileError(t *testing.T) {
	space := &profile.SpaceError{Op: "import", Dir: "/data", Need: 300 << 20, Free: 100 << 20, Keep: 64 << 20}
	const failed, other, full = "The backup could not be imported", "Check the file.", "Free some space."
	for _, tc := range []struct {
		name      string
		err       error
		msg, hint string
	}{
		{"space", space, capitalise(space.Error()) + ".", full},
		{"wrapped space", fmt.Errorf("import: %w", space), capitalise(space.Error()) + ".", full},
		{"disk full", profile.ErrDiskFull, failed + ": " + profile.ErrDiskFull.Error(), full},
		{"other", errors.New("not a nook export"), failed + ": not a nook export", other},
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
