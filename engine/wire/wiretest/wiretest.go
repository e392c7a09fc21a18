// Package wiretest provides what the tests of the peer protocol packages
// share: a pair of connected net.Conns over each transport the tests run on
// (net.Pipe and TCP on 127.0.0.1), and a Recorder that records every write.
package wiretest

import (
	"net"
	"sync"
	"testing"
)

// Transport names a way to get a connected pair of net.Conns.
type Transport struct {
	Name string
	// Pair returns two connected conns; both are closed when the test ends.
	Pair func(tb testing.TB) (a, b net.Conn)
}

// Transports returns every transport the protocol tests run over.
func Transports() []Transport {
	return []Transport{{Name: "pipe", Pair: Pipe}, {Name: "tcp", Pair: TCP}}
}

// Pipe returns the two ends of a net.Pipe.
func Pipe(tb testing.TB) (net.Conn, net.Conn) {
	a, b := net.Pipe()
	tb.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// TCP returns the two ends of a TCP connection on 127.0.0.1.
func TCP(tb testing.TB) (net.Conn, net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	type result struct {
		c   net.Conn
		err error
	}
	accepted := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		accepted <- result{c, err}
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatalf("dial: %v", err)
	}
	r := <-accepted
	if r.err != nil {
		a.Close()
		tb.Fatalf("accept: %v", r.err)
	}
	tb.Cleanup(func() { a.Close(); r.c.Close() })
	return a, r.c
}

// Recorder is a net.Conn that records the size of every Write and the bytes
// written, and signals each write on Writes.
type Recorder struct {
	net.Conn
	mu    sync.Mutex // guards sizes, bytes
	sizes []int
	bytes []byte
	// Writes receives the size of each completed Write if a receiver is
	// ready or the buffer has room; it never blocks the writer.
	Writes chan int
}

// NewRecorder wraps c.
func NewRecorder(c net.Conn) *Recorder {
	return &Recorder{Conn: c, Writes: make(chan int, 1024)}
}

// Write records p and writes it to the underlying conn.
func (r *Recorder) Write(p []byte) (int, error) {
	n, err := r.Conn.Write(p)
	r.mu.Lock()
	r.sizes = append(r.sizes, n)
	r.bytes = append(r.bytes, p[:n]...)
	r.mu.Unlock()
	select {
	case r.Writes <- n:
	default:
	}
	return n, err
}

// Sizes returns the sizes of the writes so far.
func (r *Recorder) Sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.sizes...)
}

// Bytes returns everything written so far.
func (r *Recorder) Bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.bytes...)
}
