package engine

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// holdingTransport refuses, while hold is set, every dial but to allow.
type holdingTransport struct {
	transport.Transport
	hold  atomic.Bool
	allow atomic.Value // identity.Address
}

func (h *holdingTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	if h.hold.Load() && addr != h.allow.Load() {
		return nil, transport.ErrUnreachable
	}
	return h.Transport.Dial(ctx, addr)
}

// TestMessageIDSquatting plays the attack of security finding M-1: Bob's
// group post is held back (his dials to the group server fail) while
// Carol, Alice's contact and Bob's accomplice, sends Alice a harmless
// one-to-one message carrying the ID of that post. When the post reaches
// Alice, it must be shown all the same, with a warning: message IDs are
// unique per conversation, not across them, since a contact chooses the
// IDs of its one-to-one messages.
func TestMessageIDSquatting(t *testing.T) {
	ctx := context.Background()
	dirNet := loopback.NewMemoryDirectory()
	bobNet := &holdingTransport{Transport: loopback.New(dirNet)}
	alice := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.cfg.Server = enginetest.Server()
	bob := newTestEngine(t, t.TempDir(), bobNet)
	carol := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.createProfile("Alice", "alice pw")
	bob.createProfile("Bob", "bob pw")
	carol.createProfile("Carol", "carol pw")

	g := alice.hostGroup(ctx, "Newsroom")
	bob.acceptInviteOf(alice)
	carol.acceptInviteOf(alice)
	for _, who := range []*testEngine{bob, carol} {
		alice.waitContact(who.self(), model.ContactAccepted)
	}
	if _, err := alice.InviteToGroup(bob.self(), g.Conversation()); err != nil {
		t.Fatal(err)
	}
	inv := bob.waitEvent("the group invite message", func(ev model.Event) bool {
		m, ok := ev.(model.MessageAdded)
		return ok && !m.Message.Outgoing
	}).(model.MessageAdded)
	if _, err := bob.AcceptInvite(inv.Message.Body); err != nil {
		t.Fatal(err)
	}

	// Bob's post waits in his queue: he reaches Alice, not the server.
	bobNet.allow.Store(alice.self())
	bobNet.hold.Store(true)
	post, err := bob.PostToGroup(g.Conversation(), "the meeting moved to 3 pm", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	// Carol's client is modified: her next message carries the post's ID.
	op, err := carol.current()
	if err != nil {
		t.Fatal(err)
	}
	toAlice := model.ConversationID(alice.self())
	now := post.Sent
	if _, err := op.st.QueueMessage(model.Message{ID: post.ID, Conversation: toAlice, Outgoing: true,
		Sent: now, Received: now, Body: "ok 👍", Status: model.StatusQueued}); err != nil {
		t.Fatal(err)
	}
	carol.sendDelivered(alice.self(), "see you", step)
	alice.waitUntil("Carol's message under the post's ID", step, func() bool {
		m, err := alice.Message(model.ConversationID(carol.self()), post.ID)
		return err == nil && m.Body == "ok 👍"
	})

	bobNet.hold.Store(false)
	alice.waitUntil("Bob's post in Alice's group", step, func() bool {
		m, err := alice.Message(g.Conversation(), post.ID)
		return err == nil && m.Body == post.Body && m.Author == bob.in(g.Conversation())
	})
	alice.waitEvent("a warning about the collision", func(ev model.Event) bool {
		w, ok := ev.(model.GroupWarning)
		return ok && w.Conversation == g.Conversation() && w.Kind == "collision"
	})
	// Carol's message is still there, in her conversation.
	if m, err := alice.Message(model.ConversationID(carol.self()), post.ID); err != nil || m.Body != "ok 👍" {
		t.Fatalf("Carol's message after the post: %+v, %v", m, err)
	}
}
