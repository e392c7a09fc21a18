package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// benchProfile returns a started engine with a profile (password "pw") of
// n contacts with one message each, locked.
func benchProfile(b *testing.B, n int) (*Engine, ProfileInfo) {
	ctx := context.Background()
	e := New(Config{DataDir: b.TempDir(), Transport: loopback.New(loopback.NewMemoryDirectory()), Profile: enginetest.Profile()})
	if err := e.Start(ctx); err != nil {
		b.Fatal(err)
	}
	info, err := e.CreateProfile(ctx, "Reporter", "pw")
	if err != nil {
		b.Fatal(err)
	}
	op, _ := e.current()
	t0 := time.Now()
	for i := range n {
		id, err := identity.Generate(nil)
		if err != nil {
			b.Fatal(err)
		}
		addr := string(id.Address())
		if err := op.st.PutContact(model.Contact{Address: addr, Nickname: fmt.Sprintf("contact %d", i), State: model.ContactAccepted, Added: t0}); err != nil {
			b.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * time.Second)
		_, err = op.st.AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: model.ConversationID(addr), Author: addr,
			Sent: at, Received: at, Body: "a message to list", Status: model.StatusReceived})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Lock(); err != nil {
		b.Fatal(err)
	}
	return e, info
}

// perItemList builds the list as the app did before the conversation
// API: Contacts, then each contact's latest message and unread count.
func perItemList(b *testing.B, e *Engine, n int) {
	cs, err := e.Contacts()
	if err != nil || len(cs) != n {
		b.Fatalf("%d contacts, %v", len(cs), err)
	}
	for _, c := range cs {
		conv := model.ConversationID(c.Address)
		if _, err := e.History(conv, 0, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Unread(conv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConversationList measures building the list of 200
// conversations on an unlocked profile: "conversations" is one call (one
// read of the summaries), "per-item" the calls the app made before.
func BenchmarkConversationList(b *testing.B) {
	const n = 200
	e, info := benchProfile(b, n)
	defer e.Close()
	if _, err := e.Unlock(context.Background(), info.ID, "pw"); err != nil {
		b.Fatal(err)
	}
	b.Run("conversations", func(b *testing.B) {
		for b.Loop() {
			if cs, err := e.Conversations(); err != nil || len(cs) != n {
				b.Fatalf("%d conversations, %v", len(cs), err)
			}
		}
	})
	b.Run("per-item", func(b *testing.B) {
		for b.Loop() {
			perItemList(b, e, n)
		}
	})
}

// BenchmarkUnlockToList measures what a frontend waits for between the
// password and a conversation list, with 200 conversations of one message
// each: the unlock (with the tests' cheap key derivation, so the database
// and the runtime dominate) and then the list. "snapshot" reads it from
// the Snapshot an unlock sends; "per-item" reads it as the app did before
// the conversation API: Contacts, then each contact's latest message and
// unread count.
func BenchmarkUnlockToList(b *testing.B) {
	const n = 200
	ctx := context.Background()
	e, info := benchProfile(b, n)
	defer e.Close()
	lock := func() {
		if err := e.Lock(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("snapshot", func(b *testing.B) {
		ch, cancel := e.Subscribe()
		defer cancel()
		<-ch // the snapshot of the locked engine
		for b.Loop() {
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			for ev := range ch {
				if s, ok := ev.(model.Snapshot); ok && s.Unlocked {
					if len(s.Conversations) != n {
						b.Fatalf("%d conversations", len(s.Conversations))
					}
					break
				}
			}
			b.StopTimer()
			lock()
			b.StartTimer()
		}
	})
	b.Run("per-item", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			perItemList(b, e, n)
			b.StopTimer()
			lock()
			b.StartTimer()
		}
	})
	// "compared" takes the three in turn in each round, so that they share
	// the machine's load, and reports their medians: the unlock alone
	// (until Unlock returns), until the unlock's Snapshot arrives, and
	// until the per-item list is read; x-per-item is snapshot / per-item.
	b.Run("compared", func(b *testing.B) {
		ch, cancel := e.Subscribe()
		defer cancel()
		<-ch // the snapshot of the locked engine
		var unlock, snap, perItem []time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			unlock = append(unlock, time.Since(start))
			lock()
			start = time.Now()
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			for ev := range ch {
				if s, ok := ev.(model.Snapshot); ok && s.Unlocked {
					break
				}
			}
			snap = append(snap, time.Since(start))
			lock()
			start = time.Now()
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			perItemList(b, e, n)
			perItem = append(perItem, time.Since(start))
			lock()
		}
		mu, ms, mp := medianOf(unlock), medianOf(snap), medianOf(perItem)
		b.ReportMetric(float64(mu.Microseconds())/1e3, "unlock-ms")
		b.ReportMetric(float64(ms.Microseconds())/1e3, "snapshot-ms")
		b.ReportMetric(float64(mp.Microseconds())/1e3, "per-item-ms")
		b.ReportMetric(float64(ms)/float64(mp), "x-per-item")
	})
}

// BenchmarkSendRTT measures a sent message's round trip through the
// facade, as the app sees it: SendMessage until the sender's event stream
// reports it delivered (stored, sent, received and stored by the
// recipient, acknowledged, marked delivered, with the conversation
// summaries and events of both engines). In the same run it measures a
// raw echo of one frame's size (8192 bytes) between the same two
// transports and reports the ratio (x-raw): what the engine adds to the
// network's own round trip. Over the private Tor network it needs tor
// (skipped with -short).
//
// A session reads at most 200 records a second after a burst of 1000
// (peer's recordRate and recordBurst, against floods): back-to-back sends
// would measure that limit once the burst is spent, so after every
// sendBurst messages the benchmark waits, outside the timer, until the
// sessions' buckets are full again.
func BenchmarkSendRTT(b *testing.B) {
	b.Run("loopback", func(b *testing.B) {
		dir := loopback.NewMemoryDirectory()
		benchSendRTT(b, loopback.New(dir), loopback.New(dir), step)
	})
	b.Run("tor", func(b *testing.B) {
		if testing.Short() {
			b.Skip("needs the private Tor network")
		}
		n := tortest.Shared(b)
		benchSendRTT(b, benchTorTransport(b, n), benchTorTransport(b, n), 3*time.Minute)
	})
}

// BenchmarkSendRTT sends sendBurst messages back to back (half a
// session's burst of 1000 records), then waits sendRefill for the
// sessions' buckets (200 records a second) to fill again.
const (
	sendBurst  = 500
	sendRefill = sendBurst * time.Second / 200
)

// benchTorTransport starts a tor of the private network as a transport,
// ready to publish and dial.
func benchTorTransport(b *testing.B, n *tortest.Network) transport.Transport {
	b.Helper()
	tr := tor.New(tor.Config{
		DataDir:        b.TempDir(),
		TorPath:        n.Tor,
		PrivateNetwork: n.Client(),
		StopGrace:      2 * time.Second,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := tr.Start(ctx); err != nil {
		b.Fatalf("start tor: %v", err)
	}
	b.Cleanup(func() { tr.Close() })
	if err := tr.WaitReady(ctx); err != nil {
		b.Fatalf("tor not ready: %v", err)
	}
	return tr
}

func benchSendRTT(b *testing.B, trA, trB transport.Transport, timeout time.Duration) {
	alice := newTestEngine(b, b.TempDir(), trA)
	bob := newTestEngine(b, b.TempDir(), trB)
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	bob.acceptInviteOf(alice)
	to := bob.self()
	alice.waitUntil("bob accepted", timeout, func() bool {
		c, err := alice.Contact(to)
		return err == nil && c.State == model.ContactAccepted
	})
	// Warm up the session.
	alice.sendDelivered(to, "warm-up", timeout)
	// Bob's events are read (as the app reads them) until his engine
	// closes, which ends the stream.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for range bob.events {
		}
	}()
	b.Cleanup(func() { bob.Close(); <-drained })

	var rtts []time.Duration
	for b.Loop() {
		if len(rtts) > 0 && len(rtts)%sendBurst == 0 {
			b.StopTimer()
			time.Sleep(sendRefill)
			b.StartTimer()
		}
		start := time.Now()
		m, err := alice.SendMessage(to, "how are you?")
		if err != nil {
			b.Fatal(err)
		}
		deadline := time.After(timeout)
	wait:
		for {
			select {
			case ev, ok := <-alice.events:
				if !ok {
					b.Fatal("alice's event stream closed")
				}
				if s, ok := ev.(model.MessageStatusChanged); ok && s.ID == m.ID && s.Status == model.StatusDelivered {
					break wait
				}
			case <-deadline:
				b.Fatalf("message %d not delivered in %v", len(rtts), timeout)
			}
		}
		rtts = append(rtts, time.Since(start))
	}
	median := medianOf(rtts)
	b.ReportMetric(float64(median.Microseconds()), "median-µs")
	raw := rawEcho(b, trA, trB, 50, timeout)
	b.ReportMetric(float64(raw.Microseconds()), "raw-echo-µs")
	b.ReportMetric(float64(median)/float64(raw), "x-raw")
}

// rawEcho publishes an echo service on a fresh identity through to and
// returns the median of n 8192-byte echoes dialled through from.
func rawEcho(b *testing.B, from, to transport.Transport, n int, timeout time.Duration) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	id, err := identity.Generate(nil)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := to.Listen(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	defer func() { ln.Close(); <-served }()
	var c net.Conn
	for {
		if c, err = from.Dial(ctx, id.Address()); err == nil {
			break
		}
		// A fresh onion service's descriptor may not be fetchable yet.
		select {
		case <-ctx.Done():
			b.Fatalf("dial the echo service: %v", err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	defer c.Close()
	buf := make([]byte, 8192)
	rtts := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		rtts = append(rtts, time.Since(start))
	}
	return medianOf(rtts)
}

// medianOf returns the median of ds (which it sorts).
func medianOf(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// BenchmarkOpenConversation measures what opening a conversation of
// 10 000 messages costs the engine, as the app opens one: "newest" reads
// the newest page of 50 (History(id, 0, 50)), "scroll" reads the page of
// 50 before the oldest one read, back to the first message (µs/page). The
// same is measured in the same run on a conversation of 100 messages, and
// x-100 is the ratio: how much a long history slows both down.
func BenchmarkOpenConversation(b *testing.B) {
	const page = 50
	e, _ := benchProfile(b, 0)
	defer e.Close()
	op := unlockedBench(b, e)
	long := benchConversation(b, op, 10000)
	short := benchConversation(b, op, 100)
	newest := func(id model.ConversationID) time.Duration {
		start := time.Now()
		ms, err := e.History(id, 0, page)
		if err != nil || len(ms) != page {
			b.Fatalf("%d messages, %v", len(ms), err)
		}
		return time.Since(start)
	}
	// scroll returns the time per page of reading id back to its start.
	scroll := func(id model.ConversationID) time.Duration {
		ms, err := e.History(id, 0, page)
		if err != nil {
			b.Fatal(err)
		}
		start, pages := time.Now(), 0
		for ms[0].Seq > 1 {
			if ms, err = e.History(id, ms[0].Seq, page); err != nil || len(ms) == 0 {
				b.Fatalf("%d messages, %v", len(ms), err)
			}
			pages++
		}
		return time.Since(start) / time.Duration(pages)
	}
	b.Run("newest", func(b *testing.B) {
		var l, s []time.Duration
		for b.Loop() {
			l = append(l, newest(long))
			s = append(s, newest(short))
		}
		reportAgainst(b, medianOf(l), medianOf(s), "µs-10000", "µs-100", "x-100")
	})
	b.Run("scroll", func(b *testing.B) {
		var l, s []time.Duration
		for b.Loop() {
			l = append(l, scroll(long))
			s = append(s, scroll(short))
		}
		reportAgainst(b, medianOf(l), medianOf(s), "µs/page-10000", "µs/page-100", "x-100")
	})
}

// reportAgainst reports a measurement, its baseline and their ratio.
func reportAgainst(b *testing.B, got, base time.Duration, gotUnit, baseUnit, ratioUnit string) {
	b.ReportMetric(float64(got.Nanoseconds())/1e3, gotUnit)
	b.ReportMetric(float64(base.Nanoseconds())/1e3, baseUnit)
	b.ReportMetric(float64(got)/float64(base), ratioUnit)
}

// unlockedBench unlocks benchProfile's profile and returns it.
func unlockedBench(b *testing.B, e *Engine) *openProfile {
	ps, err := e.Profiles()
	if err != nil || len(ps) != 1 {
		b.Fatalf("%d profiles, %v", len(ps), err)
	}
	if _, err := e.Unlock(context.Background(), ps[0].ID, "pw"); err != nil {
		b.Fatal(err)
	}
	op, err := e.current()
	if err != nil {
		b.Fatal(err)
	}
	return op
}

// benchConversation stores a contact with a conversation of n messages,
// every third one outgoing, and returns its ID.
func benchConversation(b *testing.B, op *openProfile, n int) model.ConversationID {
	id, err := identity.Generate(nil)
	if err != nil {
		b.Fatal(err)
	}
	addr := string(id.Address())
	t0 := time.Now().Add(-time.Duration(n) * time.Second)
	if err := op.st.PutContact(model.Contact{Address: addr, State: model.ContactAccepted, Added: t0}); err != nil {
		b.Fatal(err)
	}
	conv := model.ConversationID(addr)
	self := string(op.id.Address())
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		m := model.Message{ID: model.NewMessageID(), Conversation: conv, Author: addr, Sent: at, Received: at,
			Body: fmt.Sprintf("message %d with some words to lay out", i), Status: model.StatusReceived}
		if i%3 == 0 {
			m.Author, m.Outgoing, m.Status = self, true, model.StatusDelivered
		}
		if _, err := op.st.AppendMessage(m); err != nil {
			b.Fatal(err)
		}
	}
	return conv
}
