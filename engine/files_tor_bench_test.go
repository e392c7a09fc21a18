package engine

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// BenchmarkFileTor measures a 50 MB file over the private Tor network
// (tortest, on 127.0.0.1): two engines each with their own tor, as the
// app runs them. "raw" copies 50 MB over one onion-service connection
// between the same two tors (Bob's tor publishes a second onion service
// whose listener discards what it reads; Alice's tor dials it), "nook"
// sends a 50 MB file from Alice to Bob, from Bob's AcceptFile to the whole
// file stored and verified. Both run in the same run over the same tors,
// so their ratio is the number to read (docs/files.md §11). The circuits
// differ: each onion connection builds its own rendezvous circuit, of the
// same length. Skipped without tor.
func BenchmarkFileTor(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the private Tor network")
	}
	n := tortest.Shared(b)
	alice, bob := torEngine(b, n, "alice"), torEngine(b, n, "bob")
	const slow = 180 * time.Second
	for _, e := range []*testEngine{alice, bob} {
		e.waitUntil("tor ready", slow, func() bool { return e.TorStatus().State == model.TorReady })
	}
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	bob.acceptInviteOf(alice)
	alice.waitUntil("bob accepted", slow, func() bool {
		c, err := alice.Contact(bob.self())
		return err == nil && c.State == model.ContactAccepted
	})
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		id, err := identity.Generate(nil)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := bob.transport().Listen(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		got := make(chan int64, 1)
		stop := serveEach(ln, func(c net.Conn) {
			n, _ := io.Copy(io.Discard, c)
			c.Close()
			got <- n
		})
		buf := make([]byte, 8192)
		rand.Read(buf)
		// The first connection publishes and reaches the service; the
		// timed ones then find it as the engine finds a contact.
		warm, err := dialUntil(ctx, alice, id.Address(), slow)
		if err != nil {
			b.Fatal(err)
		}
		warm.Close()
		<-got
		b.SetBytes(benchFileSize)
		b.ResetTimer()
		for b.Loop() {
			// The connection is made untimed, as the engine's session
			// is up before a file is accepted.
			b.StopTimer()
			c, err := alice.transport().Dial(ctx, id.Address())
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for n := 0; n < benchFileSize; n += len(buf) {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
			if n := <-got; n != benchFileSize {
				b.Fatalf("Bob's side read %d bytes", n)
			}
		}
		b.StopTimer()
		stop()
	})

	b.Run("nook", func(b *testing.B) {
		toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
		path := benchFile(b)
		var peak uint64
		b.SetBytes(benchFileSize)
		b.ResetTimer()
		for b.Loop() {
			b.StopTimer()
			m, err := alice.SendFile(toBob, path, SendFileOptions{})
			if err != nil {
				b.Fatal(err)
			}
			waitFileState(bob, toAlice, m.ID, model.FileOffered, slow)
			stop := sampleHeap(&peak)
			b.StartTimer()
			if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
				b.Fatal(err)
			}
			waitFileState(bob, toAlice, m.ID, model.FileComplete, slow)
			b.StopTimer()
			stop()
			waitFileState(alice, toBob, m.ID, model.FileComplete, slow)
			b.StartTimer()
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	})
}

// dialUntil dials addr from te's transport until a connection is made
// (the onion service is being published), within timeout.
func dialUntil(ctx context.Context, te *testEngine, addr identity.Address, timeout time.Duration) (io.WriteCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		c, err := te.transport().Dial(ctx, addr)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
}

// waitFileState waits until te's file id is in state, within timeout.
func waitFileState(te *testEngine, conv model.ConversationID, id model.MessageID, state model.FileState, timeout time.Duration) {
	te.t.Helper()
	te.waitUntil("file "+state.String(), timeout, func() bool {
		f, err := te.File(conv, id)
		return err == nil && f.State == state
	})
}
