package store

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestDisappearingMessages: an outgoing message's timer runs from when it
// was written, an incoming one's from when it was read; a due message is
// deleted with its index and outbox entries, and only due messages are.
func TestDisappearingMessages(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const conv = model.ConversationID("carol")

	kept, err := s.AppendMessage(msg(conv, "kept", t0))
	if err != nil {
		t.Fatal(err)
	}
	out := msg(conv, "mine, 1 h", t0)
	out.Outgoing, out.Status = true, model.StatusQueued
	out.Disappear, out.ExpiresAt = time.Hour, t0.Add(time.Hour)
	if out, err = s.QueueMessage(out); err != nil {
		t.Fatal(err)
	}
	in := msg(conv, "theirs, 10 min after reading", t0)
	in.Disappear = 10 * time.Minute
	if in, err = s.AppendMessage(in); err != nil {
		t.Fatal(err)
	}

	if at, ok, err := s.NextExpiry(); err != nil || !ok || !at.Equal(t0.Add(time.Hour)) {
		t.Fatalf("NextExpiry = %v, %v, %v; want %v", at, ok, err, t0.Add(time.Hour))
	}
	// Reading starts the incoming message's timer, once.
	read := t0.Add(5 * time.Minute)
	if n, err := s.StartTimers(conv, read); n != 1 || err != nil {
		t.Fatalf("StartTimers = %d, %v; want 1", n, err)
	}
	if n, err := s.StartTimers(conv, read.Add(time.Minute)); n != 0 || err != nil {
		t.Fatalf("second StartTimers = %d, %v; want 0", n, err)
	}
	// Both survive a restart of the store.
	s.Close()
	s = openTest(t, dir)
	got, err := s.GetMessage(conv, in.ID)
	if err != nil || got.Disappear != 10*time.Minute || !got.ExpiresAt.Equal(read.Add(10*time.Minute)) {
		t.Fatalf("incoming after reading = %+v, %v", got, err)
	}
	if at, ok, _ := s.NextExpiry(); !ok || !at.Equal(read.Add(10*time.Minute)) {
		t.Fatalf("NextExpiry = %v, %v; want %v", at, ok, read.Add(10*time.Minute))
	}

	if gone, err := s.DeleteExpired(read.Add(10*time.Minute - time.Nanosecond)); len(gone) != 0 || err != nil {
		t.Fatalf("DeleteExpired before due = %v, %v", gone, err)
	}
	gone, err := s.DeleteExpired(read.Add(10 * time.Minute))
	if err != nil || len(gone) != 1 || gone[0].ID != in.ID || gone[0].Conversation != conv || gone[0].Body != "" {
		t.Fatalf("DeleteExpired = %+v, %v; want the incoming message, without its body", gone, err)
	}
	gone, err = s.DeleteExpired(t0.Add(2 * time.Hour))
	if err != nil || len(gone) != 1 || gone[0].ID != out.ID || !gone[0].Outgoing {
		t.Fatalf("DeleteExpired = %+v, %v; want the outgoing message", gone, err)
	}
	if _, ok, _ := s.NextExpiry(); ok {
		t.Error("a timer still runs after every disappearing message was deleted")
	}
	for _, id := range []model.MessageID{in.ID, out.ID} {
		if _, err := s.GetMessage(conv, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("GetMessage(expired) = %v, want ErrNotFound", err)
		}
	}
	if q, err := s.Outbox(conv); err != nil || len(q) != 0 {
		t.Errorf("outbox after expiry = %v, %v; want empty (an expired message is never sent)", q, err)
	}
	page, err := s.LatestMessages(conv, 10)
	if err != nil || len(page) != 1 || page[0].ID != kept.ID {
		t.Errorf("history after expiry = %+v, %v; want only the kept message", page, err)
	}
	if info, err := s.Conversation(conv); err != nil || info.Messages != 1 {
		t.Errorf("conversation summary = %+v, %v; want 1 message", info, err)
	}
	// A later message still gets the next Seq.
	next, err := s.AppendMessage(msg(conv, "later", t0.Add(3*time.Hour)))
	if err != nil || next.Seq != 4 {
		t.Errorf("next Seq = %d, %v; want 4", next.Seq, err)
	}
}

// TestDisappearingBatches: many due messages are deleted in bounded
// batches, and a deleted conversation leaves no timer behind that could
// touch a new message at the same Seq.
func TestDisappearingBatches(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const conv = model.ConversationID("dave")
	const total = 2*timerBatch + 100
	for i := range total {
		m := msg(conv, "x", t0)
		m.Disappear, m.ExpiresAt = time.Minute, t0.Add(time.Duration(i)*time.Millisecond)
		if _, err := s.AppendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	for {
		gone, err := s.DeleteExpired(t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(gone))
		if len(gone) < timerBatch {
			break
		}
	}
	if len(sizes) != 3 || sizes[0] != timerBatch || sizes[2] != 100 {
		t.Errorf("batches = %v, want %d, %d, 100", sizes, timerBatch, timerBatch)
	}

	// Incoming messages wait for being read; the conversation is deleted
	// before that.
	for range 3 {
		m := msg(conv, "unread", t0)
		m.Disappear = time.Minute
		if _, err := s.AppendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteConversation(conv); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.AppendMessage(msg(conv, "no timer", t0))
	if err != nil || fresh.Seq != 1 {
		t.Fatalf("first message of the new conversation: Seq %d, %v", fresh.Seq, err)
	}
	if n, err := s.StartTimers(conv, t0); n != 0 || err != nil {
		t.Errorf("StartTimers after the conversation was deleted = %d, %v; want 0", n, err)
	}
	if got, err := s.GetMessage(conv, fresh.ID); err != nil || !got.ExpiresAt.IsZero() {
		t.Errorf("new message = %+v, %v; want no timer", got, err)
	}
}

// TestDisappearRecords: the timer fields round-trip in contact and message
// records, records written before they existed still decode, and an
// impossible timer is refused as corrupt.
func TestDisappearRecords(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := model.Contact{Address: "a", Nickname: "n", State: model.ContactAccepted, Disappear: 24 * time.Hour, DisappearSet: t0}
	got, err := decodeContact("a", encodeContact(c))
	if err != nil || got.Disappear != c.Disappear || !got.DisappearSet.Equal(t0) {
		t.Fatalf("contact round trip = %+v, %v", got, err)
	}
	c.Disappear, c.DisappearSet = 0, time.Time{}
	old := encodeContact(c)
	if got, err := decodeContact("a", old); err != nil || got.Disappear != 0 {
		t.Fatalf("contact without timer = %+v, %v", got, err)
	}
	bad := append(append([]byte(nil), old...), 0xff, 0xff, 0xff, 0xff, 0x0f, 0)
	if _, err := decodeContact("a", bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("contact with a 34-year timer: %v, want ErrCorrupt", err)
	}
	m := msg("c", "body", t0)
	m.Disappear, m.ExpiresAt = time.Hour, t0.Add(time.Hour)
	gm, err := decodeMessage("c", 1, encodeMessage(m))
	if err != nil || gm.Disappear != time.Hour || !gm.ExpiresAt.Equal(m.ExpiresAt) {
		t.Fatalf("message round trip = %+v, %v", gm, err)
	}
}
