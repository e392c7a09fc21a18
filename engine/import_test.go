package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestImportWarnsOfSecondCopy: every import says that the profile may still
// run where it was exported from, and that two running copies must not
// be: they share one address and reuse group sequence numbers. Importing
// the very profile that is open says so too.
func TestImportWarnsOfSecondCopy(t *testing.T) {
	dir := t.TempDir()
	e := newTestEngine(t, dir, loopback.New(loopback.NewMemoryDirectory()))
	e.createProfile("Traveller", "pw")
	exp := filepath.Join(t.TempDir(), "backup.nook")
	if err := e.ExportProfile(exp, "export pw"); err != nil {
		t.Fatal(err)
	}
	res, err := e.ImportProfile(exp, "export pw", "copy pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Warning, "one computer") || !strings.Contains(res.Warning, "group") {
		t.Fatalf("import warning: %q", res.Warning)
	}
	if !res.SameAsOpen {
		t.Fatal("importing the open profile's own export is not reported as such")
	}
	// Elsewhere (no profile open), the warning stands alone.
	other := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	res2, err := other.ImportProfile(exp, "export pw", "new pw")
	if err != nil {
		t.Fatal(err)
	}
	if res2.Warning == "" || res2.SameAsOpen {
		t.Fatalf("import on another computer: warning %q, same as open %v", res2.Warning, res2.SameAsOpen)
	}
	if _, err := other.Unlock(context.Background(), res2.ID, "new pw"); err != nil {
		t.Fatal(err)
	}
}
