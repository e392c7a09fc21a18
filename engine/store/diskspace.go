package store

import (
	"fmt"
	"sync"
	"syscall"
	"time"
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
// has less than Options.MinFree free (as last measured: see spaceEvery).
// Nothing is written; what is stored stays readable, and writes work again
// once space is freed. It wraps syscall.ENOSPC.
var ErrDiskFull = fmt.Errorf("store: not enough free disk space: %w", syscall.ENOSPC)

// How often the free space is measured (a statfs, and a stat of the
// store's folder): before a write, unless the last measurement is younger
// than spaceEvery and found room for spaceSlack more than MinFree beyond
// the most every transaction since, and this one, can write (maxTxnBytes).
// Close to MinFree every write measures, as before; with plenty of room a
// catch-up's hundreds of transactions measure a few times
// (TestFreeSpaceMeasured). spaceSlack is what something else (another
// program, a download) may write on the disk in spaceEvery unnoticed by
// the store: the writes it lets through then still leave MinFree minus
// what exceeded it.
const (
	spaceEvery = time.Second
	spaceSlack = 32 << 20
)

// spaceGauge is the store's last measurement of the free space.
type spaceGauge struct {
	mu    sync.Mutex
	at    time.Time // when free was measured; zero: not yet, or not measurable
	free  uint64
	since uint64 // transactions let through since
	// now and measure are time.Now and diskspace.Free, but in tests.
	now     func() time.Time
	measure func(dir string) (uint64, bool)
}

// maxTxnBytes is the most a transaction writes to Badger's log: Badger
// refuses a transaction larger than 15 % of a memtable (ErrTxnTooBig).
func maxTxnBytes(memTable int64) uint64 { return uint64(memTable) * 15 / 100 }

// checkSpace returns ErrDiskFull when the store's disk has less than
// s.minFree bytes free. Where free space cannot be measured it returns nil.
// It counts the transaction it lets through (see spaceEvery).
func (s *Store) checkSpace() error {
	if s.minFree <= 0 {
		return nil
	}
	g := &s.space
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	need := uint64(s.minFree) + spaceSlack + (g.since+1)*s.maxTxn
	if !g.at.IsZero() && now.Sub(g.at) < spaceEvery && now.Sub(g.at) >= 0 && g.free >= need {
		g.since++
		return nil
	}
	free, ok := g.measure(s.dir)
	if !ok {
		g.at = time.Time{}
		return nil
	}
	g.at, g.free, g.since = now, free, 0
	if free < uint64(s.minFree) {
		return ErrDiskFull
	}
	g.since = 1
	return nil
}

// forget makes the next write measure the free space again.
func (g *spaceGauge) forget() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.at = time.Time{}
}
