package store

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestEditMessage: the author's edit replaces the text in the stored
// record, with its time, and survives a reopen; someone else's edit, a
// late one and one older than the last change nothing; an edit of a
// message not held is ErrNotFound.
func TestEditMessage(t *testing.T) {
	dir := t.TempDir()
	st := openTest(t, dir)
	conv := model.ConversationID("c")
	sent := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	m, err := st.AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: conv, Author: "alice", Sent: sent,
		Received: sent, Body: "helo", Status: model.StatusReceived, Reactions: []model.Reaction{{Author: "bob", Emoji: "👍"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, changed, err := st.EditMessage(conv, m.ID, "bob", "bob's words", sent.Add(time.Minute)); err != nil || changed {
		t.Fatalf("someone else's edit: %v, %v", changed, err)
	}
	if _, changed, err := st.EditMessage(conv, m.ID, "alice", "late", sent.Add(model.EditWindow+time.Minute)); err != nil || changed {
		t.Fatalf("an edit after the window: %v, %v", changed, err)
	}
	got, changed, err := st.EditMessage(conv, m.ID, "alice", "hello", sent.Add(2*time.Minute))
	if err != nil || !changed || got.Body != "hello" {
		t.Fatalf("the author's edit: %+v, %v, %v", got, changed, err)
	}
	if _, changed, err := st.EditMessage(conv, m.ID, "alice", "older", sent.Add(time.Minute)); err != nil || changed {
		t.Fatalf("an older edit arriving later: %v, %v", changed, err)
	}
	if _, _, err := st.EditMessage(conv, model.NewMessageID(), "alice", "x", sent.Add(time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an edit of a message not held: %v", err)
	}
	st.Close()
	st = openTest(t, dir)
	again, err := st.GetMessage(conv, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Body != "hello" || !again.Edited.Equal(sent.Add(2*time.Minute)) || len(again.Reactions) != 1 {
		t.Fatalf("after a reopen: %+v", again)
	}
}

// TestChangeMessageKeepsIdentity: a change that would move a message (its
// ID, conversation or Seq) is refused and stores nothing.
func TestChangeMessageKeepsIdentity(t *testing.T) {
	st := openTest(t, t.TempDir())
	conv := model.ConversationID("c")
	m, err := st.AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: conv, Author: "a", Body: "x", Status: model.StatusReceived})
	if err != nil {
		t.Fatal(err)
	}
	for _, move := range []func(*model.Message){
		func(m *model.Message) { m.ID = model.NewMessageID() },
		func(m *model.Message) { m.Conversation = "d" },
		func(m *model.Message) { m.Seq++ },
	} {
		_, _, err := st.ChangeMessage(conv, m.ID, func(m model.Message) (model.Message, bool) { move(&m); m.Body = "y"; return m, true })
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("a change that moves the message: %v", err)
		}
	}
	if got, err := st.GetMessage(conv, m.ID); err != nil || got.Body != "x" {
		t.Fatalf("after the refused changes: %+v, %v", got, err)
	}
}
