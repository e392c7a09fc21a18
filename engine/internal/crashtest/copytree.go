package crashtest

import (
	"os"
	"path/filepath"
	"testing"
)

// CopyTree copies the folder src, and the folders in it, to dst: what a
// crash at that moment leaves on disk, when every write made to src was
// synced. Folders are made 0700 and files 0600.
func CopyTree(t testing.TB, src, dst string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		s, d := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if e.IsDir() {
			CopyTree(t, s, d)
			continue
		}
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(d, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
