package groupclient

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestWithheldAfterRestart: findings held back outlive a restart. Alice's
// group lives on A and B; B is down when Bob's Nook posts, on A only,
// two messages that each skip a number. Alice reads them and holds both
// gaps back (B may have what A lacks), then closes. B comes back and
// Bob's Nook posts the first missing message there only. Alice starts
// again: B delivers it, which is no news (not "reordered"), and once both
// servers are caught up she is told of the other gap, the one neither
// server held, once. Then B goes for good while another gap waits for
// it: Alice removes B, and is told of that gap.
func TestWithheldAfterRestart(t *testing.T) {
	g := newTwoServerGroup(t)
	b, aKey, bKey, alice, bob, id, conv := g.b, g.aKey, g.bKey, g.alice, g.bob, g.id, g.conv
	if _, err := bob.c.Post(id, "hello", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitBody(t, conv, "hello")
	bob.waitDelivered(t, conv)

	b.stop()
	alice.ev.waitFor(t, "alice sees B unreachable", func([]model.Event) bool {
		s := alice.c.Groups()[0].Servers
		return !s[1].Connected && !s[1].UnreachableSince.IsZero()
	})
	last, err := bob.c.lastSeq(id)
	if err != nil {
		t.Fatal(err)
	}
	bob.c.mu.Lock()
	cur := bob.c.groups[id].cur().g
	srvA, srvB := bob.c.servers[aKey], bob.c.servers[bKey]
	bob.c.mu.Unlock()
	post := func(s *server, seq uint64, text string) {
		t.Helper()
		sealed, err := cur.Seal(nil, bob.key(id), &group.Message{Seq: seq, Sent: time.Now(), Kind: group.KindText, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if status, err := s.send(context.Background(), sealed); err != nil || status != protocol.PostOK {
			t.Fatalf("bob's %q: %v, %v", text, status, err)
		}
	}
	post(srvA, last+2, "after a gap")
	post(srvA, last+4, "after another gap")
	alice.waitBody(t, conv, "after another gap")
	if ws := alice.groupWarnings(conv); len(ws) != 0 {
		t.Fatalf("alice was warned while B was down: %+v", ws)
	}
	alice.stop()

	b.start()
	post(srvB, last+1, "the missing one")
	alice.tune = func(c *Config) { c.WithheldGrace = 50 * time.Millisecond }
	alice.start()
	alice.waitBody(t, conv, "the missing one")
	defer func() {
		if t.Failed() && alice.c != nil {
			t.Logf("alice's warnings: %+v; servers %+v", alice.groupWarnings(conv), alice.c.Groups()[0].Servers)
		}
	}()
	gap := func(w model.GroupWarning) bool {
		return w.Conversation == conv && w.Kind == "gap" && w.Author == string(bob.as(id))
	}
	alice.ev.waitFor(t, "alice told of the gap neither server filled", func(evs []model.Event) bool { return count(evs, gap) > 0 })
	ws := alice.groupWarnings(conv)
	if len(ws) != 1 || !gap(ws[0]) {
		t.Fatalf("alice's warnings after the restart: %+v", ws)
	}
	if s := alice.c.Groups()[0].Servers; s[0].CaughtUp.IsZero() || s[1].CaughtUp.IsZero() {
		t.Fatalf("told before both servers caught up: %+v", s)
	}

	// B goes for good while a gap waits for it: removing B says it.
	b.stop()
	alice.ev.waitFor(t, "alice sees B unreachable again", func([]model.Event) bool {
		return !alice.c.Groups()[0].Servers[1].Connected
	})
	post(srvA, last+6, "while B is gone")
	alice.waitBody(t, conv, "while B is gone")
	if evs, _ := alice.ev.snapshot(); count(evs, gap) != 1 {
		t.Fatalf("alice told of %d gaps while B may still have the message", count(evs, gap))
	}
	if err := alice.c.RemoveServer(id, bKey); err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "alice told of the gap once B is removed", func(evs []model.Event) bool { return count(evs, gap) == 2 })
}

// TestPendingRecord: the findings held back are stored and read back as
// they were (a gap with the numbers filled so far, a reference not seen),
// and damaged records are refused.
func TestPendingRecord(t *testing.T) {
	author := seedIdentity(t, "bob").Address()
	held := time.Date(2026, 12, 6, 13, 0, 0, 0, time.UTC)
	ps := []*pendingFinding{
		{f: group.Finding{Kind: group.FindingGap, Author: author, Message: group.MessageID{1}, Seq: 9, Last: 4},
			from: 5, to: 8, filled: map[uint64]bool{5: true, 7: true}, held: held},
		{f: group.Finding{Kind: group.FindingUnknownRef, Author: author, Message: group.MessageID{2}, Ref: group.MessageID{3}, Seq: 10, Start: true},
			filled: map[uint64]bool{}, held: held.Add(time.Minute)},
	}
	v := encodePending(ps)
	got, err := decodePending(v)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d findings read back", len(got))
	}
	for i, p := range got {
		if p.f != ps[i].f || p.from != ps[i].from || p.to != ps[i].to || len(p.filled) != len(ps[i].filled) || p.seen != ps[i].seen || !p.held.Equal(ps[i].held) {
			t.Errorf("finding %d: %+v, stored %+v", i, p, ps[i])
		}
		for seq := range ps[i].filled {
			if !p.filled[seq] {
				t.Errorf("finding %d: %d not filled", i, seq)
			}
		}
	}
	damaged := map[string][]byte{
		"empty":     nil,
		"version":   append([]byte{3}, v[1:]...),
		"as v1":     append([]byte{1}, v[1:]...),
		"truncated": v[:len(v)-1],
		"trailing":  append(v[:len(v):len(v)], 0),
		"kind":      func() []byte { w := bytes.Clone(v); w[3] = byte(group.FindingLate); return w }(),
	}
	for name, w := range damaged {
		if _, err := decodePending(w); !errors.Is(err, errPending) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestPendingRecordVersion1: findings held back as the version before
// the limit stored them (testdata/pending-v1.bin, no time they were held
// back) read, and count as held back from when they are read.
func TestPendingRecordVersion1(t *testing.T) {
	v, err := os.ReadFile("testdata/pending-v1.bin")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := decodePending(v)
	if err != nil {
		t.Fatal(err)
	}
	author := seedIdentity(t, "bob").Address()
	if len(ps) != 2 || ps[0].f.Kind != group.FindingGap || ps[0].f.Author != author || ps[0].from != 5 || ps[0].to != 8 ||
		!ps[0].filled[5] || len(ps[0].filled) != 1 || ps[1].f.Kind != group.FindingUnknownRef || ps[1].f.Ref != (group.MessageID{3}) || !ps[1].f.Start {
		t.Fatalf("read %+v", ps)
	}
	for _, p := range ps {
		if !p.held.IsZero() {
			t.Fatalf("a version 1 finding held back at %v", p.held)
		}
	}
	again, err := decodePending(encodePending(ps))
	if err != nil || len(again) != 2 || again[0].f != ps[0].f || again[1].f != ps[1].f {
		t.Fatalf("stored again as version %d: %+v, %v", pendingVersion, again, err)
	}
}

// FuzzPendingRecord: decodePending never panics, and what it accepts is
// stored again as the same findings.
func FuzzPendingRecord(f *testing.F) {
	author := seedIdentity(f, "bob").Address()
	f.Add(encodePending([]*pendingFinding{
		{f: group.Finding{Kind: group.FindingGap, Author: author, Seq: 9, Last: 4}, from: 5, to: 8, filled: map[uint64]bool{6: true}},
		{f: group.Finding{Kind: group.FindingUnknownRef, Author: author, Ref: group.MessageID{3}, Seq: 10}, filled: map[uint64]bool{}},
	}))
	f.Add([]byte{1, 0, 0})
	if v1, err := os.ReadFile("testdata/pending-v1.bin"); err == nil {
		f.Add(v1)
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		ps, err := decodePending(v)
		if err != nil {
			return
		}
		again, err := decodePending(encodePending(ps))
		if err != nil || len(again) != len(ps) {
			t.Fatalf("stored again: %d findings, %v", len(again), err)
		}
		for i := range ps {
			if again[i].f != ps[i].f || len(again[i].filled) != len(ps[i].filled) || again[i].seen != ps[i].seen || !again[i].held.Equal(ps[i].held) {
				t.Fatalf("finding %d changed: %+v, %+v", i, again[i], ps[i])
			}
		}
	})
}

// stalledGroup is the start of the tests of the limit on findings held
// back: the group of alice and bob on server A and on server B, B behind a
// proxy that drops every CaughtUp (connected, it never catches up). Alice's
// clock is real time plus offset; each of her waits for the limit is sent
// on limits and, when longer than 0, lasts until the test sends on end
// (or the client closes). Bob's Nook then posts on A alone, after a gap in
// its numbers: alice receives it from A and holds the gap back, waiting
// for B.
type stalledGroup struct {
	alice, bob *member
	id         group.ID
	conv       model.ConversationID
	a, b       identity.Address // the servers' addresses
	offset     atomic.Int64
	limits     chan time.Duration
	end        chan struct{}
}

func newStalledGroup(t *testing.T) *stalledGroup {
	tr := network()
	srvA := startServer(t, serverConfig(t.TempDir(), tr))
	t.Cleanup(func() { srvA.Close() })
	srvB := startServer(t, serverConfig(t.TempDir(), tr))
	t.Cleanup(func() { srvB.Close() })
	pxB := startProxy(t, tr, srvB.Bundle())
	t.Cleanup(pxB.close)
	pxB.mu.Lock()
	pxB.noCaughtUp = true
	pxB.mu.Unlock()

	g := &stalledGroup{a: srvA.Bundle().Address, b: pxB.bundle.Address, limits: make(chan time.Duration, 8), end: make(chan struct{})}
	g.alice, g.bob = newMember(t, tr, "alice"), newMember(t, tr, "bob")
	g.alice.stop()
	g.alice.tune = func(c *Config) {
		c.WithheldGrace = time.Millisecond
		c.Now = func() time.Time { return time.Now().Add(time.Duration(g.offset.Load())) }
		c.sleep = func(ctx context.Context, kind string, d time.Duration) bool {
			if kind != "withheld max" {
				return sleep(ctx, kind, d)
			}
			g.limits <- d
			if d > 0 {
				select {
				case <-g.end: // the limit is reached when the test says
				case <-ctx.Done():
					return false
				}
			}
			return ctx.Err() == nil
		}
	}
	g.alice.start()
	info, _ := allotment(t, srvA, g.alice, g.bob)
	g.id, g.conv = info.ID, info.Conversation
	if err := g.alice.c.AddServer(g.id, pxB.bundle); err != nil {
		t.Fatal(err)
	}
	both := [][32]byte{srvA.Bundle().SigningKey, pxB.bundle.SigningKey}
	for _, m := range []*member{g.alice, g.bob} {
		m.ev.waitFor(t, m.name+" knows server B", func([]model.Event) bool { return slices.Equal(m.servers(g.id), both) })
	}

	last, err := g.bob.c.lastSeq(g.id)
	if err != nil {
		t.Fatal(err)
	}
	g.bob.c.mu.Lock()
	cur := g.bob.c.groups[g.id].cur().g
	onA := g.bob.c.servers[srvA.Bundle().SigningKey]
	g.bob.c.mu.Unlock()
	sealed, err := cur.Seal(nil, g.bob.key(g.id), &group.Message{Seq: last + 2, Sent: time.Now(), Kind: group.KindText, Text: "after a gap"})
	if err != nil {
		t.Fatal(err)
	}
	if status, err := onA.send(context.Background(), sealed); err != nil || status != protocol.PostOK {
		t.Fatalf("bob's post on A: %v, %v", status, err)
	}
	g.alice.waitBody(t, g.conv, "after a gap")
	return g
}

// limit returns the next wait alice's Nook arms for the limit.
func (g *stalledGroup) limit(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-g.limits:
		return d
	case <-time.After(30 * time.Second):
		t.Fatal("no limit armed for the gap held back")
		return 0
	}
}

// gap reports whether w is the warning of the gap in bob's numbers.
func (g *stalledGroup) gap(w model.GroupWarning) bool {
	return w.Kind == "gap" && w.Author == string(g.bob.as(g.id))
}

// TestWithheldAtMost: the gap of a stalledGroup waits for B. Alice's Nook
// holds it back, with its limit armed at WithheldMax, and says nothing;
// she restarts after the limit has passed (an injected clock): the time
// it was first held back was stored, so the limit does not start again,
// and she is told of the gap (no server named: neither was reached yet
// since the restart).
func TestWithheldAtMost(t *testing.T) {
	g := newStalledGroup(t)
	alice, id, conv := g.alice, g.id, g.conv
	if d := g.limit(t); d != DefaultWithheldMax {
		t.Fatalf("the gap is held back at most %v, want %v", d, DefaultWithheldMax)
	}
	alice.stop()
	if ws := alice.groupWarnings(conv); slices.ContainsFunc(ws, g.gap) {
		t.Fatalf("told of the gap while B may still deliver it: %+v", ws)
	}
	v, err := alice.st.Bucket(timelineBucket(id)).Get(pendingKey)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := decodePending(v)
	if err != nil || len(ps) != 1 || ps[0].held.IsZero() {
		t.Fatalf("the stored finding: %+v, %v", ps, err)
	}

	g.offset.Store(int64(DefaultWithheldMax + time.Minute))
	alice.start()
	if d := g.limit(t); d != 0 {
		t.Fatalf("after the restart the limit waits %v more: it started again", d)
	}
	alice.ev.waitFor(t, "alice told of the gap", func([]model.Event) bool { return slices.ContainsFunc(alice.groupWarnings(conv), g.gap) })
	// Said before either server was reached again: neither is accused.
	for _, w := range alice.groupWarnings(conv) {
		if w.Kind == "not caught up" {
			t.Fatalf("a server not reached yet named: %+v", w)
		}
	}
	if s := alice.c.Groups()[0].Servers; !s[1].CaughtUp.IsZero() {
		t.Fatalf("B caught up: %+v", s[1])
	}
}

// TestWithheldAtLimit: the limit falls within one session. The gap of a
// stalledGroup waits for B, which stays connected and never says it
// caught up. The wait for the limit ends first while alice's clock is an
// hour behind (set back meanwhile): nothing is said, and the limit is
// armed again for the time left. Then it ends at the limit: the gap is
// said, and B, connected and not caught up, is named in a warning of its
// own ("not caught up"); A, caught up, is not. Nothing is left held back
// and no limit armed. On the code before, a wait that ended early was not
// armed again, and the gap was held back until a restart.
func TestWithheldAtLimit(t *testing.T) {
	g := newStalledGroup(t)
	alice, conv := g.alice, g.conv
	if d := g.limit(t); d != DefaultWithheldMax {
		t.Fatalf("the gap is held back at most %v, want %v", d, DefaultWithheldMax)
	}
	alice.ev.waitFor(t, "alice connected to B", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupServerReached) bool { return e.Server == string(g.b) && e.Reachable }) > 0
	})
	reach := func(t *testing.T) {
		t.Helper()
		select {
		case g.end <- struct{}{}:
		case <-time.After(30 * time.Second):
			t.Fatal("no wait for the limit to end")
		}
	}

	g.offset.Store(int64(-time.Hour))
	reach(t)
	if d := g.limit(t); d <= DefaultWithheldMax {
		t.Fatalf("after a wait that ended an hour early by the clock the limit is armed for %v, want the time left", d)
	}
	if ws := alice.groupWarnings(conv); len(ws) != 0 {
		t.Fatalf("warned before the limit: %+v", ws)
	}

	g.offset.Store(int64(DefaultWithheldMax))
	reach(t)
	alice.ev.waitFor(t, "alice told of the gap and of B", func([]model.Event) bool {
		ws := alice.groupWarnings(conv)
		return slices.ContainsFunc(ws, g.gap) && slices.ContainsFunc(ws, func(w model.GroupWarning) bool { return w.Kind == "not caught up" })
	})
	for _, w := range alice.groupWarnings(conv) {
		if w.Kind == "not caught up" && w.Server != string(g.b) {
			t.Fatalf("a server other than B named: %+v (B is %s, A %s)", w, g.b, g.a)
		}
	}
	if s := alice.c.Groups()[0].Servers; s[0].CaughtUp.IsZero() || !s[1].CaughtUp.IsZero() || !s[1].Connected {
		t.Fatalf("the servers' states: %+v", s)
	}
	alice.c.mu.Lock()
	gs := alice.c.groups[g.id]
	left, armed := len(gs.pending), gs.limitArmed
	alice.c.mu.Unlock()
	if left != 0 || armed {
		t.Fatalf("after the limit: %d findings held back, limit armed %v", left, armed)
	}
}
