package wire

import (
	"bytes"
	"errors"
	"testing"
)

// TestExhausted: a direction whose frame counter reaches 2^64-1 stops. The
// writer seals its frames with counters 2^64-3 and 2^64-2 and then refuses,
// for good, with ErrExhausted, closing the connection; it never reuses a
// nonce. The reader opens those two frames and then refuses the next with
// ErrExhausted before looking at it (not ErrAuth: it does not try a nonce
// it may not use).
func TestExhausted(t *testing.T) {
	ka, kb := testKeys()
	bc := newBufConn(nil)
	w, err := Open(bc, ka, Config{})
	if err != nil {
		t.Fatal(err)
	}
	w.send.n = maxCounter - 1
	for _, r := range []string{"one", "two"} {
		if err := w.WriteRecord([]byte(r)); err != nil {
			t.Fatalf("write %q: %v", r, err)
		}
	}
	for range 2 {
		if err := w.WriteRecord([]byte("three")); !errors.Is(err, ErrExhausted) {
			t.Fatalf("write past the last counter: %v, want ErrExhausted", err)
		}
	}
	if !bc.closed {
		t.Fatal("connection left open after ErrExhausted")
	}
	w.Close()
	wire := bc.written()
	if len(wire) != 2*FrameSize {
		t.Fatalf("%d bytes written, want two frames", len(wire))
	}

	// The reader gets both records, then a third frame it must not open.
	in := append(bytes.Clone(wire), make([]byte, FrameSize)...)
	r, err := Open(newBufConn(in), kb, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.recv.n = maxCounter - 1
	for _, want := range []string{"one", "two"} {
		got, err := r.ReadRecord()
		if err != nil || string(got) != want {
			t.Fatalf("read %q, %v; want %q", got, err, want)
		}
	}
	for range 2 {
		if _, err := r.ReadRecord(); !errors.Is(err, ErrExhausted) {
			t.Fatalf("read past the last counter: %v, want ErrExhausted", err)
		}
	}

	// A reader at an ordinary counter refuses the same frames (the nonce
	// is part of what they authenticate).
	r2, err := Open(newBufConn(wire), kb, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, err := r2.ReadRecord(); !errors.Is(err, ErrAuth) {
		t.Fatalf("frame sealed at counter 2^64-3 opened at 0: %v, want ErrAuth", err)
	}
}
