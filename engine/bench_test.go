package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// benchProfile returns a started engine with a profile (password "pw") of
// n contacts with one message each, locked.
func benchProfile(b *testing.B, n int) (*Engine, ProfileInfo) {
	ctx := context.Background()
	e := New(Config{DataDir: b.TempDir(), Transport: loopback.New(loopback.NewMemoryDirectory()), Profile: enginetest.Profile()})
	if err := e.Start(ctx); err != nil {
		b.Fatal(err)
	}
	info, err := e.CreateProfile(ctx, "Reporter", "pw")
	if err != nil {
		b.Fatal(err)
	}
	op, _ := e.current()
	t0 := time.Now()
	for i := range n {
		id, err := identity.Generate(nil)
		if err != nil {
			b.Fatal(err)
		}
		addr := string(id.Address())
		if err := op.st.PutContact(model.Contact{Address: addr, Nickname: fmt.Sprintf("contact %d", i), State: model.ContactAccepted, Added: t0}); err != nil {
			b.Fatal(err)
		}
		at := t0.Add(time.Duration(i) * time.Second)
		_, err = op.st.AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: model.ConversationID(addr), Author: addr,
			Sent: at, Received: at, Body: "a message to list", Status: model.StatusReceived})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := e.Lock(); err != nil {
		b.Fatal(err)
	}
	return e, info
}

// perItemList builds the list as the app did before the conversation
// API: Contacts, then each contact's latest message and unread count.
func perItemList(b *testing.B, e *Engine, n int) {
	cs, err := e.Contacts()
	if err != nil || len(cs) != n {
		b.Fatalf("%d contacts, %v", len(cs), err)
	}
	for _, c := range cs {
		conv := model.ConversationID(c.Address)
		if _, err := e.History(conv, 0, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Unread(conv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConversationList measures building the list of 200
// conversations on an unlocked profile: "conversations" is one call (one
// read of the summaries), "per-item" the calls the app made before.
func BenchmarkConversationList(b *testing.B) {
	const n = 200
	e, info := benchProfile(b, n)
	defer e.Close()
	if _, err := e.Unlock(context.Background(), info.ID, "pw"); err != nil {
		b.Fatal(err)
	}
	b.Run("conversations", func(b *testing.B) {
		for b.Loop() {
			if cs, err := e.Conversations(); err != nil || len(cs) != n {
				b.Fatalf("%d conversations, %v", len(cs), err)
			}
		}
	})
	b.Run("per-item", func(b *testing.B) {
		for b.Loop() {
			perItemList(b, e, n)
		}
	})
}

// BenchmarkUnlockToList measures what a frontend waits for between the
// password and a conversation list, with 200 conversations of one message
// each: the unlock (with the tests' cheap key derivation, so the database
// and the runtime dominate) and then the list. "snapshot" reads it from
// the Snapshot an unlock sends; "per-item" reads it as the app did before
// the conversation API: Contacts, then each contact's latest message and
// unread count.
func BenchmarkUnlockToList(b *testing.B) {
	const n = 200
	ctx := context.Background()
	e, info := benchProfile(b, n)
	defer e.Close()
	lock := func() {
		if err := e.Lock(); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("snapshot", func(b *testing.B) {
		ch, cancel := e.Subscribe()
		defer cancel()
		<-ch // the snapshot of the locked engine
		for b.Loop() {
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			for ev := range ch {
				if s, ok := ev.(model.Snapshot); ok && s.Unlocked {
					if len(s.Conversations) != n {
						b.Fatalf("%d conversations", len(s.Conversations))
					}
					break
				}
			}
			b.StopTimer()
			lock()
			b.StartTimer()
		}
	})
	b.Run("per-item", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Unlock(ctx, info.ID, "pw"); err != nil {
				b.Fatal(err)
			}
			perItemList(b, e, n)
			b.StopTimer()
			lock()
			b.StartTimer()
		}
	})
}
