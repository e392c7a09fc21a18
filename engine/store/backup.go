package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Backup writes a consistent snapshot of the whole database to w, in
// plaintext: the caller encrypts it (see package profile's export).
func (s *Store) Backup(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.db.Backup(w, 0); err != nil {
		return fmt.Errorf("back up database: %w", mapErr(err))
	}
	return nil
}

// ErrNotEmpty is returned by Restore when dir already holds a database.
var ErrNotEmpty = errors.New("directory already holds a database")

// Restore creates a new database in dir under opts.Key from a backup made by
// Backup, checks its schema (ErrNewerSchema), migrates it, and closes it. On
// error the caller should remove dir. Errors from r are returned as they are
// (wrapped), so that a decrypting reader's sentinel errors survive.
func Restore(dir string, opts Options, r io.Reader) error {
	if exists(dir) {
		return ErrNotEmpty
	}
	opts.Create = true
	s, err := openRaw(dir, opts)
	if err != nil {
		return err
	}
	rr := &errReader{r: &frameChecker{r: r}}
	err = s.db.Load(rr, 16)
	switch {
	case rr.err != nil:
		err = fmt.Errorf("restore database: %w", rr.err)
	case err != nil:
		err = fmt.Errorf("%w: restore database: backup stream is malformed", ErrCorrupt)
	default:
		err = prepareSchema(s.db, migrations, false)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// errReader remembers the first error other than io.EOF that r returned,
// because Badger's Load flattens errors into text.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// maxFrame bounds one frame of a backup stream (a length-prefixed list of
// key-value pairs; Badger writes frames of a few megabytes at most), so that a
// damaged length cannot make Load allocate without bound.
const maxFrame = 256 << 20

// frameChecker passes a backup stream through and fails, before Load sees
// it, a frame length above maxFrame.
type frameChecker struct {
	r    io.Reader
	hdr  [8]byte
	nhdr int    // bytes of the current length header seen
	left uint64 // bytes of the current frame still to pass
}

func (f *frameChecker) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	for i := 0; i < n; {
		if f.left > 0 {
			skip := min(f.left, uint64(n-i))
			f.left -= skip
			i += int(skip)
			continue
		}
		f.hdr[f.nhdr] = p[i]
		f.nhdr++
		i++
		if f.nhdr == len(f.hdr) {
			f.nhdr = 0
			f.left = binary.LittleEndian.Uint64(f.hdr[:])
			if f.left > maxFrame {
				return 0, fmt.Errorf("%w: backup frame too large", ErrCorrupt)
			}
		}
	}
	return n, err
}
