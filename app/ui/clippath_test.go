package ui

import (
	"os"
	"path/filepath"
	"testing"
)

// TestClipboardPaths: a copied file (a path or a file:// URI as the
// clipboard's text, first line only) is taken by copiedFile when it is a
// regular file, and by pathFromClipboard only when it is also a picture.
func TestClipboardPaths(t *testing.T) {
	dir := t.TempDir()
	pic := filepath.Join(dir, "invite.PNG")
	doc := filepath.Join(dir, "notes.txt")
	for _, p := range []string{pic, doc} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		clip, file, image string
	}{
		{pic, pic, pic},
		{"  file://" + pic + "\nsecond line", pic, pic},
		{doc, doc, ""},
		{"file://" + doc, doc, ""},
		{dir, "", ""},
		{filepath.Join(dir, "gone.png"), "", ""},
		{"invite.PNG", "", ""},
		{"", "", ""},
	} {
		if got := copiedFile(tc.clip); got != tc.file {
			t.Errorf("copiedFile(%q) = %q, want %q", tc.clip, got, tc.file)
		}
		if got := pathFromClipboard(tc.clip); got != tc.image {
			t.Errorf("pathFromClipboard(%q) = %q, want %q", tc.clip, got, tc.image)
		}
	}
}
