// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU time per operation beside the rate: on a machine shared
// with other work, the wall-clock rate says how much of the machine the
// benchmark got, the CPU time per operation what the code costs.
package cputime

import "time"

// Process returns the user and system CPU time the process has used so
// far, together, and false where the system gives no such figure.
func Process() (time.Duration, bool) {
	user, system, ok := process()
	return user + system, ok
}

// Times returns the user and the system CPU time the process has used so
// far, apart (the system's share is the kernel's work for it, such as
// copying what sockets read), and false where the system gives none.
func Times() (user, system time.Duration, ok bool) { return process() }
