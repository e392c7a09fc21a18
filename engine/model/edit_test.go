package model

import (
	"testing"
	"time"
)

func TestApplyEdit(t *testing.T) {
	sent := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	m := Message{Kind: KindText, Author: "alice", Sent: sent, Body: "helo"}
	cases := []struct {
		name   string
		msg    Message
		author string
		at     time.Time
		want   string
		ok     bool
	}{
		{"the author, soon after", m, "alice", sent.Add(time.Minute), "hello", true},
		{"someone else", m, "bob", sent.Add(time.Minute), "helo", false},
		{"after the window", m, "alice", sent.Add(EditWindow + time.Second), "helo", false},
		{"at the window's end", m, "alice", sent.Add(EditWindow), "hello", true},
		{"before it was sent", m, "alice", sent.Add(-time.Second), "helo", false},
		{"a note", Message{Kind: KindNote, Author: "alice", Sent: sent, Body: "joined"}, "alice", sent.Add(time.Minute), "joined", false},
		{"older than the last edit", Message{Kind: KindText, Author: "alice", Sent: sent, Body: "hello!", Edited: sent.Add(2 * time.Minute)}, "alice", sent.Add(time.Minute), "hello!", false},
		{"newer than the last edit", Message{Kind: KindText, Author: "alice", Sent: sent, Body: "hello!", Edited: sent.Add(time.Minute)}, "alice", sent.Add(2 * time.Minute), "hello", true},
	}
	for _, c := range cases {
		got, ok := ApplyEdit(c.msg, c.author, "hello", c.at)
		if ok != c.ok || got.Body != c.want {
			t.Errorf("%s: %q, %v; want %q, %v", c.name, got.Body, ok, c.want, c.ok)
		}
		if ok && !got.Edited.Equal(c.at) {
			t.Errorf("%s: edited at %v, want %v", c.name, got.Edited, c.at)
		}
		if !ok && !got.Edited.Equal(c.msg.Edited) {
			t.Errorf("%s: the refused edit changed the edit time", c.name)
		}
	}
}
