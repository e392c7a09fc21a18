package groupclient

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
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
	ps := []*pendingFinding{
		{f: group.Finding{Kind: group.FindingGap, Author: author, Message: group.MessageID{1}, Seq: 9, Last: 4},
			from: 5, to: 8, filled: map[uint64]bool{5: true, 7: true}},
		{f: group.Finding{Kind: group.FindingUnknownRef, Author: author, Message: group.MessageID{2}, Ref: group.MessageID{3}, Seq: 10, Start: true},
			filled: map[uint64]bool{}},
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
		if p.f != ps[i].f || p.from != ps[i].from || p.to != ps[i].to || len(p.filled) != len(ps[i].filled) || p.seen != ps[i].seen {
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
		"version":   append([]byte{2}, v[1:]...),
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

// FuzzPendingRecord: decodePending never panics, and what it accepts is
// stored again as the same findings.
func FuzzPendingRecord(f *testing.F) {
	author := seedIdentity(f, "bob").Address()
	f.Add(encodePending([]*pendingFinding{
		{f: group.Finding{Kind: group.FindingGap, Author: author, Seq: 9, Last: 4}, from: 5, to: 8, filled: map[uint64]bool{6: true}},
		{f: group.Finding{Kind: group.FindingUnknownRef, Author: author, Ref: group.MessageID{3}, Seq: 10}, filled: map[uint64]bool{}},
	}))
	f.Add([]byte{1, 0, 0})
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
			if again[i].f != ps[i].f || len(again[i].filled) != len(ps[i].filled) || again[i].seen != ps[i].seen {
				t.Fatalf("finding %d changed: %+v, %+v", i, again[i], ps[i])
			}
		}
	})
}
