package profile

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/nookchat/nook/engine/internal/diskspace"
	"github.com/nookchat/nook/engine/store"
)

// ErrDiskFull is returned, inside a *SpaceError, by Import, ImportFile and
// ExportFile when the disk they write to has too little free space, before
// they start or because it filled while they ran. What they wrote is
// removed. It is store.ErrDiskFull, so errors.Is(err, syscall.ENOSPC)
// holds too.
var ErrDiskFull = store.ErrDiskFull

// SpaceError is the error of an import or export that needs more free
// disk space than there is. Its message is written for the user and can
// be shown as it is. It unwraps to ErrDiskFull.
type SpaceError struct {
	Op   string // "import" or "export"
	Dir  string // a folder on the disk that is short of space
	Need int64  // bytes the operation needs free; 0 if that is not known
	Free int64  // bytes free when the space ran short
	// Keep is the free space Nook keeps on the disk of a profile
	// (store.DefaultMinFree; part of Need); 0 for another disk.
	Keep int64
}

func (e *SpaceError) Error() string {
	msg := "not enough free disk space to " + e.Op + " the profile: "
	switch {
	case e.Need > e.Free:
		return msg + fmt.Sprintf("it needs %d MiB free on the disk holding %s, and %d MiB are free",
			(e.Need+1<<20-1)>>20, e.Dir, e.Free>>20)
	case e.Keep > 0:
		return msg + fmt.Sprintf("the disk holding %s is full (%d MiB free, and Nook keeps %d MiB free on the disk of its profiles)",
			e.Dir, e.Free>>20, e.Keep>>20)
	}
	return msg + fmt.Sprintf("the disk holding %s is full", e.Dir)
}

// Unwrap returns ErrDiskFull.
func (e *SpaceError) Unwrap() error { return ErrDiskFull }

// importRoom is the free space beyond the restored database that Badger
// needs while it loads a backup: memtables and their logs, level-0 flushes
// and compactions. Measured on tmpfs, importing incompressible data took at
// its peak 8 MiB more than the final database for a 32 MiB export, 42 MiB
// more for 64 MiB, 52 for 100 MiB and 102 for 400 MiB; importNeed allows a
// quarter of the file plus importRoom.
const importRoom = 64 << 20

// importNeed is the free space an import of an export file of size bytes
// needs before it starts: the database (at most about the file's size:
// Badger compresses, an export does not), Badger's room to work while it
// loads, and store.DefaultMinFree left free afterwards, without which the
// imported profile could not store anything.
func importNeed(size int64) int64 {
	return size + size/4 + importRoom + store.DefaultMinFree
}

// checkEvery is how many bytes an import or export moves between two
// measurements of the free space.
const checkEvery = 1 << 20

// spaceCheck watches the free space of the disk holding dir while an
// import or export runs.
type spaceCheck struct {
	op   string
	dir  string
	need int64 // for the error; see SpaceError.Need
	keep int64 // the free space that must stay: store.DefaultMinFree or 0
	left int64 // bytes that may pass before the next measurement
}

// pass is called before n more bytes are moved. Every checkEvery bytes,
// and on the first call, it measures the free space and returns a
// *SpaceError when it is below c.keep. Where free space cannot be measured
// it returns nil.
func (c *spaceCheck) pass(n int) error {
	if c.left <= 0 {
		if free, ok := diskspace.Free(c.dir); ok && int64(free) < max(c.keep, 1) {
			return c.error(int64(free))
		}
		c.left = checkEvery
	}
	c.left -= int64(n)
	return nil
}

// start checks, before anything is written, that c.need bytes are free.
func (c *spaceCheck) start() error {
	if free, ok := diskspace.Free(c.dir); ok && int64(free) < max(c.need, c.keep) {
		return c.error(int64(free))
	}
	return nil
}

func (c *spaceCheck) error(free int64) *SpaceError {
	return &SpaceError{Op: c.op, Dir: c.dir, Need: c.need, Free: free, Keep: c.keep}
}

// explain returns err as the *SpaceError it holds, or as a new one when it
// is an ENOSPC from the file system; other errors it returns unchanged. It
// is called after what was written has been removed again.
func (c *spaceCheck) explain(err error) error {
	var se *SpaceError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, syscall.ENOSPC):
		free, _ := diskspace.Free(c.dir)
		return c.error(int64(free))
	}
	return err
}

// spaceReader is a Reader that stops with a *SpaceError while its disk is
// short of space. An import reads the backup through it, so that Badger,
// which writes what it loads through memory-mapped files (on a full disk a
// SIGBUS, see store.DefaultMinFree), is fed nothing more once less than
// store.DefaultMinFree is free, whatever else is filling the disk.
type spaceReader struct {
	r io.Reader
	spaceCheck
}

func (s *spaceReader) Read(p []byte) (int, error) {
	if err := s.pass(len(p)); err != nil {
		return 0, err
	}
	return s.r.Read(p)
}

// spaceWriter is a Writer that stops with a *SpaceError while its disk is
// short of space.
type spaceWriter struct {
	w io.Writer
	spaceCheck
	// err is the first error of a Write. Badger's Backup, which writes
	// through it, returns "context canceled" instead.
	err error
}

func (s *spaceWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.err = s.pass(len(p)); s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}
