package peer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestChange: Manager.Change sends a change of the model's table as a
// Change record, which the contact applies by the type's rule
// (MessageChanged); while the contact is away the latest change of each
// type waits, beside an Edit record of the same target; a change the
// rule does not allow us is refused before anything is stored.
func TestChange(t *testing.T) {
	nw := loopbackNet(t)
	a, b, msg := contacts(t, nw, 41, "see you at noom")
	got, err := a.m.Change(b.addr(), msg.ID, model.ChangeEdit, []byte("see you at noon"))
	if err != nil || got.Body != "see you at noon" || got.Edited.IsZero() {
		t.Fatalf("Change = %+v, %v", got, err)
	}
	b.ev.waitFor(t, "ana's change", nw.timeout, func(ev model.Event) bool {
		c, ok := ev.(model.MessageChanged)
		return ok && c.Message.ID == msg.ID && c.Message.Body == "see you at noon"
	})
	if _, err := b.m.Change(a.addr(), msg.ID, model.ChangeEdit, []byte("ben's words")); !errors.Is(err, ErrChangeRefused) {
		t.Fatalf("ben changes ana's text: %v", err)
	}
	if _, err := a.m.Change(b.addr(), msg.ID, 0xfe, nil); !errors.Is(err, ErrChangeRefused) {
		t.Fatalf("a change of an unknown type: %v", err)
	}
	if _, err := a.m.Change(b.addr(), model.NewMessageID(), model.ChangeEdit, []byte("x")); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("a change of a missing message: %v", err)
	}

	b.stop()
	if _, err := a.m.Edit(b.addr(), msg.ID, "see you at one"); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"see you at two", "see you at three"} {
		if _, err := a.m.Change(b.addr(), msg.ID, model.ChangeEdit, []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := a.m.pendingChanges(model.ConversationID(b.addr()))
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending while away: %+v, %v; want an Edit and the latest Change", pending, err)
	}
	for _, p := range pending {
		if c, ok := p.rec.(*protocol.Change); ok && (c.Change != model.ChangeEdit || string(c.Payload) != "see you at three") {
			t.Fatalf("pending Change %+v", c)
		}
	}
	b.ev = newEvents()
	b.start()
	b.ev.waitUntil(t, "the latest change", nw.timeout, func() bool {
		m, err := b.st.GetMessage(model.ConversationID(a.addr()), msg.ID)
		return err == nil && m.Body == "see you at three"
	})
}

// TestChangeRecords sends Change records by hand, as a contact: each is
// acknowledged by its ID; one the type's rule allows is applied (a
// reaction, an edit of the contact's own text), one it refuses (an edit
// of our message, a deletion of it) changes nothing, and so does one of
// a type this version does not know and a deletion that arrives before
// its message; the contact's deletion of its own text makes it the note.
func TestChangeRecords(t *testing.T) {
	nw := loopbackNet(t)
	rc := newRawContact(t, nw, 43)
	victim, peerID, conv, send := rc.victim, rc.id, rc.conv, rc.send
	change := func(target model.MessageID, typ model.ChangeType, payload string) {
		t.Helper()
		c := &protocol.Change{ID: model.NewMessageID(), Target: target, Sent: time.Now(), Change: typ, Payload: []byte(payload)}
		send(c, c.ID)
	}
	get := func(id model.MessageID) model.Message {
		m, err := victim.st.GetMessage(conv, id)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	text := &protocol.Text{ID: model.NewMessageID(), Sent: time.UnixMilli(time.Now().UnixMilli()).UTC(), Body: "helo"}
	send(text, text.ID)
	change(text.ID, model.ChangeEdit, "hello")
	change(text.ID, model.ChangeReaction, "👍")
	if m := get(text.ID); m.Body != "hello" || len(m.Reactions) != 1 || m.Reactions[0].Emoji != "👍" {
		t.Fatalf("the contact's edit and reaction: %+v", m)
	}
	mine, err := victim.m.Send(peerID.Address(), "my words", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	change(mine.ID, model.ChangeEdit, "words put in my mouth")
	change(mine.ID, 0xfe, "from a later version")
	change(mine.ID, model.ChangeDelete, "")
	if m := get(mine.ID); m.Kind != model.KindText || m.Body != "my words" || !m.Edited.IsZero() {
		t.Fatalf("the contact changed or deleted our message: %+v", m)
	}
	// A deletion that overtakes its message is dropped, as an edit is:
	// the message, arriving after it, is shown.
	early := &protocol.Text{ID: model.NewMessageID(), Sent: time.UnixMilli(time.Now().UnixMilli()).UTC(), Body: "overtaken"}
	change(early.ID, model.ChangeDelete, "")
	send(early, early.ID)
	if m := get(early.ID); m.Kind != model.KindText || m.Body != "overtaken" {
		t.Fatalf("a deletion before its message: %+v", m)
	}
	// The contact deletes its own text for everyone: it becomes the note.
	change(text.ID, model.ChangeDelete, "")
	if m := get(text.ID); m.Kind != model.KindNote || m.Body != model.NoteDeleted || len(m.Reactions) != 0 {
		t.Fatalf("the contact's deletion of its text: %+v", m)
	}
}

// TestDeleteQueuedSendsNothing is the reviewer's scenario: Ana writes to
// Ben while he is away, edits the text, reacts to it and deletes it for
// everyone. The text never left her computer, so nothing of it is sent:
// her outbox and her pending changes are empty at once, and when Ben
// comes back he receives her next message and nothing else, no text, no
// note, no edit, in his events or his store. On the old code the note
// went out as a Text whose body was "deleted", then the Edit with the
// text, then the Change.
func TestDeleteQueuedSendsNothing(t *testing.T) {
	nw := loopbackNet(t)
	a, b, _ := contacts(t, nw, 44, "")
	conv := model.ConversationID(b.addr())
	b.stop()
	msg, err := a.m.Send(b.addr(), "meet at X", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Edit(b.addr(), msg.ID, "meet at Y at 5pm"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.React(b.addr(), msg.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	got, err := a.m.Change(b.addr(), msg.ID, model.ChangeDelete, nil)
	if err != nil || got.Kind != model.KindNote || got.Body != model.NoteDeleted {
		t.Fatalf("delete for everyone = %+v, %v", got, err)
	}
	if out, err := a.st.Outbox(conv); err != nil || len(out) != 0 {
		t.Fatalf("ana's outbox after the deletion: %v, %v", out, err)
	}
	if pending, err := a.m.pendingChanges(conv); err != nil || len(pending) != 0 {
		t.Fatalf("ana's pending changes after the deletion: %+v, %v", pending, err)
	}
	for _, m := range a.history(b) {
		if strings.Contains(m.Body, "meet at") {
			t.Fatalf("ana's store keeps the retracted text: %+v", m)
		}
	}

	after, err := a.m.Send(b.addr(), "see you", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	b.ev = newEvents()
	b.start()
	a.ev.waitUntil(t, "the next message delivered", nw.timeout, func() bool {
		m, err := a.st.GetMessage(conv, after.ID)
		return err == nil && m.Status == model.StatusDelivered
	})
	b.ev.mu.Lock()
	evs := slices.Clone(b.ev.all)
	b.ev.mu.Unlock()
	for _, ev := range evs {
		var m model.Message
		switch e := ev.(type) {
		case model.MessageAdded:
			m = e.Message
		case model.MessageChanged:
			m = e.Message
		default:
			continue
		}
		if m.ID == msg.ID || strings.Contains(m.Body, "meet at") || m.Body == model.NoteDeleted {
			t.Fatalf("ben was told of the retracted message: %#v", ev)
		}
	}
	for _, m := range b.history(a) {
		if m.ID == msg.ID || strings.Contains(m.Body, "meet at") || m.Body == model.NoteDeleted {
			t.Fatalf("ben's store holds the retracted message: %+v", m)
		}
	}
	if a.history(b)[len(a.history(b))-2].Kind != model.KindNote {
		t.Fatal("ana's own copy is not the note")
	}
}

// TestDeleteDeliveredDropsEdit: a message Ben holds is edited and given a
// reaction while he is away, then deleted for everyone. Only the Delete
// waits to be sent: the edit's text never reaches him (no MessageChanged
// carries it), and his copy becomes the note. On the old code the Edit,
// sorted before the Change, arrived first.
func TestDeleteDeliveredDropsEdit(t *testing.T) {
	nw := loopbackNet(t)
	a, b, msg := contacts(t, nw, 46, "meet at X")
	conv := model.ConversationID(b.addr())
	b.stop()
	if _, err := a.m.Edit(b.addr(), msg.ID, "meet at Y at 5pm"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.React(b.addr(), msg.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.m.Change(b.addr(), msg.ID, model.ChangeDelete, nil); err != nil {
		t.Fatal(err)
	}
	pending, err := a.m.pendingChanges(conv)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending after the deletion: %+v, %v; want the Delete alone", pending, err)
	}
	if c, ok := pending[0].rec.(*protocol.Change); !ok || c.Change != model.ChangeDelete {
		t.Fatalf("pending %#v, want the Delete", pending[0].rec)
	}
	b.ev = newEvents()
	b.start()
	b.ev.waitUntil(t, "ben's copy to become the note", nw.timeout, func() bool {
		m, err := b.st.GetMessage(model.ConversationID(a.addr()), msg.ID)
		return err == nil && m.Kind == model.KindNote
	})
	b.ev.mu.Lock()
	evs := slices.Clone(b.ev.all)
	b.ev.mu.Unlock()
	for _, ev := range evs {
		if c, ok := ev.(model.MessageChanged); ok && (strings.Contains(c.Message.Body, "meet at Y") || len(c.Message.Reactions) != 0) {
			t.Fatalf("ben received the edit or the reaction of a deleted message: %+v", c.Message)
		}
	}
}

// TestRecordRefusesNote: record carries a text, and refuses a note (what
// a text deleted for everyone becomes) and a kind it does not know,
// instead of sending its Body as a text as it did.
func TestRecordRefusesNote(t *testing.T) {
	st := &session{}
	if r, err := st.record(model.Message{ID: model.NewMessageID(), Kind: model.KindText, Body: "hi"}); err != nil || r.Type() != protocol.TypeText {
		t.Fatalf("record of a text = %v, %v", r, err)
	}
	for _, k := range []model.MessageKind{model.KindNote, 0x7f} {
		if r, err := st.record(model.Message{ID: model.NewMessageID(), Kind: k, Body: model.NoteDeleted}); !errors.Is(err, errUnsendable) {
			t.Fatalf("record of kind %v = %v, %v", k, r, err)
		}
	}
}
