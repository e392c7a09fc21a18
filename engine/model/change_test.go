package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestChangeTable: each change type's payload check, and its rule applied
// as the old records' helpers apply it (a reaction set, an edit of the
// author's own text only); a type not in the table is checked only for
// its size.
func TestChangeTable(t *testing.T) {
	for _, tc := range []struct {
		typ     ChangeType
		payload string
		ok      bool
	}{
		{ChangeReaction, "👍", true},
		{ChangeReaction, "", true},
		{ChangeReaction, "ok", false},
		{ChangeEdit, "new text", true},
		{ChangeEdit, "", false},
		{ChangeEdit, "\xff", false},
		{0xfe, "anything", true},
		{0xfe, strings.Repeat("x", MaxChangePayload+1), false},
	} {
		err := CheckChange(tc.typ, []byte(tc.payload))
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrChangeRefused) && !errors.Is(err, ErrBadEmoji) {
			t.Errorf("CheckChange(%d, %.10q) = %v", tc.typ, tc.payload, err)
		}
	}
	sent := time.Now().UTC()
	m := Message{Kind: KindText, Author: "alice", Sent: sent, Body: "helo"}
	if got, ok := Changes[ChangeEdit].Apply(m, "alice", sent.Add(time.Minute), []byte("hello")); !ok || got.Body != "hello" {
		t.Errorf("alice's edit: %+v, %v", got, ok)
	}
	if _, ok := Changes[ChangeEdit].Apply(m, "bob", sent.Add(time.Minute), []byte("bob's")); ok {
		t.Error("bob edited alice's text")
	}
	if got, ok := Changes[ChangeReaction].Apply(m, "bob", sent, []byte("👍")); !ok || len(got.Reactions) != 1 || len(m.Reactions) != 0 {
		t.Errorf("bob's reaction: %+v, %v (original %+v)", got, ok, m)
	}
	note := Message{Kind: KindNote, Author: "alice", Sent: sent, Body: NoteJoined}
	if _, ok := Changes[ChangeReaction].Apply(note, "bob", sent, []byte("👍")); ok || Changes[ChangeReaction].Allowed(note, "bob", sent) {
		t.Error("a reaction on a note")
	}
	if !Changes[ChangeEdit].Allowed(m, "alice", sent) || Changes[ChangeEdit].Allowed(m, "bob", sent) {
		t.Error("Allowed for an edit is not Editable")
	}
}
