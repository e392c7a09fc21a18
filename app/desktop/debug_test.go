package main

import (
	"runtime/debug"
	"testing"
	"time"
)

// TestShownLowersGC: the collector's target goes to gcPercent when a
// profile's list first appears after the unlock screen, not before, and
// not when GOGC is set in the environment.
func TestShownLowersGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	show := shown()
	show("unlock", 0)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("at the unlock screen GOGC is %d, want 100", got)
	}
	show("list", 3)
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("at the list GOGC is %d, want %d", got, gcPercent)
	}

	t.Setenv("GOGC", "100")
	show("unlock", 0)
	show("list", 3)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("with GOGC=100 in the environment, GOGC is %d at the list", got)
	}
}

// TestTrim: the heap is trimmed trimAfter after the list first appears,
// then every trimEvery, and no more once stopped.
func TestTrim(t *testing.T) {
	waits := make(chan time.Duration)
	fire := make(chan time.Time)
	trims := make(chan struct{}, 10)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		trim(func(d time.Duration) <-chan time.Time { waits <- d; return fire },
			func() { trims <- struct{}{} }, stop)
	}()
	for i, want := range []time.Duration{trimAfter, trimEvery, trimEvery} {
		if d := <-waits; d != want {
			t.Fatalf("wait %d: %v, want %v", i, d, want)
		}
		if len(trims) != i {
			t.Fatalf("%d trims before wait %d ended", len(trims), i)
		}
		fire <- time.Time{}
	}
	<-waits
	close(stop)
	<-done
	if len(trims) != 3 {
		t.Fatalf("%d trims, want 3", len(trims))
	}
}
