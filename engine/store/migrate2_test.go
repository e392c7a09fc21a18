package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// The schema-1 fixture in testdata/schema1 was written by the code of
// schema 1 (commit fe97c66, TestWriteSchema1Fixture) under testKey(7):
// a contact's conversation with messages 1–5 (1 received, 2 delivered, 3
// queued, 4 with a running disappearing timer, 5 with one waiting to be
// read) and a group's with 6–8 (6 received, 7 ours delivered, 8 queued).
// Message n has the ID of 16 bytes n.
const (
	fixtureContact = model.ConversationID("abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx")
	fixtureGroup   = model.ConversationID("g:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
)

func fixtureID(n byte) model.MessageID {
	var id model.MessageID
	for i := range id {
		id[i] = n
	}
	return id
}

// copyFixture copies testdata/<name> to a new temporary directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", name)
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestMigrateSchema1 opens the schema-1 fixture: its message index is
// rewritten per conversation, every message, outbox entry and timer is
// found again, no schema-1 index entry is left, and running the migration
// a second time changes nothing (it is idempotent, as an interrupted one
// must be).
func TestMigrateSchema1(t *testing.T) {
	dir := copyFixture(t, "schema1")
	s := openTest(t, dir)
	if v, err := s.Schema(); err != nil || v != CurrentSchema() || v != 2 {
		t.Fatalf("schema %d, %v after migration; want 2", v, err)
	}
	check := func(s *Store) {
		t.Helper()
		bodies := map[byte]string{1: "hello", 2: "hi back", 3: "still queued", 4: "gone soon", 5: "read me first",
			6: "group hello", 7: "group reply", 8: "group queued"}
		for n, body := range bodies {
			conv := fixtureContact
			if n >= 6 {
				conv = fixtureGroup
			}
			m, err := s.GetMessage(conv, fixtureID(n))
			if err != nil || m.Body != body || m.Conversation != conv {
				t.Fatalf("message %d: %+v, %v", n, m, err)
			}
			other := fixtureGroup
			if n >= 6 {
				other = fixtureContact
			}
			if ok, err := s.HasMessage(other, fixtureID(n)); ok || err != nil {
				t.Fatalf("message %d found in the other conversation: %v, %v", n, ok, err)
			}
			if convs, err := s.ConversationsWith(fixtureID(n)); err != nil || len(convs) != 1 || convs[0] != conv {
				t.Fatalf("ConversationsWith(%d) = %v, %v", n, convs, err)
			}
		}
		for conv, want := range map[model.ConversationID]model.MessageID{fixtureContact: fixtureID(3), fixtureGroup: fixtureID(8)} {
			if q, err := s.Outbox(conv); err != nil || len(q) != 1 || q[0] != want {
				t.Fatalf("outbox of %s: %v, %v", conv, q, err)
			}
		}
		err := s.view(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindMsgIndex}})
			defer it.Close()
			n := 0
			for it.Rewind(); it.Valid(); it.Next() {
				if len(it.Item().Key()) == 1+len(model.MessageID{}) {
					t.Errorf("schema-1 index entry left: %x", it.Item().Key())
				}
				n++
			}
			if n != 8 {
				t.Errorf("%d index entries, want 8", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(s)
	if err := indexPerConversation(s.db); err != nil {
		t.Fatalf("second run: %v", err)
	}
	check(s)

	// The running timer (message 4) and the waiting one (5) work.
	due := time.Date(2026, 12, 1, 11, 3, 0, 0, time.UTC)
	if at, ok, err := s.NextExpiry(); err != nil || !ok || !at.Equal(due) {
		t.Fatalf("NextExpiry = %v, %v, %v; want %v", at, ok, err, due)
	}
	if gone, err := s.DeleteExpired(due); err != nil || len(gone) != 1 || gone[0].ID != fixtureID(4) || gone[0].Conversation != fixtureContact {
		t.Fatalf("DeleteExpired = %+v, %v; want message 4", gone, err)
	}
	if n, err := s.StartTimers(fixtureContact, due); n != 1 || err != nil {
		t.Fatalf("StartTimers = %d, %v; want message 5", n, err)
	}
	// Sending on: the queued message leaves the outbox, a new message follows.
	if err := s.Dequeue(fixtureID(3)); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Outbox(fixtureContact); len(q) != 0 {
		t.Fatalf("outbox after Dequeue: %v", q)
	}
	// A group message carrying a contact message's ID is stored, not a duplicate.
	m := msg(fixtureGroup, "same ID as message 1", due)
	m.ID = fixtureID(1)
	if got, err := s.AppendMessage(m); err != nil || got.Seq != 4 {
		t.Fatalf("group message with message 1's ID: %+v, %v", got, err)
	}
}
