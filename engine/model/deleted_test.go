package model

import (
	"testing"
	"time"
)

// TestApplyDelete: only the author deletes their text, within the edit
// window and not before it was sent; the copy becomes a note by them with
// no text, quote or reactions; a note, an invitation, a file and a
// message already deleted are not deleted; the rule is in the table, with
// an empty payload.
func TestApplyDelete(t *testing.T) {
	sent := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	text := Message{Kind: KindText, Author: "alice", Sent: sent, Body: "wrong chat", ReplyTo: MessageID{1},
		Reactions: []Reaction{{Author: "bob", Emoji: "👍"}}}
	got, ok := ApplyDelete(text, "alice", sent.Add(time.Hour))
	if !ok || got.Kind != KindNote || got.Body != NoteDeleted || got.Author != "alice" || !got.ReplyTo.IsZero() || got.Reactions != nil {
		t.Fatalf("alice deletes her text: %+v, %v", got, ok)
	}
	if text.Body != "wrong chat" || len(text.Reactions) != 1 {
		t.Fatal("ApplyDelete modified its argument")
	}
	for _, tc := range []struct {
		name   string
		m      Message
		author string
		at     time.Time
	}{
		{"another's", text, "bob", sent.Add(time.Hour)},
		{"too late", text, "alice", sent.Add(EditWindow + time.Second)},
		{"before it was sent", text, "alice", sent.Add(-time.Second)},
		{"already deleted", got, "alice", sent.Add(2 * time.Hour)},
		{"a note", Message{Kind: KindNote, Author: "alice", Sent: sent, Body: NoteJoined}, "alice", sent},
		{"an invitation", Message{Kind: KindGroupInvite, Author: "alice", Sent: sent, Body: "NOOK:G2:x"}, "alice", sent},
		{"a file", Message{Kind: KindFile, Author: "alice", Sent: sent, Body: "a.pdf"}, "alice", sent},
	} {
		if m, ok := ApplyDelete(tc.m, tc.author, tc.at); ok || m.Body != tc.m.Body || m.Kind != tc.m.Kind {
			t.Errorf("%s: deleted (%+v)", tc.name, m)
		}
	}
	rule, ok := Changes[ChangeDelete]
	if !ok || rule.Check(nil) != nil || CheckChange(ChangeDelete, []byte("x")) == nil {
		t.Fatal("the table's deletion takes a payload, or is missing")
	}
	if _, ok := rule.Apply(text, "bob", sent, nil); ok || !rule.Allowed(text, "alice", sent) || rule.Allowed(text, "bob", sent) {
		t.Fatal("the table's rule is not ApplyDelete's")
	}
	if _, ok := Changes[ChangeReaction].Apply(got, "bob", sent, []byte("👍")); ok {
		t.Fatal("a reaction on a deleted message")
	}
}
