package store

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

var writeSchema1 = flag.Bool("write-schema1", false, "write testdata/schema1 with this (schema 1) code")

// schema1Conversations are the conversations of the schema-1 fixture: a
// contact (an onion address) and a group ("g:" and the group ID in hex).
const (
	fixtureContact = model.ConversationID("abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx")
	fixtureGroup   = model.ConversationID("g:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
)

// fixtureID is the message ID number n of the fixture.
func fixtureID(n byte) model.MessageID {
	var id model.MessageID
	for i := range id {
		id[i] = n
	}
	return id
}

// TestWriteSchema1Fixture wrote testdata/schema1, a database of schema
// version 1 (index keyed by message ID alone), with the code of that
// version. It only runs with -write-schema1.
func TestWriteSchema1Fixture(t *testing.T) {
	if !*writeSchema1 {
		t.Skip("run with -write-schema1")
	}
	dir := filepath.Join("testdata", "schema1")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{Key: testKey(7), Create: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	add := func(m model.Message, queue bool) {
		var err error
		if queue {
			_, err = s.QueueMessage(m)
		} else {
			_, err = s.AppendMessage(m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	c := string(fixtureContact)
	// 1:1: received, sent and delivered, queued, disappearing (running and waiting).
	add(model.Message{ID: fixtureID(1), Conversation: fixtureContact, Author: c, Sent: t0, Received: t0, Body: "hello", Status: model.StatusReceived}, false)
	add(model.Message{ID: fixtureID(2), Conversation: fixtureContact, Outgoing: true, Sent: t0.Add(time.Minute), Received: t0.Add(time.Minute), Body: "hi back", Status: model.StatusDelivered}, false)
	add(model.Message{ID: fixtureID(3), Conversation: fixtureContact, Outgoing: true, Sent: t0.Add(2 * time.Minute), Received: t0.Add(2 * time.Minute), Body: "still queued", Status: model.StatusQueued}, true)
	add(model.Message{ID: fixtureID(4), Conversation: fixtureContact, Outgoing: true, Sent: t0.Add(3 * time.Minute), Received: t0.Add(3 * time.Minute), Body: "gone soon", Status: model.StatusSent,
		Disappear: time.Hour, ExpiresAt: t0.Add(3*time.Minute + time.Hour)}, false)
	add(model.Message{ID: fixtureID(5), Conversation: fixtureContact, Author: c, Sent: t0.Add(4 * time.Minute), Received: t0.Add(4 * time.Minute), Body: "read me first", Status: model.StatusReceived, Disappear: time.Hour}, false)
	// A group: received, ours delivered, ours queued.
	add(model.Message{ID: fixtureID(6), Conversation: fixtureGroup, Author: c, Sent: t0.Add(5 * time.Minute), Received: t0.Add(5 * time.Minute), Body: "group hello", Status: model.StatusReceived}, false)
	add(model.Message{ID: fixtureID(7), Conversation: fixtureGroup, Outgoing: true, Sent: t0.Add(6 * time.Minute), Received: t0.Add(6 * time.Minute), Body: "group reply", Status: model.StatusDelivered}, false)
	add(model.Message{ID: fixtureID(8), Conversation: fixtureGroup, Outgoing: true, Sent: t0.Add(7 * time.Minute), Received: t0.Add(7 * time.Minute), Body: "group queued", Status: model.StatusQueued}, true)
	if err := s.PutContact(model.Contact{Address: c, DisplayName: "Carol", State: model.ContactAccepted}); err != nil {
		t.Fatal(err)
	}
}
