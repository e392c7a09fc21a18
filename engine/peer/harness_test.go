package peer

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
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
