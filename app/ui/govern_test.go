package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
)

// threeProfiles starts a test app and three harnesses on one loopback
// network: Alice, Bob and Carol, none contacts yet.
func threeProfiles(t *testing.T) (alice, bob, carol *harness) {
	t.Helper()
	hs := profiles(t, "Alice", "Bob", "Carol")
	return hs[0], hs[1], hs[2]
}

// openMembers opens the open group's Members dialog and waits until it
// lists want (member IDs) with their actions.
func (h *harness) openMembers(want ...string) *membersDialog {
	h.t.Helper()
	cp := h.ui.main.chat
	cp.showMembers()
	h.waitFor("the Members dialog listing "+strings.Join(want, ", "), func() bool {
		md := cp.govern
		if md == nil {
			return false
		}
		for _, id := range want {
			if md.actions[id] == nil {
				return false
			}
		}
		return true
	})
	return cp.govern
}

// newsroom is the group "Newsroom" created by alice, with bob then carol
// joined from one invite, each join's note seen on Alice's side.
func newsroom(alice, bob, carol *harness) *chatPane {
	alice.t.Helper()
	gc := alice.createdGroup("Newsroom")
	inv := alice.groupInvite(gc.conv)
	bob.acceptInvite(inv)
	alice.note("Bob joined")
	carol.acceptInvite(inv)
	alice.note("Carol joined")
	return gc
}

// createdGroup creates a group hosted by h and waits until its join
// notice is on the server (what a member joining from its invite reads
// first).
func (h *harness) createdGroup(name string) *chatPane {
	h.t.Helper()
	cp := h.createHostedGroup(name)
	h.waitFor("the join notice on the server", func() bool {
		return slices.ContainsFunc(cp.msgs(), func(m model.Message) bool {
			return m.Kind == model.KindNote && m.Status == model.StatusDelivered
		})
	})
	return cp
}

// note waits until the open conversation shows a note saying text, and
// returns it.
func (h *harness) note(text string) model.Message {
	h.t.Helper()
	var found model.Message
	h.waitFor("the note “"+text+"”", func() bool {
		cp := h.ui.main.chat
		if cp == nil {
			return false
		}
		for _, m := range cp.msgs() {
			if m.Kind == model.KindNote && h.ui.state.NoteText(m) == text {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// TestGovernGroupUI: in a group hosted by Alice, Carol (a member) sees the
// governing actions disabled, each saying why; Alice removes Carol
// through the Members dialog and its confirmation, which says what
// happens. Everyone sees the removal as a centred note; Carol's group
// becomes read-only history with a banner saying she was removed. Alice
// makes Bob an admin; Bob, now an admin, renews the key, and Alice sees
// the note that earlier invites no longer work. No engine call runs on
// the UI goroutine (the checked engines).
func TestGovernGroupUI(t *testing.T) {
	alice, bob, carol := threeProfiles(t)
	gc := newsroom(alice, bob, carol)
	conv := gc.conv
	aliceAddr, bobAddr, carolAddr := alice.memberID(conv), bob.memberID(conv), carol.memberID(conv)

	// Carol, a member: every action disabled, with the reason.
	carol.open(string(conv))
	cmd := carol.openMembers(aliceAddr, bobAddr)
	for who, acts := range cmd.actions {
		for name, b := range acts {
			if !b.Disabled() || b.Tooltip == "" {
				t.Fatalf("Carol's %s action on %s: disabled %v, tooltip %q", name, who[:8], b.Disabled(), b.Tooltip)
			}
		}
	}
	if cmd.actions[aliceAddr]["remove"].Tooltip != tipNotAdmin() || cmd.actions[bobAddr]["admin"].Tooltip != tipNotOwner() {
		t.Fatalf("Carol's tooltips: %q, %q", cmd.actions[aliceAddr]["remove"].Tooltip, cmd.actions[bobAddr]["admin"].Tooltip)
	}
	if !cmd.renew.Disabled() || cmd.renew.Tooltip != tipNotAdmin() || !carol.hasText("Only the group's owner and admins can remove members") ||
		carol.hasText(tipNotAdmin()+".") {
		t.Fatal("Carol may renew the key")
	}
	if !carol.hasText("Owner · not a contact") || !carol.hasText("Carol (you)") {
		t.Fatal("Carol's dialog does not show Alice as the owner")
	}
	cmd.d.Hide()

	// Alice, the owner, removes Carol.
	md := alice.openMembers(bobAddr, carolAddr)
	if md.renew.Disabled() || md.actions[carolAddr]["remove"].Disabled() || md.actions[carolAddr]["admin"].Disabled() {
		t.Fatal("the owner's actions are disabled")
	}
	test.Tap(md.actions[carolAddr]["remove"])
	alice.settle()
	if !alice.hasText("Carol will no longer read or write in this group. Everyone else gets a new key; Carol keeps what they already have.") {
		t.Fatal("the removal is not explained")
	}
	alice.tap("Remove")
	removed := alice.note("You removed Carol")
	checkNoteRow(t, alice.ui.main.chat, removed, "You removed Carol")
	alice.waitFor("Carol shown as removed", func() bool {
		return alice.hasText("Member · not a contact · No messages yet · removed from the group")
	})
	if !alice.hasText("Group · 2 members") {
		t.Fatal("the removed member is still counted")
	}
	if alice.ui.main.chat.govern.actions[carolAddr] != nil {
		t.Fatal("a removed member can still be removed")
	}

	// Carol: the note, the banner, no writing.
	defer func() {
		if t.Failed() {
			for _, m := range carol.ui.main.chat.msgs() {
				t.Logf("carol: %v %q → %q", m.Kind, m.Body, carol.ui.state.NoteText(m))
			}
			t.Logf("carol's members: %+v", carol.ui.state.Members(conv))
		}
	}()
	carol.note("You were removed from this group by Alice")
	carol.waitFor("Carol's read-only banner", func() bool {
		return carol.hasText(state.RemovedNote()) && !carol.ui.main.chat.canWrite()
	})
	if !carol.hasText("Alice removed you.") {
		t.Fatal("Carol's banner does not say who removed her")
	}
	if it := carol.item(string(conv)); it.preview != state.RemovedNote() {
		t.Fatalf("Carol's list says %q", it.preview)
	}

	// Bob sees it; unread stays as it was (notes never count).
	bob.open(string(conv))
	bob.note("Alice removed Carol")
	if it := bob.item(string(conv)); it.unread != 0 {
		t.Fatalf("Bob has %d unread after the notes", it.unread)
	}

	// Alice makes Bob an admin.
	md = alice.ui.main.chat.govern
	test.Tap(md.actions[bobAddr]["admin"])
	alice.settle()
	if !alice.hasText("Bob will be able to remove members and renew the group's key.") {
		t.Fatal("naming an admin is not explained")
	}
	alice.tap("Make admin")
	alice.waitFor("Bob shown as admin", func() bool {
		md := alice.ui.main.chat.govern
		return md != nil && md.actions[bobAddr] != nil && md.actions[bobAddr]["admin"].Text == "Remove admin" &&
			alice.hasText("Admin · not a contact")
	})
	bob.note("Alice made you an admin — earlier invites no longer work")
	bob.waitFor("Bob's role", func() bool {
		cp := bob.ui.main.chat
		return cp.cv.Group.Role == model.RoleAdmin
	})
	bmd := bob.openMembers(aliceAddr)
	if bmd.renew.Disabled() || !bmd.actions[aliceAddr]["remove"].Disabled() || bmd.actions[aliceAddr]["remove"].Tooltip != tipOwnerStays() {
		t.Fatalf("Bob the admin: renew disabled %v, remove Alice disabled %v (%q)", bmd.renew.Disabled(),
			bmd.actions[aliceAddr]["remove"].Disabled(), bmd.actions[aliceAddr]["remove"].Tooltip)
	}
	if !bmd.actions[aliceAddr]["admin"].Disabled() {
		t.Fatal("an admin may name admins")
	}
	if !bob.hasText(tipOwnerStays()+".") || !bob.hasText("Only its owner can name admins or remove an admin.") {
		t.Fatal("Bob the admin is not told, in the dialog, what he cannot do")
	}

	// Bob renews the key: invites made before stop working.
	bob.tap("Renew key / revoke invites…")
	bob.settle()
	if !bob.hasText("Invites shared before stop working") {
		t.Fatal("the renewal is not explained")
	}
	bob.tap("Renew key")
	bob.note("You renewed the group's key — earlier invites no longer work")
	alice.note("Bob renewed the group's key — earlier invites no longer work")

	// An action that fails says why in plain words: Bob is removed
	// (elsewhere) while Alice's confirmation to remove him is open.
	md = alice.ui.main.chat.govern
	test.Tap(md.actions[bobAddr]["remove"])
	alice.settle()
	if err := alice.eng.RemoveMember(conv, bobAddr); err != nil {
		t.Fatal(err)
	}
	alice.tap("Remove")
	alice.waitFor("the error explained", func() bool {
		return alice.hasText("The member was not removed.") && alice.hasText("This person is not a member of the group.")
	})
}

// inviteRow returns the shown row of invite message id, or nil.
func (h *harness) inviteRow(id model.MessageID) *chatRow {
	var r *chatRow
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		if x, ok := o.(*chatRow); ok && x.msg.ID == id && x.invite {
			r = x
		}
		return r != nil
	})
	return r
}

// TestRevokedAndEpochInvites: Alice invites Bob to her group, then renews
// its key before he joins. Bob's Join on the old invite's card opens the
// group, which then says the invite no longer works and takes no
// writing. Her first invite names her as the owner (NOOK:G3:); the next
// is of the new key (NOOK:G2:): its card offers Join as well, and Bob,
// joining with it, writes to the group and Alice reads him.
func TestRevokedAndEpochInvites(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	aliceAddr, bobAddr := alice.self(), bob.self()
	gc := alice.createdGroup("Newsroom")
	conv := gc.conv
	old, err := alice.eng.InviteToGroup(model.ConversationID(bobAddr), conv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(old.Body, "NOOK:G3:") {
		t.Fatalf("the first invite is %.8s", old.Body)
	}
	if err := alice.eng.RevokeInvites(conv); err != nil {
		t.Fatal(err)
	}
	alice.note("You renewed the group's key — earlier invites no longer work")
	// A post after the renewal, delivered: the renewal reached the server
	// before it (posts go in order), and so before Bob's join.
	after, err := alice.eng.SendMessage(conv, "Invites renewed")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor("Alice's post delivered", func() bool {
		return slices.ContainsFunc(alice.ui.main.chat.msgs(), func(m model.Message) bool {
			return m.ID == after.ID && m.Status == model.StatusDelivered
		})
	})

	bob.open(aliceAddr)
	bob.waitFor("the old invite's card", func() bool { r := bob.inviteRow(old.ID); return r != nil && r.join.Visible() })
	test.Tap(bob.inviteRow(old.ID).join)
	bob.waitFor("the group open on Bob's side", func() bool {
		c := bob.ui.main.chat
		return c != nil && c.conv == conv
	})
	defer func() {
		if t.Failed() {
			c := bob.ui.main.chat
			t.Logf("bob's pane %s left %v", c.conv, c.cv.Left)
			for _, m := range c.msgs() {
				t.Logf("msg kind %v body %.30q author %.8s", m.Kind, m.Body, m.Author)
			}
			h, _ := bob.eng.History(conv, 0, 50)
			for _, m := range h {
				t.Logf("stored kind %v body %.30q author %.8s", m.Kind, m.Body, m.Author)
			}
		}
	}()
	bob.waitFor("the revoked invite told", func() bool {
		c := bob.ui.main.chat
		return c.conv == conv && bob.hasText(state.RevokedNote()) && !c.canWrite()
	})
	if it := bob.item(string(conv)); it.preview != state.RevokedNote() {
		t.Fatalf("Bob's list says %q", it.preview)
	}

	fresh, err := alice.eng.InviteToGroup(model.ConversationID(bobAddr), conv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fresh.Body, "NOOK:G2:") {
		t.Fatalf("the invite after the renewal is %.8s", fresh.Body)
	}
	bob.open(aliceAddr)
	bob.waitFor("the new invite's card", func() bool {
		r := bob.inviteRow(fresh.ID)
		return r != nil && r.join.Visible() && r.join.Text == "Join group" && r.title.Text == "Alice invited you to “Newsroom”"
	})
	test.Tap(bob.inviteRow(fresh.ID).join)
	bob.waitFor("the group writable on Bob's side", func() bool {
		c := bob.ui.main.chat
		return c != nil && c.conv == conv && c.canWrite() && !bob.hasText(state.RevokedNote())
	})
	post, err := bob.eng.SendMessage(conv, "In with the new invite")
	if err != nil {
		t.Fatal(err)
	}
	alice.open(string(conv))
	alice.waitFor("Bob's post on Alice's side", func() bool {
		return slices.ContainsFunc(alice.ui.main.chat.msgs(), func(m model.Message) bool { return m.ID == post.ID })
	})
}

// TestGovernScreenshots renders the screens of governed groups into the
// folder named by NOOK_SCREENSHOTS (docs/screenshots for the docs): the
// Members dialog with roles as the owner sees it, the confirmation of a
// removal, the removal note in the timeline, and the removed member's
// read-only group. Without the variable it is skipped.
func TestGovernScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	alice, bob, carol := threeProfiles(t)
	alice.setTheme("dark")
	carol.setTheme("dark")
	gc := newsroom(alice, bob, carol)
	conv := gc.conv
	bobAddr, carolAddr := bob.memberID(conv), carol.memberID(conv)
	for _, p := range []struct {
		h    *harness
		text string
	}{{bob, "I can take the council story tonight."}, {carol, "Who has the contact at the port?"}} {
		m, err := p.h.eng.SendMessage(conv, p.text)
		if err != nil {
			t.Fatal(err)
		}
		alice.waitFor("the post on Alice's side", func() bool {
			return slices.ContainsFunc(alice.ui.main.chat.msgs(), func(x model.Message) bool { return x.ID == m.ID })
		})
	}
	alice.win.Resize(fyne.NewSize(1000, 720))
	md := alice.openMembers(bobAddr, carolAddr)
	test.Tap(md.actions[bobAddr]["admin"])
	alice.tap("Make admin")
	alice.waitFor("Bob shown as admin", func() bool { return alice.hasText("Admin · not a contact") })
	md = alice.ui.main.chat.govern
	md.d.Refresh() // laid out again, as the desktop driver does each frame
	test.Tap(md.actions[carolAddr]["remove"])
	alice.shoot(dir, "group-remove-confirm.png")
	alice.tap("Remove")
	alice.note("You removed Carol")
	alice.waitFor("Carol shown as removed", func() bool { return alice.hasText("removed from the group") })
	alice.shoot(dir, "group-members-roles.png")
	alice.ui.closeDialogs()
	alice.shoot(dir, "group-removal-note.png")

	carol.open(string(conv))
	carol.waitFor("Carol's read-only banner", func() bool { return carol.hasText(state.RemovedNote()) })
	carol.win.Resize(fyne.NewSize(1000, 720))
	carol.shoot(dir, "group-removed.png")
}

// TestKeyWarningBanner: a warning about the group's key is shown in plain
// words, under its own title and without the sentence about the server;
// with a server's warning beside it, both are listed under one title.
func TestKeyWarningBanner(t *testing.T) {
	h := newProfile(t, "Ana", "pw for ana")
	cp := h.createHostedGroup("Organisers")
	h.settle()
	server := cp.cv.Group.Server
	h.event(model.GroupWarning{Conversation: cp.conv, Server: server, Kind: "concurrent rotation",
		Reason: "another renewal of the group key was made at the same time; the first one the server stored counts"})
	if !h.hasText("Two admins renewed the group's key at once") || !h.hasText("Nothing needs doing.") ||
		h.hasText("Problem with the group server") || h.hasText("Your messages are still end-to-end protected") {
		t.Fatal("the key warning is not told in its own words")
	}
	h.event(model.NewGroupWarning(cp.conv, server, "", "gap", model.Say("groupwarning.gap", "Count", 2, "First", uint64(3), "Last", uint64(4))))
	if !h.hasText("Problems in this group") || !h.hasText("Problem with the group server: The server dropped 2 messages of a member (numbers 3 to 4).") ||
		!h.hasText("Your messages are still end-to-end protected") {
		t.Fatal("the two warnings are not listed together")
	}
	h.tap("Dismiss")
	if h.hasText("Problems in this group") {
		t.Fatal("the banner stayed after Dismiss")
	}
}
