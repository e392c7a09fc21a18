package peer

import (
	"context"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// BenchmarkMessageRTT measures a message's round trip between two contacts:
// Send until the recipient's acknowledgement marks it delivered (a stored
// message each way through the store, the frame layer and the transport).
// Over Tor it also measures, in the same run, a raw 8192-byte echo (one
// frame's worth) between the same two tor clients, and reports the ratio.
//
// A session reads at most recordRate records a second after a burst of
// recordBurst, so back-to-back sends would measure that limit once the
// burst is spent (a run of more than about a thousand messages reported
// 5.5 ms): after every benchBurst messages the benchmark waits, outside
// the timer, until the sessions' buckets are full again.
func BenchmarkMessageRTT(b *testing.B) {
	b.Run("loopback", func(b *testing.B) { benchRTT(b, loopbackNet(b)) })
	b.Run("tor", func(b *testing.B) {
		if testing.Short() {
			b.Skip("needs the private Tor network")
		}
		benchRTT(b, torNet(b))
	})
}

// benchBurst is how many messages the RTT benchmarks send back to back:
// well within a session's burst of records.
const benchBurst = recordBurst / 2

func benchRTT(b *testing.B, nw network) {
	alice := newNode(b, "alice", 21, nw.new(b))
	bob := newNode(b, "bob", 22, nw.new(b))
	befriend(b, alice, bob, nw.timeout)
	// Warm up the session.
	if _, err := alice.m.Send(bob.addr(), "warm-up", model.MessageID{}); err != nil {
		b.Fatal(err)
	}
	alice.ev.waitUntil(b, "warm-up delivered", nw.timeout, delivered(alice, bob))

	tap := alice.ev.tap()
	var rtts []time.Duration
	for b.Loop() {
		if len(rtts) > 0 && len(rtts)%benchBurst == 0 {
			b.StopTimer()
			time.Sleep(benchBurst * time.Second / recordRate)
			b.StartTimer()
		}
		start := time.Now()
		m, err := alice.m.Send(bob.addr(), "how are you?", model.MessageID{})
		if err != nil {
			b.Fatal(err)
		}
		for ev := range tap {
			if s, ok := ev.(model.MessageStatusChanged); ok && s.ID == m.ID && s.Status == model.StatusDelivered {
				break
			}
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	median := rtts[len(rtts)/2]
	b.ReportMetric(float64(median.Microseconds()), "median-µs")

	// The same two transports, a raw echo of one frame's size.
	raw := rawEchoMedian(b, alice.tr, bob, 50)
	b.ReportMetric(float64(raw.Microseconds()), "raw-echo-µs")
	b.ReportMetric(float64(median)/float64(raw), "x-raw")
}

// rawEchoMedian publishes an echo service on a fresh identity through the
// transport of `to`'s side and measures 8192-byte echoes from `from`.
func rawEchoMedian(b *testing.B, from interface {
	Dial(context.Context, identity.Address) (net.Conn, error)
}, to *node, n int) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, _ := identity.Generate(nil)
	ln, err := to.tr.Listen(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	var c net.Conn
	for {
		c, err = from.Dial(ctx, id.Address())
		if err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(500 * time.Millisecond) // a fresh descriptor may not be fetchable yet
	}
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 8192)
	var rtts []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))
	}
	slices.Sort(rtts)
	return rtts[len(rtts)/2]
}
