package groupclient

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(catchUpServerEnv); dir != "" {
		if err := serveCatchUp(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(leaktest.Check(m.Run()))
}

// waitTimeout bounds every wait of these tests.
const waitTimeout = 90 * time.Second

// recorder collects a client's events.
type recorder struct {
	mu      sync.Mutex
	events  []model.Event
	changed chan struct{} // closed and replaced at every event
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) emit(ev model.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) snapshot() ([]model.Event, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]model.Event(nil), r.events...), r.changed
}

// waitFor waits until cond holds for the events so far.
func (r *recorder) waitFor(t testing.TB, what string, cond func([]model.Event) bool) []model.Event {
	t.Helper()
	var evs []model.Event
	waitChange(t, func() (bool, <-chan struct{}) {
		var changed <-chan struct{}
		evs, changed = r.snapshot()
		return cond(evs), changed
	}, func() string { return what })
	return evs
}

// waitChange calls check until it reports done, waiting before each next
// call for the channel it returned (closed on a change); after
// waitTimeout it fails t, saying what it waited for.
func waitChange(t testing.TB, check func() (done bool, changed <-chan struct{}), what func() string) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		done, changed := check()
		if done {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what())
		}
	}
}

// count returns the number of events of type T that match f.
func count[T model.Event](evs []model.Event, f func(T) bool) int {
	n := 0
	for _, ev := range evs {
		if e, ok := ev.(T); ok && (f == nil || f(e)) {
			n++
		}
	}
	return n
}

// seedReader is a deterministic random source for identities.
func seedIdentity(t testing.TB, name string) *identity.Identity {
	seed := sha256.Sum256([]byte("member " + name))
	id, err := identity.FromSeed(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// member is one profile: a store and a client.
type member struct {
	t    testing.TB
	name string
	id   *identity.Identity
	st   *store.Store
	tr   transport.Transport
	c    *Client
	ev   *recorder
	// tune, if set, adjusts the configuration of the next start.
	tune func(*Config)
	// keys holds the member's keys in its groups (key).
	keys map[group.ID]*identity.Identity
}

func newMember(t testing.TB, tr transport.Transport, name string) *member {
	t.Helper()
	key := sha256.Sum256([]byte("store " + name))
	st, err := store.Open(t.TempDir(), store.Options{Key: key[:], Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{t: t, name: name, id: seedIdentity(t, name), st: st, tr: tr}
	t.Cleanup(func() { m.stop(); st.Close() })
	m.start()
	return m
}

// start starts a fresh client on the member's store (a restart).
func (m *member) start() {
	m.t.Helper()
	m.ev = newRecorder()
	cfg := Config{Store: m.st, Transport: m.tr, Self: m.id, Emit: m.ev.emit,
		Name:       func() string { return m.name },
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, RequestWait: 30 * time.Second,
		ProgressEvery: 50, PostGap: -1, RefillWithin: -1,
		// These tests count posts and messages; join notices have tests
		// of their own (notes_test.go), which turn them on.
		NoJoinNotice: true}
	if m.tune != nil {
		m.tune(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		m.t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		m.t.Fatal(err)
	}
	m.c = c
}

// stop closes the member's client (goes offline); the store stays.
func (m *member) stop() {
	if m.c != nil {
		m.c.Close()
		m.c = nil
	}
}

func (m *member) join(t testing.TB, text string) GroupInfo {
	t.Helper()
	inv, err := invite.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	info, err := m.c.JoinGroup(inv.(*invite.GroupInvite))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// messages returns the stored messages of conv, oldest first.
func (m *member) messages(conv model.ConversationID) []model.Message {
	msgs, err := m.st.LatestMessages(conv, 1<<20)
	if err != nil {
		m.t.Fatal(err)
	}
	return msgs
}

// serverConfig is a fast server configuration.
func serverConfig(dir string, tr transport.Transport) groupserver.Config {
	return groupserver.Config{DataDir: dir, Transport: tr, PoWBits: groupserver.NoPoW, NoSync: true,
		RecordRate: 1e6, RecordBurst: 1e6, LiveBuffer: 4096}
}

func startServer(t testing.TB, cfg groupserver.Config) *groupserver.Server {
	t.Helper()
	s, err := groupserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func network() transport.Transport { return loopback.NewNetwork(1)[0] }

// proxiedServer starts a group server on a fresh network behind a
// recording proxy. The caller defers stop, which closes the proxy, then
// the server.
func proxiedServer(t testing.TB) (tr transport.Transport, px *proxy, stop func()) {
	t.Helper()
	tr = network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	started := false
	defer func() {
		if !started {
			srv.Close()
		}
	}()
	px = startProxy(t, tr, srv.Bundle())
	started = true
	return tr, px, func() { px.close(); srv.Close() }
}

// key returns the identity m signs with in group id: its per-group key
// (docs/groups.md, "Per-group identities"), or the profile's onion key for
// a membership from before them. It reads the group's record, so it works
// with the member's client stopped; the answer is kept for after leaving
// (joining again makes a new key).
func (m *member) key(id group.ID) *identity.Identity {
	m.t.Helper()
	v, err := m.st.Bucket(bucketName).Get(groupKey(id))
	if k, ok := m.keys[id]; ok && errors.Is(err, store.ErrNotFound) {
		return k // left (or removed) since
	}
	if err != nil {
		m.t.Fatalf("%s's key in group %s: %v", m.name, id, err)
	}
	r, err := decodeGroupRecord(v)
	if err != nil {
		m.t.Fatal(err)
	}
	k := m.id
	if r.signer != ([32]byte{}) {
		if k, err = identity.FromSeed(r.signer[:]); err != nil {
			m.t.Fatal(err)
		}
	}
	if m.keys == nil {
		m.keys = map[group.ID]*identity.Identity{}
	}
	m.keys[id] = k
	return k
}

// as returns m's address in group id: the address form of its key there.
func (m *member) as(id group.ID) identity.Address { return m.key(id).Address() }

// friends is the start of the tests of the changes of a message (edits,
// reactions, Change, deletions for everyone): owner creates the group
// "friends" on the server of b, each of others joins with her invite,
// and owner posts first, which comes back to her delivered and reaches
// each of others. It returns the group and that post.
func friends(t *testing.T, b *invite.Bundle, first string, owner *member, others ...*member) (GroupInfo, model.Message) {
	t.Helper()
	info, err := owner.c.CreateGroup("friends", b)
	if err != nil {
		t.Fatal(err)
	}
	text, err := owner.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range others {
		m.join(t, text)
	}
	sent := postAndWait(t, owner, info.ID, first)
	for _, m := range others {
		received(t, m, info.Conversation, sent.Body)
	}
	return info, sent
}
