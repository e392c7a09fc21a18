package store

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestUnreadInSummary: storing an incoming message counts it unread in the
// same commit; outgoing ones do not count; MarkRead resets the count and
// costs no commit when there is nothing to reset; the count survives a
// reopen.
func TestUnreadInSummary(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const conv = model.ConversationID("alice")
	before := s.Commits()
	for i := range 3 {
		if _, err := s.AppendMessage(msg(conv, "in", t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Commits() - before; got != 3 {
		t.Fatalf("3 messages took %d commits", got)
	}
	out := msg(conv, "out", t0.Add(time.Hour))
	out.Outgoing, out.Status = true, model.StatusQueued
	if _, err := s.QueueMessage(out); err != nil {
		t.Fatal(err)
	}
	info, err := s.Conversation(conv)
	if err != nil || info.Unread != 3 || info.Messages != 4 || !info.LastActivity.Equal(t0.Add(time.Hour)) {
		t.Fatalf("summary %+v, %v", info, err)
	}
	s.Close()
	s = openTest(t, dir)
	if info, _ := s.Conversation(conv); info.Unread != 3 {
		t.Fatalf("unread %d after reopening", info.Unread)
	}
	if changed, err := s.MarkRead(conv); !changed || err != nil {
		t.Fatalf("MarkRead = %v, %v", changed, err)
	}
	before = s.Commits()
	if changed, err := s.MarkRead(conv); changed || err != nil {
		t.Fatalf("second MarkRead = %v, %v", changed, err)
	}
	if changed, err := s.MarkRead("nobody"); changed || err != nil {
		t.Fatalf("MarkRead of no conversation = %v, %v", changed, err)
	}
	if s.Commits() != before {
		t.Fatal("a MarkRead with nothing to reset committed")
	}
	if info, _ := s.Conversation(conv); info.Unread != 0 {
		t.Fatalf("unread %d after MarkRead", info.Unread)
	}
	err = s.Update(func(tx *Tx) error {
		if err := tx.SetUnread(conv, 7); err != nil {
			return err
		}
		return tx.SetUnread("nobody", 7)
	})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := s.Conversation(conv); info.Unread != 7 {
		t.Fatalf("unread %d after SetUnread", info.Unread)
	}
	if _, err := s.Conversation("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetUnread made a conversation: %v", err)
	}
}

// TestMarkDelivered: an acknowledgement marks the message delivered and
// empties its outbox entry in one commit; it refuses incoming messages and
// messages of another conversation, and a repeat changes nothing.
func TestMarkDelivered(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const conv = model.ConversationID("alice")
	out := msg(conv, "out", t0)
	out.Outgoing, out.Status = true, model.StatusSent
	out, err := s.QueueMessage(out)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.AppendMessage(msg(conv, "in", t0))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.MarkDelivered("bob", out.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another conversation's ack: %v", err)
	}
	// An ID is unique per conversation only (security M-1): bob holding an
	// incoming message of out's ID neither lets bob's ack reach alice's
	// message nor takes it out of the outbox.
	same := msg("bob", "same ID", t0)
	same.ID = out.ID
	if _, err := s.AppendMessage(same); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.MarkDelivered("bob", out.ID); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("bob's ack of his own message's ID: %v", err)
	}
	if got, err := s.GetMessage(conv, out.ID); err != nil || got.Status != model.StatusSent {
		t.Fatalf("alice's message after bob's ack: %+v, %v", got, err)
	}
	if q, _ := s.Outbox(conv); len(q) != 1 {
		t.Fatalf("outbox %v after bob's ack", q)
	}
	if _, _, err := s.MarkDelivered(conv, in.ID); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("an incoming message acked: %v", err)
	}
	if _, _, err := s.MarkDelivered(conv, model.NewMessageID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unknown message acked: %v", err)
	}
	before := s.Commits()
	m, changed, err := s.MarkDelivered(conv, out.ID)
	if err != nil || !changed || m.Status != model.StatusDelivered {
		t.Fatalf("MarkDelivered = %+v, %v, %v", m, changed, err)
	}
	if s.Commits()-before != 1 {
		t.Fatalf("MarkDelivered took %d commits", s.Commits()-before)
	}
	if q, _ := s.Outbox(conv); len(q) != 0 {
		t.Fatalf("outbox %v after the ack", q)
	}
	if _, changed, err := s.MarkDelivered(conv, out.ID); changed || err != nil {
		t.Fatalf("repeated ack: %v, %v", changed, err)
	}
}

// TestMessageKind: a message's kind is stored with it; a text's record is
// unchanged (it ends where records written before kinds existed end).
func TestMessageKind(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	inv := msg("alice", "NOOK:G1:…", t0)
	inv.Kind = model.KindGroupInvite
	inv, err := s.AppendMessage(inv)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetMessage("alice", inv.ID); err != nil || got.Kind != model.KindGroupInvite || got.Body != inv.Body {
		t.Fatalf("stored invite %+v, %v", got, err)
	}
	text := msg("alice", "hi", t0)
	asInvite := text
	asInvite.Kind = model.KindGroupInvite
	a, b := encodeMessage(text), encodeMessage(asInvite)
	// The same message as an invite: a text's padded record with the kind
	// in the first byte of the padding, after the timer fields.
	diff := 0
	for i := range a {
		if i < len(b) && a[i] != b[i] {
			diff++
			if a[i] != 0 || b[i] != byte(model.KindGroupInvite) {
				diff = 2
			}
		}
	}
	if len(a) != len(b) || diff != 1 {
		t.Fatalf("a text's record %x, as an invite %x", a, b)
	}
	// Records written before padding: the kind follows the timer fields,
	// and a text's is never stored.
	if got, err := decodeMessage("alice", 1, unpaddedMessage(text, 0, 0, byte(model.KindGroupInvite))); err != nil || got.Kind != model.KindGroupInvite {
		t.Fatalf("an unpadded invite: %+v, %v", got, err)
	}
	bad := unpaddedMessage(text, 0, 0, byte(model.KindText))
	if _, err := decodeMessage("alice", 1, bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a stored text kind byte: %v", err)
	}
}

// unpaddedMessage is m's record as written before padding (no flagPadded,
// ending after FailReason), followed by trailing.
func unpaddedMessage(m model.Message, trailing ...byte) []byte {
	var e enc
	e.byte(recordVersion)
	e.raw(m.ID[:])
	e.string(m.Author)
	e.byte(0)
	e.time(m.Sent)
	e.time(m.Received)
	e.string(m.Body)
	e.raw(m.ReplyTo[:])
	e.byte(byte(m.Status))
	e.string(m.FailReason)
	return append(e.b, trailing...)
}

// TestSummaries: the conversation list in one read, each with its latest
// message; when the latest disappears, the one before it.
func TestSummaries(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	first, err := s.AppendMessage(msg("alice", "older", t0))
	if err != nil {
		t.Fatal(err)
	}
	gone := msg("alice", "gone soon", t0.Add(time.Minute))
	gone.Outgoing, gone.Status = true, model.StatusSent
	gone.Disappear, gone.ExpiresAt = time.Minute, t0.Add(2*time.Minute)
	if _, err := s.AppendMessage(gone); err != nil {
		t.Fatal(err)
	}
	bob, err := s.AppendMessage(msg("bob", "hi", t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.Summaries()
	if err != nil || len(sums) != 2 {
		t.Fatalf("Summaries = %+v, %v", sums, err)
	}
	if sums[0].ID != "bob" || sums[0].Last.ID != bob.ID || sums[1].Last.ID != gone.ID || sums[1].Unread != 1 {
		t.Fatalf("summaries %+v", sums)
	}
	if _, err := s.DeleteExpired(t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Summary("alice")
	if err != nil || sum.Last.ID != first.ID || sum.Messages != 1 {
		t.Fatalf("after the latest disappeared: %+v, %v", sum, err)
	}
	if _, err := s.Summary("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Summary of no conversation: %v", err)
	}
}
