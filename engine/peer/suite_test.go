package peer

import (
	"fmt"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
)

// network makes the transports of one test: every transport it returns
// reaches every other one.
type network struct {
	name    string
	timeout time.Duration // for one step that crosses the network
	new     func(t testing.TB) transport.Transport
}

// runConversation is the conversation suite that runs over every transport
// (loopback here, the private Tor network in engine/tor's tests through
// RunConversationSuite): two people become contacts, exchange 100 messages
// each way, one goes offline while the other queues 10, comes back and gets
// all 10 in order with receipts, and both restart with their histories
// intact.
func runConversation(t *testing.T, nw network) {
	alice := newNode(t, "alice", 1, nw.new(t))
	bob := newNode(t, "bob", 2, nw.new(t))

	befriend(t, alice, bob, nw.timeout)
	bob.ev.waitUntil(t, "bob to have alice as a contact", nw.timeout, func() bool {
		c := bob.contact(alice)
		return c.State == model.ContactAccepted && c.DisplayName == "alice"
	})
	if got := alice.contact(bob).DisplayName; got != "bob" {
		t.Errorf("alice sees bob's advertised name %q, want %q", got, "bob")
	}

	// 100 messages each way, interleaved.
	const n = 100
	for i := 0; i < n; i++ {
		if _, err := alice.m.Send(bob.addr(), fmt.Sprintf("a→b %03d", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
		if _, err := bob.m.Send(alice.addr(), fmt.Sprintf("b→a %03d", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	alice.ev.waitUntil(t, "alice's 100 messages delivered", nw.timeout*4, delivered(alice, bob))
	bob.ev.waitUntil(t, "bob's 100 messages delivered", nw.timeout*4, delivered(bob, alice))
	checkConversation(t, alice, bob, n, n)
	checkConversation(t, bob, alice, n, n)

	// Bob goes offline; alice queues 10.
	bob.stop()
	var queued []model.Message
	for i := 0; i < 10; i++ {
		m, err := alice.m.Send(bob.addr(), fmt.Sprintf("while away %d", i), model.MessageID{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != model.StatusQueued {
			t.Fatalf("message to an offline contact has status %v, want queued", m.Status)
		}
		queued = append(queued, m)
	}
	// A reply to one of bob's messages, to check quotes travel.
	reply, err := alice.m.Send(bob.addr(), "replying", alice.history(bob)[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	queued = append(queued, reply)

	bob.start()
	alice.ev.waitUntil(t, "the queued messages delivered after bob returned", nw.timeout*4, delivered(alice, bob))
	got := bob.history(alice)
	tail := got[len(got)-len(queued):]
	for i, m := range tail {
		if m.ID != queued[i].ID || m.Body != queued[i].Body {
			t.Fatalf("after return, message %d is %q, want %q (order or content differs)", i, m.Body, queued[i].Body)
		}
		if m.Outgoing || m.Status != model.StatusReceived {
			t.Fatalf("received message has outgoing=%v status=%v", m.Outgoing, m.Status)
		}
	}
	if tail[len(tail)-1].ReplyTo != reply.ReplyTo {
		t.Fatal("the reply lost its quote")
	}

	// Both restart: histories intact, nothing duplicated.
	alice.restart()
	bob.restart()
	checkConversation(t, alice, bob, n+len(queued), n)
	checkConversation(t, bob, alice, n, n+len(queued))
	// And they still talk.
	if _, err := bob.m.Send(alice.addr(), "still here", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.ev.waitUntil(t, "a message after both restarted delivered", nw.timeout*2, delivered(bob, alice))
}

// checkConversation checks n's history with other: sent outgoing messages
// all delivered, received incoming, no ID twice, and each direction in the
// order it was written.
func checkConversation(t *testing.T, n, other *node, sent, received int) {
	t.Helper()
	msgs := n.history(other)
	seen := map[model.MessageID]bool{}
	var out, in []model.Message
	for _, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("%s: message %s stored twice", n.name, m.ID)
		}
		seen[m.ID] = true
		if m.Outgoing {
			out = append(out, m)
		} else {
			in = append(in, m)
		}
	}
	if len(out) != sent || len(in) != received {
		t.Fatalf("%s: %d sent and %d received, want %d and %d", n.name, len(out), len(in), sent, received)
	}
	for i, m := range out {
		if m.Status != model.StatusDelivered {
			t.Fatalf("%s: sent message %d is %v", n.name, i, m.Status)
		}
	}
	// Incoming messages arrive in the order they were written.
	theirs := other.history(n)
	var order []model.MessageID
	for _, m := range theirs {
		if m.Outgoing {
			order = append(order, m.ID)
		}
	}
	for i := range in {
		if i < len(order) && in[i].ID != order[i] {
			t.Fatalf("%s: received message %d out of order", n.name, i)
		}
	}
}
