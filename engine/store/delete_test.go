package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestDeleteMessage: deleting one message on request fixes the summary in
// the same transaction (count, unread count only when the message was
// unread, latest message), drops a queued message from the outbox,
// removes its timers, and leaves a tombstone that refuses a copy written
// again by its sender.
func TestDeleteMessage(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const conv, other = model.ConversationID("alice"), model.ConversationID("bob")
	// Seq 1 in, 2 out (queued), 3 in, 4 in, 5 in (with a timer waiting for
	// the read); then read, then 6 in: unread is 1 (Seq 6).
	add := func(body string, outgoing bool, i int) model.Message {
		t.Helper()
		m := msg(conv, body, t0.Add(time.Duration(i)*time.Minute))
		var err error
		if outgoing {
			m.Outgoing, m.Status = true, model.StatusQueued
			m, err = s.QueueMessage(m)
		} else {
			m, err = s.AppendMessage(m)
		}
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m1 := add("in 1", false, 1)
	m2 := add("out 2", true, 2)
	m3 := add("in 3", false, 3)
	m4 := add("in 4", false, 4)
	timed := msg(conv, "in 5, disappearing", t0.Add(5*time.Minute))
	timed.Disappear = time.Hour
	m5, err := s.AppendMessage(timed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkRead(conv); err != nil {
		t.Fatal(err)
	}
	m6 := add("in 6", false, 6)
	if _, err := s.AppendMessage(msg(other, "elsewhere", t0)); err != nil {
		t.Fatal(err)
	}
	summary := func() Summary {
		t.Helper()
		sum, err := s.Summary(conv)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := summary(); sum.Messages != 6 || sum.Unread != 1 {
		t.Fatalf("before: %+v", sum)
	}

	// A read incoming message: the count drops, unread stays.
	before := s.Commits()
	if got, err := s.DeleteMessage(conv, m3.ID); err != nil || got.Body != "in 3" {
		t.Fatalf("DeleteMessage = %+v, %v", got, err)
	}
	if n := s.Commits() - before; n != 1 {
		t.Fatalf("DeleteMessage took %d commits, want 1", n)
	}
	if sum := summary(); sum.Messages != 5 || sum.Unread != 1 || sum.Last.ID != m6.ID {
		t.Fatalf("after deleting a read message: %+v", sum)
	}
	if _, err := s.GetMessage(conv, m3.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetMessage of a deleted message: %v", err)
	}
	if ok, err := s.HasMessage(conv, m3.ID); ok || err != nil {
		t.Fatalf("HasMessage of a deleted message: %v, %v", ok, err)
	}
	// Its sender writes it again (our acknowledgement was lost): a
	// duplicate, not stored again.
	again := msg(conv, "in 3", t0)
	again.ID = m3.ID
	if _, err := s.AppendMessage(again); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("a deleted message written again: %v, want ErrDuplicate", err)
	}

	// The unread latest message: count, unread and the latest message
	// all change.
	if _, err := s.DeleteMessage(conv, m6.ID); err != nil {
		t.Fatal(err)
	}
	if sum := summary(); sum.Messages != 4 || sum.Unread != 0 || sum.Last.ID != m5.ID {
		t.Fatalf("after deleting the unread latest message: %+v", sum)
	}

	// A queued outgoing message leaves the outbox.
	if q, _ := s.Outbox(conv); len(q) != 1 || q[0] != m2.ID {
		t.Fatalf("outbox before: %v", q)
	}
	if _, err := s.DeleteMessage(conv, m2.ID); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Outbox(conv); len(q) != 0 {
		t.Fatalf("outbox after deleting the queued message: %v", q)
	}

	// A message with a timer waiting for the read: the timer goes too.
	if _, err := s.DeleteMessage(conv, m5.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.StartTimers(conv, t0); err != nil || n != 0 {
		t.Fatalf("StartTimers after the deletion = %d, %v", n, err)
	}
	if sum := summary(); sum.Messages != 2 || sum.Last.ID != m4.ID {
		t.Fatalf("after deleting the disappearing message: %+v", sum)
	}
	if _, err := s.DeleteMessage(conv, m5.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
	page, err := s.LatestMessages(conv, 10)
	if err != nil || len(page) != 2 || page[0].ID != m1.ID || page[1].ID != m4.ID {
		t.Fatalf("left: %+v, %v", page, err)
	}
	// A new message is numbered after the deleted ones.
	if m7 := add("in 7", false, 7); m7.Seq != 7 {
		t.Fatalf("Seq after deletions = %d, want 7", m7.Seq)
	}
	if sum, _ := s.Summary(other); sum.Messages != 1 {
		t.Fatalf("the other conversation changed: %+v", sum)
	}
	// Deleting the conversation also removes the tombstones.
	if err := s.DeleteConversation(conv); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendMessage(again); err != nil {
		t.Fatalf("the message stored again after its conversation was deleted: %v", err)
	}
}

// TestDeleteMessageUnread: a message is unread when fewer than the unread
// count of incoming messages came after it; deleting one of several
// unread messages, among outgoing ones, lowers the count by one.
func TestDeleteMessageUnread(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const conv = model.ConversationID("alice")
	var ids []model.MessageID
	for i := range 6 {
		m := msg(conv, fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute))
		m.Outgoing = i%2 == 1 // in, out, in, out, in, out
		if m.Outgoing {
			m.Status = model.StatusDelivered
		}
		m, err := s.AppendMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
		if i == 1 {
			if _, err := s.MarkRead(conv); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Unread: Seq 3 and 5. Seq 1 was read.
	for _, c := range []struct {
		i      int
		unread uint64
	}{{0, 2}, {2, 1}, {3, 1}, {4, 0}} {
		if _, err := s.DeleteMessage(conv, ids[c.i]); err != nil {
			t.Fatal(err)
		}
		if sum, _ := s.Summary(conv); sum.Unread != c.unread {
			t.Fatalf("after deleting message %d: unread %d, want %d", c.i, sum.Unread, c.unread)
		}
	}
}

// TestClearConversation: every message goes, in batches, the summary
// stays with nothing in it, the outbox is emptied, and the numbering goes
// on.
func TestClearConversation(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const conv, other = model.ConversationID("alice"), model.ConversationID("bob")
	n := clearBatch*2 + 5
	var queued, last model.MessageID
	for i := range n {
		m := msg(conv, fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))
		var err error
		if i == 3 {
			m.Outgoing, m.Status = true, model.StatusQueued
			m, err = s.QueueMessage(m)
			queued = m.ID
		} else {
			m, err = s.AppendMessage(m)
		}
		if err != nil {
			t.Fatal(err)
		}
		last = m.ID
	}
	if _, err := s.AppendMessage(msg(other, "elsewhere", t0)); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClearConversation(conv)
	if err != nil || len(got) != n || got[0] != last {
		t.Fatalf("ClearConversation = %d IDs, %v; want %d, the newest first", len(got), err, n)
	}
	sum, err := s.Summary(conv)
	if err != nil || sum.Messages != 0 || sum.Unread != 0 || !sum.Last.ID.IsZero() || sum.LastSeq != uint64(n) {
		t.Fatalf("summary after clearing: %+v, %v", sum, err)
	}
	if page, err := s.LatestMessages(conv, 10); err != nil || len(page) != 0 {
		t.Fatalf("messages after clearing: %d, %v", len(page), err)
	}
	if q, _ := s.Outbox(conv); len(q) != 0 {
		t.Fatalf("outbox after clearing: %v", q)
	}
	if _, err := s.GetMessage(conv, queued); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the queued message: %v", err)
	}
	m, err := s.AppendMessage(msg(conv, "after", t0.Add(time.Hour)))
	if err != nil || m.Seq != uint64(n+1) {
		t.Fatalf("a message after clearing: Seq %d, %v", m.Seq, err)
	}
	if sum, _ := s.Summary(conv); sum.Messages != 1 || sum.Unread != 1 || sum.Last.ID != m.ID {
		t.Fatalf("summary after a new message: %+v", sum)
	}
	if sum, _ := s.Summary(other); sum.Messages != 1 {
		t.Fatalf("the other conversation changed: %+v", sum)
	}
	if got, err := s.ClearConversation("nobody"); err != nil || len(got) != 0 {
		t.Fatalf("clearing a conversation without messages: %d, %v", got, err)
	}
}
