package store

import (
	"fmt"
	"syscall"

	"github.com/nookchat/nook/engine/internal/diskspace"
)

// DefaultMinFree is the free disk space below which the store refuses
// writes (Options.MinFree).
//
// Badger writes its memtable logs, value log and tables through
// memory-mapped files that it grows sparsely (truncate, then write into
// the mapping). On a full disk such a write is not an error but a SIGBUS,
// which kills the process outright (measured: a store filling a tmpfs died
// with "fatal error: fault" in Badger's table builder). So the store
// refuses a write while less than this is free: enough for the two 4 MiB
// memtables and their logs, a flush, a compaction of the level-0 tables
// and a 16 MiB value-log file to be written out.
const DefaultMinFree = 64 << 20

// ErrDiskFull is returned by every write while the disk holding the store
// has less than Options.MinFree free. Nothing is written; what is stored
// stays readable, and writes work again once space is freed. It wraps
// syscall.ENOSPC.
var ErrDiskFull = fmt.Errorf("store: not enough free disk space: %w", syscall.ENOSPC)

// checkSpace returns ErrDiskFull when the store's disk has less than
// s.minFree bytes free. Where free space cannot be measured it returns nil.
func (s *Store) checkSpace() error {
	if s.minFree <= 0 {
		return nil
	}
	free, ok := diskspace.Free(s.dir)
	if ok && free < uint64(s.minFree) {
		return ErrDiskFull
	}
	return nil
}
