package ui

import (
	"context"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
)

// TestGroupServersUI: the Members dialog of a group lists the servers it
// lives on with their state. Bob, a member, finds "Add a second server…"
// disabled, saying why; Alice, the owner, pastes the invite of a server
// Bob hosts into it, and both dialogs then list two servers, connected;
// Bob's post reaches Alice. With NOOK_SCREENSHOTS set, the dialog is
// written to group-servers.png.
func TestGroupServersUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	gc := alice.createdGroup("Newsroom")
	conv := gc.conv
	bob.acceptInvite(alice.groupInvite(conv))
	alice.note("Bob joined")
	second, err := bob.eng.HostServer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	aliceID, bobID := alice.memberID(conv), bob.memberID(conv)
	listed := func(h *harness, n int) func() bool {
		return func() bool {
			md := h.ui.main.chat.govern
			if md == nil || len(md.servers.list) != n {
				return false
			}
			for _, s := range md.servers.list {
				if !s.Connected {
					return false
				}
			}
			return true
		}
	}

	bob.open(string(conv))
	bmd := bob.openMembers(aliceID)
	bob.waitFor("Bob's dialog listing one server", listed(bob, 1))
	if !bmd.servers.add.Disabled() || bmd.servers.add.Tooltip != tipNotAdmin() {
		t.Fatalf("Bob's add button: disabled %v, tooltip %q", bmd.servers.add.Disabled(), bmd.servers.add.Tooltip)
	}
	if !bob.hasText("Connected") || !bob.hasText("(where the group was created)") {
		t.Fatal("the server's state is not shown")
	}

	alice.win.Resize(fyne.NewSize(1000, 760))
	md := alice.openMembers(bobID)
	alice.waitFor("Alice's dialog listing one server", listed(alice, 1))
	if md.servers.add.Disabled() {
		t.Fatal("the owner cannot add a server")
	}
	test.Tap(md.servers.add)
	alice.waitFor("the add dialog", func() bool { return md.servers.addDialog != nil })
	parts := md.servers.addParts
	test.Tap(parts.add)
	if !parts.err.Visible() {
		t.Fatal("adding nothing says nothing")
	}
	parts.paste.SetText(second)
	test.Tap(parts.add)
	alice.waitFor("Alice's dialog listing two servers", listed(alice, 2))
	bob.waitFor("Bob's dialog listing two servers", listed(bob, 2))
	if md.servers.add.Text != "Add another server…" {
		t.Fatal("the button does not say another")
	}
	alice.waitFor("both servers caught up", func() bool {
		l := alice.ui.main.chat.govern.servers.list
		return !l[0].CaughtUp.IsZero() && !l[1].CaughtUp.IsZero()
	})
	if !alice.hasText("Connected · last caught up") {
		t.Fatal("the servers' state is not told")
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		md := alice.ui.main.chat.govern
		md.d.Resize(fyne.NewSize(640, 740))
		md.d.Refresh()
		md.scroll.ScrollToBottom()
		alice.shoot(dir, "group-servers.png")
	}

	m, err := bob.eng.SendMessage(conv, "on two servers now")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor("Bob's post on Alice's side", func() bool {
		h, _ := alice.eng.History(conv, 0, 50)
		for _, x := range h {
			if x.ID == m.ID {
				return true
			}
		}
		return false
	})
}

// TestServerStateText: a server's state in words, by what is known of it.
func TestServerStateText(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 30, 0, 0, time.Local)
	at := func(h, m int) time.Time { return time.Date(2026, 12, 6, h, m, 0, 0, time.Local) }
	for _, c := range []struct {
		s    model.GroupServer
		want string
	}{
		{model.GroupServer{}, "Not reached yet"},
		{model.GroupServer{Connected: true, CaughtUp: at(12, 8)}, "Connected · last caught up 12:08"},
		{model.GroupServer{UnreachableSince: at(11, 58), CaughtUp: at(11, 40)}, "Unreachable since 11:58 · last caught up 11:40"},
		{model.GroupServer{UnreachableSince: now.AddDate(0, 0, -2)}, "Unreachable since Fri 12:30"},
		{model.GroupServer{Connected: true, LostHistory: at(12, 9)}, "Connected · it had lost what it kept when reached at 12:09"},
	} {
		if got := serverStateText(c.s, now); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}
