package groupclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
)

func TestPostAndReceive(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, err := alice.c.CreateGroup("friends", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := bob.join(t, text); got.ID != info.ID || got.Name != "friends" || got.Conversation != info.ID.Conversation() {
		t.Fatalf("joined %+v, created %+v", got, info)
	}
	sent, err := alice.c.Post(info.ID, "hello bob", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Status != model.StatusQueued || !sent.Outgoing {
		t.Fatalf("posted %+v", sent)
	}
	bob.ev.waitFor(t, "bob receives", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool { return e.Message.Body == "hello bob" }) == 1
	})
	alice.ev.waitFor(t, "delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) == 1
	})
	got := bob.messages(info.Conversation)
	if len(got) != 1 || got[0].ID != sent.ID || got[0].Author != string(alice.as(info.ID)) || got[0].Status != model.StatusReceived {
		t.Fatalf("bob has %+v", got)
	}
	// A reply, quoting alice's message.
	reply, err := bob.c.Post(info.ID, "hi alice", sent.ID)
	if err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "alice receives the reply", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool { return e.Message.ID == reply.ID && e.Message.ReplyTo == sent.ID }) == 1
	})
	members, err := alice.c.Members(info.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("members %+v, %v", members, err)
	}
	for _, m := range members {
		if m.Address == bob.as(info.ID) && m.Name != "bob" || m.Address == alice.as(info.ID) && m.Name != "alice" {
			t.Errorf("member %+v", m)
		}
	}
	if gs := bob.c.Groups(); len(gs) != 1 || gs[0].ID != info.ID || gs[0].Server != srv.Address() {
		t.Errorf("groups %+v", gs)
	}

	// Errors the facade shows.
	if _, err := alice.c.Post(info.ID, strings.Repeat("x", group.MaxText+1), model.MessageID{}); !errors.Is(err, group.ErrBodyTooLong) {
		t.Errorf("long post: %v", err)
	}
	if _, err := alice.c.Post(group.ID{1}, "x", model.MessageID{}); !errors.Is(err, ErrUnknownGroup) {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := alice.c.Post(info.ID, "x", model.MessageID{9}); !errors.Is(err, ErrUnknownMessage) {
		t.Errorf("unknown reply: %v", err)
	}
}

// TestOfflineCatchUp: three members; one is offline while the others post
// 500 messages and the server restarts in between; it comes back and gets
// all 500, in each author's order, with progress events.
func TestOfflineCatchUp(t *testing.T) {
	const perAuthor = 250
	tr := network()
	dir := t.TempDir()
	srv := startServer(t, serverConfig(dir, tr))
	alice, bob, carol := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol")
	info, err := alice.c.CreateGroup("club", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(info.ID)
	bob.join(t, text)
	carol.join(t, text)
	carol.stop()

	post := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := alice.c.Post(info.ID, fmt.Sprintf("a%d", i), model.MessageID{}); err != nil {
				t.Fatal(err)
			}
			if _, err := bob.c.Post(info.ID, fmt.Sprintf("b%d", i), model.MessageID{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	delivered := func(m *member, n int) {
		m.ev.waitFor(t, m.name+"'s posts delivered", func(evs []model.Event) bool {
			return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) >= n
		})
	}
	post(0, perAuthor/2)
	delivered(alice, perAuthor/2)
	delivered(bob, perAuthor/2)

	// The server restarts; the clients reconnect and go on.
	srv.Close()
	srv = startServer(t, serverConfig(dir, tr))
	defer srv.Close()
	post(perAuthor/2, perAuthor)
	delivered(alice, perAuthor)
	delivered(bob, perAuthor)

	carol.start()
	evs := carol.ev.waitFor(t, "carol caught up", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0 &&
			count(evs, func(e model.MessageAdded) bool { return true }) == 2*perAuthor
	})
	got := carol.messages(info.Conversation)
	if len(got) != 2*perAuthor {
		t.Fatalf("carol has %d messages, want %d", len(got), 2*perAuthor)
	}
	next := map[string]int{}
	for _, m := range got {
		prefix := m.Body[:1]
		if want := fmt.Sprintf("%s%d", prefix, next[prefix]); m.Body != want {
			t.Fatalf("carol's message %d is %q, want %q", m.Seq, m.Body, want)
		}
		next[prefix]++
	}
	var syncs []model.GroupSync
	for _, ev := range evs {
		if s, ok := ev.(model.GroupSync); ok {
			syncs = append(syncs, s)
		}
	}
	// The server may hold a blob twice: a post whose result was lost in the
	// server restart is posted again, and carol drops the replay. So the
	// total is at least the number of messages, and the last event covers
	// all of it.
	last := syncs[len(syncs)-1]
	if len(syncs) < 3 || syncs[0].Total < 2*perAuthor || !last.CaughtUp || last.Done != last.Total || last.Total != syncs[0].Total {
		t.Errorf("progress events %+v", syncs)
	}
	for i := 1; i < len(syncs); i++ {
		if syncs[i].Done < syncs[i-1].Done {
			t.Errorf("progress went backwards: %+v", syncs)
		}
	}
	if n := count(evs, func(model.GroupWarning) bool { return true }); n != 0 {
		t.Errorf("%d warnings from an honest server: %+v", n, evs)
	}
}

// TestQueueSurvivesRestart: posts written while the server is down wait in
// the queue across a client restart and go out once, when it is back.
func TestQueueSurvivesRestart(t *testing.T) {
	tr := network()
	dir := t.TempDir()
	srv := startServer(t, serverConfig(dir, tr))
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, err := alice.c.CreateGroup("g", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(info.ID)
	bob.join(t, text)
	srv.Close()
	for i := range 3 {
		if _, err := alice.c.Post(info.ID, fmt.Sprint("queued ", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	alice.stop() // "crash" with three posts queued
	alice.start()
	srv = startServer(t, serverConfig(dir, tr))
	defer srv.Close()
	alice.ev.waitFor(t, "delivered after restart", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) == 3
	})
	bob.ev.waitFor(t, "bob receives", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool { return true }) == 3
	})
	if got := bob.messages(info.Conversation); len(got) != 3 || got[0].Body != "queued 0" || got[2].Body != "queued 2" {
		t.Fatalf("bob has %+v", got)
	}
	if got := alice.messages(info.Conversation); len(got) != 3 {
		t.Fatalf("alice has %d messages", len(got))
	}
}

// TestCloseWipesGroupKeys: Close (which Lock calls through the engine)
// leaves no group key in the client's memory: every group's key record is
// zeros, and its derived keys are gone (it can no longer seal).
func TestCloseWipesGroupKeys(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("friends", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	c := alice.c
	gs := c.groups[info.ID]
	if gs.rec.key == ([group.KeySize]byte{}) {
		t.Fatal("the group has no key before Close")
	}
	alice.stop()
	if gs.rec.key != ([group.KeySize]byte{}) {
		t.Error("the group key is still in memory after Close")
	}
	if _, err := gs.g.Seal(nil, alice.id, &group.Message{Seq: 1, Kind: group.KindText, Text: "x"}); !errors.Is(err, group.ErrWiped) {
		t.Errorf("sealing after Close: %v, want group.ErrWiped", err)
	}
}
