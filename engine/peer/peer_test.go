package peer

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

func TestMain(m *testing.M) { os.Exit(leaktest.Check(tortest.Main(m))) }

// loopbackNet returns a network of loopback transports sharing one
// in-memory directory.
func loopbackNet(t testing.TB) network {
	dir := loopback.NewMemoryDirectory()
	return network{
		name:    "loopback",
		timeout: 10 * time.Second,
		new:     func(testing.TB) transport.Transport { return loopback.New(dir) },
	}
}

func TestConversationLoopback(t *testing.T) { runConversation(t, loopbackNet(t)) }

func TestMutualAddNeedsNoAcceptance(t *testing.T) {
	nw := loopbackNet(t)
	a := newNode(t, "ana", 3, nw.new(t))
	b := newNode(t, "ben", 4, nw.new(t))
	if _, err := a.m.AddContact(b.addr(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.m.AddContact(a.addr(), ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]*node{{a, b}, {b, a}} {
		p[0].ev.waitUntil(t, p[0].name+" accepted", nw.timeout, func() bool {
			return p[0].contact(p[1]).State == model.ContactAccepted
		})
	}
}

func TestMessagesWaitForAcceptance(t *testing.T) {
	nw := loopbackNet(t)
	a := newNode(t, "ana", 5, nw.new(t))
	b := newNode(t, "ben", 6, nw.new(t))
	if _, err := a.m.AddContact(b.addr(), ""); err != nil {
		t.Fatal(err)
	}
	msg, err := a.m.Send(b.addr(), "hello before you accept", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	b.ev.waitFor(t, "the request", nw.timeout, func(ev model.Event) bool {
		c, ok := ev.(model.ContactChanged)
		return ok && c.Contact.State == model.ContactRequest
	})
	if len(b.history(a)) != 0 {
		t.Fatal("a message from a requester was stored before acceptance")
	}
	if _, err := b.m.Accept(a.addr()); err != nil {
		t.Fatal(err)
	}
	a.ev.waitUntil(t, "delivery after acceptance", nw.timeout, delivered(a, b))
	if h := b.history(a); len(h) != 1 || h[0].ID != msg.ID {
		t.Fatalf("after acceptance b has %d messages, want the one queued", len(h))
	}
}

func TestRejectAndBlock(t *testing.T) {
	nw := loopbackNet(t)
	a := newNode(t, "ana", 7, nw.new(t))
	b := newNode(t, "ben", 8, nw.new(t))
	if _, err := a.m.AddContact(b.addr(), ""); err != nil {
		t.Fatal(err)
	}
	b.ev.waitUntil(t, "the request", nw.timeout, func() bool { return b.contact(a).State == model.ContactRequest })
	if err := b.m.Reject(a.addr()); err != nil {
		t.Fatal(err)
	}
	if c := b.contact(a); c.State != 0 {
		t.Fatalf("after reject the contact is %v", c.State)
	}
	if _, err := b.m.Block(a.addr()); err != nil {
		t.Fatal(err)
	}
	// a keeps trying; b never stores a request again and a never goes online.
	a.m.linkFor(b.addr(), false).contactChanged(true)
	a.ev.waitFor(t, "a dial attempt", nw.timeout, func(ev model.Event) bool {
		p, ok := ev.(model.PresenceChanged)
		return ok && p.Presence == model.Connecting
	})
	if c := b.contact(a); c.State != model.ContactBlocked {
		t.Fatalf("blocked contact became %v", c.State)
	}
	if _, err := b.m.Send(a.addr(), "x", model.MessageID{}); !errors.Is(err, ErrBlocked) {
		t.Fatalf("Send to a blocked contact: %v, want ErrBlocked", err)
	}
}

func TestBlockUnknown(t *testing.T) {
	nw := loopbackNet(t)
	a := newNode(t, "ana", 9, nw.new(t))
	b := newNode(t, "ben", 10, nw.new(t))
	b.block = true
	if _, err := a.m.AddContact(b.addr(), ""); err != nil {
		t.Fatal(err)
	}
	// Wait for two dial attempts from a: the first session reached b and
	// was closed right after the handshake, then a dialled again.
	attempts := 0
	a.ev.waitFor(t, "two dial attempts", nw.timeout, func(ev model.Event) bool {
		if p, ok := ev.(model.PresenceChanged); ok && p.Presence == model.Connecting {
			attempts++
		}
		return attempts >= 2
	})
	if c := b.contact(a); c.State != 0 {
		t.Fatalf("with unknown contacts blocked, a request was stored (%v)", c.State)
	}
}

func TestAddSelfAndBadInput(t *testing.T) {
	nw := loopbackNet(t)
	a := newNode(t, "ana", 11, nw.new(t))
	if _, err := a.m.AddContact(a.addr(), ""); !errors.Is(err, ErrSelf) {
		t.Fatalf("adding yourself: %v, want ErrSelf", err)
	}
	other, _ := identity.Generate(nil)
	if _, err := a.m.Send(other.Address(), "hi", model.MessageID{}); !errors.Is(err, ErrNotContact) {
		t.Fatalf("Send to a stranger: %v, want ErrNotContact", err)
	}
	if _, err := a.m.AddContact(other.Address(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Send(other.Address(), "  \n", model.MessageID{}); !errors.Is(err, ErrEmptyMessage) {
		t.Fatalf("Send of blanks: %v, want ErrEmptyMessage", err)
	}
	if _, err := a.m.AddContact(other.Address(), "bad\x00name"); err == nil {
		t.Fatal("a nickname with a control character was accepted")
	}
	// A message queued for a contact who is then blocked fails, with a
	// reason, and leaves the outbox.
	queued, err := a.m.Send(other.Address(), "never delivered", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Block(other.Address()); err != nil {
		t.Fatal(err)
	}
	got, err := a.st.GetMessage(queued.Conversation, queued.ID)
	if err != nil || got.Status != model.StatusFailed || got.FailReason == "" {
		t.Fatalf("after block the queued message is %v %q (%v), want failed with a reason", got.Status, got.FailReason, err)
	}
	if ids, _ := a.st.Outbox(model.ConversationID(other.Address())); len(ids) != 0 {
		t.Fatalf("outbox still holds %d messages", len(ids))
	}
}

// TestHostilePeer plays a contact that sends garbage before the handshake,
// oversized and malformed records after it, and floods; the victim survives,
// reports, and keeps serving its other contact.
func TestHostilePeer(t *testing.T) {
	nw := loopbackNet(t)
	victim := newNode(t, "victim", 12, nw.new(t))
	friend := newNode(t, "friend", 13, nw.new(t))
	befriend(t, friend, victim, nw.timeout)

	evilID, _ := identity.Generate(nil)
	if _, err := victim.m.AddContact(evilID.Address(), "evil"); err != nil {
		t.Fatal(err)
	}
	evilTr := nw.new(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// 1. Garbage instead of a handshake.
	conn, err := evilTr.Dial(ctx, victim.addr())
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 3*8192)
	rand.Read(junk)
	conn.Write(junk)
	expectClosed(t, conn)

	// 2. A valid session, then a stream of records that are authenticated
	// but malformed (an invalid display name), which must end the session
	// with a report.
	s := evilSession(t, ctx, evilTr, evilID, victim)
	for i := 0; i < maxMalformed+2; i++ {
		bad := &protocol.Unknown{RecordType: protocol.TypeContactAccept, Version: protocol.LayoutV1, Body: []byte{0, 1, 0x07}}
		if err := s.Send(bad); err != nil {
			break
		}
	}
	victim.ev.waitFor(t, "a report of the malformed records", nw.timeout, func(ev model.Event) bool {
		p, ok := ev.(model.PeerProblem)
		return ok && p.Address == string(evilID.Address())
	})
	s.Close()

	// 3. An oversized text (200 KiB, more than a text may hold, less than
	// the frame layer's record cap, which engine/wire tests): refused
	// before allocation, as malformed.
	s = evilSession(t, ctx, evilTr, evilID, victim)
	big := make([]byte, 16+8+16+4+200<<10)
	big[16+8+16], big[16+8+16+1] = 0, 0x03 // body_len = 200 KiB
	if err := s.Send(&protocol.Unknown{RecordType: protocol.TypeText, Version: protocol.LayoutV1, Body: big}); err != nil {
		t.Fatalf("sending the oversized text: %v", err)
	}
	s.Close()

	// 4. Unknown record types and acks for messages that are not the
	// attacker's are ignored without harm.
	s = evilSession(t, ctx, evilTr, evilID, victim)
	s.Send(&protocol.Unknown{RecordType: 0xee, Version: 1, Body: []byte{1, 2, 3}})
	victimMsg, err := victim.m.Send(friend.addr(), "for friend only", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	s.Send(&protocol.Ack{IDs: []model.MessageID{victimMsg.ID}})
	s.Close()

	// The victim still serves its friend.
	friend.ev.waitUntil(t, "the friend's message to arrive", nw.timeout, func() bool {
		for _, m := range friend.history(victim) {
			if m.ID == victimMsg.ID {
				return true
			}
		}
		return false
	})
	if _, err := friend.m.Send(victim.addr(), "are you ok?", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	friend.ev.waitUntil(t, "delivery to the victim", nw.timeout, delivered(friend, victim))
	if h := victim.history(evilIDNode(evilID)); len(h) != 0 {
		t.Fatalf("the attacker made the victim store %d messages", len(h))
	}
}

// evilIDNode wraps an identity as a node for history lookups.
func evilIDNode(id *identity.Identity) *node { return &node{id: id} }

// evilSession dials a node and completes a valid handshake as id. Records
// of arbitrary bytes are then sent as protocol.Unknown values with a known
// type.
func evilSession(t *testing.T, ctx context.Context, tr transport.Transport, id *identity.Identity, to *node) *handshake.Session {
	t.Helper()
	conn, err := tr.Dial(ctx, to.addr())
	if err != nil {
		t.Fatal(err)
	}
	s, err := handshake.Client(ctx, conn, id, to.addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		t.Fatalf("connection was not closed by the victim: %v", err)
	}
	c.Close()
}

func isReset(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && !ne.Timeout() || bytes.Contains([]byte(err.Error()), []byte("reset"))
}
