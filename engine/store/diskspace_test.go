package store

import (
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeDisk stands for the disk under a store: its free space and clock
// are the test's, and it counts the measurements.
type fakeDisk struct {
	mu       sync.Mutex
	free     uint64
	now      time.Time
	measured int
}

func (d *fakeDisk) measure(string) (uint64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.measured++
	return d.free, true
}

func (d *fakeDisk) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *fakeDisk) set(free uint64, after time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.free, d.now = free, d.now.Add(after)
}

func (d *fakeDisk) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.measured
}

// TestFreeSpaceMeasured: with plenty of room the free space is measured
// once a spaceEvery, or once the transactions let through since could
// have written the room beyond the slack; near MinFree every write
// measures, and once less than MinFree is free the next write is refused
// (ErrDiskFull, ENOSPC), and writes work again as soon as space is freed.
func TestFreeSpaceMeasured(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Key: testKey(7), Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := &fakeDisk{free: 1 << 40, now: time.Unix(1_700_000_000, 0)}
	s.space.mu.Lock()
	s.space.now, s.space.measure = d.clock, d.measure
	s.space.mu.Unlock()
	write := func() error { return s.PutSetting("k", []byte("v")) }
	writes := func(n int) {
		t.Helper()
		for range n {
			if err := write(); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Plenty of room: 200 writes within a second measure once.
	writes(200)
	if got := d.count(); got != 1 {
		t.Fatalf("200 writes with 1 TiB free measured %d times, want 1", got)
	}
	// A second later the next write measures again.
	d.set(1<<40, spaceEvery)
	writes(1)
	if got := d.count(); got != 2 {
		t.Fatalf("a write after spaceEvery: %d measurements, want 2", got)
	}

	// Room for 5 transactions beyond MinFree and the slack: measured again
	// after at most 5 writes, however little time passed.
	minFree := uint64(DefaultMinFree)
	d.set(minFree+spaceSlack+5*s.maxTxn, spaceEvery)
	before := d.count()
	writes(20)
	if got := d.count() - before; got < 4 || got > 20 {
		t.Fatalf("20 writes with room for 5 transactions measured %d times, want 4 to 20", got)
	}

	// Near MinFree: every write measures.
	d.set(minFree+spaceSlack-1, spaceEvery)
	before = d.count()
	writes(10)
	if got := d.count() - before; got != 10 {
		t.Fatalf("10 writes near MinFree measured %d times, want 10", got)
	}
	// Below it: refused at once, nothing written.
	d.set(minFree-1, 0)
	if err := s.PutSetting("k", []byte("refused")); !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a write with less than MinFree free: %v, want ErrDiskFull (ENOSPC)", err)
	}
	if v, err := s.Setting("k"); err != nil || string(v) != "v" {
		t.Fatalf("after the refused write: %q, %v", v, err)
	}
	// Space freed: the next write measures and goes through.
	d.set(1<<40, 0)
	if err := s.PutSetting("k", []byte("after")); err != nil {
		t.Fatalf("a write after space was freed: %v", err)
	}

	// A store that could not measure measures at its next write.
	s.space.forget()
	before = d.count()
	writes(1)
	if got := d.count() - before; got != 1 {
		t.Fatalf("a write after forget: %d measurements, want 1", got)
	}
}

// TestFreeSpaceMeasuredAfterFull: plenty of room measured, then the disk
// fills (something else writes) past MinFree: writes are let through
// until spaceEvery passes or the slack is used, never longer.
func TestFreeSpaceMeasuredAfterFull(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Key: testKey(7), Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := &fakeDisk{free: DefaultMinFree + spaceSlack + 3*s.maxTxn, now: time.Unix(1_700_000_000, 0)}
	s.space.mu.Lock()
	s.space.now, s.space.measure = d.clock, d.measure
	s.space.mu.Unlock()
	if err := s.PutSetting("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	d.set(0, 0) // filled by another program
	var refused int
	for i := range 10 {
		if err := s.PutSetting("k", []byte("v")); errors.Is(err, ErrDiskFull) {
			refused = i + 1
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if refused == 0 || refused > 3 {
		t.Fatalf("writes after the disk filled: refused at the %dth, want by the 3rd", refused)
	}
}
