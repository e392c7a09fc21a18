package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// Two environment variables help measure the app (its benchmarks use
// them); neither writes anything a person typed or received:
//
//	NOOK_TRACE=1          print "nook-trace <screen> <conversations>" on
//	                      stderr when the unlock screen or the conversation
//	                      list is ready (ui.Options.Shown, see shown), and
//	                      "nook-trace tor-ready 0" when Tor first is, and
//	                      "nook-trace caught-up <blobs>" when a group server's
//	                      catch-up ends (watchEngine)
//	NOOK_HEAP_PROFILE=DIR on SIGUSR1, collect garbage and write DIR/heap-N.pprof
//	                      (N the next number not used in DIR)
//	                      (allocation sites and sizes only, no contents) and
//	                      DIR/memstats-N.txt (the runtime's memory counters and
//	                      the number of goroutines)

// shown is the app's ui.Options.Shown. When a profile's list first
// appears after the unlock screen it lowers the collector's target
// (lowerGC) and hands the memory the unlock freed back to the system: the
// key derivation alone (Argon2id, 64 MiB) leaves that much garbage, which
// Go's background scavenger returns only over minutes
// (docs/performance.md). The first time, it also starts trimming the heap
// (trim). With NOOK_TRACE set it also prints the startup trace.
func shown() func(screen string, conversations int) {
	trace := os.Getenv("NOOK_TRACE") != ""
	var locked atomic.Bool
	var trimming sync.Once
	return func(screen string, n int) {
		switch screen {
		case "unlock":
			locked.Store(true)
		case "list":
			if locked.Swap(false) {
				lowerGC()
				go debug.FreeOSMemory()
				trimming.Do(func() { go trim(time.After, debug.FreeOSMemory, nil) })
			}
		}
		if trace {
			fmt.Fprintln(os.Stderr, "nook-trace", screen, n)
		}
	}
}

// The heap is trimmed (its garbage collected and what is free returned to
// the system) trimAfter after a profile's list first appears, once the
// work that follows it is done (the list's last layouts, Tor's start, the
// first connections: about 8 MiB of garbage in BenchmarkMemory), and then
// every trimEvery: a messenger is idle most of the time, and Go keeps the
// memory its heap grew to until it is needed again. A trim of the app's
// 30–40 MB heap takes about 2 ms.
const (
	trimAfter = 3 * time.Second
	trimEvery = time.Minute
)

// trim calls release after trimAfter and then every trimEvery, waiting
// with wait, until stop is closed.
func trim(wait func(time.Duration) <-chan time.Time, release func(), stop <-chan struct{}) {
	for d := trimAfter; ; d = trimEvery {
		select {
		case <-wait(d):
			release()
		case <-stop:
			return
		}
	}
}

// gcPercent is the app's GOGC once a profile is open: the collector runs
// when the heap has grown by half the live heap since the last one,
// instead of Go's default of all of it. The app's live heap is 30–40 MB
// (fonts, Badger's memtable, caches) and changes little once the list is
// shown, so the garbage it holds between collections, resident too, is
// halved: about 10 MiB less at the list and after a catch-up in
// BenchmarkMemory, for more frequent collections (docs/performance.md).
const gcPercent = 50

// lowerGC sets gcPercent, unless GOGC was set in the environment (which
// then wins, as in the benchmark's comparisons).
func lowerGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// heapProfiles writes a heap profile on each heapProfileSignal (SIGUSR1;
// Windows has none) when NOOK_HEAP_PROFILE names a folder, and returns the
// function that stops.
func heapProfiles() (stop func()) {
	dir := os.Getenv("NOOK_HEAP_PROFILE")
	if dir == "" || len(heapProfileSignals) == 0 {
		return func() {}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, heapProfileSignals...)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, ok := <-sigs; !ok {
				return
			}
			n := 1 // the next number free in dir: a later run adds to it
			for {
				if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("memstats-%d.txt", n))); err != nil {
					break
				}
				n++
			}
			if err := writeHeapProfile(dir, n); err != nil {
				fmt.Fprintln(os.Stderr, "nook: heap profile:", err)
			}
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(sigs)
		<-done
	}
}

func writeHeapProfile(dir string, n int) error {
	runtime.GC()
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", n)))
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	text := fmt.Sprintf("HeapInuse %d\nHeapIdle %d\nHeapReleased %d\nStackInuse %d\nSys %d\nMSpanInuse %d\nGCSys %d\nOtherSys %d\nGoroutines %d\n",
		m.HeapInuse, m.HeapIdle, m.HeapReleased, m.StackInuse, m.Sys, m.MSpanInuse, m.GCSys, m.OtherSys, runtime.NumGoroutine())
	// Written last and renamed into place: a reader that sees it finds the
	// profile whole.
	tmp := filepath.Join(dir, fmt.Sprintf(".memstats-%d.txt", n))
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("memstats-%d.txt", n)))
}

// freeAfterCatchUp is the size of a group catch-up after which the app
// returns the memory it freed to the system at once, as after an unlock.
const freeAfterCatchUp = 1000 // blobs

// watchEngine follows the engine's events for the app's memory and trace:
// after a catch-up of at least freeAfterCatchUp blobs it returns freed
// memory to the system at once and trimAfter later (a catch-up allocates
// a record per blob, the screens then show what came; Go's scavenger
// would return them only slowly), and with NOOK_TRACE set it
// prints "nook-trace tor-ready 0" the first time Tor is ready and
// "nook-trace caught-up <blobs>" at the end of each catch-up. It returns
// the function that stops watching.
func watchEngine(eng *engine.Engine) (stop func()) {
	trace := os.Getenv("NOOK_TRACE") != ""
	events, unsubscribe := eng.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		told := false
		for ev := range events {
			switch ev := ev.(type) {
			case model.TorStatus:
				if trace && ev.State == model.TorReady && !told {
					told = true
					fmt.Fprintln(os.Stderr, "nook-trace tor-ready 0")
				}
			case model.GroupSync:
				if !ev.CaughtUp {
					continue
				}
				if ev.Done >= freeAfterCatchUp {
					debug.FreeOSMemory()
					// and again once the screens have taken in what came
					time.AfterFunc(trimAfter, debug.FreeOSMemory)
				}
				if trace {
					fmt.Fprintln(os.Stderr, "nook-trace caught-up", ev.Done)
				}
			}
		}
	}()
	return func() {
		unsubscribe()
		<-done
	}
}
