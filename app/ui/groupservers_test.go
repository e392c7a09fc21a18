package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// TestGroupServersUI: the Members dialog of a group lists the servers it
// lives on with their state. Bob, a member, finds "Add a second server…"
// disabled, saying why; Alice, the owner, drops a picture with no QR code
// on the add dialog and is told so, then drops a picture of the QR code
// of a server Bob hosts, whose invite fills the dialog, and adds it. Both
// dialogs then list two servers, connected; Bob's post reaches Alice.
// Bob has no Remove button; Alice has one on the second server only,
// whose confirmation says what happens, and once she confirms both
// dialogs list one server again (GroupServersChanged at each member), and
// Bob's next post still reaches Alice. With NOOK_SCREENSHOTS set, the
// dialog is written to group-servers.png at the app's first window size,
// scrolled to the servers (docs/screenshots), and for looking at, not
// kept in docs: at 720×520 (group-servers-small.png), the add dialog
// filled from the QR code (group-servers-add.png) and the removal's
// confirmation (group-servers-remove.png).
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

	shots := os.Getenv("NOOK_SCREENSHOTS")
	alice.win.Resize(fyne.NewSize(1000, 680)) // the app's first window size
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
	// Pictures dropped on the window while the add dialog is open are
	// read by it: first one with no QR code, then the server's.
	dir := t.TempDir()
	blank := filepath.Join(dir, "blank.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 200, 200))); err != nil {
		t.Fatal(err)
	}
	qr, err := engine.InviteQR(second, 400)
	if err != nil {
		t.Fatal(err)
	}
	code := filepath.Join(dir, "server.png")
	if os.WriteFile(blank, buf.Bytes(), 0o600) != nil || os.WriteFile(code, qr, 0o600) != nil {
		t.Fatal("the pictures could not be written")
	}
	alice.ui.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(blank)})
	alice.waitFor("the blank picture's error", func() bool { return parts.err.Visible() && !parts.add.Disabled() })
	_, noCode := engine.ReadInviteFile(blank)
	if want, _ := pictureError(noCode); noCode == nil || !strings.Contains(parts.err.Text, want) || parts.paste.Text != "" {
		t.Fatalf("a picture with no QR code: %q, pasted %q", parts.err.Text, parts.paste.Text)
	}
	if alice.ui.main.add != nil {
		t.Fatal("the drop opened Add contact")
	}
	alice.ui.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(code)})
	alice.waitFor("the server's invite read from its QR code", func() bool { return parts.paste.Text == second })
	if parts.err.Visible() {
		t.Fatalf("the QR code read, yet %q", parts.err.Text)
	}
	if shots != "" {
		alice.shoot(shots, "group-servers-add.png")
	}
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
	if shots != "" {
		// The dialog as the app sizes it, scrolled to the servers, in the
		// app's first window size and in a small window.
		md := alice.ui.main.chat.govern
		bottom := func() {
			relayout(alice.win.Canvas().Overlays().Top())
			md.scroll.ScrollToBottom()
		}
		bottom()
		alice.shoot(shots, "group-servers.png")
		alice.win.Resize(fyne.NewSize(720, 520))
		md.d.Resize(fyne.NewSize(600, 600))
		bottom()
		alice.shoot(shots, "group-servers-small.png")
		alice.win.Resize(fyne.NewSize(1000, 680))
		md.d.Resize(fyne.NewSize(600, 600))
	}

	reaches := func(text string) {
		t.Helper()
		m, err := bob.eng.SendMessage(conv, text)
		if err != nil {
			t.Fatal(err)
		}
		alice.waitFor("Bob's post on Alice's side", func() bool {
			h, _ := alice.eng.History(conv, 0, 50)
			return slices.ContainsFunc(h, func(x model.Message) bool { return x.ID == m.ID })
		})
	}
	reaches("on two servers now")

	// Removing the second server.
	if n := len(bob.ui.main.chat.govern.servers.removes); n != 0 {
		t.Fatalf("Bob, a member, has %d Remove buttons", n)
	}
	md = alice.ui.main.chat.govern
	secondAddr := md.servers.list[1].Address
	remove := md.servers.removes[secondAddr]
	if len(md.servers.removes) != 1 || remove == nil || remove.Disabled() {
		t.Fatalf("Alice's Remove buttons: %v (second server %s)", md.servers.removes, secondAddr)
	}
	if !alice.hasText("The group cannot leave the server where it was created") {
		t.Fatal("the first server does not say why it cannot be removed")
	}
	test.Tap(remove)
	alice.waitFor("the confirmation", func() bool { return alice.hasText("Every member's Nook stops using this server") })
	if shots != "" {
		alice.shoot(shots, "group-servers-remove.png")
	}
	if !alice.hasText("You can add it again later") || !alice.hasText("The messages it held stay on those servers") {
		t.Fatal("the confirmation does not say what happens")
	}
	alice.tap("Remove")
	alice.waitFor("Alice's dialog listing one server", listed(alice, 1))
	bob.waitFor("Bob's dialog listing one server again", listed(bob, 1))
	if l := alice.ui.main.chat.govern.servers; l.list[0].Address == secondAddr || len(l.removes) != 0 || l.add.Text != "Add a second server…" {
		t.Fatalf("after the removal Alice's dialog lists %v with %d Remove buttons and %q", l.list, len(l.removes), l.add.Text)
	}
	reaches("on one server again")
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
