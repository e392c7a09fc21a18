package peer

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestReactions: a reaction travels to the contact and is stored on its
// target there (replacing the sender's earlier one, removed by an empty
// emoji); changes made while the contact is away travel as one, the
// latest; the sender forgets a reaction once it is acknowledged; a
// reaction counts nothing unread.
func TestReactions(t *testing.T) {
	nw := loopbackNet(t)
	a, b, msg := contacts(t, nw, 21, "react to this")
	aConv, bConv := model.ConversationID(b.addr()), model.ConversationID(a.addr())
	reactionsAt := func(n *node, conv model.ConversationID) []model.Reaction {
		m, err := n.st.GetMessage(conv, msg.ID)
		if err != nil {
			t.Fatalf("%s: %v", n.name, err)
		}
		return m.Reactions
	}
	byBen := func(emoji string) []model.Reaction {
		return []model.Reaction{{Author: string(b.addr()), Emoji: emoji}}
	}
	// ping sends a message from a to b and waits until b stored it: every
	// record a wrote before it, acknowledgements included, was handled.
	ping := func() {
		t.Helper()
		p, err := a.m.Send(b.addr(), "ping", model.MessageID{})
		if err != nil {
			t.Fatal(err)
		}
		b.ev.waitFor(t, "the ping", nw.timeout, func(ev model.Event) bool {
			m, ok := ev.(model.MessageAdded)
			return ok && m.Message.ID == p.ID
		})
	}

	got, err := b.m.React(a.addr(), msg.ID, "👍")
	if err != nil || !slices.Equal(got.Reactions, byBen("👍")) {
		t.Fatalf("React = %+v, %v", got.Reactions, err)
	}
	a.ev.waitFor(t, "ben's reaction", nw.timeout, func(ev model.Event) bool {
		c, ok := ev.(model.MessageChanged)
		return ok && c.Message.ID == msg.ID && slices.Equal(c.Message.Reactions, byBen("👍"))
	})
	if r := reactionsAt(a, aConv); !slices.Equal(r, byBen("👍")) {
		t.Fatalf("ana stored %v", r)
	}
	ping()
	if p, err := b.m.pendingChanges(bConv); err != nil || len(p) != 0 {
		t.Fatalf("after the Ack ben still has %d reactions to send (%v)", len(p), err)
	}
	if info, err := a.st.Conversation(aConv); err != nil || info.Unread != 0 {
		t.Fatalf("a reaction counted as unread: %+v, %v", info, err)
	}

	// While ana is away ben changes his mind twice: one record, the
	// latest, travels.
	a.stop()
	for _, e := range []string{"❤\ufe0f", "🎉"} {
		if _, err := b.m.React(a.addr(), msg.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := b.m.pendingChanges(bConv); err != nil || len(p) != 1 || p[0].rec.(*protocol.Reaction).Emoji != "🎉" {
		t.Fatalf("pending while away: %+v, %v; want the latest only", p, err)
	}
	a.ev = newEvents()
	a.start()
	a.ev.waitUntil(t, "the latest reaction", nw.timeout, func() bool {
		return slices.Equal(reactionsAt(a, aConv), byBen("🎉"))
	})
	a.ev.mu.Lock()
	for _, ev := range a.ev.all {
		if c, ok := ev.(model.MessageChanged); ok && !slices.Equal(c.Message.Reactions, byBen("🎉")) {
			t.Errorf("ana saw an earlier change: %v", c.Message.Reactions)
		}
	}
	a.ev.mu.Unlock()

	// Ana reacts to her own message too; ben removes his.
	if _, err := a.m.React(b.addr(), msg.ID, "👍🏽"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.m.React(a.addr(), msg.ID, ""); err != nil {
		t.Fatal(err)
	}
	mine := []model.Reaction{{Author: string(a.addr()), Emoji: "👍🏽"}}
	a.ev.waitUntil(t, "the removal", nw.timeout, func() bool { return slices.Equal(reactionsAt(a, aConv), mine) })
	b.ev.waitUntil(t, "ana's reaction", nw.timeout, func() bool { return slices.Equal(reactionsAt(b, bConv), mine) })

	// Refused: no emoji, a message that is not there.
	before, err := b.m.pendingChanges(bConv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.m.React(a.addr(), msg.ID, "ok"); !errors.Is(err, model.ErrBadEmoji) {
		t.Fatalf("a reaction that is no emoji: %v", err)
	}
	if _, err := b.m.React(a.addr(), model.NewMessageID(), "👍"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("a reaction on a missing message: %v, want ErrNoMessage", err)
	}
	if p, _ := b.m.pendingChanges(bConv); len(p) > len(before) {
		t.Fatalf("refused reactions left %d to send", len(p)-len(before))
	}
}

// TestReactionRecords sends Reaction records by hand, as a contact: each
// is acknowledged by its ID; one on a message the receiver holds is
// stored on it, one on a message it does not hold (never had, or deleted)
// is dropped. Once the contact is blocked, its session is refused and its
// reactions never reach the store.
func TestReactionRecords(t *testing.T) {
	nw := loopbackNet(t)
	rc := newRawContact(t, nw, 23)
	victim, peerID, conv, send := rc.victim, rc.id, rc.conv, rc.send
	tr, ctx := rc.tr, rc.ctx
	text := &protocol.Text{ID: model.NewMessageID(), Sent: time.Now(), Body: "react to me"}
	send(text, text.ID)
	r := &protocol.Reaction{ID: model.NewMessageID(), Target: text.ID, Sent: time.Now(), Emoji: "👍"}
	send(r, r.ID)
	want := []model.Reaction{{Author: string(peerID.Address()), Emoji: "👍"}}
	if m, err := victim.st.GetMessage(conv, text.ID); err != nil || !slices.Equal(m.Reactions, want) {
		t.Fatalf("stored %+v, %v; want %v", m.Reactions, err, want)
	}
	missing := &protocol.Reaction{ID: model.NewMessageID(), Target: model.NewMessageID(), Sent: time.Now(), Emoji: "👍"}
	send(missing, missing.ID)
	if h := victim.history(evilIDNode(peerID)); len(h) != 1 {
		t.Fatalf("%d messages after a reaction to a missing one, want 1", len(h))
	}
	if err := victim.st.DeleteConversation(conv); err != nil {
		t.Fatal(err)
	}
	gone := &protocol.Reaction{ID: model.NewMessageID(), Target: text.ID, Sent: time.Now(), Emoji: "😮"}
	send(gone, gone.ID)
	if h := victim.history(evilIDNode(peerID)); len(h) != 0 {
		t.Fatalf("a reaction to a deleted message brought back %d messages", len(h))
	}
	again := &protocol.Text{ID: model.NewMessageID(), Sent: time.Now(), Body: "again"}
	send(again, again.ID)

	if _, err := victim.m.Block(peerID.Address()); err != nil {
		t.Fatal(err)
	}
	s2, err := tr.Dial(ctx, victim.addr())
	if err != nil {
		t.Fatal(err)
	}
	if hs, err := handshake.Client(ctx, s2, peerID, victim.addr(), nil); err == nil {
		hs.Send(&protocol.Reaction{ID: model.NewMessageID(), Target: again.ID, Sent: time.Now(), Emoji: "👎"})
		if _, err := hs.Recv(); err == nil {
			t.Fatal("a blocked contact's session was answered")
		}
		hs.Close()
	}
	if m, err := victim.st.GetMessage(conv, again.ID); err != nil || len(m.Reactions) != 0 {
		t.Fatalf("a blocked contact's reaction: %+v, %v", m.Reactions, err)
	}
}
