package groupclient

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport"
)

// restartable is a group server whose data folder outlives it.
type restartable struct {
	t   *testing.T
	dir string
	tr  transport.Transport
	srv *groupserver.Server
}

func newRestartable(t *testing.T, tr transport.Transport) *restartable {
	r := &restartable{t: t, dir: t.TempDir(), tr: tr}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *restartable) start() { r.srv = startServer(r.t, serverConfig(r.dir, r.tr)) }

func (r *restartable) stop() {
	if r.srv != nil {
		r.srv.Close()
		r.srv = nil
	}
}

// wipe deletes what the server stored (its blobs), keeping its keys: the
// same server, restarted empty.
func (r *restartable) wipe() {
	if err := os.RemoveAll(filepath.Join(r.dir, "store")); err != nil {
		r.t.Fatal(err)
	}
}

// twoServerGroup is a group of alice (its owner) and bob that lives on
// two restartable servers: made on a, then b added by alice, and both
// members following the two.
type twoServerGroup struct {
	a, b       *restartable
	aKey, bKey [32]byte
	alice, bob *member
	id         group.ID
	conv       model.ConversationID
}

func newTwoServerGroup(t *testing.T) *twoServerGroup {
	tr := network()
	g := &twoServerGroup{a: newRestartable(t, tr), b: newRestartable(t, tr)}
	g.aKey, g.bKey = g.a.srv.Bundle().SigningKey, g.b.srv.Bundle().SigningKey
	g.alice, g.bob = newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, _ := allotment(t, g.a.srv, g.alice, g.bob)
	g.id, g.conv = info.ID, info.Conversation
	if err := g.alice.c.AddServer(g.id, g.b.srv.Bundle()); err != nil {
		t.Fatal(err)
	}
	both := [][32]byte{g.aKey, g.bKey}
	for _, m := range []*member{g.alice, g.bob} {
		m.ev.waitFor(t, m.name+" knows server B", func([]model.Event) bool { return slices.Equal(m.servers(g.id), both) })
	}
	return g
}

// servers returns the signing keys of the servers m's client says group id
// lives on, its own first.
func (m *member) servers(id group.ID) [][32]byte {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	gs, ok := m.c.groups[id]
	if !ok {
		return nil
	}
	var out [][32]byte
	for _, b := range gs.bundles() {
		out = append(out, b.SigningKey)
	}
	return out
}

// count of messages with body in m's store of conv.
func (m *member) bodies(conv model.ConversationID, body string) int {
	n := 0
	for _, x := range m.messages(conv) {
		if x.Body == body {
			n++
		}
	}
	return n
}

// groupWarnings returns the group warnings m's client emitted about conv
// or about a server as a whole.
func (m *member) groupWarnings(conv model.ConversationID) []model.GroupWarning {
	evs, _ := m.ev.snapshot()
	var out []model.GroupWarning
	for _, e := range evs {
		if w, ok := e.(model.GroupWarning); ok && (w.Conversation == conv || w.Conversation == "") {
			out = append(out, w)
		}
	}
	return out
}

// TestGroupOnTwoServers is the test: three members, two servers,
// one server stopped mid-conversation and restarted later with its data
// wiped. Alice (the owner) adds server B to her group on A (Bob, a
// member, cannot); Bob and Carol learn it from her sealed message and
// post to both. B stops: the conversation goes on through A. B comes back
// empty: the members read it again from its start (nothing new) and the
// posts it missed reach it; then A stops, and the conversation goes on
// through B. Carol, offline while both come and go, catches up from
// whichever is up. Every member holds every message once, and nobody is
// warned of anything: a server that was down or lost its data withheld
// nothing the other did not deliver. Then Bob's Nook skips a sequence
// number on both servers, which neither can fill: once both are caught up
// Alice and Carol are told of the gap, once. A newcomer's invite names
// both servers (G3). The servers' states say who was reachable.
func TestGroupOnTwoServers(t *testing.T) {
	tr := network()
	a, b := newRestartable(t, tr), newRestartable(t, tr)
	aKey, bKey := a.srv.Bundle().SigningKey, b.srv.Bundle().SigningKey
	bAddr := string(b.srv.Bundle().Address)
	alice, bob, carol := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol")
	info, _ := allotment(t, a.srv, alice, bob, carol)
	id, conv := info.ID, info.Conversation
	if err := bob.c.AddServer(id, b.srv.Bundle()); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("a member adds a server: %v", err)
	}
	if err := alice.c.AddServer(id, b.srv.Bundle()); err != nil {
		t.Fatal(err)
	}
	both := [][32]byte{aKey, bKey}
	for _, m := range []*member{alice, bob, carol} {
		m.ev.waitFor(t, m.name+" knows server B", func([]model.Event) bool { return slices.Equal(m.servers(id), both) })
	}
	if err := alice.c.RemoveServer(id, aKey); !errors.Is(err, ErrFirstServer) {
		t.Fatalf("removing the group's own server: %v", err)
	}

	say := func(phase string, ms ...*member) {
		t.Helper()
		for _, m := range ms {
			if _, err := m.c.Post(id, phase+" from "+m.name, model.MessageID{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	hear := func(phase string, readers []*member, authors ...*member) {
		t.Helper()
		for _, r := range readers {
			for _, w := range authors {
				r.waitBody(t, conv, phase+" from "+w.name)
			}
		}
	}
	everyone := []*member{alice, bob, carol}
	defer func() {
		if t.Failed() {
			for _, m := range everyone {
				if m.c != nil {
					t.Logf("%s: %+v", m.name, m.c.Groups()[0].Servers)
				}
				evs, _ := m.ev.snapshot()
				for _, e := range evs[max(0, len(evs)-15):] {
					t.Logf("  %T %+v", e, e)
				}
			}
		}
	}()
	say("both up", everyone...)
	hear("both up", everyone, everyone...)

	// B stops mid-conversation; A carries it.
	b.stop()
	say("B down", everyone...)
	hear("B down", everyone, everyone...)
	alice.ev.waitFor(t, "alice sees B unreachable", func([]model.Event) bool {
		s := alice.c.Groups()[0].Servers
		return !s[1].Connected && !s[1].UnreachableSince.IsZero() && s[0].Connected
	})

	// B comes back with its data wiped; then A stops, and B carries the
	// conversation (the posts B missed reach it from the members' queues).
	reachedB := func(evs []model.Event) int {
		return count(evs, func(e model.GroupServerReached) bool { return e.Server == bAddr && e.Reachable })
	}
	before := map[*member]int{}
	for _, m := range everyone {
		evs, _ := m.ev.snapshot()
		before[m] = reachedB(evs)
	}
	b.wipe()
	b.start()
	for _, m := range everyone {
		m.ev.waitFor(t, m.name+" reaches B again", func(evs []model.Event) bool { return reachedB(evs) > before[m] })
	}
	a.stop()
	say("A down", alice, bob)
	hear("A down", everyone, alice, bob)

	// Carol goes offline; A comes back and B stops: what Alice and Bob
	// write meanwhile, Carol reads from A alone.
	carol.waitDelivered(t, conv)
	carol.stop()
	a.start()
	say("Carol away", alice, bob)
	hear("Carol away", []*member{alice, bob}, alice, bob)
	alice.waitDelivered(t, conv)
	bob.waitDelivered(t, conv)
	b.stop()
	carol.start()
	hear("Carol away", []*member{carol}, alice, bob)
	b.start()
	say("back", everyone...)
	hear("back", everyone, everyone...)

	for _, m := range everyone {
		for _, phase := range []string{"both up", "B down", "back"} {
			for _, w := range everyone {
				if n := m.bodies(conv, phase+" from "+w.name); n != 1 {
					t.Errorf("%s holds %q %d times", m.name, phase+" from "+w.name, n)
				}
			}
		}
		for _, phase := range []string{"A down", "Carol away"} {
			for _, w := range []*member{alice, bob} {
				if n := m.bodies(conv, phase+" from "+w.name); n != 1 {
					t.Errorf("%s holds %q %d times", m.name, phase+" from "+w.name, n)
				}
			}
		}
		if ws := m.groupWarnings(conv); len(ws) != 0 {
			t.Errorf("%s was warned: %+v", m.name, ws)
		}
	}

	// Withheld on both: Bob's next post skips a number, on A and on B.
	last, err := bob.c.lastSeq(id)
	if err != nil {
		t.Fatal(err)
	}
	bob.c.mu.Lock()
	cur := bob.c.groups[id].cur().g
	srvs := []*server{bob.c.servers[aKey], bob.c.servers[bKey]}
	bob.c.mu.Unlock()
	skipped, err := cur.Seal(nil, bob.key(id), &group.Message{Seq: last + 2, Sent: time.Now(), Kind: group.KindText, Text: "after a gap"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srvs {
		blob, err := cur.Reseal(nil, skipped) // one message, sealed for each server
		if err != nil {
			t.Fatal(err)
		}
		if status, err := s.send(context.Background(), blob); err != nil || status != protocol.PostOK {
			t.Fatalf("bob's post after a gap: %v, %v", status, err)
		}
	}
	gap := func(w model.GroupWarning) bool {
		return w.Conversation == conv && w.Kind == "gap" && w.Author == string(bob.as(id))
	}
	for _, m := range []*member{alice, carol} {
		m.waitBody(t, conv, "after a gap")
		m.ev.waitFor(t, m.name+" told of the gap", func(evs []model.Event) bool { return count(evs, gap) == 1 })
		if n := m.bodies(conv, "after a gap"); n != 1 {
			t.Errorf("%s holds the post after the gap %d times", m.name, n)
		}
	}

	// A newcomer's invite names both servers.
	text, err := alice.c.Invite(id)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := invite.Parse(text)
	if err != nil || !strings.HasPrefix(text, invite.PrefixGroupOwned) || len(inv.(*invite.GroupInvite).Bundles()) != 2 {
		t.Fatalf("the invite of a group on two servers: %.8s, %v", text, err)
	}
}

// TestRemoveServer: Alice's group lives on A and B; B stops, and Alice's
// post then waits in her queue for B. Bob cannot remove B; Alice does: her
// waiting post leaves the queue (it is on every server left), Bob follows
// the list (A only) and stops following B, and the two go on writing
// through A.
func TestRemoveServer(t *testing.T) {
	g := newTwoServerGroup(t)
	b, aKey, bKey, alice, bob, id, conv := g.b, g.aKey, g.bKey, g.alice, g.bob, g.id, g.conv
	b.stop()
	waiting, err := alice.c.Post(id, "while B is down", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "while B is down")
	if q, err := alice.st.Outbox(conv); err != nil || !slices.Contains(q, waiting.ID) {
		t.Fatalf("alice's queue while B is down: %v, %v", q, err)
	}
	if err := bob.c.RemoveServer(id, bKey); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("bob removes B: %v", err)
	}
	if err := alice.c.RemoveServer(id, bKey); err != nil {
		t.Fatal(err)
	}
	if err := alice.c.RemoveServer(id, bKey); !errors.Is(err, ErrUnknownServer) {
		t.Fatalf("removing B twice: %v", err)
	}
	bob.ev.waitFor(t, "bob follows A only", func([]model.Event) bool { return slices.Equal(bob.servers(id), [][32]byte{aKey}) })
	if _, err := alice.c.Post(id, "on A only", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "on A only")
	alice.waitDelivered(t, conv)
	if q, err := alice.st.Outbox(conv); err != nil || len(q) != 0 {
		t.Fatalf("alice's queue after B went: %v, %v", q, err)
	}
	for _, m := range []*member{alice, bob} {
		m.c.mu.Lock()
		following := m.c.servers[bKey].subCancel != nil
		m.c.mu.Unlock()
		if following {
			t.Errorf("%s still follows B", m.name)
		}
	}
	if _, err := bob.c.Post(id, "fine by me", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitBody(t, conv, "fine by me")
}

// TestHeldBackServersList: a server holds back the owner's list that added
// server C and delivers it, under a fresh sequence number, after the newer
// list that removed C. Bob follows the newer list and ignores the older
// one, even after a restart (the version of the list followed is stored).
func TestHeldBackServersList(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	srvC := startServer(t, serverConfig(t.TempDir(), tr))
	defer srvC.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, err := alice.c.CreateGroup("Allotment", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(info.ID)
	bob.join(t, text)
	alice.c.mu.Lock()
	g := alice.c.groups[info.ID].cur().g
	alice.c.mu.Unlock()
	aKey, cKey := px.bundle.SigningKey, srvC.Bundle().SigningKey
	// held is the seq of the list naming C, newer that of the list after
	// it; both connections (alice's, bob's) see the same blobs, so the
	// shift is decided by seq alone.
	var mu sync.Mutex
	var held, newer uint64
	var heldBlob [protocol.BlobSize]byte
	released := make(chan struct{})
	px.setMangle(func(b *protocol.Blob) []*protocol.Blob {
		mu.Lock()
		defer mu.Unlock()
		if held == 0 || newer == 0 {
			if m, err := g.Open(b.Blob[:]); err == nil && m.Kind == group.KindServers {
				switch {
				case held == 0 && len(m.Servers.Bundles) == 2:
					held, heldBlob = b.Seq, b.Blob
				case held != 0 && len(m.Servers.Bundles) == 1:
					newer = b.Seq
				}
			}
		}
		switch {
		case b.Seq == held:
			return nil
		case newer != 0 && b.Seq == newer:
			late := &protocol.Blob{Seq: newer + 1, Blob: heldBlob}
			select {
			case <-released:
			default:
				close(released)
			}
			return []*protocol.Blob{b, late}
		case newer != 0 && b.Seq > newer:
			return []*protocol.Blob{{Seq: b.Seq + 1, Blob: b.Blob}}
		}
		return []*protocol.Blob{b}
	})
	if err := alice.c.AddServer(info.ID, srvC.Bundle()); err != nil {
		t.Fatal(err)
	}
	if err := alice.c.RemoveServer(info.ID, cKey); err != nil {
		t.Fatal(err)
	}
	<-released
	// A post after the late list: once bob has it, he has read the list.
	if _, err := alice.c.Post(info.ID, "after the lists", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, info.Conversation, "after the lists")
	if got := bob.servers(info.ID); !slices.Equal(got, [][32]byte{aKey}) {
		t.Fatalf("bob follows %x after the held-back list, want server A only", got)
	}
	bob.stop()
	bob.start()
	if got := bob.servers(info.ID); !slices.Equal(got, [][32]byte{aKey}) {
		t.Fatalf("bob follows %x after a restart, want server A only", got)
	}
	v, err := bob.c.loadServersVersion(info.ID)
	if err != nil || v == (serversVersion{}) {
		t.Fatalf("bob's stored version of the list: %+v, %v", v, err)
	}
}
