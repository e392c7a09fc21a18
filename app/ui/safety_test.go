package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
)

// TestReachabilityTold: while Bob blocks contact requests, his invite page
// says that new contacts cannot reach him, and Alice, who added his
// invite, reads "Not delivered yet" (header, banner, list), never a green
// dot; once he takes requests, "Waiting for them to accept".
func TestReachabilityTold(t *testing.T) {
	alice, bob := twoProfiles(t)
	aliceAddr, bobAddr := alice.self(), bob.self()
	invite := bob.invite()
	if bob.hasText("New contacts cannot reach you") {
		t.Fatal("the invite page says requests are blocked before they are")
	}
	sd := bob.openSettings()
	sd.blockUnk.SetChecked(true)
	bob.ui.closeDialogs()
	bob.waitFor("the setting saved", func() bool {
		s, err := bob.eng.Settings()
		return err == nil && s.BlockUnknown
	})
	bob.ui.main.showHome()
	if !bob.hasText("New contacts cannot reach you") || !bob.hasText("Contact requests are blocked") {
		t.Fatal("the invite page does not say that new contacts cannot reach Bob")
	}

	alice.pasteInvite(invite)
	alice.waitFor("Bob's conversation", func() bool {
		return alice.ui.main.chat != nil && string(alice.ui.main.chat.conv) == bobAddr
	})
	cp := alice.ui.main.chat
	if cp.presence.Label != "Not delivered" || !alice.hasText("Your request is not delivered yet") {
		t.Fatalf("the request is not shown as not delivered: %q", cp.presence.Label)
	}
	if it := alice.item(bobAddr); it == nil || it.preview != "Not delivered yet" {
		t.Fatalf("the list row: %+v", it)
	}
	// Alice's Nook reaches Bob's, which closes the session unread.
	alice.waitFor("a session with Bob tried", func() bool {
		c, err := alice.eng.Contact(model.ConversationID(bobAddr))
		return err == nil && c.State == model.ContactPending
	})
	if cp.presence.Presence != presenceOf(model.Offline) {
		t.Fatal("a request not delivered shows Bob online")
	}

	// Bob takes requests again: delivered.
	sd = bob.openSettings()
	sd.blockUnk.SetChecked(false)
	bob.ui.closeDialogs()
	bob.waitFor("Alice's request", func() bool {
		it := bob.item(aliceAddr)
		return it != nil && it.c.State == model.ContactRequest
	})
	alice.waitFor("the request shown delivered", func() bool {
		return cp.presence.Label == "Not accepted yet" && alice.hasText("Your request reached Bob")
	})
	if it := alice.item(bobAddr); it == nil || it.preview != "Waiting for them to accept" {
		t.Fatalf("the list row once delivered: %+v", it)
	}
}

// TestOfflineLine: while a contact is not online, a line above the entry
// says where a message goes; it goes when they are online. The screenshot
// of it goes to docs/screenshots with NOOK_SCREENSHOTS.
func TestOfflineLine(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	bobAddr := bob.self()
	cp := alice.open(bobAddr)
	alice.waitFor("Bob online", func() bool { return !cp.offline.Visible() })
	if err := bob.eng.Lock(); err != nil {
		t.Fatal(err)
	}
	alice.waitFor("the offline line", func() bool { return cp.offline.Visible() })
	if cp.offline.Text != offlineNote() || !alice.hasText("goes out when you are both online") {
		t.Fatalf("the line above the entry: %q", cp.offline.Text)
	}
	test.Type(cp.entry, "See you at the usual place")
	cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	alice.waitFor("the message queued", func() bool {
		ms := cp.msgs()
		return len(ms) == 1 && ms[0].Status == model.StatusQueued
	})
	if tip := cp.bubble(cp.msgs()[0]).StateTip; tip != "Waiting on this computer: it goes out when you are both online" {
		t.Fatalf("the clock's tooltip: %q", tip)
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		alice.win.Resize(fyne.NewSize(900, 560))
		alice.shoot(dir, "offline-explanation.png")
	}
}

// TestDeleteAndClear: "Delete for me" asks, says what the other side
// keeps, and removes the message; "Clear conversation…" asks and leaves
// the contact with an empty conversation.
func TestDeleteAndClear(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	bobAddr := bob.self()
	cp := alice.open(bobAddr)
	for _, text := range []string{"one", "two"} {
		test.Type(cp.entry, text)
		cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	alice.waitFor("two messages", func() bool { return len(cp.msgs()) == 2 })
	first := cp.msgs()[0]
	r := newChatRow(cp)
	r.set(first)
	if r.bubble.OnDelete == nil {
		t.Fatal("a message offers no Delete for me")
	}
	cp.confirmDeleteMessage(first.ID.String())
	if !alice.hasText("Delete for me?") || !(alice.hasText("Bob keeps their copy") || alice.hasText("never sent")) {
		t.Fatal("the deletion does not say what Bob keeps")
	}
	alice.tap("Delete")
	alice.waitFor("the message gone", func() bool { return len(cp.msgs()) == 1 && cp.msgs()[0].Body == "two" })
	alice.waitFor("the conversation's count", func() bool {
		cv, _ := alice.ui.state.Conversation(model.ConversationID(bobAddr))
		return cv.Messages == 1
	})

	cp.confirmClear()
	if !alice.hasText("this cannot be undone") || !alice.hasText("Bob keeps theirs") {
		t.Fatal("clearing does not say what it does")
	}
	alice.tap("Clear")
	alice.waitFor("the conversation empty", func() bool { return len(cp.msgs()) == 0 })
	if it := alice.item(bobAddr); it == nil || it.c.State != model.ContactAccepted {
		t.Fatalf("the contact after clearing: %+v", it)
	}
}

// TestBlockAndUnblockTold: the block dialog says what happens to what they
// write meanwhile, and Unblock asks first, saying that it arrives now.
func TestBlockAndUnblockTold(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	bobAddr := bob.self()
	cp := alice.open(bobAddr)
	cp.confirmBlock()
	if !alice.hasText("arrive all at once if you unblock them") {
		t.Fatal("the block dialog does not say what happens to their messages")
	}
	alice.tap("Block")
	alice.waitFor("Bob blocked", func() bool {
		it := alice.item(bobAddr)
		return it != nil && it.c.State == model.ContactBlocked
	})
	alice.waitFor("the banner", func() bool { return alice.button("Unblock…") != nil })
	alice.tap("Unblock…")
	if !alice.hasText("Messages they wrote while blocked arrive now") {
		t.Fatal("Unblock does not ask, or does not say what arrives")
	}
	if it := alice.item(bobAddr); it.c.State != model.ContactBlocked {
		t.Fatal("unblocked before the confirmation")
	}
	alice.tap("Unblock")
	alice.waitFor("Bob unblocked", func() bool {
		it := alice.item(bobAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
}

// TestMemberCountReadable: in the Members dialog each member's count is
// on a line of its own, as wide as the dialog, at a narrow window too:
// "left the group" is readable.
func TestMemberCountReadable(t *testing.T) {
	alice, bob := twoProfiles(t)
	gc := alice.createHostedGroup("Garden")
	text := alice.groupInvite(gc.conv)
	bob.acceptInvite(text)
	if err := bob.eng.LeaveGroup(gc.conv, false); err != nil {
		t.Fatal(err)
	}
	alice.waitFor("Bob's leave", func() bool {
		ms, _ := alice.eng.Members(gc.conv)
		for _, m := range ms {
			if !m.Self { // Bob, the only other member
				return m.Left
			}
		}
		return false
	})
	alice.win.Resize(fyne.NewSize(520, 600))
	gc.showMembers()
	var count *widget.Label
	alice.waitFor("the members dialog", func() bool {
		count = nil
		for _, o := range alice.win.Canvas().Overlays().List() {
			walk(o, func(x fyne.CanvasObject) bool {
				if l, ok := x.(*widget.Label); ok && strings.Contains(l.Text, "left the group") {
					count = l
				}
				return count != nil
			})
		}
		return count != nil
	})
	alice.settle()
	if w := count.Size().Width; w < fyne.MeasureText("No messages yet · left the group", count.Theme().Size(count.SizeName), count.TextStyle).Width {
		t.Fatalf("the count %q is %v wide: squeezed", count.Text, w)
	}
}

// TestExportCancelKeepsPasswords: cancelling the file chooser of Export
// comes back to the form with the two passwords as typed.
func TestExportCancelKeepsPasswords(t *testing.T) {
	h := newProfile(t, "Maya", "maya pw")
	test.Tap(h.settingsButton("Export…"))
	e := h.topEntries()
	if len(e) != 2 {
		t.Fatalf("%d fields in Export", len(e))
	}
	test.Type(e[0], "long backup pass phrase")
	test.Type(e[1], "long backup pass phrase")
	h.tap("Choose where to save…")
	h.waitFor("the chooser", func() bool { return h.button("Save") != nil })
	h.tap("Cancel") // the chooser's: the form is hidden meanwhile
	h.waitFor("the form back", func() bool { return h.button("Choose where to save…") != nil })
	e = h.topEntries()
	if len(e) != 2 || e[0].Text != "long backup pass phrase" || e[1].Text != "long backup pass phrase" {
		t.Fatal("the passwords typed are gone after cancelling the chooser")
	}
}

// TestEscapeFromFormAction: Escape closes a form while its action button
// has the focus (it did only from Cancel).
func TestEscapeFromFormAction(t *testing.T) {
	h := newProfile(t, "Maya", "maya pw")
	test.Tap(h.settingsButton("Change password…"))
	before := len(h.ui.dialogs)
	b := h.button("Change password")
	if b == nil {
		t.Fatal("no Change password button")
	}
	var action fyne.Focusable
	walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		if fb, ok := o.(*formButton); ok && fb.Text == "Change password" {
			action = fb
		}
		return action != nil
	})
	if action == nil {
		t.Fatal("the form's action is not a form button")
	}
	h.win.Canvas().Focus(action)
	h.press(fyne.KeyEscape, false)
	if len(h.ui.dialogs) != before-1 {
		t.Fatalf("%d dialogs after Escape on the action, want %d", len(h.ui.dialogs), before-1)
	}
}

// TestDeleteInvitation: an invitation card offers "Delete for me" too (an
// invite holds the group's key: one sent to the wrong person must be
// deletable), and a queued one is never sent.
func TestDeleteInvitation(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	bobAddr := bob.self()
	gc := alice.createHostedGroup("Garden")
	if err := bob.eng.Lock(); err != nil {
		t.Fatal(err)
	}
	cp := alice.open(bobAddr)
	alice.waitFor("Bob offline", func() bool { return cp.offline.Visible() })
	inv, err := alice.eng.InviteToGroup(model.ConversationID(bobAddr), gc.conv)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor("the invitation card", func() bool { _, ok := cp.lookup(inv.ID); return ok })
	// A right click on the card offers it (the card has no bubble menu).
	var row fyne.CanvasObject = newChatRow(cp)
	if _, ok := row.(fyne.SecondaryTappable); !ok {
		t.Fatal("an invitation card has no menu")
	}
	cp.confirmDeleteMessage(inv.ID.String())
	if !alice.hasText("never sent") {
		t.Fatal("deleting a queued invitation does not say it is never sent")
	}
	alice.tap("Delete")
	alice.waitFor("the invitation gone", func() bool { _, ok := cp.lookup(inv.ID); return !ok })
	if _, err := alice.eng.Message(model.ConversationID(bobAddr), inv.ID); err == nil {
		t.Fatal("the invitation is still stored")
	}
}

// TestJoinedGroupKnowsItsMembers: right after Bob joins Alice's group, in
// which nobody has written, his header counts her (her join notice; it
// said "only you so far"), and never claims he is alone while the server
// is being read.
func TestJoinedGroupKnowsItsMembers(t *testing.T) {
	alice, bob := twoProfiles(t)
	gc := alice.createHostedGroup("Garden")
	alice.waitFor("Alice's join notice on the server", func() bool {
		ms := gc.msgs()
		return len(ms) == 1 && ms[0].Kind == model.KindNote && ms[0].Status == model.StatusDelivered
	})
	text := alice.groupInvite(gc.conv)
	bc := bob.joinPasted(text, gc.conv)
	seen := map[string]bool{}
	var trace []string
	bob.waitFor("Alice counted", func() bool {
		if !seen[bc.members.Text] {
			o := bc.open()
			sy, ok := bob.ui.state.Sync(bc.cv.Group.Server)
			trace = append(trace, fmt.Sprintf("%q loading=%v members=%d loaded=%v sync=%v/%+v msgs=%d", bc.members.Text, bc.membersLoading, len(o.Members), o.MembersLoaded, ok, sy, len(bc.msgs())))
		}
		seen[bc.members.Text] = true
		return bc.members.Text == "Group · 2 members"
	})
	if seen["Group · no other member known yet"] {
		t.Fatalf("Bob was told he was alone on the way: %v\n%s", seen, strings.Join(trace, "\n"))
	}
	bob.waitFor("Alice's join as a note", func() bool {
		for _, m := range bc.msgs() {
			if m.Kind == model.KindNote && m.Author == bob.memberNamed(bc.conv, "Alice") && m.Author != "" && m.Body == model.NoteJoined {
				return true
			}
		}
		return false
	})
}
