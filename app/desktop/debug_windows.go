package main

import "os"

// heapProfileSignals is empty on Windows, which has no SIGUSR1: there,
// NOOK_HEAP_PROFILE writes no profiles.
var heapProfileSignals []os.Signal
