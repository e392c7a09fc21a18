package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

func TestMessages(t *testing.T) {
	s := openTest(t, t.TempDir())
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const conv, other = model.ConversationID("alice"), model.ConversationID("bob")
	var ids []model.MessageID
	for i := range 25 {
		m := msg(conv, fmt.Sprintf("m%d", i+1), t0.Add(time.Duration(i)*time.Minute))
		m.ReplyTo = model.NewMessageID()
		got, err := s.AppendMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != uint64(i+1) {
			t.Fatalf("Seq = %d, want %d", got.Seq, i+1)
		}
		ids = append(ids, got.ID)
	}
	if _, err := s.AppendMessage(msg(other, "x", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}

	page, err := s.LatestMessages(conv, 10)
	checkPage(t, page, err, 16, 25)
	page, err = s.MessagesBefore(conv, page[0].Seq, 10)
	checkPage(t, page, err, 6, 15)
	page, err = s.MessagesBefore(conv, page[0].Seq, 10)
	checkPage(t, page, err, 1, 5)
	page, err = s.MessagesBefore(conv, 1, 10)
	checkPage(t, page, err, 0, -1)
	page, err = s.LatestMessages("nobody", 10)
	checkPage(t, page, err, 0, -1)
	page, err = s.LatestMessages(conv, 100)
	checkPage(t, page, err, 1, 25)

	m, err := s.GetMessage(conv, ids[4])
	if err != nil || m.Body != "m5" || m.Seq != 5 || m.Conversation != conv || m.ReplyTo.IsZero() ||
		!m.Sent.Equal(t0.Add(4*time.Minute)) || m.Status != model.StatusReceived {
		t.Fatalf("GetMessage = %+v, %v", m, err)
	}
	if _, err := s.GetMessage(conv, model.NewMessageID()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetMessage(unknown) = %v", err)
	}
	if ok, err := s.HasMessage(conv, ids[0]); !ok || err != nil {
		t.Fatalf("HasMessage = %v, %v", ok, err)
	}
	if ok, err := s.HasMessage(conv, model.NewMessageID()); ok || err != nil {
		t.Fatalf("HasMessage(unknown) = %v, %v", ok, err)
	}
	if ok, err := s.HasMessage(other, ids[0]); ok || err != nil {
		t.Fatalf("HasMessage(other conversation) = %v, %v", ok, err)
	}
	dup := msg(conv, "again", t0)
	dup.ID = ids[0]
	if _, err := s.AppendMessage(dup); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	// The same ID in another conversation is no duplicate (a sender
	// chooses its IDs): stored, and ConversationsWith shows the collision.
	dup.Conversation, dup.Body = other, "same ID elsewhere"
	if got, err := s.AppendMessage(dup); err != nil || got.Seq != 2 {
		t.Fatalf("same ID in another conversation: %+v, %v; want stored as Seq 2", got, err)
	}
	if m, err := s.GetMessage(conv, ids[0]); err != nil || m.Body != "m1" {
		t.Fatalf("GetMessage(conv) after the collision = %+v, %v", m, err)
	}
	if m, err := s.GetMessage(other, ids[0]); err != nil || m.Body != "same ID elsewhere" {
		t.Fatalf("GetMessage(other) after the collision = %+v, %v", m, err)
	}
	if convs, err := s.ConversationsWith(ids[0]); err != nil || len(convs) != 2 {
		t.Fatalf("ConversationsWith = %v, %v; want both conversations", convs, err)
	}
	if convs, err := s.ConversationsWith(ids[1]); err != nil || len(convs) != 1 || convs[0] != conv {
		t.Fatalf("ConversationsWith(no collision) = %v, %v", convs, err)
	}

	m, err = s.UpdateMessageStatus(conv, ids[2], model.StatusFailed, "contact offline")
	if err != nil || m.Status != model.StatusFailed || m.FailReason != "contact offline" {
		t.Fatalf("UpdateMessageStatus = %+v, %v", m, err)
	}
	if m, _ := s.GetMessage(conv, ids[2]); m.Status != model.StatusFailed || m.Body != "m3" {
		t.Fatalf("after update: %+v", m)
	}
	if _, err := s.UpdateMessageStatus(conv, model.NewMessageID(), model.StatusSent, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("update unknown: %v", err)
	}
	if _, err := s.UpdateMessageStatus(conv, ids[2], 0, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("update to status 0: %v", err)
	}

	convs, err := s.ListConversations()
	if err != nil || len(convs) != 2 || convs[0].ID != other || convs[1].ID != conv ||
		convs[1].LastSeq != 25 || convs[1].Messages != 25 || !convs[1].LastActivity.Equal(t0.Add(24*time.Minute)) {
		t.Fatalf("ListConversations = %+v, %v", convs, err)
	}
	if info, err := s.Conversation(conv); err != nil || info.LastSeq != 25 {
		t.Fatalf("Conversation = %+v, %v", info, err)
	}

	bad := msg(conv, "x", t0)
	bad.Status = 0
	if _, err := s.AppendMessage(bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("status 0: %v", err)
	}
	bad = msg("", "x", t0)
	if _, err := s.AppendMessage(bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty conversation: %v", err)
	}
}

func checkPage(t *testing.T, page []model.Message, err error, first, last int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != last-first+1 {
		t.Fatalf("page has %d messages, want %d..%d", len(page), first, last)
	}
	for i, m := range page {
		if want := fmt.Sprintf("m%d", first+i); m.Body != want || m.Seq != uint64(first+i) {
			t.Fatalf("page[%d] = %q seq %d, want %q", i, m.Body, m.Seq, want)
		}
	}
}

func TestConcurrentAppend(t *testing.T) {
	s := openTest(t, t.TempDir())
	const conv = model.ConversationID("c")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 25 {
				if _, err := s.AppendMessage(msg(conv, "x", time.Now())); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	info, err := s.Conversation(conv)
	if err != nil || info.LastSeq != 100 || info.Messages != 100 {
		t.Fatalf("after concurrent appends: %+v, %v", info, err)
	}
	all, _ := s.LatestMessages(conv, 1000)
	for i, m := range all {
		if m.Seq != uint64(i+1) {
			t.Fatalf("seq %d at %d", m.Seq, i)
		}
	}
}

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	const a, b = model.ConversationID("a"), model.ConversationID("b")
	var ida []model.MessageID
	for i := range 5 {
		m, err := s.QueueMessage(msg(a, fmt.Sprint(i), time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		ida = append(ida, m.ID)
		if i == 2 {
			if err := s.Enqueue(b, model.NewMessageID()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Enqueue(a, ida[0]); err != nil { // already queued: no-op
		t.Fatal(err)
	}
	if err := s.Dequeue(ida[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.Dequeue(model.NewMessageID()); err != nil {
		t.Fatalf("Dequeue(unknown) = %v", err)
	}
	// The outbox survives a restart.
	s.Close()
	s = openTest(t, dir)
	got, err := s.Outbox(a)
	want := []model.MessageID{ida[0], ida[2], ida[3], ida[4]}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Outbox = %v, %v; want %v", got, err, want)
	}
	convs, err := s.OutboxConversations()
	if err != nil || len(convs) != 2 || convs[0] != a || convs[1] != b {
		t.Fatalf("OutboxConversations = %v, %v", convs, err)
	}
	for _, id := range want {
		if err := s.Dequeue(id); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Outbox(a); len(got) != 0 {
		t.Fatalf("emptied outbox: %v", got)
	}
	if convs, _ := s.OutboxConversations(); len(convs) != 1 || convs[0] != b {
		t.Fatalf("OutboxConversations = %v", convs)
	}
}

func TestTxAppendWithBucket(t *testing.T) {
	s := openTest(t, t.TempDir())
	var seq uint64
	err := s.Update(func(tx *Tx) error {
		m, err := tx.AppendMessage(msg("g:01", "hello", time.Now()))
		if err != nil {
			return err
		}
		seq = m.Seq
		if err := tx.Enqueue("g:01", m.ID); err != nil {
			return err
		}
		return tx.Bucket("groups").Put([]byte("cursor"), []byte{1})
	})
	if err != nil || seq != 1 {
		t.Fatalf("Update = %v, seq %d", err, seq)
	}
	if ids, _ := s.Outbox("g:01"); len(ids) != 1 {
		t.Fatalf("outbox: %v", ids)
	}
}

func TestDeleteConversation(t *testing.T) {
	s := openTest(t, t.TempDir())
	var ids []model.MessageID
	for range deleteBatch + 5 {
		m := msg("a", "x", time.Now())
		ids = append(ids, m.ID)
		if _, err := s.AppendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enqueue("a", ids[0]); err != nil {
		t.Fatal(err)
	}
	keep, _ := s.QueueMessage(msg("b", "keep", time.Now()))
	if err := s.DeleteConversation("a"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.HasMessage("a", ids[7]); ok {
		t.Fatal("message still indexed")
	}
	if page, _ := s.LatestMessages("a", 10); len(page) != 0 {
		t.Fatalf("messages left: %d", len(page))
	}
	if _, err := s.Conversation("a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("summary left: %v", err)
	}
	if ob, _ := s.Outbox("a"); len(ob) != 0 {
		t.Fatalf("outbox left: %v", ob)
	}
	if convs, _ := s.ListConversations(); len(convs) != 1 || convs[0].ID != "b" {
		t.Fatalf("conversations: %+v", convs)
	}
	if ob, _ := s.Outbox("b"); len(ob) != 1 || ob[0] != keep.ID {
		t.Fatalf("other outbox: %v", ob)
	}
	if m, err := s.AppendMessage(msg("a", "again", time.Now())); err != nil || m.Seq != 1 {
		t.Fatalf("append after delete: %+v, %v", m, err)
	}
}
