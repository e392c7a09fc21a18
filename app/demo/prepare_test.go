//go:build linux

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestMain stops the shared private network after the tests and fails the
// binary if a tor is left running or ever connected off loopback.
func TestMain(m *testing.M) { os.Exit(tortest.Main(m)) }

// TestPrepareOverTor is step 3 of the demo over the private Tor network: the
// two profiles become contacts, talk, and share a group on a server (here in
// process, with its own tor). Then each data folder opens with the empty
// password, as the app does at start, and holds what the demo promises.
func TestPrepareOverTor(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the private Tor network (≈ 40 s)")
	}
	n := tortest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()

	// The group server.
	srvTor := tor.New(tor.Config{
		DataDir: filepath.Join(dir, "server", "tor"), TorPath: n.Tor,
		PrivateNetwork: n.Client(), StopGrace: 2 * time.Second,
	})
	if err := srvTor.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srvTor.Close()
	srvCfg := enginetest.Server()
	srvCfg.DataDir, srvCfg.Transport = filepath.Join(dir, "server"), srvTor
	srv, err := groupserver.New(srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	opts := enginetest.Profile()
	mayaDir, jonasDir := filepath.Join(dir, "maya"), filepath.Join(dir, "jonas")
	start := time.Now()
	err = prepare(ctx, prepareConfig{
		MayaDir: mayaDir, JonasDir: jonasDir,
		TorPath: n.Tor, Network: n.Client(),
		ServerInvite: func(context.Context) (string, error) { return srv.Invite() },
		Profile:      opts,
		Logf: func(format string, args ...any) {
			t.Logf("%5.1fs "+format, append([]any{time.Since(start).Seconds()}, args...)...)
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	// What the apps will find.
	for _, p := range []struct{ name, dir, other string }{{mayaName, mayaDir, jonasName}, {jonasName, jonasDir, mayaName}} {
		e := engine.New(engine.Config{
			DataDir:   p.dir,
			Transport: loopback.New(loopback.NewMemoryDirectory()),
			Profile:   opts,
		})
		if err := e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.UnlockAny(ctx, ""); err != nil {
			t.Fatalf("%s: the empty password does not open the profile: %v", p.name, err)
		}
		if _, name, err := e.Self(); err != nil || name != p.name {
			t.Errorf("profile name %q, %v; want %q", name, err, p.name)
		}
		convs, err := e.Conversations()
		var contact, group []model.Conversation
		for _, c := range convs {
			if c.Kind == model.KindGroup {
				group = append(group, c)
			} else {
				contact = append(contact, c)
			}
		}
		if err != nil || len(contact) != 1 || contact[0].Contact.State != model.ContactAccepted || contact[0].Title != p.other {
			t.Errorf("%s's contacts: %+v, %v; want %s, accepted", p.name, contact, err, p.other)
		} else if contact[0].Messages < 3 { // two greetings and the group invite
			t.Errorf("%s's chat with %s: %d messages", p.name, p.other, contact[0].Messages)
		}
		if err != nil || len(group) != 1 || group[0].Title != groupName {
			t.Errorf("%s's groups: %+v, %v; want %q", p.name, group, err, groupName)
		} else if ms, err := e.History(group[0].ID, 0, 10); err != nil {
			t.Errorf("%s's group: %v", p.name, err)
		} else {
			// A post from each, and a note that each joined (Maya's
			// when she created it, Jonas's back from the server).
			var posts, joined int
			for _, m := range ms {
				switch {
				case m.Kind == model.KindText:
					posts++
				case m.Kind == model.KindNote && m.Body == model.NoteJoined:
					joined++
				}
			}
			if posts != 2 || joined != 2 || len(ms) != 4 {
				t.Errorf("%s's group: %d messages, %d posts and %d join notes; want 2 and 2", p.name, len(ms), posts, joined)
			}
		}
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Logf("prepared in %.1f s (network shared)", time.Since(start).Seconds())
}
