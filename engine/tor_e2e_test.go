package engine

import (
	"context"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
)

// torEngine is an Engine that runs its own tor in the private Tor network,
// configured through Config.Tor exactly as the app configures it for users
// (only PrivateNetwork differs).
func torEngine(t testing.TB, n *tortest.Network, name string) *testEngine {
	t.Helper()
	return torEngineWith(t, n, name, t.TempDir(), nil)
}

// torEngineWith is torEngine with its data in dir and its Config changed
// by opt.
func torEngineWith(t testing.TB, n *tortest.Network, name, dir string, opt func(*Config)) *testEngine {
	t.Helper()
	// The engine's debug log is printed when the test fails: the log holds
	// no secrets (TestLogsHoldNoSecrets) and says why a dial or session failed.
	var log lockedBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s's engine log:\n%s", name, log.String())
		}
	})
	cfg := Config{
		Logger:  slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})).With("engine", name),
		DataDir: dir,
		Tor: tor.Config{
			TorPath:        n.Tor,
			PrivateNetwork: n.Client(),
			StopGrace:      2 * time.Second,
			RestartBackoff: 200 * time.Millisecond,
		},
		Profile:     enginetest.Profile(),
		PeerBackoff: [2]time.Duration{500 * time.Millisecond, 5 * time.Second},
	}
	if opt != nil {
		opt(&cfg)
	}
	e := New(cfg)
	ch, cancel := e.Subscribe()
	te := &testEngine{Engine: e, t: t, events: ch, cancel: cancel}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { te.Close() })
	return te
}

// TestEngineOverTor: two engines, each with its own tor, become verified
// contacts through an in-person invite and exchange messages; then one
// engine's tor is killed, the engine reports it, restarts tor, and messages
// flow again.
func TestEngineOverTor(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network")
	}
	n := tortest.Shared(t)
	ctx := context.Background()
	alice, bob := torEngine(t, n, "alice"), torEngine(t, n, "bob")
	const slow = 120 * time.Second
	for _, e := range []*testEngine{alice, bob} {
		e.waitUntil("tor ready", slow, func() bool { return e.TorStatus().State == model.TorReady })
	}
	var progress []int
	for _, ev := range alice.seen {
		if s, ok := ev.(model.TorStatus); ok && s.State == model.TorBootstrapping {
			progress = append(progress, s.Percent)
		}
	}
	if len(progress) == 0 {
		t.Error("no bootstrap progress events")
	}
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	bob.acceptInviteOf(alice)
	alice.waitUntil("bob verified on alice's side", slow, func() bool {
		c, err := alice.Contact(bob.self())
		return err == nil && c.Verified && c.State == model.ContactAccepted
	})
	alice.sendDelivered(bob.self(), "over tor", slow)

	// A group on a server alice hosts in her app, reached by bob over Tor
	// with a throwaway identity and its own circuit per connection.
	alice.cfg.Server = groupserver.Config{PoWBits: 8}
	g := alice.hostGroup(ctx, "Over Tor")
	groupText, err := alice.GroupInvite(g.Conversation())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AcceptInvite(groupText); err != nil {
		t.Fatal(err)
	}
	post, err := bob.PostToGroup(g.Conversation(), "hello group, over tor", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("bob's group post at alice", slow, func() bool {
		msgs, _ := alice.Messages(g.Conversation(), 0, 10)
		for _, m := range msgs {
			if m.ID == post.ID {
				return true
			}
		}
		return false
	})

	// Kill bob's tor.
	pid := bob.tor.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	bob.seen = nil
	bob.waitUntil("bob's engine to report the restart", slow, func() bool {
		for _, ev := range bob.seen {
			if s, ok := ev.(model.TorStatus); ok && s.State == model.TorRestarting {
				return true
			}
		}
		return false
	})
	bob.waitUntil("bob's tor ready again", slow, func() bool { return bob.TorStatus().State == model.TorReady })
	alice.sendDelivered(bob.self(), "after the restart", slow)
}
