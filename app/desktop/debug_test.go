package main

import (
	"runtime/debug"
	"testing"
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
