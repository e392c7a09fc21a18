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

// TestEditTime: an edit's time is its clock to the millisecond, and after
// the last edit when made within the same millisecond (or the clock went
// back).
func TestEditTime(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 123_456_789, time.UTC)
	ms := time.Date(2026, 12, 6, 10, 0, 0, 123_000_000, time.UTC)
	if got := EditTime(Message{}, now); !got.Equal(ms) {
		t.Fatalf("first edit: %v, want %v", got, ms)
	}
	if got := EditTime(Message{Edited: ms}, now); !got.Equal(ms.Add(time.Millisecond)) {
		t.Fatalf("in the same millisecond as the last: %v", got)
	}
	if got := EditTime(Message{Edited: ms.Add(time.Second)}, now); !got.After(ms.Add(time.Second)) {
		t.Fatalf("after a clock that went back: %v", got)
	}
	m := Message{Kind: KindText, Author: "a", Sent: now}
	if got := EditTime(m, now); got.Before(now) || !got.Equal(ms.Add(time.Millisecond)) {
		t.Fatalf("in the millisecond the message was sent in: %v, before it", got)
	} else if _, ok := ApplyEdit(m, "a", "x", got); !ok {
		t.Fatal("an edit in the millisecond the message was sent in is refused")
	}
}
