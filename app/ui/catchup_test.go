package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestUsableDuringCatchUp: with real engines on a loopback network, Bob
// joins a group whose server is in the middle of a catch-up of 4 000
// blobs and holds it there. Meanwhile the group shows its progress, Bob
// switches conversations and sends Alice a message, which she receives:
// nothing waits for the catch-up. Released, it ends and the bar goes.
func TestUsableDuringCatchUp(t *testing.T) {
	test.NewTempApp(t)
	network := newNet()
	hs := make([]*harness, 2)
	for i, name := range []string{"Alice", "Bob"} {
		hs[i] = newHarness(t, newEngine(t, t.TempDir(), loopback.New(network)))
		hs[i].createProfile(name, strings.ToLower(name)+" password")
	}
	alice, bob := hs[0], hs[1]
	befriend(t, alice, bob)
	aliceAddr := alice.self()

	s, err := enginetest.StartHeldServer(loopback.New(network), 4000, "Slow server")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := bob.eng.AcceptInvite(s.Invite)
	if err != nil {
		t.Fatal(err)
	}
	conv := res.Group.Conversation()
	bob.waitFor("the group in Bob's list", func() bool { return bob.item(string(conv)) != nil })
	select {
	case <-s.Halfway:
	case <-time.After(step):
		t.Fatal("the server never got half way")
	}
	gc := bob.open(string(conv))
	bob.waitFor("the catch-up bar half way", func() bool {
		return gc.syncBar.Visible() && gc.syncBar.Percent() >= 40
	})

	// Held half way: Bob switches to Alice, writes, and back to the group.
	ac := bob.open(aliceAddr)
	test.Type(ac.entry, "Still catching up on the group, but here")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Bob's message on his screen", func() bool { return len(ac.msgs()) == 1 })
	bobAddr := bob.self()
	alc := alice.open(bobAddr)
	alice.waitFor("Bob's message on Alice's screen", func() bool { return len(alc.msgs()) == 1 })
	gc = bob.open(string(conv))
	if st, ok := bob.ui.state.CatchingUp(gc.cv); !ok || st.Done >= st.Total || !gc.syncBar.Visible() {
		t.Fatalf("the catch-up is not running any more (%+v, %v): the test proves nothing", st, ok)
	}

	s.Release()
	bob.waitFor("the end of the catch-up", func() bool { return !gc.syncBar.Visible() })
}
