package peer

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestEdits: an edit of our own text travels to the contact and replaces
// the text there (MessageChanged, Edited set, nothing unread); edits made
// while the contact is away travel as one, the latest; the sender forgets
// an edit once it is acknowledged; the contact's message, or a text of
// ours older than model.EditWindow, cannot be edited.
func TestEdits(t *testing.T) {
	nw := loopbackNet(t)
	a, b, msg := contacts(t, nw, 31, "see you at noom")
	aConv, bConv := model.ConversationID(b.addr()), model.ConversationID(a.addr())
	bodyAt := func(n *node, conv model.ConversationID) string {
		m, err := n.st.GetMessage(conv, msg.ID)
		if err != nil {
			t.Fatalf("%s: %v", n.name, err)
		}
		return m.Body
	}
	unread := func() uint64 {
		info, err := b.st.Conversation(bConv)
		if err != nil {
			t.Fatal(err)
		}
		return info.Unread
	}
	before := unread()
	got, err := a.m.Edit(b.addr(), msg.ID, "see you at noon")
	if err != nil || got.Body != "see you at noon" || got.Edited.IsZero() {
		t.Fatalf("Edit = %+v, %v", got, err)
	}
	b.ev.waitFor(t, "ana's edit", nw.timeout, func(ev model.Event) bool {
		c, ok := ev.(model.MessageChanged)
		return ok && c.Message.ID == msg.ID && c.Message.Body == "see you at noon" && !c.Message.Edited.IsZero()
	})
	if after := unread(); after != before {
		t.Fatalf("an edit counted unread: %d → %d", before, after)
	}
	// A message of ben's after the edit: ana handled his Ack before it.
	p, err := b.m.Send(a.addr(), "ok", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	a.ev.waitFor(t, "ben's ok", nw.timeout, func(ev model.Event) bool {
		m, ok := ev.(model.MessageAdded)
		return ok && m.Message.ID == p.ID
	})
	if pending, err := a.m.pendingChanges(aConv); err != nil || len(pending) != 0 {
		t.Fatalf("after the Ack ana still has %d changes to send (%v)", len(pending), err)
	}

	// Ben cannot edit Ana's message, nor Ana his.
	if _, err := b.m.Edit(a.addr(), msg.ID, "ben's words"); !errors.Is(err, ErrNotEditable) {
		t.Fatalf("ben edits ana's message: %v", err)
	}
	if _, err := a.m.Edit(b.addr(), p.ID, "ana's words"); !errors.Is(err, ErrNotEditable) {
		t.Fatalf("ana edits ben's message: %v", err)
	}
	if _, err := a.m.Edit(b.addr(), model.NewMessageID(), "x"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("an edit of a missing message: %v", err)
	}

	// While ben is away ana edits twice: one record, the latest, travels.
	b.stop()
	for _, text := range []string{"see you at one", "see you at two"} {
		if _, err := a.m.Edit(b.addr(), msg.ID, text); err != nil {
			t.Fatal(err)
		}
	}
	if pending, err := a.m.pendingChanges(aConv); err != nil || len(pending) != 1 || pending[0].rec.(*protocol.Edit).Body != "see you at two" {
		t.Fatalf("pending while away: %+v, %v; want the latest only", pending, err)
	}
	b.ev = newEvents()
	b.start()
	b.ev.waitUntil(t, "the latest edit", nw.timeout, func() bool { return bodyAt(b, bConv) == "see you at two" })

	// A day later the text can no longer be edited.
	a.stop()
	a.opts = func(c *Config) { c.Now = func() time.Time { return time.Now().Add(model.EditWindow + time.Minute) } }
	a.ev = newEvents()
	a.start()
	if _, err := a.m.Edit(b.addr(), msg.ID, "too late"); !errors.Is(err, ErrNotEditable) {
		t.Fatalf("an edit after the window: %v", err)
	}
}

// TestEditRecords sends Edit records by hand, as a contact: each is
// acknowledged by its ID; one of the contact's own text is applied, the
// latest winning; one of our message, of a message not held (never had,
// or deleted) or after model.EditWindow changes nothing.
func TestEditRecords(t *testing.T) {
	nw := loopbackNet(t)
	rc := newRawContact(t, nw, 33)
	victim, peerID, conv, send := rc.victim, rc.id, rc.conv, rc.send
	body := func(id model.MessageID) string {
		m, err := victim.st.GetMessage(conv, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Body
	}
	sent := time.UnixMilli(time.Now().UnixMilli()).UTC()
	text := &protocol.Text{ID: model.NewMessageID(), Sent: sent, Body: "helo"}
	send(text, text.ID)
	edit := func(target model.MessageID, at time.Time, body string) {
		t.Helper()
		e := &protocol.Edit{ID: model.NewMessageID(), Target: target, Sent: at, Body: body}
		send(e, e.ID)
	}
	edit(text.ID, sent.Add(2*time.Minute), "hello")
	if got := body(text.ID); got != "hello" {
		t.Fatalf("the contact's edit of its text: %q", got)
	}
	edit(text.ID, sent.Add(time.Minute), "older") // arrives after a newer one
	edit(text.ID, sent.Add(model.EditWindow+time.Minute), "too late")
	if got := body(text.ID); got != "hello" {
		t.Fatalf("after an older and a late edit: %q", got)
	}
	mine, err := victim.m.Send(peerID.Address(), "my words", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	edit(mine.ID, time.Now(), "words put in my mouth")
	if got := body(mine.ID); got != "my words" {
		t.Fatalf("the contact edited our message: %q", got)
	}
	edit(model.NewMessageID(), time.Now(), "before its message")
	if err := victim.st.DeleteConversation(conv); err != nil {
		t.Fatal(err)
	}
	edit(text.ID, sent.Add(3*time.Minute), "back from the dead")
	if h := victim.history(evilIDNode(peerID)); len(h) != 0 {
		t.Fatalf("edits of missing or deleted messages brought back %d messages", len(h))
	}
}
