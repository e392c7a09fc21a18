package peer

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
)

// bulkMessages is how many messages each side sends in the bulk tests:
// well past a session's burst of recordBurst records, so that both
// readers are paced while both writers have more to write.
const bulkMessages = 3000

// TestBulkBothWays: two contacts each send bulkMessages messages as fast
// as Send returns, both at once. Every message is delivered and
// acknowledged on both sides, each direction in order, none twice.
//
// Before a session's writes had a goroutine of their own (writer), this
// stopped after a few dozen to 2 000 messages: each side's link goroutine
// was blocked writing (messages, acknowledgements) to a peer whose reader
// waited for that peer's link goroutine, itself blocked writing to us;
// neither side read again until the write timeout (2 minutes) ended the
// session.
func TestBulkBothWays(t *testing.T) { runBulk(t, false) }

// TestBulkConnectionCut: the same, but every connection is cut while
// the messages flow, after alice stored a third of bob's. Nothing is lost
// and nothing is stored twice: what was written and not acknowledged is
// written again on the next session, and recognised by its ID.
func TestBulkConnectionCut(t *testing.T) { runBulk(t, true) }

func runBulk(t *testing.T, cut bool) {
	nw := loopbackNet(t)
	var cuts cutter
	alice := newNode(t, "alice", 41, cuts.wrap(nw.new(t)))
	bob := newNode(t, "bob", 42, cuts.wrap(nw.new(t)))
	befriend(t, alice, bob, nw.timeout)
	bob.ev.waitUntil(t, "bob to have alice as a contact", nw.timeout, func() bool {
		return bob.contact(alice).State == model.ContactAccepted
	})

	// Reading paces each session at recordRate records a second after a
	// burst of recordBurst: each side reads bulkMessages messages and the
	// records acknowledging its own. The deadline is twice what that
	// takes with one record per message, plus the store's work.
	deadline := 2*time.Duration(2*bulkMessages-recordBurst)*time.Second/recordRate + time.Minute
	start := time.Now()

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, p := range [][2]*node{{alice, bob}, {bob, alice}} {
		from, to := p[0], p[1]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range bulkMessages {
				if _, err := from.m.Send(to.addr(), fmt.Sprintf("%s→%s %04d", from.name, to.name, i), model.MessageID{}); err != nil {
					errs <- fmt.Errorf("%s: send %d: %w", from.name, i, err)
					return
				}
			}
		}()
	}

	madeAtCut := 0
	if cut {
		received := 0
		alice.ev.waitFor(t, "alice to store a third of bob's messages", deadline, func(ev model.Event) bool {
			if m, ok := ev.(model.MessageAdded); ok && !m.Message.Outgoing {
				received++
			}
			return received >= bulkMessages/3
		})
		if n := cuts.cut(); n == 0 {
			t.Fatal("no connection to cut")
		}
		madeAtCut = cuts.dials()
	}

	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sent := time.Now()

	for _, p := range [][2]*node{{alice, bob}, {bob, alice}} {
		n, other := p[0], p[1]
		conv := model.ConversationID(other.addr())
		var acked, received int
		defer func() {
			if t.Failed() {
				t.Logf("%s: %d of its messages acknowledged, %d of %s's stored", n.name, acked, received, other.name)
			}
		}()
		n.ev.waitFor(t, fmt.Sprintf("%s's %d messages acknowledged and %s's %d stored", n.name, bulkMessages, other.name, bulkMessages),
			deadline-time.Since(start), func(ev model.Event) bool {
				switch ev := ev.(type) {
				case model.MessageStatusChanged:
					if ev.Conversation == conv && ev.Status == model.StatusDelivered {
						acked++
					}
				case model.MessageAdded:
					if ev.Message.Conversation == conv && !ev.Message.Outgoing {
						received++
					}
				}
				return acked == bulkMessages && received == bulkMessages
			})
	}
	t.Logf("%d messages each way delivered and acknowledged %.1f s after the first Send, %.1f s after the last",
		bulkMessages, time.Since(start).Seconds(), time.Since(sent).Seconds())
	checkConversation(t, alice, bob, bulkMessages, bulkMessages)
	checkConversation(t, bob, alice, bulkMessages, bulkMessages)
	for _, p := range [][2]*node{{alice, bob}, {bob, alice}} {
		if ids, err := p[0].st.Outbox(model.ConversationID(p[1].addr())); err != nil || len(ids) != 0 {
			t.Errorf("%s's outbox holds %d messages (%v), want none", p[0].name, len(ids), err)
		}
	}
	if cut && cuts.dials() == madeAtCut {
		t.Error("no connection was made after the cut")
	}
}

// cutter wraps transports so that a test can cut every connection they
// made, as a network failure would.
type cutter struct {
	mu    sync.Mutex
	conns []net.Conn
	made  int
}

func (c *cutter) wrap(tr transport.Transport) transport.Transport {
	return &cutTransport{inner: tr, c: c}
}

func (c *cutter) add(conn net.Conn) net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conns = append(c.conns, conn)
	c.made++
	return conn
}

// cut closes every connection made so far and returns how many.
func (c *cutter) cut() int {
	c.mu.Lock()
	conns := c.conns
	c.conns = nil
	c.mu.Unlock()
	for _, conn := range conns {
		conn.Close()
	}
	return len(conns)
}

// dials returns how many connections were made (dialled or accepted).
func (c *cutter) dials() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.made
}

type cutTransport struct {
	inner transport.Transport
	c     *cutter
}

func (t *cutTransport) Listen(ctx context.Context, id *identity.Identity) (net.Listener, error) {
	ln, err := t.inner.Listen(ctx, id)
	if err != nil {
		return nil, err
	}
	return &cutListener{Listener: ln, c: t.c}, nil
}

func (t *cutTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	conn, err := t.inner.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	return t.c.add(conn), nil
}

type cutListener struct {
	net.Listener
	c *cutter
}

func (l *cutListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.c.add(conn), nil
}
