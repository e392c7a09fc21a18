package engine

import (
	"fmt"
	"slices"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// commits returns how many read-write transactions the engine's open
// profile has committed so far.
func (te *testEngine) commits() uint64 {
	te.t.Helper()
	op, err := te.current()
	if err != nil {
		te.t.Fatal(err)
	}
	return op.st.Commits()
}

// TestCommitsPerMessage counts the synced commits a one-to-one message
// costs its sender (store and queue, sent, delivered and dequeued) and its
// recipient (store, with the unread count and activity in the same
// transaction). Each window runs from one message's delivery to the next
// one's, so it holds everything the previous message still did after its
// delivery was reported.
func TestCommitsPerMessage(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	bob.acceptInviteOf(alice)
	bob.waitContact(alice.self(), model.ContactAccepted)
	alice.waitContact(bob.self(), model.ContactAccepted)
	alice.sendDelivered(bob.self(), "warm-up", step)

	const n = 5
	sent0, recv0 := alice.commits(), bob.commits()
	for i := range n {
		alice.sendDelivered(bob.self(), fmt.Sprintf("message %d", i), step)
	}
	sent, recv := alice.commits()-sent0, bob.commits()-recv0
	t.Logf("per message: sender %.1f commits, recipient %.1f", float64(sent)/n, float64(recv)/n)
	if sent > 3*n {
		t.Errorf("the sender committed %d times for %d messages, want at most 3 each", sent, n)
	}
	if recv > 2*n {
		t.Errorf("the recipient committed %d times for %d messages, want at most 2 each", recv, n)
	}
}

// TestCommitsPerGroupPost counts the same for a group post: the author
// stores and queues it with the posting token reserved for it (taken from
// the wallet in the same transaction, so a crash never spends one twice
// and sending needs no commit), records it sent and out of the queue, and
// records it delivered when it comes back from the server (when it comes
// back before the server's answer, the answer writes nothing); a member
// stores it, counted unread, with the server's cursor. Measured: 2.2 to
// 3.0 per post for the author (4.0 before tokens were reserved), 1.0 for
// the member.
func TestCommitsPerGroupPost(t *testing.T) {
	alice, bob := groupPair(t)
	g := alice.hostGroup(t.Context(), "Newsroom")
	bob.joinGroupOf(alice, g)
	waitJoinNote(g.Conversation(), bob, alice, bob)
	settleJoin(g.Conversation(), bob, alice)
	alice.postReceived(g.Conversation(), "warm-up", bob)

	const n = 5
	sent0, recv0 := alice.commits(), bob.commits()
	for i := range n {
		alice.postReceived(g.Conversation(), fmt.Sprintf("post %d", i), bob)
	}
	sent, recv := alice.commits()-sent0, bob.commits()-recv0
	t.Logf("per post: author %.1f commits, member %.1f", float64(sent)/n, float64(recv)/n)
	if sent > 3*n {
		t.Errorf("the author committed %d times for %d posts, want at most 3 each", sent, n)
	}
	if recv > 2*n {
		t.Errorf("the member committed %d times for %d posts, want at most 2 each", recv, n)
	}
	alice.StopServer()
}

// waitJoinNote waits until each of tes holds the "joined" note of joiner
// in conv: the joiner's own comes back from the server after its join
// notice was posted (a token fetched and spent, the post recorded), work
// that must not fall inside a window whose commits a test counts.
func waitJoinNote(conv model.ConversationID, joiner *testEngine, tes ...*testEngine) {
	id := joiner.memberID(conv)
	for _, te := range tes {
		te.t.Helper()
		te.waitUntil("the join note of "+id, step, func() bool {
			h, _ := te.History(conv, 0, 100)
			return slices.ContainsFunc(h, func(m model.Message) bool {
				return m.Kind == model.KindNote && m.Body == model.NoteJoined && m.Author == id
			})
		})
	}
}

// settleJoin has joiner post to conv and waits until the post came back
// to it and reached others: the contact tags the joiner posts after its
// join notice left before it (a poster sends oldest first), so none of
// their commits falls inside a window counted after this.
func settleJoin(conv model.ConversationID, joiner *testEngine, others ...*testEngine) {
	joiner.postReceived(conv, "settled", others...)
}

// memberID is te's ID in group conv, as Members gives it: its key in that
// group, not its onion address. It waits until the members include te
// (its join note came back from the server).
func (te *testEngine) memberID(conv model.ConversationID) string {
	te.t.Helper()
	var id string
	te.waitUntil("itself among the members of "+string(conv), step, func() bool {
		ms, _ := te.Members(conv)
		for _, m := range ms {
			if m.Self {
				id = m.Address
				return true
			}
		}
		return false
	})
	return id
}
