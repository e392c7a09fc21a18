package profile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nookchat/nook/engine/internal/crashtest"
	"github.com/nookchat/nook/engine/store"
)

// TestChangePasswordRekeys plays someone who kept a copy of the profile's
// header from before a password change and knows the old password: after
// the change, it opens nothing. The old header yields the old master key;
// the database is now a copy under a new master key (and, being a new
// Badger database, new data keys), so the old key fails, directly and
// through Unlock with the old header put back. The profile, in use during
// the change, goes on working, and opens with the new password.
func TestChangePasswordRekeys(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "old")
	m := fill(t, p)
	dir := p.Info().Dir
	oldHeader, err := os.ReadFile(filepath.Join(dir, headerFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ChangePassword("old", "new"); err != nil {
		t.Fatal(err)
	}
	// The open profile goes on working across the change.
	checkFilled(t, p, m)
	if err := p.Store().PutSetting("after", []byte("change")); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)

	h, err := parseHeader(oldHeader)
	if err != nil {
		t.Fatal(err)
	}
	oldMaster, err := h.open("old")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, dbDir)
	if st, err := store.Open(db, store.Options{Key: oldMaster, GCInterval: -1}); err == nil {
		st.Close()
		t.Fatal("the old header and the old password open the current database")
	}
	// The old header put back in place is refused too.
	newHeader, err := os.ReadFile(filepath.Join(dir, headerFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, headerFile), oldHeader, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Unlock(dir, "old", testOpts); err == nil || errors.Is(err, ErrWrongPassword) {
		t.Fatalf("Unlock with the old header and password: %v; want a header that does not belong", err)
	}
	if err := os.WriteFile(filepath.Join(dir, headerFile), newHeader, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err = Unlock(dir, "new", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	checkFilled(t, p, m)
	if v, err := p.Store().Setting("after"); err != nil || string(v) != "change" {
		t.Fatalf("setting written after the change: %q, %v", v, err)
	}
	for _, leftover := range []string{newHeaderFile, dbDir + store.RekeySuffix, dbDir + store.OldSuffix} {
		if _, err := os.Stat(filepath.Join(dir, leftover)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", leftover, err)
		}
	}
	closeP(t, p)
}

// TestCloseWipesKeys: Close (Lock) leaves the profile's master key and its
// identity's private key as zeros, also after a password change replaced
// the master key.
func TestCloseWipesKeys(t *testing.T) {
	p := create(t, t.TempDir(), "Alice", "old")
	if err := p.ChangePassword("old", "new"); err != nil {
		t.Fatal(err)
	}
	master, priv := p.master, p.id.PrivateKey()
	closeP(t, p)
	for name, b := range map[string][]byte{"master key": master, "identity key": priv} {
		for _, x := range b {
			if x != 0 {
				t.Fatalf("the %s is still in memory after Close", name)
			}
		}
	}
}

// TestUnlockFinishesPasswordChange builds, from a profile before and after
// a password change, what a crash leaves after each step of the change,
// and unlocks it: before the commit (the new header written) only the old
// password opens it, after it only the new one; either way every record
// is there and nothing of the change is left behind.
func TestUnlockFinishesPasswordChange(t *testing.T) {
	root := t.TempDir()
	p := create(t, root, "Alice", "old")
	m := fill(t, p)
	dir := p.Info().Dir
	closeP(t, p)
	before := filepath.Join(t.TempDir(), "before")
	crashtest.CopyTree(t, dir, before)
	p, err := Unlock(dir, "old", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ChangePassword("old", "new"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
	after := dir

	oldDB, newDB := filepath.Join(before, dbDir), filepath.Join(after, dbDir)
	oldHdr, newHdr := filepath.Join(before, headerFile), filepath.Join(after, headerFile)
	type part struct{ from, to string }
	states := []struct {
		name  string
		parts []part
		pw    string
	}{
		{"copy written", []part{{oldHdr, headerFile}, {oldDB, dbDir}, {newDB, dbDir + store.RekeySuffix}}, "old"},
		{"committed", []part{{oldHdr, headerFile}, {newHdr, newHeaderFile}, {oldDB, dbDir}, {newDB, dbDir + store.RekeySuffix}}, "new"},
		{"moved aside", []part{{oldHdr, headerFile}, {newHdr, newHeaderFile}, {oldDB, dbDir + store.OldSuffix}, {newDB, dbDir + store.RekeySuffix}}, "new"},
		{"in place", []part{{oldHdr, headerFile}, {newHdr, newHeaderFile}, {oldDB, dbDir + store.OldSuffix}, {newDB, dbDir}}, "new"},
		{"old removed", []part{{oldHdr, headerFile}, {newHdr, newHeaderFile}, {newDB, dbDir}}, "new"},
	}
	for _, st := range states {
		d := filepath.Join(t.TempDir(), st.name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, pt := range st.parts {
			if fi, err := os.Stat(pt.from); err == nil && fi.IsDir() {
				crashtest.CopyTree(t, pt.from, filepath.Join(d, pt.to))
				continue
			}
			b, err := os.ReadFile(pt.from)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, pt.to), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		other := "new"
		if st.pw == "new" {
			other = "old"
		}
		if _, err := Unlock(d, other, testOpts); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("%s: unlock with %q: %v, want ErrWrongPassword", st.name, other, err)
		}
		p, err := Unlock(d, st.pw, testOpts)
		if err != nil {
			t.Fatalf("%s: unlock with %q: %v", st.name, st.pw, err)
		}
		checkFilled(t, p, m)
		closeP(t, p)
		for _, leftover := range []string{newHeaderFile, dbDir + store.RekeySuffix, dbDir + store.OldSuffix} {
			if _, err := os.Stat(filepath.Join(d, leftover)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: %s left behind", st.name, leftover)
			}
		}
		if _, err := Unlock(d, other, testOpts); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("%s: after unlocking, %q: %v, want ErrWrongPassword", st.name, other, err)
		}
	}
}
