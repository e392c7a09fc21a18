package ui

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/nookchat/nook/engine"
)

// goroutineID returns the ID of the calling goroutine, from the first
// line of its stack trace ("goroutine 18 [running]:"). For tests only:
// the checked engine tells the UI goroutine by it.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		b = b[:i]
	}
	id, _ := strconv.ParseUint(string(b), 10, 64)
	return id
}

func TestGoroutineID(t *testing.T) {
	here := goroutineID()
	if here == 0 {
		t.Fatal("no goroutine ID")
	}
	other := make(chan uint64)
	go func() { other <- goroutineID() }()
	if id := <-other; id == here || id == 0 {
		t.Fatalf("another goroutine's ID: %d (this one's %d)", id, here)
	}
}

// TestEngineOffUIGoroutine: the checked engine reports a method called on
// the UI goroutine, and only there. Every harness test runs the UI over
// it, so a screen that calls the engine on the Fyne goroutine fails its
// test.
func TestEngineOffUIGoroutine(t *testing.T) {
	h := newProfile(t, "Ada", "pw for ada")
	var called []string
	h.checked.report = func(method string) { called = append(called, method) }
	defer func() { h.checked.report = h.violation }()

	// A call made on the UI goroutine, as a widget callback would: caught.
	if _, err := h.ui.eng.Settings(); err != nil {
		t.Fatal(err)
	}
	if len(called) != 1 || called[0] != "Settings" {
		t.Fatalf("calls on the UI goroutine reported: %v", called)
	}
	// The same call through run: on another goroutine, not reported.
	done := false
	run(h.ui, func(_ context.Context, e Engine) (engine.Settings, error) { return e.Settings() },
		func(engine.Settings, error) { done = true })
	h.waitFor("the settings read in the background", func() bool { return done })
	if len(called) != 1 {
		t.Fatalf("a call through run was reported: %v", called)
	}
}
