//go:build !windows

package main

import (
	"os"
	"syscall"
)

// heapProfileSignals are the signals that make heapProfiles write a heap
// profile.
var heapProfileSignals = []os.Signal{syscall.SIGUSR1}
