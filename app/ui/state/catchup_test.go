package state

import (
	"math"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestSyncLeft: a catch-up's time left is known only after three reports
// and three seconds, then follows the smoothed pace (100 blobs a second,
// then 50); a new catch-up (Done going back) starts measuring again, and
// the end of the catch-up forgets it.
func TestSyncLeft(t *testing.T) {
	m := New()
	m.Apply(model.Snapshot{Unlocked: true})
	now := time.Unix(1_700_000_000, 0)
	m.SetClock(func() time.Time { return now })
	const srv = "server"
	report := func(done int) { m.Apply(model.GroupSync{Server: srv, Done: done, Total: 10_000}) }

	report(0)
	for i := 1; i <= 2; i++ {
		now = now.Add(time.Second)
		report(100 * i)
		if _, ok := m.SyncLeft(srv); ok {
			t.Fatalf("a time left after %d reports", i)
		}
	}
	now = now.Add(time.Second)
	report(300)
	left, ok := m.SyncLeft(srv)
	if !ok || math.Abs(left-97) > 0.01 {
		t.Fatalf("time left %v (%v), want 97 s at 100 blobs/s", left, ok)
	}
	// The pace halves: the estimate follows, smoothed.
	prev := left
	for i := 1; i <= 30; i++ {
		now = now.Add(2 * time.Second)
		report(300 + 100*i)
		if left, _ = m.SyncLeft(srv); left <= prev-2 {
			t.Fatalf("report %d: the estimate fell from %v to %v while the pace halved", i, prev, left)
		}
		prev = left
	}
	if want := float64(10_000-3_300) / 50; math.Abs(left-want) > want*0.01 {
		t.Fatalf("time left %v after the pace settled, want about %v", left, want)
	}

	// A report read together with the last (no time between them) leaves
	// the pace as it was: the estimate is what is left at that pace.
	rate := float64(10_000-3_300) / left
	report(3_400)
	if l, _ := m.SyncLeft(srv); math.Abs(l-float64(10_000-3_400)/rate) > 1e-9 {
		t.Fatalf("time left %v after a report at the same instant, want %v", l, float64(10_000-3_400)/rate)
	}

	// A new session (Done back to 0) measures again.
	now = now.Add(time.Second)
	report(0)
	if _, ok := m.SyncLeft(srv); ok {
		t.Fatal("a time left at the start of a new catch-up")
	}
	m.Apply(model.GroupSync{Server: srv, Done: 10_000, Total: 10_000, CaughtUp: true})
	if _, ok := m.SyncLeft(srv); ok {
		t.Fatal("a time left after the catch-up")
	}
}
