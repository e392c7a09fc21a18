package cputime

import (
	"runtime"
	"testing"
)

// TestProcessAdvances: busy work makes the process's CPU time grow (where
// the system reports it, which the test requires on Linux, macOS and
// Windows).
func TestProcessAdvances(t *testing.T) {
	before, ok := Process()
	switch runtime.GOOS {
	case "linux", "darwin", "windows":
		if !ok {
			t.Fatal("no CPU time on " + runtime.GOOS)
		}
	default:
		if !ok {
			t.Skip("no CPU time on " + runtime.GOOS)
		}
	}
	x := uint64(1)
	for {
		for range 1_000_000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if after, _ := Process(); after > before {
			user, system, ok := Times()
			if !ok || user < 0 || system < 0 || user+system < after {
				t.Fatalf("Times() = %v, %v, %v after Process() = %v", user, system, ok, after)
			}
			break
		}
	}
	if x == 0 {
		t.Log(x) // keeps the loop
	}
}
