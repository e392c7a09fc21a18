package engine

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport/loopback"
)

const benchFileSize = 50 << 20

// BenchmarkFileLoopback measures a 50 MB file over the loopback transport:
// "raw" copies 50 MB over one connection of the transport, "session"
// sends 50 MB of chunk records through an authenticated session over it
// (the sealed frames alone), "nook" sends a
// file between two engines, from Bob's AcceptFile to the whole file stored
// and verified (the copy into Alice's profile, SendFile, is measured
// apart as import-ms). Both run in the same process and run, so their
// ratio is the number to read. peak-heap-MiB is the largest Go heap in
// use seen while the file moved.
func BenchmarkFileLoopback(b *testing.B) {
	b.Run("raw", func(b *testing.B) {
		tr := loopback.New(loopback.NewMemoryDirectory())
		id, err := identity.Generate(nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		ln, err := tr.Listen(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		stop := serveEach(ln, func(c net.Conn) {
			io.Copy(io.Discard, c)
			c.Close()
		})
		buf := make([]byte, 8192)
		rand.Read(buf)
		b.SetBytes(benchFileSize)
		for b.Loop() {
			c, err := tr.Dial(ctx, id.Address())
			if err != nil {
				b.Fatal(err)
			}
			for n := 0; n < benchFileSize; n += len(buf) {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
		}
		stop()
	})
	b.Run("session", func(b *testing.B) {
		// 50 MB of FileChunk records through an authenticated session
		// over the same transport: the sealed 8 KiB frames without
		// storage, hashing or flow control.
		tr := loopback.New(loopback.NewMemoryDirectory())
		srvID, _ := identity.Generate(nil)
		cliID, _ := identity.Generate(nil)
		ctx := context.Background()
		ln, err := tr.Listen(ctx, srvID)
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		stop := serveEach(ln, func(c net.Conn) {
			s, err := handshake.Server(ctx, c, srvID, nil)
			if err != nil {
				c.Close()
				return
			}
			for {
				if _, err := s.Recv(); err != nil {
					break
				}
			}
			s.Close()
		})
		chunk := &protocol.FileChunk{Proof: make([][32]byte, 10), Data: make([]byte, 60<<10)}
		rand.Read(chunk.Data)
		b.SetBytes(benchFileSize)
		for b.Loop() {
			c, err := tr.Dial(ctx, srvID.Address())
			if err != nil {
				b.Fatal(err)
			}
			s, err := handshake.Client(ctx, c, cliID, srvID.Address(), nil)
			if err != nil {
				b.Fatal(err)
			}
			for n := 0; n < benchFileSize; n += len(chunk.Data) {
				if err := s.Send(chunk); err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
		}
		stop()
	})
	b.Run("nook", func(b *testing.B) {
		dirNet := loopback.NewMemoryDirectory()
		alice := newTestEngine(b, b.TempDir(), loopback.New(dirNet))
		bob := newTestEngine(b, b.TempDir(), loopback.New(dirNet))
		alice.createProfile("Alice", "a")
		bob.createProfile("Bob", "b")
		contacts(alice, bob)
		toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
		path := benchFile(b)
		var importTime time.Duration
		var peak uint64
		b.SetBytes(benchFileSize)
		b.ResetTimer()
		for b.Loop() {
			b.StopTimer()
			t0 := time.Now()
			m, err := alice.SendFile(toBob, path, SendFileOptions{})
			if err != nil {
				b.Fatal(err)
			}
			importTime += time.Since(t0)
			bob.waitFile(toAlice, m.ID, model.FileOffered)
			runtime.GC()
			stop := sampleHeap(&peak)
			b.StartTimer()
			if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
				b.Fatal(err)
			}
			bob.waitFile(toAlice, m.ID, model.FileComplete)
			b.StopTimer()
			stop()
			alice.waitFile(toBob, m.ID, model.FileComplete)
			b.StartTimer()
		}
		b.ReportMetric(float64(importTime.Milliseconds())/float64(b.N), "import-ms")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// sampleHeap records the largest HeapInuse seen every 50 ms until the
// returned stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// serveEach hands each connection ln accepts to serve, one after the
// other, until ln is closed; the returned stop closes ln and waits for
// the loop to end.
func serveEach(ln net.Listener, serve func(net.Conn)) (stop func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			serve(c)
		}
	}()
	return func() { ln.Close(); wg.Wait() }
}

// benchFile writes benchFileSize random bytes to a file in a temporary
// folder of b and returns its path.
func benchFile(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.bin")
	data := make([]byte, benchFileSize)
	rand.Read(data)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}
