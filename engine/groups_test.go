package engine

import (
	"context"
	"testing"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// groupPair returns two engines on one loopback network, each with a
// profile: Alice's (password "alice pw"), which hosts group servers
// cheaply (no proof of work, no sync), and Bob's ("bob pw").
func groupPair(t *testing.T) (alice, bob *testEngine) {
	t.Helper()
	ctx := context.Background()
	es := groupEngines(t, 2)
	alice, bob = es[0], es[1]
	if _, err := alice.CreateProfile(ctx, "Alice", "alice pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.CreateProfile(ctx, "Bob", "bob pw"); err != nil {
		t.Fatal(err)
	}
	return alice, bob
}

// groupEngines returns n engines on one loopback network, without
// profiles; the first hosts group servers cheaply (no proof of work, no
// sync).
func groupEngines(t *testing.T, n int) []*testEngine {
	t.Helper()
	dirNet := loopback.NewMemoryDirectory()
	es := make([]*testEngine, n)
	for i := range es {
		es[i] = newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	}
	es[0].cfg.Server = enginetest.Server()
	return es
}

// TestGroupThroughHostedServer: alice hosts a group server in her app,
// creates a group on it, invites bob through their one-to-one
// conversation; bob joins from the invite message and they talk in the
// group.
func TestGroupThroughHostedServer(t *testing.T) {
	ctx := context.Background()
	alice, bob := groupPair(t)
	serverInvite, err := alice.HostServer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, _, err := alice.HostedServer(); err != nil || again != serverInvite {
		t.Fatalf("HostedServer = %q, %v", again, err)
	}
	g, err := alice.CreateGroup("Newsroom", serverInvite)
	if err != nil {
		t.Fatal(err)
	}
	if servers, _ := alice.Servers(); len(servers) != 1 || servers[0].Invite != serverInvite {
		t.Fatalf("known servers: %+v", servers)
	}
	// A subscriber learns of the new group without asking.
	alice.waitConv("the created group's conversation", g.Conversation(), func(c model.Conversation) bool {
		return c.Kind == model.KindGroup && c.Title == "Newsroom"
	})

	// Contacts first, then the invite travels as a message.
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	if _, err := alice.InviteToGroup(bob.self(), g.Conversation()); err != nil {
		t.Fatal(err)
	}
	var inviteBody string
	bob.waitEvent("the group invite message", func(ev model.Event) bool {
		m, ok := ev.(model.MessageAdded)
		if ok && !m.Message.Outgoing {
			inviteBody = m.Message.Body
		}
		return ok && !m.Message.Outgoing
	})
	res, err := bob.AcceptInvite(inviteBody)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != model.InviteGroup || res.Group.ID != g.ID || res.Group.Name != "Newsroom" {
		t.Fatalf("joined %+v, want the Newsroom group", res)
	}
	bob.waitConv("the joined group's conversation", g.Conversation(), func(c model.Conversation) bool {
		return c.Kind == model.KindGroup && c.Title == "Newsroom" && !c.Left
	})

	posted, err := alice.PostToGroup(g.Conversation(), "editorial meeting at noon", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	bob.waitUntil("alice's post in bob's group", step, func() bool {
		msgs, _ := bob.Messages(g.Conversation(), 0, 50)
		for _, m := range msgs {
			if m.Body == posted.Body && m.Author == alice.in(g.Conversation()) {
				return true
			}
		}
		return false
	})
	reply, err := bob.PostToGroup(g.Conversation(), "I'll be there", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's reply delivered to alice", step, func() bool {
		msgs, _ := alice.Messages(g.Conversation(), 0, 50)
		for _, m := range msgs {
			if m.Body == reply.Body {
				return true
			}
		}
		return false
	})
	bob.waitUntil("bob's own post delivered (came back through the server)", step, func() bool {
		m, err := bob.Message(reply.Conversation, reply.ID)
		return err == nil && m.Status == model.StatusDelivered
	})
	members, err := alice.GroupMembers(g.Conversation())
	if err != nil || len(members) < 2 {
		t.Fatalf("members %+v, %v", members, err)
	}
	if _, err := alice.PostToGroup(model.ConversationID(bob.self()), "x", model.MessageID{}); err == nil {
		t.Fatal("posting to a one-to-one conversation as a group worked")
	}
	if err := alice.StopServer(); err != nil {
		t.Fatal(err)
	}
}

// TestHostedServerComesBack: a server hosted in the app is hosted again when
// the app starts next, with the same address, until it is stopped.
func TestHostedServerComesBack(t *testing.T) {
	dir := t.TempDir()
	dirNet := loopback.NewMemoryDirectory()
	e := newTestEngine(t, dir, loopback.New(dirNet))
	e.cfg.Server = enginetest.Server()
	first, err := e.HostServer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.Close()

	e2 := New(Config{DataDir: dir, Transport: loopback.New(dirNet), Server: enginetest.Server()})
	if err := e2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e2.bg.Wait() // the server is hosted again in the background
	again, _, err := e2.HostedServer()
	if err != nil || again != first {
		t.Fatalf("after a restart the hosted server is %q, %v; want the same invite", again, err)
	}
	if err := e2.StopServer(); err != nil {
		t.Fatal(err)
	}
	e2.Close()

	e3 := New(Config{DataDir: dir, Transport: loopback.New(dirNet)})
	if err := e3.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer e3.Close()
	e3.bg.Wait()
	if _, _, err := e3.HostedServer(); err != ErrNotHosting {
		t.Fatalf("a stopped server was hosted again: %v", err)
	}
}
