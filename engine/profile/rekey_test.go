package profile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

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
