// Package cputime reads the CPU time the process has used, for benchmarks
// that report CPU time per operation beside the rate: on a machine shared
// with other work, the wall-clock rate says how much of the machine the
// benchmark got, the CPU time per operation what the code costs.
package cputime

import "time"

// Process returns the user and system CPU time the process has used so
// far, and false where the system gives no such figure.
func Process() (time.Duration, bool) { return process() }
