package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/internal/diskspace"
)

// RekeySuffix and OldSuffix name the directories a Rekey of dir works in:
// dir+RekeySuffix holds the copy under the new key until it replaces dir,
// which is renamed to dir+OldSuffix until the copy is in place. See
// Rekey for who finishes an interrupted one.
const (
	RekeySuffix = ".rekey"
	OldSuffix   = ".old"
)

// Rekey re-encrypts the database under key: it copies every record into a
// new database in dir+RekeySuffix whose data keys are fresh and wrapped
// under key, calls commit (the caller's durable decision to use key, e.g.
// a new profile header written next to the old one), and then replaces the
// database with the copy and reopens it. Other operations wait while it
// runs. Afterwards the old key opens nothing in dir: Badger's data keys
// are new, not the old ones re-wrapped.
//
// Rekey needs the database's size free on its disk, besides
// Options.MinFree, and returns ErrDiskFull without it. If commit fails,
// nothing changed. If the process dies after commit
// returned, FinishRekey(dir) completes the replacement; if it dies before,
// FinishRekey removes the unfinished copy. Either way the database opens
// with exactly one of the two keys. If a step after commit fails with an
// error, the store is closed and Rekey returns the error; FinishRekey at
// the next open completes the change.
func (s *Store) Rekey(key []byte, commit func() error) error {
	if len(key) != KeySize {
		return fmt.Errorf("%w: key must be %d bytes", ErrInvalid, KeySize)
	}
	// The GC loop takes mu to run: stop it first, start it again after.
	s.stopGC()
	defer s.startGC()
	s.mu.Lock()
	defer s.mu.Unlock()
	// The copy takes space the last measurement did not see.
	defer s.space.forget()
	if s.closed {
		return ErrClosed
	}
	tmp := s.dir + RekeySuffix
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("re-encrypt database: %w", err)
	}
	// The copy is written through memory-mapped files (see DefaultMinFree):
	// it needs the database's size, and the margin, free.
	if s.minFree > 0 {
		size, err := dirSize(s.dir)
		if err != nil {
			return fmt.Errorf("re-encrypt database: %w", err)
		}
		if free, ok := diskspace.Free(s.dir); ok && free < uint64(size+s.minFree) {
			return ErrDiskFull
		}
	}
	if err := s.copyTo(tmp, key); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := commit(); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	// Committed: from here on the copy is the database.
	err := s.db.Close()
	s.closed = true
	clear(s.key)
	if err == nil {
		err = FinishRekey(s.dir)
	}
	if err != nil {
		releaseDir(s.dir)
		return fmt.Errorf("re-encrypt database: %w", err)
	}
	s.key = append(s.key[:0], key...)
	db, err := badger.Open(badgerOptions(s.dir, s.key, s.opts))
	if err != nil {
		releaseDir(s.dir)
		clear(s.key)
		return fmt.Errorf("re-encrypt database: reopen: %w", mapErr(err))
	}
	s.db, s.closed = db, false
	return nil
}

// copyTo writes every record into a new database in dir under key, synced.
func (s *Store) copyTo(dir string, key []byte) error {
	opts := s.opts
	opts.Key, opts.Create, opts.NoSync = key, true, false
	k := append([]byte(nil), key...)
	defer clear(k)
	db, err := badger.Open(badgerOptions(dir, k, opts))
	if err != nil {
		return fmt.Errorf("re-encrypt database: %w", err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.db.Backup(pw, 0)
		pw.CloseWithError(err)
		done <- err
	}()
	err = db.Load(pr, 16)
	pr.CloseWithError(errors.New("load ended"))
	if berr := <-done; err == nil {
		err = berr
	}
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("re-encrypt database: %w", err)
	}
	return nil
}

// FinishRekey completes or undoes an interrupted Rekey of the database in
// dir, deciding by whether dir+RekeySuffix is complete, which the caller
// knows (its commit ran): with committed, the copy replaces dir (if it has
// not yet) and the old database is removed; without, the unfinished copy
// is removed. Every step can run again.
func FinishRekey(dir string) error { return finishRekey(dir, true) }

// AbandonRekey removes what an uncommitted, interrupted Rekey of dir left.
func AbandonRekey(dir string) error { return finishRekey(dir, false) }

func finishRekey(dir string, committed bool) error {
	tmp, old := dir+RekeySuffix, dir+OldSuffix
	if committed && exists(tmp) {
		if isDir(dir) {
			if err := os.RemoveAll(old); err != nil {
				return err
			}
			if err := os.Rename(dir, old); err != nil {
				return err
			}
		}
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
	if !committed {
		if err := os.RemoveAll(tmp); err != nil {
			return err
		}
	}
	if isDir(dir) {
		return os.RemoveAll(old)
	}
	return nil
}

// dirSize is the total size of the files in dir.
func dirSize(dir string) (int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n, nil
}

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// syncDir flushes dir's entries (new and renamed files) to the disk.
// Windows cannot sync a folder and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
