package peer

import (
	"context"
	"sync"
	"time"
)

// dialSlots bounds concurrent dial attempts. When slots are scarce, the
// waiter with the most recent activity goes first, so the contacts a person
// talks to most are reconnected first after a restart.
type dialSlots struct {
	mu      sync.Mutex
	free    int
	waiters []*slotWaiter
}

type slotWaiter struct {
	prio  time.Time
	ready chan struct{}
}

func newDialSlots(n int) *dialSlots { return &dialSlots{free: n} }

// acquire blocks until a slot is free or ctx ends.
func (d *dialSlots) acquire(ctx context.Context, prio time.Time) error {
	d.mu.Lock()
	if d.free > 0 && len(d.waiters) == 0 {
		d.free--
		d.mu.Unlock()
		return nil
	}
	w := &slotWaiter{prio: prio, ready: make(chan struct{})}
	d.waiters = append(d.waiters, w)
	d.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, x := range d.waiters {
			if x == w {
				d.waiters = append(d.waiters[:i], d.waiters[i+1:]...)
				return ctx.Err()
			}
		}
		// Granted meanwhile: give the slot back.
		d.releaseLocked()
		return ctx.Err()
	}
}

// release returns a slot, handing it to the most recently active waiter.
func (d *dialSlots) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.releaseLocked()
}

func (d *dialSlots) releaseLocked() {
	if len(d.waiters) == 0 {
		d.free++
		return
	}
	best := 0
	for i, w := range d.waiters {
		if w.prio.After(d.waiters[best].prio) {
			best = i
		}
	}
	w := d.waiters[best]
	d.waiters = append(d.waiters[:best], d.waiters[best+1:]...)
	close(w.ready)
}
