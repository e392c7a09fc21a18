//go:build !linux && !darwin

package diskspace

// statFree is not measured on this system: callers skip their check.
func statFree(string) (uint64, bool) { return 0, false }

// sameDevice cannot be told on this system.
func sameDevice(string, string) bool { return true }
