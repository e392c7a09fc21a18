package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/model"
)

// TestGroupOnTwoServersEngines goes through the facade with three
// engines: Alice hosts server A and owns the group, Bob hosts server B,
// Carol only reads and writes. Bob cannot add a server; Alice adds B from
// its invite, and every engine reports the group on A and B. Bob stops
// hosting B mid-conversation: the posts go on through A, and Alice's
// engine reports B unreachable; B comes back and the posts reach everyone
// once, with no warning. (The same with a server wiped and the other
// stopped: engine/groupclient TestGroupOnTwoServers.)
func TestGroupOnTwoServersEngines(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, bob, carol := es[0], es[1], es[2]
	bob.cfg.Server = enginetest.Server()
	g := newsroom(ctx, es, "Alice", "Bob", "Carol")
	conv := g.Conversation()
	bob.joinGroupOf(alice, g)
	carol.joinGroupOf(alice, g)
	second, err := bob.HostServer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := bob.AddGroupServer(conv, second); !errors.Is(err, groupclient.ErrNotAdmin) {
		t.Fatalf("bob adds a server: %v", err)
	}
	if err := alice.AddGroupServer(conv, second); err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		e.waitUntil("the group on two servers", step, func() bool {
			s, err := e.GroupServers(conv)
			return err == nil && len(s) == 2 && s[0].Connected && s[1].Connected
		})
	}
	say := func(body string, writers ...*testEngine) {
		t.Helper()
		for _, w := range writers {
			if _, err := w.SendMessage(conv, body+" from "+w.in(conv)); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range es {
			for _, w := range writers {
				r.waitUntil(body+" at each", step, func() bool { return r.hasBody(conv, body+" from "+w.in(conv)) })
			}
		}
	}
	say("both up", alice, bob, carol)
	if err := bob.StopServer(); err != nil {
		t.Fatal(err)
	}
	say("B down", alice, bob, carol)
	alice.waitUntil("alice's engine says B is unreachable", step, func() bool {
		s, _ := alice.GroupServers(conv)
		return len(s) == 2 && !s[1].Connected && !s[1].UnreachableSince.IsZero()
	})
	if again, err := bob.HostServer(ctx); err != nil || again != second {
		t.Fatalf("B again: %v (same invite: %v)", err, again == second)
	}
	say("B back", alice, bob, carol)
	for _, e := range es {
		e.waitUntil("B reached again", step, func() bool {
			s, _ := e.GroupServers(conv)
			return len(s) == 2 && s[1].Connected
		})
		msgs, err := e.Messages(conv, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, m := range withoutNotes(msgs) {
			seen[m.Body]++
		}
		for body, n := range seen {
			if n != 1 {
				t.Errorf("%q shown %d times", body, n)
			}
		}
		// Read the events up to Carol's last post, and B's loss among
		// them.
		e.waitEvent("carol's last post", func(ev model.Event) bool {
			m, ok := ev.(model.MessageAdded)
			return ok && m.Message.Body == "B back from "+carol.in(conv)
		})
		e.waitEvent("B lost", func(ev model.Event) bool {
			r, ok := ev.(model.GroupServerReached)
			return ok && !r.Reachable
		})
		for _, ev := range e.seen {
			if w, ok := ev.(model.GroupWarning); ok && (w.Conversation == conv || w.Conversation == "") {
				t.Errorf("warned: %+v", w)
			}
		}
	}
}
