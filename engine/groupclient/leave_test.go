package groupclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
)

// countingTransport counts the connections a client has open to each
// address, and the dials it made.
type countingTransport struct {
	transport.Transport
	mu      sync.Mutex // guards everything below
	open    map[identity.Address]int
	dials   map[identity.Address]int
	changed chan struct{} // closed and replaced at every change
}

func newCountingTransport(tr transport.Transport) *countingTransport {
	return &countingTransport{Transport: tr, open: map[identity.Address]int{}, dials: map[identity.Address]int{},
		changed: make(chan struct{})}
}

func (ct *countingTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	c, err := ct.Transport.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	ct.update(func() { ct.open[addr]++; ct.dials[addr]++ })
	return &countedConn{Conn: c, close: func() { ct.update(func() { ct.open[addr]-- }) }}, nil
}

func (ct *countingTransport) update(f func()) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	f()
	close(ct.changed)
	ct.changed = make(chan struct{})
}

// counts returns the open connections and dials to addr so far.
func (ct *countingTransport) counts(addr identity.Address) (open, dials int) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return ct.open[addr], ct.dials[addr]
}

// waitOpen waits until the connections open to addr number n.
func (ct *countingTransport) waitOpen(t testing.TB, addr identity.Address, n int) {
	t.Helper()
	var open int
	waitChange(t, func() (bool, <-chan struct{}) {
		ct.mu.Lock()
		defer ct.mu.Unlock()
		open = ct.open[addr]
		return open == n, ct.changed
	}, func() string { return fmt.Sprintf("%d connections to the server (%d open)", n, open) })
}

type countedConn struct {
	net.Conn
	once  sync.Once
	close func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.close)
	return c.Conn.Close()
}

// bodies returns the bodies of messages, in order.
func bodies(msgs []model.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}

// inviteAndJoin has from invite to into group id, and to join with the
// invite; it returns the invite's text.
func inviteAndJoin(t *testing.T, from, to *member, id group.ID) string {
	t.Helper()
	text, err := from.c.Invite(id)
	if err != nil {
		t.Fatal(err)
	}
	to.join(t, text)
	return text
}

// say posts body as from in group g and waits until it came back
// delivered and to received it.
func say(t *testing.T, from, to *member, g GroupInfo, body string) {
	t.Helper()
	postAndWait(t, from, g.ID, body)
	received(t, to, g.Conversation, body)
}

// postAndWait posts body as m and waits until it came back delivered.
func postAndWait(t *testing.T, m *member, id group.ID, body string) model.Message {
	t.Helper()
	msg, err := m.c.Post(id, body, model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	m.ev.waitFor(t, m.name+"'s "+body+" delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool {
			return e.ID == msg.ID && e.Status == model.StatusDelivered
		}) > 0
	})
	return msg
}

// received waits until m received body in conv.
func received(t *testing.T, m *member, conv model.ConversationID, body string) {
	t.Helper()
	m.ev.waitFor(t, m.name+" receives "+body, func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool {
			return e.Message.Conversation == conv && e.Message.Body == body
		}) > 0
	})
}

// memberOf returns addr among the members of group id as m sees them.
func memberOf(t *testing.T, m *member, id group.ID, addr identity.Address) Member {
	t.Helper()
	ms, err := m.c.Members(id)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ms {
		if x.Address == addr {
			return x
		}
	}
	t.Fatalf("%s is not among %s's members of the group: %+v", addr, m.name, ms)
	return Member{}
}

// TestLeaveGroup: alice and bob share two groups on one server. While the
// server is down, alice queues two posts in the first group and leaves it,
// keeping its history. Her queued posts are marked failed and never
// posted; bob is told she left (by name); what bob posts to that group
// afterwards never reaches alice, before and after a restart, while the
// other group on the same server goes on working. Leaving again with
// deleteHistory deletes the history and everything else about the group.
func TestLeaveGroup(t *testing.T) {
	tr := network()
	dir := t.TempDir()
	srv := startServer(t, serverConfig(dir, tr))
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	club, err := alice.c.CreateGroup("book club", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	chess, err := alice.c.CreateGroup("chess", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []GroupInfo{club, chess} {
		inviteAndJoin(t, alice, bob, g.ID)
	}
	say(t, alice, bob, club, "before")
	say(t, bob, alice, club, "hi")

	srv.Close()
	var queued []model.Message
	for _, body := range []string{"queued 1", "queued 2"} {
		m, err := alice.c.Post(club.ID, body, model.MessageID{})
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, m)
	}
	if _, err := alice.c.Post(chess.ID, "chess queued", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	_ = alice.as(club.ID) // its key, read while it is a member
	if err := alice.c.Leave(club.ID, false); err != nil {
		t.Fatal(err)
	}
	evs, _ := alice.ev.snapshot()
	since := len(evs) // alice's events since she left
	if count(evs, func(e model.GroupLeft) bool { return e.Conversation == club.Conversation && !e.HistoryDeleted }) != 1 {
		t.Error("no GroupLeft event")
	}
	if count(evs, func(e model.MessageStatusChanged) bool {
		return e.Conversation == club.Conversation && e.Status == model.StatusFailed && e.Reason == reasonLeft
	}) != 2 {
		t.Error("the queued posts were not reported failed")
	}
	checkLeft := func() {
		t.Helper()
		if gs := alice.c.Groups(); len(gs) != 1 || gs[0].ID != chess.ID {
			t.Fatalf("alice's groups after leaving: %+v", gs)
		}
		left, err := alice.c.LeftGroups()
		if err != nil || len(left) != 1 || left[0].ID != club.ID || !left[0].Left || left[0].Name != "book club" ||
			left[0].Server != srv.Address() || left[0].Conversation != club.Conversation {
			t.Fatalf("left groups %+v, %v", left, err)
		}
		if _, err := alice.c.Post(club.ID, "x", model.MessageID{}); !errors.Is(err, ErrUnknownGroup) {
			t.Fatalf("posting to a group left: %v", err)
		}
		if _, err := alice.c.Invite(club.ID); !errors.Is(err, ErrUnknownGroup) {
			t.Fatalf("the invite of a group left: %v", err)
		}
		if out, err := alice.st.Outbox(club.Conversation); err != nil || len(out) != 0 {
			t.Fatalf("outbox of the group left: %v, %v", out, err)
		}
		if _, err := alice.c.bucket.Get(groupKey(club.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the group's key is still stored: %v", err)
		}
		for _, q := range queued {
			if _, err := alice.c.bucket.Get(queueKey(q.ID)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a queued blob is still stored: %v", err)
			}
			if m, err := alice.st.GetMessage(q.Conversation, q.ID); err != nil || m.Status != model.StatusFailed || m.FailReason != reasonLeft {
				t.Fatalf("queued post after leaving: %+v, %v", m, err)
			}
		}
	}
	checkLeft()
	history := bodies(alice.messages(club.Conversation))
	if !slices.Equal(history, []string{"before", "hi", "queued 1", "queued 2"}) {
		t.Fatalf("alice's history of the group left: %q", history)
	}

	// The server comes back: the leave notice and the other group's post go
	// out, the dropped posts do not.
	srv = startServer(t, serverConfig(dir, tr))
	defer func() { srv.Close() }()
	bob.ev.waitFor(t, "bob learns that alice left", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupMemberLeft) bool {
			return e.Conversation == club.Conversation && e.Author == string(alice.as(club.ID)) && e.Name == "alice"
		}) == 1
	})
	received(t, bob, chess.Conversation, "chess queued")
	// Her leave notice shows as a note ("left").
	if got := bodies(bob.messages(club.Conversation)); !slices.Equal(got, []string{"before", "hi", model.NoteLeft}) {
		t.Fatalf("bob's group: %q", got)
	}
	if posts := srv.Stats().Posts; posts != 2 {
		t.Errorf("%d posts reached the server after the restart, want 2 (the notice and the other group's post)", posts)
	}
	if m := memberOf(t, bob, club.ID, alice.as(club.ID)); !m.Left || m.Name != "alice" {
		t.Errorf("alice as bob sees her: %+v", m)
	}
	if m := memberOf(t, bob, club.ID, bob.as(club.ID)); m.Left {
		t.Errorf("bob as he sees himself: %+v", m)
	}

	// Nothing bob posts to the group reaches alice; the other group works.
	// Bob's post is delivered (in the server's stream) before his marker
	// in the other group, which alice's one subscription reads after it.
	nothingMore := func(marker string) {
		t.Helper()
		postAndWait(t, bob, club.ID, "after you left "+marker)
		postAndWait(t, bob, chess.ID, marker)
		received(t, alice, chess.Conversation, marker)
		evs, _ := alice.ev.snapshot()
		if n := count(evs[since:], func(e model.MessageAdded) bool { return e.Message.Conversation == club.Conversation }); n != 0 {
			t.Fatalf("alice received %d messages of the group she left", n)
		}
		if got := bodies(alice.messages(club.Conversation)); !slices.Equal(got, history) {
			t.Fatalf("alice's history of the group left changed: %q", got)
		}
	}
	nothingMore("m1")
	say(t, alice, bob, chess, "alice still plays")

	// After a restart the group stays left.
	alice.stop()
	alice.start()
	since = 0
	checkLeft()
	nothingMore("m2")
	if m := memberOf(t, alice, club.ID, bob.as(club.ID)); m.Name != "bob" || m.Messages != 1 {
		t.Errorf("bob in the history alice kept: %+v", m)
	}

	// Leaving again keeps it as it is; with deleteHistory the history goes.
	_ = alice.as(club.ID) // its key, read while it is a member
	if err := alice.c.Leave(club.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := bodies(alice.messages(club.Conversation)); !slices.Equal(got, history) {
		t.Fatalf("leaving again changed the history: %q", got)
	}
	_ = alice.as(club.ID) // its key, read while it is a member
	if err := alice.c.Leave(club.ID, true); err != nil {
		t.Fatal(err)
	}
	evs, _ = alice.ev.snapshot()
	if count(evs, func(e model.GroupLeft) bool { return e.Conversation == club.Conversation && e.HistoryDeleted }) != 1 {
		t.Error("no GroupLeft event for the deleted history")
	}
	checkForgotten(t, alice, club.ID, queued)
	_ = alice.as(club.ID) // its key, read while it is a member
	if err := alice.c.Leave(club.ID, true); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("leaving a forgotten group: %v", err)
	}
	alice.stop()
	alice.start()
	checkForgotten(t, alice, club.ID, queued)
	say(t, alice, bob, chess, "still here")
}

// checkForgotten checks that m keeps nothing of group id but its sequence
// number.
func checkForgotten(t *testing.T, m *member, id group.ID, msgs []model.Message) {
	t.Helper()
	conv := id.Conversation()
	if got := m.messages(conv); len(got) != 0 {
		t.Fatalf("%d messages left after deleting the history", len(got))
	}
	if _, err := m.st.Conversation(conv); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the conversation's summary is still there: %v", err)
	}
	left, err := m.c.LeftGroups()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range left {
		if g.ID == id {
			t.Fatalf("the group is among the left groups: %+v", left)
		}
	}
	if _, err := m.c.Members(id); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("members of a forgotten group: %v", err)
	}
	for _, msg := range msgs {
		if _, err := m.c.bucket.Get(indexKey(msg.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("index entry of %q still there: %v", msg.Body, err)
		}
	}
	var kept []string
	if err := m.c.bucket.Iterate(nil, func(k, _ []byte) error {
		if len(k) >= 33 && group.ID(k[1:33]) == id {
			kept = append(kept, string(k[:1]))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kept, []string{"s"}) {
		t.Fatalf("records of the group still kept: %q, want only its sequence number", kept)
	}
	n := 0
	if err := m.st.Bucket(timelineBucket(id)).Iterate(nil, func(_, _ []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("%d timeline records left, %v", n, err)
	}
	for _, k := range [][]byte{leftKey(id), cleanupKey(id)} {
		if _, err := m.c.bucket.Get(k); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("record %q still there: %v", k[:1], err)
		}
	}
}

// TestLeaveLastGroupOnServer: leaving the only group on a server closes
// the connection to it (the leave notice goes out on a short connection
// of its own) and forgets the cursor; other members go on. Joining again
// subscribes again, from the start, and goes on with the member's
// sequence numbers: nobody sees a warning, and the member who left is a
// member again for the others.
func TestLeaveLastGroupOnServer(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	ct := newCountingTransport(tr)
	alice, bob := newMember(t, ct, "alice"), newMember(t, tr, "bob")
	g, err := bob.c.CreateGroup("walks", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text := inviteAndJoin(t, bob, alice, g.ID)
	say(t, alice, bob, g, "hello")
	say(t, bob, alice, g, "welcome")
	if open, _ := ct.counts(srv.Address()); open < 1 {
		t.Fatal("alice has no connection to the server while in the group")
	}
	serverKey := srv.Bundle().SigningKey
	if _, err := alice.c.bucket.Get(cursorKey(serverKey)); err != nil {
		t.Fatalf("no cursor while subscribed: %v", err)
	}

	_ = alice.as(g.ID) // its key, read while it is a member
	if err := alice.c.Leave(g.ID, true); err != nil {
		t.Fatal(err)
	}
	alice.c.mu.Lock()
	subscribed := alice.c.servers[serverKey].subCancel != nil
	alice.c.mu.Unlock()
	if subscribed {
		t.Fatal("the subscription runs on after leaving the last group on the server")
	}
	if _, err := alice.c.bucket.Get(cursorKey(serverKey)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the cursor of a server without groups is kept: %v", err)
	}
	bob.ev.waitFor(t, "bob learns that alice left", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupMemberLeft) bool { return e.Author == string(alice.as(g.ID)) }) == 1
	})
	ct.waitOpen(t, srv.Address(), 0)
	_, dials := ct.counts(srv.Address())
	postAndWait(t, bob, g.ID, "anyone there?")
	if open, again := ct.counts(srv.Address()); open != 0 || again != dials {
		t.Fatalf("after leaving: %d connections open, %d dials (was %d)", open, again, dials)
	}
	// The notice's connection is closed, so its answer was read: once
	// stopped, the client holds no notice to post any more.
	alice.stop()
	if n, err := (&Client{bucket: alice.st.Bucket(bucketName)}).pendingNotices(nil); err != nil || len(n) != 0 {
		t.Fatalf("%d leave notices still queued after they went out, %v", len(n), err)
	}
	alice.start()
	if m := memberOf(t, bob, g.ID, alice.as(g.ID)); !m.Left {
		t.Fatalf("alice as bob sees her: %+v", m)
	}
	checkForgotten(t, alice, g.ID, nil)

	// Alice joins again: her client reads the group from the start and
	// posts under a new key of the group (numbered from 1).
	before := alice.as(g.ID)
	alice.join(t, text)
	received(t, alice, g.Conversation, "anyone there?")
	if got := bodies(alice.messages(g.Conversation)); !slices.Equal(got, []string{"hello", "welcome", model.NoteLeft, "anyone there?"}) {
		t.Fatalf("alice's group after joining again: %q", got)
	}
	say(t, alice, bob, g, "back")
	if m := memberOf(t, bob, g.ID, alice.as(g.ID)); alice.as(g.ID) == before || m.Left || m.Messages != 1 { // back, under the new key
		t.Fatalf("alice as bob sees her after her return: %+v", m)
	}
	if m := memberOf(t, bob, g.ID, before); !m.Left || m.Messages != 1 { // hello, then the notice
		t.Fatalf("alice's first membership as bob sees it: %+v", m)
	}
	for _, m := range []*member{alice, bob} {
		evs, _ := m.ev.snapshot()
		if n := count(evs, func(model.GroupWarning) bool { return true }); n != 0 {
			t.Errorf("%s got %d warnings: %+v", m.name, n, evs)
		}
	}
}

// TestLeaveInterrupted: a crash right after the leaving's transaction
// (before its deletions) leaves the groups left; the next Start finishes
// the deletions: one group's history is deleted, the other's dropped posts
// are marked failed, and both leave notices go out.
func TestLeaveInterrupted(t *testing.T) {
	tr := network()
	dir := t.TempDir()
	srv := startServer(t, serverConfig(dir, tr))
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	var gs []GroupInfo
	for _, name := range []string{"kept", "deleted"} {
		g, err := alice.c.CreateGroup(name, srv.Bundle())
		if err != nil {
			t.Fatal(err)
		}
		inviteAndJoin(t, alice, bob, g.ID)
		postAndWait(t, alice, g.ID, "hello "+name)
		gs = append(gs, g)
	}
	kept, deleted := gs[0], gs[1]
	srv.Close()
	q, err := alice.c.Post(kept.ID, "queued", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	// Alice's keys in the two groups, read while she is in them.
	inKept, inDeleted := string(alice.as(kept.ID)), string(alice.as(deleted.ID))
	// Leave both, but stop right after each transaction: a crash.
	for _, g := range []GroupInfo{kept, deleted} {
		alice.c.mu.Lock()
		_, err := alice.c.leaveLocked(alice.c.groups[g.ID], g.ID == deleted.ID)
		alice.c.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
	}
	alice.stop()
	if got := bodies(alice.messages(deleted.Conversation)); len(got) != 1 {
		t.Fatalf("the interrupted deletion already ran: %q", got)
	}
	if m, _ := alice.st.GetMessage(q.Conversation, q.ID); m.Status != model.StatusQueued {
		t.Fatalf("the interrupted leaving already marked the post: %+v", m)
	}

	alice.start()
	if len(alice.c.Groups()) != 0 {
		t.Fatalf("groups after the restart: %+v", alice.c.Groups())
	}
	if left, err := alice.c.LeftGroups(); err != nil || len(left) != 1 || left[0].ID != kept.ID {
		t.Fatalf("left groups after the restart: %+v, %v", left, err)
	}
	checkForgotten(t, alice, deleted.ID, nil)
	if m, _ := alice.st.GetMessage(q.Conversation, q.ID); m.Status != model.StatusFailed || m.FailReason != reasonLeft {
		t.Fatalf("the dropped post after the restart: %+v", m)
	}
	if got := bodies(alice.messages(kept.Conversation)); !slices.Equal(got, []string{"hello kept", "queued"}) {
		t.Fatalf("the history kept: %q", got)
	}
	srv = startServer(t, serverConfig(dir, tr))
	defer srv.Close()
	bob.ev.waitFor(t, "both notices", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupMemberLeft) bool { return e.Author == inKept || e.Author == inDeleted }) == 2
	})
}
