package peer

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
)

// events records a node's events and lets a test wait for a condition on
// them without sleeping.
type events struct {
	mu      sync.Mutex
	all     []model.Event
	changed chan struct{} // closed and replaced on every event
	taps    []chan model.Event
}

// tap returns a channel that receives every event from now on. Emit blocks
// while it is full, so a reader must keep up.
func (e *events) tap() <-chan model.Event {
	ch := make(chan model.Event, 1024)
	e.mu.Lock()
	e.taps = append(e.taps, ch)
	e.mu.Unlock()
	return ch
}

func newEvents() *events { return &events{changed: make(chan struct{})} }

func (e *events) emit(ev model.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	close(e.changed)
	e.changed = make(chan struct{})
	taps := e.taps
	e.mu.Unlock()
	for _, t := range taps {
		t <- ev
	}
}

// waitFor waits until cond holds for some event recorded so far.
func (e *events) waitFor(t testing.TB, what string, timeout time.Duration, cond func(model.Event) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		e.mu.Lock()
		evs, ch := e.all[seen:], e.changed
		seen = len(e.all)
		e.mu.Unlock()
		for _, ev := range evs {
			if cond(ev) {
				return
			}
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// waitUntil waits until check returns true, re-checking on every event.
func (e *events) waitUntil(t testing.TB, what string, timeout time.Duration, check func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		e.mu.Lock()
		ch := e.changed
		e.mu.Unlock()
		if check() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// node is one profile in a test: a store on disk, an identity and a
// Manager that can be stopped and started again over the same store.
type node struct {
	t     testing.TB
	name  string
	id    *identity.Identity
	dir   string
	key   []byte
	tr    transport.Transport
	st    *store.Store
	m     *Manager
	ev    *events
	block bool
	opts  func(*Config)
}

func newNode(t testing.TB, name string, seed byte, tr transport.Transport) *node {
	t.Helper()
	id, err := identity.FromSeed(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	n := &node{
		t: t, name: name, id: id, tr: tr, ev: newEvents(),
		dir: filepath.Join(t.TempDir(), name),
		key: bytes.Repeat([]byte{seed ^ 0x5a}, 32),
	}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *node) addr() identity.Address { return n.id.Address() }

// start opens the store and starts the manager.
func (n *node) start() {
	n.t.Helper()
	st, err := store.Open(n.dir, store.Options{Key: n.key, Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		n.t.Fatalf("%s: open store: %v", n.name, err)
	}
	n.st = st
	cfg := Config{
		Identity:     n.id,
		Store:        st,
		Transport:    n.tr,
		DisplayName:  func() string { return n.name },
		BlockUnknown: func() bool { return n.block },
		Emit:         n.ev.emit,
		MinBackoff:   20 * time.Millisecond,
		MaxBackoff:   200 * time.Millisecond,
	}
	if n.opts != nil {
		n.opts(&cfg)
	}
	n.m = New(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := n.m.Start(); err != nil {
		n.t.Fatalf("%s: start: %v", n.name, err)
	}
	select {
	case <-n.m.Published():
	case <-ctx.Done():
		n.t.Fatalf("%s: onion service not published", n.name)
	}
}

// stop closes the manager and the store (idempotent).
func (n *node) stop() {
	if n.m != nil {
		n.m.Close()
		n.m = nil
	}
	if n.st != nil {
		n.st.Close()
		n.st = nil
	}
}

func (n *node) restart() {
	n.stop()
	n.start()
}

// contact returns the stored contact (zero if none).
func (n *node) contact(of *node) model.Contact {
	c, _ := n.st.GetContact(string(of.addr()))
	return c
}

// history returns the whole conversation with another node, oldest first.
func (n *node) history(with *node) []model.Message {
	n.t.Helper()
	msgs, err := n.st.LatestMessages(model.ConversationID(with.addr()), 1<<20)
	if err != nil {
		n.t.Fatalf("%s: history: %v", n.name, err)
	}
	return msgs
}

// befriend makes a and b accepted contacts the way people do: a adds b, b
// accepts the request.
func befriend(t testing.TB, a, b *node, timeout time.Duration) {
	t.Helper()
	if _, err := a.m.AddContact(b.addr(), b.name); err != nil {
		t.Fatal(err)
	}
	b.ev.waitFor(t, fmt.Sprintf("%s to see %s's request", b.name, a.name), timeout, func(ev model.Event) bool {
		c, ok := ev.(model.ContactChanged)
		return ok && c.Contact.Address == string(a.addr()) && c.Contact.State == model.ContactRequest
	})
	if _, err := b.m.Accept(a.addr()); err != nil {
		t.Fatal(err)
	}
	a.ev.waitUntil(t, fmt.Sprintf("%s to see %s accept", a.name, b.name), timeout, func() bool {
		return a.contact(b).State == model.ContactAccepted
	})
}

// delivered reports whether every outgoing message of the conversation is
// delivered.
func delivered(n, with *node) func() bool {
	return func() bool {
		for _, m := range n.history(with) {
			if m.Outgoing && m.Status != model.StatusDelivered {
				return false
			}
		}
		return true
	}
}

// contacts is the start of the tests of the changes of a message between
// contacts (edits, reactions, Change, deletions for everyone): ana and
// ben, nodes of nw with the seeds seed and seed+1, made contacts by
// befriend; with first not empty, ana sends it to ben and waits until it
// is delivered (msg).
func contacts(t *testing.T, nw network, seed byte, first string) (a, b *node, msg model.Message) {
	t.Helper()
	a = newNode(t, "ana", seed, nw.new(t))
	b = newNode(t, "ben", seed+1, nw.new(t))
	befriend(t, a, b, nw.timeout)
	if first == "" {
		return a, b, model.Message{}
	}
	msg, err := a.m.Send(b.addr(), first, model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	a.ev.waitUntil(t, "delivery", nw.timeout, delivered(a, b))
	return a, b, msg
}

// rawContact is the start of the tests that write the records of a
// contact by hand: victim, a node of nw, adds a contact (id, on the
// transport tr) whose side is a handshake session the test writes (s),
// which sends a ContactRequest, and waits until the contact is accepted.
// The session and ctx (30 s) end with the test.
type rawContact struct {
	t      *testing.T
	victim *node
	id     *identity.Identity
	tr     transport.Transport
	ctx    context.Context
	s      *handshake.Session
	conv   model.ConversationID // the victim's with the contact
}

func newRawContact(t *testing.T, nw network, seed byte) *rawContact {
	t.Helper()
	r := &rawContact{t: t, victim: newNode(t, "victim", seed, nw.new(t)), tr: nw.new(t)}
	r.id, _ = identity.Generate(nil)
	r.conv = model.ConversationID(r.id.Address())
	if _, err := r.victim.m.AddContact(r.id.Address(), "raw"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	r.ctx = ctx
	r.s = evilSession(t, ctx, r.tr, r.id, r.victim)
	t.Cleanup(func() { r.s.Close() })
	stop := context.AfterFunc(ctx, func() { r.s.Close() }) // a Recv waiting ends with ctx
	t.Cleanup(func() { stop() })
	if err := r.s.Send(&protocol.ContactRequest{DisplayName: "raw"}); err != nil {
		t.Fatal(err)
	}
	r.victim.ev.waitUntil(t, "acceptance", nw.timeout, func() bool {
		c, _ := r.victim.st.GetContact(string(r.id.Address()))
		return c.State == model.ContactAccepted
	})
	return r
}

// send writes rec and waits for the victim's Ack of id.
func (r *rawContact) send(rec protocol.Record, id model.MessageID) {
	r.t.Helper()
	if err := r.s.Send(rec); err != nil {
		r.t.Fatal(err)
	}
	for {
		got, err := r.s.Recv()
		if err != nil {
			r.t.Fatalf("waiting for the Ack: %v", err)
		}
		if a, ok := got.(*protocol.Ack); ok && slices.Contains(a.IDs, id) {
			return
		}
	}
}
