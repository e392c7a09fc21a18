package groupclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// TestChange: Client.Change posts a change of the model's table as a
// group.KindChange, which the others apply by the type's rule
// (MessageChanged); a member cannot make a change the rule does not
// allow them, through Change (ErrChangeRefused) or by posting a signed
// one themselves (the others do not apply it); a reaction posted as a
// KindChange is applied as kind 5's; a change of a type this version does
// not know is dropped.
func TestChange(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, sent := friends(t, srv.Bundle(), "see you at noom", alice, bob)

	got, err := alice.c.Change(info.ID, sent.ID, model.ChangeEdit, []byte("see you at noon"))
	if err != nil || got.Body != "see you at noon" || got.Edited.IsZero() {
		t.Fatalf("Change = %+v, %v", got, err)
	}
	bob.ev.waitFor(t, "bob sees the change", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool {
			return e.Message.ID == sent.ID && e.Message.Body == "see you at noon"
		}) > 0
	})
	if _, err := bob.c.Change(info.ID, sent.ID, model.ChangeEdit, []byte("bob's words")); !errors.Is(err, ErrChangeRefused) {
		t.Fatalf("bob changes alice's text: %v", err)
	}
	if _, err := alice.c.Change(info.ID, sent.ID, 0xfe, nil); !errors.Is(err, ErrChangeRefused) {
		t.Fatalf("a change of an unknown type: %v", err)
	}
	if _, err := alice.c.Change(info.ID, model.NewMessageID(), model.ChangeEdit, []byte("x")); !errors.Is(err, ErrUnknownMessage) {
		t.Fatalf("a change of a message not held: %v", err)
	}

	// Bob posts signed changes by hand: an edit and a deletion of Alice's
	// text (refused by the rules: only the author edits or deletes), one
	// of a type unknown here, and a reaction.
	bob.c.mu.Lock()
	gs := bob.c.groups[info.ID]
	full, err := bob.c.fullID(gs, sent.ID)
	for _, c := range []struct {
		typ     model.ChangeType
		payload string
	}{{model.ChangeEdit, "bob's words"}, {model.ChangeDelete, ""}, {0xfe, "later"}, {model.ChangeReaction, "👍"}} {
		if err != nil {
			break
		}
		forged := group.Message{Kind: group.KindChange, ReplyTo: full, Change: c.typ, Payload: []byte(c.payload), Sent: bob.c.cfg.Now(), Prev: gs.head}
		_, err = bob.c.queuePostLocked(gs, &forged, nil)
	}
	bob.c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "alice sees bob's reaction", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageChanged) bool {
			return e.Message.ID == sent.ID && len(e.Message.Reactions) == 1 && e.Message.Reactions[0].Emoji == "👍"
		}) > 0
	})
	if got, err := alice.st.GetMessage(info.Conversation, sent.ID); err != nil || got.Kind != model.KindText || got.Body != "see you at noon" {
		t.Fatalf("alice holds %+v, %v after bob's edit and deletion of her text", got, err)
	}
}

// TestDeleteQueuedPost is the reviewer's scenario in a group: while the
// server is down Alice posts "meet at X", edits it, reacts to it and
// deletes it for everyone, then posts "see you". When the server is back
// Bob receives "see you" and nothing of the deleted post: no message, no
// edit, no note, in his events or his store, and no warning of a message
// withheld (the post's number is taken by the Delete that replaced it,
// which Bob drops). On the old code the original text went to the server
// when queued was sent, then each edit, then the delete.
func TestDeleteQueuedPost(t *testing.T) {
	tr := network()
	srv := newRestartable(t, tr)
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, _ := friends(t, srv.srv.Bundle(), "hello", alice, bob)
	srv.stop()
	msg, err := alice.c.Post(info.ID, "meet at X", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Edit(info.ID, msg.ID, "meet at Y at 5pm"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.React(info.ID, msg.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	got, err := alice.c.Change(info.ID, msg.ID, model.ChangeDelete, nil)
	if err != nil || got.Kind != model.KindNote || got.Body != model.NoteDeleted {
		t.Fatalf("delete for everyone = %+v, %v", got, err)
	}
	// Nothing in Alice's queue opens to the text any more.
	alice.c.mu.Lock()
	gs := alice.c.groups[info.ID]
	ids, err := alice.st.Outbox(info.Conversation)
	for _, id := range ids {
		if err != nil {
			break
		}
		var v []byte
		if v, err = alice.c.bucket.Get(queueKey(id)); err != nil {
			break
		}
		blob, _ := splitQueued(v)
		if m, oerr := gs.epochOf(blob).g.Open(blob); oerr != nil || m.Kind != group.KindChange || m.Change != model.ChangeDelete {
			err = fmt.Errorf("queued post %x: %+v, %v", id, m, oerr)
		}
	}
	alice.c.mu.Unlock()
	if err != nil || len(ids) != 3 {
		t.Fatalf("alice's queue after the deletion (%d posts): %v; want the three replaced by Deletes", len(ids), err)
	}
	after, err := alice.c.Post(info.ID, "see you", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	srv.start()
	received(t, bob, info.Conversation, after.Body)
	alice.ev.waitFor(t, "see you delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.ID == after.ID && e.Status == model.StatusDelivered }) > 0
	})
	evs, _ := bob.ev.snapshot()
	for _, ev := range evs {
		var m model.Message
		switch e := ev.(type) {
		case model.MessageAdded:
			m = e.Message
		case model.MessageChanged:
			m = e.Message
		case model.GroupWarning:
			t.Fatalf("bob was warned: %+v", e)
		default:
			continue
		}
		if m.ID == msg.ID || strings.Contains(m.Body, "meet at") || m.Body == model.NoteDeleted {
			t.Fatalf("bob was told of the deleted post: %#v", ev)
		}
	}
	for _, m := range bob.messages(info.Conversation) {
		if m.ID == msg.ID || strings.Contains(m.Body, "meet at") {
			t.Fatalf("bob's store holds the deleted post: %+v", m)
		}
	}
	if out, err := alice.st.Outbox(info.Conversation); err != nil || len(out) != 0 {
		t.Fatalf("alice's queue once the server is back: %v, %v", out, err)
	}
}

// TestDeletePartlyPosted: a post of a group on two servers is on A (its
// answer recorded, as the poster does: markSent) but not on B, and is
// deleted for everyone. It leaves the queue with its posted-mark at once,
// so B never gets it, and a Delete is queued for both. (Both servers are
// down meanwhile, so that the post is not really on A and Bob, once they
// are back, shows what B was sent: nothing of the text.)
func TestDeletePartlyPosted(t *testing.T) {
	g := newTwoServerGroup(t)
	g.a.stop()
	g.b.stop()
	msg, err := g.alice.c.Post(g.id, "meet at X", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.alice.c.markSent(g.aKey, g.conv, msg.ID); err != nil {
		t.Fatal(err)
	}
	if posted, err := g.alice.c.postedTo(g.aKey, msg.ID); err != nil || !posted {
		t.Fatalf("the post's mark for A: %v, %v", posted, err)
	}
	if _, err := g.alice.c.Change(g.id, msg.ID, model.ChangeDelete, nil); err != nil {
		t.Fatal(err)
	}
	if posted, err := g.alice.c.postedTo(g.aKey, msg.ID); err != nil || posted {
		t.Fatalf("the post's mark for A after the deletion: %v, %v", posted, err)
	}
	if _, err := g.alice.c.bucket.Get(queueKey(msg.ID)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the post is still queued for B: %v", err)
	}
	if out, err := g.alice.st.Outbox(g.conv); err != nil || slices.Contains(out, msg.ID) || len(out) == 0 {
		t.Fatalf("alice's queue: %v, %v; want the Delete and not the post", out, err)
	}
	after, err := g.alice.c.Post(g.id, "see you", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	g.a.start()
	g.b.start()
	received(t, g.bob, g.conv, after.Body)
	evs, _ := g.bob.ev.snapshot()
	for _, ev := range evs {
		if e, ok := ev.(model.MessageAdded); ok && (e.Message.ID == msg.ID || strings.Contains(e.Message.Body, "meet at")) {
			t.Fatalf("bob received the deleted post: %+v", e.Message)
		}
	}
}
