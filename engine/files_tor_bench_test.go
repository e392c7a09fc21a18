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
// app runs them. Each iteration times, one right after the other, "raw":
// 50 MB copied over one onion-service connection between the same two
// tors (Bob's tor publishes a second onion service whose listener
// discards what it reads; Alice's tor dials it, untimed, as the engine's
// session is up before a file is accepted), and "nook": a 50 MB file
// from Alice to Bob, from Bob's AcceptFile to the whole file stored and
// verified. Pairing them in each iteration puts both under the same load
// of the shared machine; the metrics are raw-MB/s and nook-MB/s over all
// iterations and nook/raw, their ratio (docs/files.md §11). The circuits
// differ: each onion connection builds its own rendezvous circuit, of
// the same length. Skipped without tor.
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
	defer stop()
	buf := make([]byte, 8192)
	rand.Read(buf)
	// The first connection publishes and reaches the service; the timed
	// ones then find it as the engine finds a contact.
	warm, err := dialUntil(ctx, alice, id.Address(), slow)
	if err != nil {
		b.Fatal(err)
	}
	warm.Close()
	<-got
	raw := func() time.Duration {
		c, err := alice.transport().Dial(ctx, id.Address())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for n := 0; n < benchFileSize; n += len(buf) {
			if _, err := c.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
		c.Close()
		if n := <-got; n != benchFileSize {
			b.Fatalf("Bob's side read %d bytes", n)
		}
		return time.Since(start)
	}

	// "raw-down": the same copy in the other direction of an onion
	// connection: Alice's tor publishes a service whose listener writes
	// 50 MB to whoever dials it, and Bob's tor dials it and reads. This
	// is the direction of the session the file takes when Bob dialled
	// Alice (he accepted her invite), the service's side sending.
	downID, err := identity.Generate(nil)
	if err != nil {
		b.Fatal(err)
	}
	downLn, err := alice.transport().Listen(ctx, downID)
	if err != nil {
		b.Fatal(err)
	}
	defer downLn.Close()
	stopDown := serveEach(downLn, func(c net.Conn) {
		defer c.Close()
		var first [1]byte
		if _, err := io.ReadFull(c, first[:]); err != nil || first[0] == 0 {
			return // the warm-up connection
		}
		for n := 0; n < benchFileSize; n += len(buf) {
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	})
	defer stopDown()
	warmDown, err := dialUntil(ctx, bob, downID.Address(), slow)
	if err != nil {
		b.Fatal(err)
	}
	warmDown.Write([]byte{0})
	warmDown.Close()
	rawDown := func() time.Duration {
		c, err := bob.transport().Dial(ctx, downID.Address())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		if _, err := c.Write([]byte{1}); err != nil {
			b.Fatal(err)
		}
		if n, err := io.CopyN(io.Discard, c, benchFileSize); err != nil || n != benchFileSize {
			b.Fatalf("Bob read %d bytes from Alice's service: %v", n, err)
		}
		return time.Since(start)
	}

	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
	path := benchFile(b)
	var peak uint64
	nook := func() time.Duration {
		m, err := alice.SendFile(toBob, path, SendFileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		waitFileState(bob, toAlice, m.ID, model.FileOffered, slow)
		stopHeap := sampleHeap(&peak)
		start := time.Now()
		if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
			b.Fatal(err)
		}
		waitFileState(bob, toAlice, m.ID, model.FileComplete, slow)
		took := time.Since(start)
		stopHeap()
		waitFileState(alice, toBob, m.ID, model.FileComplete, slow)
		return took
	}

	var rawTime, downTime, nookTime time.Duration
	iters := 0
	for b.Loop() {
		r, d, k := raw(), rawDown(), nook()
		b.Logf("iteration %d: raw %.2f MB/s, raw-down %.2f MB/s, nook %.2f MB/s, nook/raw %.2f, nook/raw-down %.2f",
			iters+1, mbps(r), mbps(d), mbps(k), r.Seconds()/k.Seconds(), d.Seconds()/k.Seconds())
		rawTime, downTime, nookTime = rawTime+r, downTime+d, nookTime+k
		iters++
	}
	b.ReportMetric(mbps(rawTime/time.Duration(iters)), "raw-MB/s")
	b.ReportMetric(mbps(downTime/time.Duration(iters)), "raw-down-MB/s")
	b.ReportMetric(mbps(nookTime/time.Duration(iters)), "nook-MB/s")
	b.ReportMetric(rawTime.Seconds()/nookTime.Seconds(), "nook/raw")
	b.ReportMetric(downTime.Seconds()/nookTime.Seconds(), "nook/raw-down")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// mbps is the throughput of benchFileSize bytes moved in d, in MB/s.
func mbps(d time.Duration) float64 { return float64(benchFileSize) / 1e6 / d.Seconds() }

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
