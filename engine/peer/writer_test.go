package peer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestWriterBounds: a session's writer whose contact reads nothing
// (net.Pipe: a write waits for a read that never comes) holds at most
// flushWindow records of the outbox, maxQueued other records and
// maxPendingAcks acknowledgements, besides the one record it is writing;
// past that it refuses with errNotReading, which ends the session, rather
// than growing. None of this blocks its caller.
func TestWriterBounds(t *testing.T) {
	ours, theirs := pipeSessions(t)
	w := newWriter(ours, slog.New(slog.DiscardHandler), func() {})
	go w.run()
	defer func() {
		ours.Close()
		w.close()
		theirs.Close()
		if err := w.Send(&protocol.Ping{}); err == nil {
			t.Error("a stopped writer took a record")
		}
	}()

	for i := range flushWindow {
		if !w.hasRoom() {
			t.Fatalf("the flush window is full after %d records, want %d", i, flushWindow)
		}
		if err := w.sendOutbox(&protocol.Text{ID: model.NewMessageID(), Sent: time.Now(), Body: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	if w.hasRoom() {
		t.Fatalf("the flush window has room after %d records written to nobody", flushWindow)
	}

	// At most one record is out of the queue, being written.
	taken := 0
	for ; taken <= maxQueued+1; taken++ {
		if err := w.Send(&protocol.Pong{Nonce: uint64(taken)}); err != nil {
			if !errors.Is(err, errNotReading) {
				t.Fatalf("record %d: %v, want errNotReading", taken, err)
			}
			break
		}
	}
	if taken < maxQueued || taken > maxQueued+1 {
		t.Fatalf("the writer took %d records for a contact that reads nothing, want %d", taken, maxQueued)
	}

	// The writer is stuck on its first record: acknowledgements pile up
	// to maxPendingAcks (and one Ack's worth if it took them first).
	acked := 0
	for ; acked <= maxPendingAcks+protocol.MaxAckIDs; acked++ {
		if err := w.ack(model.NewMessageID()); err != nil {
			if !errors.Is(err, errNotReading) {
				t.Fatalf("acknowledgement %d: %v, want errNotReading", acked, err)
			}
			break
		}
	}
	if acked < maxPendingAcks || acked > maxPendingAcks+protocol.MaxAckIDs {
		t.Fatalf("the writer took %d acknowledgements for a contact that reads nothing, want %d", acked, maxPendingAcks)
	}
}

// TestWriterCoalescesAcks: acknowledgements that wait while a write is
// in progress go out together, in as few Ack records as
// protocol.MaxAckIDs allows, ahead of the records queued before them;
// the records of the outbox go out in order, and the link is told when
// the flush window has room again.
func TestWriterCoalescesAcks(t *testing.T) {
	ours, theirs := pipeSessions(t)
	defer theirs.Close()
	room := make(chan struct{}, flushWindow)
	w := newWriter(ours, slog.New(slog.DiscardHandler), func() { room <- struct{}{} })
	go w.run()
	defer func() {
		ours.Close()
		w.close()
	}()

	// The writer takes the first record and waits for us to read it;
	// meanwhile the rest of a full window and 3 000 acknowledgements are
	// handed over.
	const nAcks = 3000
	var texts []model.MessageID
	for range flushWindow {
		id := model.NewMessageID()
		texts = append(texts, id)
		if err := w.sendOutbox(&protocol.Text{ID: id, Sent: time.Now(), Body: "hello"}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[model.MessageID]bool{}
	for range nAcks {
		id := model.NewMessageID()
		want[id] = true
		if err := w.ack(id); err != nil {
			t.Fatal(err)
		}
	}

	var gotTexts []model.MessageID
	ackRecords := 0
	for len(want) > 0 || len(gotTexts) < len(texts) {
		r, err := theirs.Recv()
		if err != nil {
			t.Fatal(err)
		}
		switch r := r.(type) {
		case *protocol.Ack:
			ackRecords++
			if len(gotTexts) > 1 {
				t.Fatalf("an Ack after text %d: acknowledgements waited behind the outbox", len(gotTexts))
			}
			for _, id := range r.IDs {
				if !want[id] {
					t.Fatalf("acknowledged %s twice or never handed over", id)
				}
				delete(want, id)
			}
		case *protocol.Text:
			gotTexts = append(gotTexts, r.ID)
		default:
			t.Fatalf("unexpected %T", r)
		}
	}
	// One record may have been written before the others were handed
	// over: an Ack of one ID, if the writer took the first of them.
	if most := 1 + (nAcks+protocol.MaxAckIDs-1)/protocol.MaxAckIDs; ackRecords > most {
		t.Errorf("%d acknowledgements took %d Ack records, want at most %d", nAcks, ackRecords, most)
	}
	for i := range texts {
		if gotTexts[i] != texts[i] {
			t.Fatalf("text %d written out of order", i)
		}
	}
	select {
	case <-room:
	default:
		t.Error("the link was not told that the flush window has room")
	}
	if !w.hasRoom() {
		t.Error("no room in the flush window after it was written")
	}
}

// pipeSessions returns two ends of a session over net.Pipe, whose writes
// wait for the other end to read.
func pipeSessions(t *testing.T) (ours, theirs *handshake.Session) {
	t.Helper()
	a, b := net.Pipe()
	idA, err := identity.FromSeed(bytes.Repeat([]byte{51}, 32))
	if err != nil {
		t.Fatal(err)
	}
	idB, err := identity.FromSeed(bytes.Repeat([]byte{52}, 32))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var serr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		theirs, serr = handshake.Server(ctx, b, idB, nil)
	}()
	ours, err = handshake.Client(ctx, a, idA, idB.Address(), nil)
	wg.Wait()
	if err != nil || serr != nil {
		a.Close()
		b.Close()
		t.Fatalf("handshake over a pipe: %v, %v", err, serr)
	}
	return ours, theirs
}

// TestPeerThatNeverReads: a contact sends Pings, each calling for a Pong,
// as fast as the victim reads them, and reads nothing. Once the
// connection's buffers are full the victim's writer waits, the Pongs wait
// for it up to maxQueued, and then the victim ends the session instead of
// holding more; well before the write timeout (2 minutes) would. The
// victim meanwhile keeps serving its friend.
func TestPeerThatNeverReads(t *testing.T) {
	nw := loopbackNet(t)
	logs := newLogWatch("the contact does not read what we write")
	victim := newNode(t, "victim", 43, nw.new(t))
	victim.opts = func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) }
	victim.restart()
	friend := newNode(t, "friend", 44, nw.new(t))
	befriend(t, friend, victim, nw.timeout)

	evilID, err := identity.FromSeed(bytes.Repeat([]byte{45}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := victim.m.AddContact(evilID.Address(), "evil"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := evilSession(t, ctx, nw.new(t), evilID, victim)
	defer s.Close()
	if err := s.Send(&protocol.ContactAccept{DisplayName: "evil"}); err != nil {
		t.Fatal(err)
	}
	victim.ev.waitUntil(t, "the victim to accept the contact", nw.timeout, func() bool {
		return victim.contact(evilIDNode(evilID)).State == model.ContactAccepted
	})

	start := time.Now()
	sent := make(chan int, 1)
	go func() {
		n := 0
		for ; ctx.Err() == nil; n++ {
			if s.Send(&protocol.Ping{Nonce: uint64(n)}) != nil {
				break
			}
		}
		sent <- n
	}()
	select {
	case <-logs.seen:
	case <-ctx.Done():
		t.Fatal("the victim kept a session whose contact reads nothing for a minute")
	}
	s.Close()
	t.Logf("the victim ended the session %.1f s after the first of %d Pings", time.Since(start).Seconds(), <-sent)

	if _, err := friend.m.Send(victim.addr(), "are you ok?", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	friend.ev.waitUntil(t, "delivery to the victim", nw.timeout, delivered(friend, victim))
}

// logWatch is a log destination that closes seen once a line containing
// want was written.
type logWatch struct {
	want string
	once sync.Once
	seen chan struct{}
}

func newLogWatch(want string) *logWatch {
	return &logWatch{want: want, seen: make(chan struct{})}
}

func (l *logWatch) Write(p []byte) (int, error) {
	if strings.Contains(string(p), l.want) {
		l.once.Do(func() { close(l.seen) })
	}
	return len(p), nil
}
