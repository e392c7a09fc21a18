package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/crashtest"
)

// TestRekey re-encrypts a store in use: writes made while it runs are
// kept, the old key opens nothing afterwards, the new one everything.
func TestRekey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s, err := Open(dir, Options{Key: testKey(1), Create: true, GCInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := s.AppendMessage(msg("c", "before", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	const writes = 50
	errs := make(chan error, writes)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range writes {
			errs <- s.PutSetting(fmt.Sprintf("w%02d", i), []byte("during"))
		}
	}()
	committed := false
	if err := s.Rekey(testKey(2), func() error { committed = true; return nil }); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a write during Rekey: %v", err)
		}
	}
	if !committed {
		t.Fatal("commit was not called")
	}
	if err := s.PutSetting("after", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{Key: testKey(1), GCInterval: -1}); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("old key after Rekey: %v, want ErrWrongKey", err)
	}
	r, err := Open(dir, Options{Key: testKey(2), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.GetMessage("c", m.ID); err != nil || got.Body != "before" {
		t.Fatalf("message after Rekey: %+v, %v", got, err)
	}
	for i := range writes {
		if v, err := r.Setting(fmt.Sprintf("w%02d", i)); err != nil || string(v) != "during" {
			t.Fatalf("write %d made during Rekey: %q, %v", i, v, err)
		}
	}
	if v, err := r.Setting("after"); err != nil || string(v) != "x" {
		t.Fatalf("write after Rekey: %q, %v", v, err)
	}
	for _, leftover := range []string{dir + RekeySuffix, dir + OldSuffix} {
		if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left: %v", leftover, err)
		}
	}

	// A failed commit changes nothing.
	boom := errors.New("no header written")
	if err := r.Rekey(testKey(3), func() error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Rekey with a failing commit: %v", err)
	}
	if v, err := r.Setting("after"); err != nil || string(v) != "x" {
		t.Fatalf("after a failed Rekey: %q, %v", v, err)
	}
	if _, err := os.Stat(dir + RekeySuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("copy of a failed Rekey left: %v", err)
	}
}

// TestRekeyInterrupted takes what a crash leaves at each step of a Rekey
// (the disk as the commit is called, then with each later rename done by
// hand) and checks that FinishRekey (committed) or AbandonRekey (not)
// brings the database back whole, under exactly one of the two keys.
func TestRekeyInterrupted(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "db")
	s, err := Open(dir, Options{Key: testKey(1), Create: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, err := s.AppendMessage(msg("c", "kept", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	atCommit := filepath.Join(t.TempDir(), "at-commit")
	if err := s.Rekey(testKey(2), func() error { crashtest.CopyTree(t, root, atCommit); return nil }); err != nil {
		t.Fatal(err)
	}

	check := func(name string, dir string, key []byte) {
		t.Helper()
		other := testKey(1)
		if key[0] == 1 {
			other = testKey(2)
		}
		if _, err := Open(dir, Options{Key: other, GCInterval: -1}); !errors.Is(err, ErrWrongKey) {
			t.Fatalf("%s: the other key: %v, want ErrWrongKey", name, err)
		}
		r, err := Open(dir, Options{Key: key, GCInterval: -1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer r.Close()
		if got, err := r.GetMessage("c", m.ID); err != nil || got.Body != "kept" {
			t.Fatalf("%s: message %+v, %v", name, got, err)
		}
		for _, leftover := range []string{dir + RekeySuffix, dir + OldSuffix} {
			if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("%s: %s left", name, filepath.Base(leftover))
			}
		}
	}
	state := func(name string) string {
		d := filepath.Join(t.TempDir(), name)
		crashtest.CopyTree(t, atCommit, d)
		return filepath.Join(d, "db")
	}
	rename := func(from, to string) {
		t.Helper()
		if err := os.Rename(from, to); err != nil {
			t.Fatal(err)
		}
	}

	// Before the commit: the copy is unfinished business, undone.
	d := state("uncommitted")
	if err := AbandonRekey(d); err != nil {
		t.Fatal(err)
	}
	check("uncommitted", d, testKey(1))

	// Committed, nothing renamed yet.
	d = state("committed")
	if err := FinishRekey(d); err != nil {
		t.Fatal(err)
	}
	check("committed", d, testKey(2))

	// Committed, the old database moved aside.
	d = state("moved-aside")
	rename(d, d+OldSuffix)
	if err := FinishRekey(d); err != nil {
		t.Fatal(err)
	}
	check("moved aside", d, testKey(2))

	// Committed, the copy in place, the old one not yet removed.
	d = state("in-place")
	rename(d, d+OldSuffix)
	rename(d+RekeySuffix, d)
	if err := FinishRekey(d); err != nil {
		t.Fatal(err)
	}
	check("in place", d, testKey(2))
	// Run again on a finished one: nothing to do.
	if err := FinishRekey(d); err != nil {
		t.Fatal(err)
	}
	check("finished twice", d, testKey(2))
}

// TestCloseWipesKey: Close leaves the store's copy of its key as zeros,
// also after Rekey replaced it.
func TestCloseWipesKey(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Key: testKey(1), Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Rekey(testKey(2), func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	key := s.key
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(key, make([]byte, KeySize)) {
		t.Fatalf("the key is still in memory after Close: %x", key)
	}
}
