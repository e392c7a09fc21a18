package peer

import (
	"context"
	"testing"
	"time"
)

// TestDialSlotsPreferRecentActivity: when slots are scarce, the waiter with
// the most recent activity gets the next free slot, whatever the order in
// which they started waiting.
func TestDialSlotsPreferRecentActivity(t *testing.T) {
	d := newDialSlots(1)
	ctx := context.Background()
	if err := d.acquire(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	order := make(chan int, 3)
	started := make(chan struct{}, 3)
	for i, age := range []time.Duration{3 * time.Hour, time.Minute, time.Hour} {
		go func() {
			w := &slotWaiter{prio: base.Add(-age), ready: make(chan struct{})}
			d.mu.Lock()
			d.waiters = append(d.waiters, w)
			d.mu.Unlock()
			started <- struct{}{}
			<-w.ready
			order <- i
		}()
	}
	for range 3 {
		<-started
	}
	want := []int{1, 2, 0} // a minute ago, an hour ago, three hours ago
	for _, w := range want {
		d.release()
		if got := <-order; got != w {
			t.Fatalf("slot went to waiter %d, want %d", got, w)
		}
	}
	d.release()
	if d.free != 1 {
		t.Fatalf("free slots = %d after all releases, want 1", d.free)
	}
}

func TestDialSlotsCancel(t *testing.T) {
	d := newDialSlots(1)
	if err := d.acquire(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.acquire(ctx, time.Now()) }()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled acquire succeeded")
	}
	d.release()
	if err := d.acquire(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
}
