package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// befriend makes two profiles contacts through an in-person invite.
func befriend(t *testing.T, a, b *harness) {
	t.Helper()
	text, err := a.eng.MyInvite(true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.eng.AcceptInvite(text); err != nil {
		t.Fatal(err)
	}
	bAddr, aAddr := b.self(), a.self()
	a.waitFor("the contact accepted on the inviter's side", func() bool {
		it := a.item(bAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
	b.waitFor("the contact accepted on the invitee's side", func() bool {
		it := b.item(aAddr)
		return it != nil && it.c.State == model.ContactAccepted
	})
}

// groupInvite returns an invite to group conv made by h's engine.
func (h *harness) groupInvite(conv model.ConversationID) string {
	h.t.Helper()
	text, err := h.eng.GroupInvite(conv)
	if err != nil {
		h.t.Fatal(err)
	}
	return text
}

// pasteInvite pastes text into the Add-contact dialog and taps "Add from
// invite", as a person does.
func (h *harness) pasteInvite(text string) {
	h.t.Helper()
	h.ui.main.showAddContact()
	h.ui.main.add.text.SetText(text)
	h.tap("Add from invite")
}

// joinPasted joins group conv through the invite text pasted into Add
// contact, and returns the group's conversation once it is open.
func (h *harness) joinPasted(text string, conv model.ConversationID) *chatPane {
	h.t.Helper()
	h.pasteInvite(text)
	h.waitFor("the joined group open", func() bool {
		c := h.ui.main.chat
		return c != nil && c.conv == conv && c.list != nil
	})
	return h.ui.main.chat
}

// acceptInvite has h's engine accept the invite text.
func (h *harness) acceptInvite(text string) {
	h.t.Helper()
	if _, err := h.eng.AcceptInvite(text); err != nil {
		h.t.Fatal(err)
	}
}

// createHostedGroup goes through the New group dialog, hosting the server
// in this app, and returns the group's conversation.
func (h *harness) createHostedGroup(name string) *chatPane {
	h.t.Helper()
	mv := h.ui.main
	mv.showCreateGroup()
	h.waitFor("the New group dialog", func() bool { return mv.createGroup != nil })
	cg := mv.createGroup
	test.Type(cg.name, name)
	cg.choice.SetSelected(choiceHost())
	if !cg.hostNote.Visible() || cg.pasteBox.Visible() {
		h.t.Fatal("choosing to host does not explain hosting")
	}
	h.tap(i18n.T("creategroup.create_group"))
	h.waitFor("the new group's conversation", func() bool {
		return mv.chat != nil && mv.chat.cv.Group != nil && mv.chat.cv.Group.Name == name
	})
	if mv.createGroup != nil {
		h.t.Fatal("the New group dialog stayed open")
	}
	return mv.chat
}

// TestGroupInviteJoinPost: Alice creates a group on a server hosted in her
// app and invites Bob from the group's menu; Bob sees an invite card in
// their conversation, joins with its button and posts with Enter; Alice
// sees the post with Bob's name.
func TestGroupInviteJoinPost(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	aliceAddr, bobAddr := alice.self(), bob.self()

	gc := alice.createHostedGroup("Newsroom")
	conv := gc.conv
	if it := alice.item(string(conv)); it == nil || it.group == nil {
		t.Fatal("the group is not in the list")
	}

	// Alice invites Bob through the group's menu.
	gc.showInviteContact()
	pick := alice.radio()
	if pick == nil || len(pick.Options) != 1 || pick.Options[0] != "Bob" {
		t.Fatalf("contacts offered: %+v", pick)
	}
	pick.SetSelected("Bob")
	alice.tap("Send invite")
	alice.waitFor("the conversation with Bob", func() bool {
		c := alice.ui.main.chat
		return c != nil && string(c.conv) == bobAddr && len(c.msgs()) == 1
	})

	// Bob sees the invitation and joins from the card.
	bob.waitFor("the invitation in Bob's list", func() bool {
		it := bob.item(aliceAddr)
		return it != nil && it.preview == "Invitation to the group “Newsroom”"
	})
	bob.open(aliceAddr)
	bob.settle()
	if !bob.hasText("Alice invited you to “Newsroom”") {
		t.Fatal("no invite card in Bob's conversation")
	}
	bob.tap("Join group")
	bob.waitFor("the group open on Bob's side", func() bool {
		c := bob.ui.main.chat
		return c != nil && c.cv.Group != nil && c.conv == conv
	})

	// Bob posts with Enter.
	bc := bob.ui.main.chat
	test.Type(bc.entry, "Hello from Bob")
	bc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Bob's post delivered", func() bool {
		for _, m := range bc.msgs() {
			if m.Body == "Hello from Bob" && m.Status == model.StatusDelivered {
				return true
			}
		}
		return false
	})

	// Alice sees it, by Bob, in the group and in the list.
	alice.open(string(conv))
	ac := alice.ui.main.chat
	alice.waitFor("Bob's post on Alice's side", func() bool {
		for _, m := range ac.msgs() {
			if m.Body == "Hello from Bob" {
				return true
			}
		}
		return false
	})
	var post model.Message
	for _, m := range ac.msgs() {
		if m.Body == "Hello from Bob" {
			post = m
		}
	}
	// Bob is known by his key in the group; his contact tags tell Alice
	// it is her contact Bob.
	alice.waitFor("Bob's post shown as his", func() bool {
		b := ac.bubble(post)
		return b.Author == "Bob" && b.AuthorKey == post.Author && post.Author != bobAddr
	})
	alice.waitFor("the post in Alice's list", func() bool {
		return alice.item(string(conv)).preview == "Bob: Hello from Bob"
	})
	alice.waitFor("the member count", func() bool { return ac.members.Text == "Group · 2 members" })

	// Alice replies to Bob's post.
	ac.setReply(post.ID.String())
	test.Type(ac.entry, "Welcome")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Alice's reply on Bob's side", func() bool {
		for _, m := range bc.msgs() {
			if m.Body == "Welcome" && m.ReplyTo == post.ID {
				q := bc.bubble(m).Quote
				return bc.bubble(m).Author == "Alice" && q != nil && q.Author == "You"
			}
		}
		return false
	})

	// Both see one server fingerprint, and Bob's members list shows it for
	// comparing (security review M-4).
	fp := ac.cv.Group.ServerFingerprint
	if fp == "" || bc.cv.Group.ServerFingerprint != fp {
		t.Fatalf("server fingerprints %q and %q", fp, bc.cv.Group.ServerFingerprint)
	}
	bc.showMembers()
	bob.waitFor("the members list with the server fingerprint", func() bool {
		return bob.hasText("Server fingerprint: " + fp)
	})
	// Alice is Bob's contact: listed by her contact name, not marked as a
	// stranger (security review L-4).
	if !bob.hasText("Alice") || bob.hasText("not a contact") || bob.hasText(state.NotContactMark("")) {
		t.Fatal("Bob's members list marks his contact Alice as a stranger")
	}
}

// TestMemberNameMarked (L-4): a group member who is not a contact but
// carries a name the person knows is shown with a mark, in the members list
// and on the author line of their messages; others as they are.
func TestMemberNameMarked(t *testing.T) {
	st := state.New()
	g := model.Conversation{ID: "g:01", Kind: model.KindGroup, Title: "G", Group: &model.Group{ID: "01"}}
	st.Apply(model.Snapshot{Unlocked: true, Conversations: []model.Conversation{g}})
	st.OpenConversation(g.ID)
	bob, carol := strings.Repeat("b", 56), strings.Repeat("c", 56)
	st.SetMembers(st.Open().Token, []model.GroupMember{{Address: bob, Name: "Bob", NameCollides: true},
		{Address: carol, Name: "Carol"}}, nil)
	if got := st.AuthorName(g.ID, bob); got != "Bob (not your contact)" {
		t.Fatalf("a colliding name shown as %q", got)
	}
	if got := st.AuthorName(g.ID, carol); got != "Carol" {
		t.Fatalf("a name of its own shown as %q", got)
	}
}

// TestGroupWarningAndCatchUp: a GroupWarning shows a banner in the group
// that can be dismissed; a catch-up shows its progress in the group and in
// the list.
func TestGroupWarningAndCatchUp(t *testing.T) {
	h := newProfile(t, "Ana", "pw for ana")
	cp := h.createHostedGroup("Organisers")
	h.settle()
	server := string(cp.cv.Group.Server)

	h.event(model.GroupSync{Server: server, Done: 3, Total: 10})
	if !cp.syncBar.Visible() || cp.syncBar.Percent() != 30 {
		t.Fatalf("catch-up bar visible %v at %v %%", cp.syncBar.Visible(), cp.syncBar.Percent())
	}
	if it := h.item(string(cp.conv)); it.preview != "Catching up: 3 of 10…" {
		t.Fatalf("list shows %q while catching up", it.preview)
	}
	h.event(model.GroupSync{Server: server, Done: 10, Total: 10, CaughtUp: true})
	if cp.syncBar.Visible() {
		t.Fatal("the catch-up bar stayed after the catch-up")
	}

	h.event(model.NewGroupWarning(cp.conv, server, "", "gap", model.Say("groupwarning.gap", "Count", 2, "First", uint64(3), "Last", uint64(4))))
	if !h.hasText("Problem with the group server") || !h.hasText("The server dropped 2 messages of a member (numbers 3 to 4).") ||
		!h.hasText("Your messages are still end-to-end protected") {
		t.Fatal("no warning banner")
	}
	h.tap("Dismiss")
	if h.hasText("Problem with the group server") {
		t.Fatal("the banner stayed after Dismiss")
	}
	// A warning about the whole server concerns its groups.
	h.event(model.NewGroupWarning("", server, "", "stream", model.Say("groupwarning.stream")))
	if !h.hasText("The group server sent a blob out of order.") {
		t.Fatal("a server-wide warning is not shown in its group")
	}
}

// TestServersTab: a server invite pasted into Add contact is remembered;
// the Group servers tab lists it and adds another from its invite text;
// hosting shows the hosted server's invite as a QR code.
func TestServersTab(t *testing.T) {
	test.NewTempApp(t)
	net := newNet()
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(net)))
	h.createProfile("Sam", "pw for sam")
	invites := make([]string, 2)
	for i := range invites {
		other := newEngine(t, t.TempDir(), loopback.New(net))
		text, err := other.HostServer(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		invites[i] = text
	}

	h.pasteInvite(invites[0])
	h.waitFor("Server added", func() bool { return h.hasText("Nook now knows this group server") })
	h.ui.closeTopDialog()

	h.openSettings()
	st := h.ui.settings.servers
	h.ui.settings.tabs.SelectIndex(4)
	h.waitFor("the server listed", func() bool { return len(st.list.Objects) == 1 && h.hasText("Group server") })
	st.add.SetText(invites[1])
	h.tap("Add server")
	h.waitFor("the second server listed", func() bool { return len(st.list.Objects) == 2 })
	if ss, _ := h.eng.Servers(); len(ss) != 2 {
		t.Fatalf("engine knows %d servers", len(ss))
	}
	st.add.SetText("NOOK:C1:NOTASERVER")
	h.tap("Add server")
	h.waitFor("the error", func() bool { return st.errLabel.Visible() })

	h.tap("Start the server")
	h.waitFor("the hosted server", func() bool { return st.hosted != "" && st.hostBox.Visible() })
	if st.qr.Image() == nil || !strings.HasPrefix(st.hosted, "NOOK:S1:") {
		t.Fatal("the hosted server's invite is not shown")
	}
	if len(st.list.Objects) != 3 || !h.hasText("Group server hosted on this computer") {
		t.Fatal("the hosted server is not among the known servers")
	}
}

// check finds a visible check box labelled text in the window or its
// dialogs, or nil.
func (h *harness) check(text string) *widget.Check {
	c := h.win.Canvas()
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	var found *widget.Check
	for i := len(roots) - 1; i >= 0 && found == nil; i-- {
		walk(roots[i], func(o fyne.CanvasObject) bool {
			if ch, ok := o.(*widget.Check); ok && ch.Text == text {
				found = ch
			}
			return found != nil
		})
	}
	return found
}

// TestLeaveGroupKeepHistory: Alice leaves a group from its menu without
// deleting its messages: the conversation stays in her list and open,
// read-only, with a note that she left and the entry disabled, also after
// locking and unlocking; Bob's app no longer counts her as a member. Then
// she deletes the messages kept, and the group goes from her list.
func TestLeaveGroupKeepHistory(t *testing.T) {
	alice, bob := twoProfiles(t)

	gc := alice.createHostedGroup("Garden")
	conv := gc.conv
	text := alice.groupInvite(conv)
	// Bob joins with the invite pasted into Add contact.
	bc := bob.joinPasted(text, conv)
	test.Type(bc.entry, "Seedlings on Saturday")
	bc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	alice.waitFor("Bob's post on Alice's side", func() bool {
		for _, m := range gc.msgs() {
			if m.Body == "Seedlings on Saturday" {
				return true
			}
		}
		return false
	})
	test.Type(gc.entry, "Great")
	gc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Alice counted as a member", func() bool {
		return bob.ui.main.chat.members.Text == "Group · 2 members"
	})

	gc.confirmLeaveGroup()
	if !alice.hasText("You will no longer receive its messages") {
		t.Fatal("the dialog does not say what leaving means")
	}
	also := alice.check("Also delete the messages on this computer")
	if also == nil || also.Checked {
		t.Fatalf("the delete check box: %+v", also)
	}
	if !alice.hasText("The conversation stays in your list, read-only") {
		t.Fatal("the dialog does not say that the conversation stays")
	}
	alice.tap("Leave group")
	mv := alice.ui.main
	alice.waitFor("the group shown as left", func() bool {
		return mv.chat != nil && mv.chat.conv == conv && mv.chat.cv.Group.Left
	})
	leftPane := func() {
		t.Helper()
		cp := mv.chat
		if !alice.hasText("You left this group") || !alice.hasText("You no longer receive or send its messages") {
			t.Fatal("no note that Alice left the group")
		}
		if !cp.entry.Disabled() || !cp.sendBtn.Disabled() {
			t.Fatal("the entry of a group left is enabled")
		}
		// The joins, as notes, then the two posts.
		alice.waitFor("the members' names", func() bool { return alice.ui.state.AuthorName(conv, alice.memberNamed(conv, "Bob")) == "Bob" })
		ms := cp.msgs()
		if len(ms) != 4 || ms[0].Kind != model.KindNote || ms[1].Kind != model.KindNote ||
			ms[2].Body != "Seedlings on Saturday" || ms[3].Body != "Great" {
			t.Fatalf("the history kept: %+v", ms)
		}
		checkNoteRow(t, cp, ms[0], "You joined")
		checkNoteRow(t, cp, ms[1], "Bob joined")
		it := alice.item(string(conv))
		if it == nil || it.preview != "You left this group" {
			t.Fatal("the list does not show the group as left")
		}
		if alice.button("Leave group") != nil {
			t.Fatal("the leave dialog stayed open")
		}
	}
	leftPane()
	if active, _ := groupCount(t, alice.eng); active != 0 {
		t.Fatalf("the engine still has %d groups", active)
	}

	// Bob's app learns that she left: she is not counted and is listed as
	// having left.
	bob.waitFor("Alice's leave notice", func() bool {
		ms, _ := bob.eng.Members(conv)
		for _, m := range ms {
			if !m.Self { // Alice, the only other member
				return m.Left
			}
		}
		return false
	})
	bob.ui.main.showHome()
	bob.open(string(conv))
	bob.waitFor("Bob's member count without Alice", func() bool {
		return bob.ui.main.chat.members.Text == "Group · no other member known yet"
	})
	bob.waitFor("Alice's name", func() bool { return bob.ui.state.AuthorName(conv, bob.memberNamed(conv, "Alice")) == "Alice" })
	bob.waitFor("Alice's leave as a note in Bob's timeline", func() bool {
		ms := bob.ui.main.chat.msgs()
		return len(ms) > 0 && ms[len(ms)-1].Kind == model.KindNote && ms[len(ms)-1].Body == model.NoteLeft
	})
	ms := bob.ui.main.chat.msgs()
	checkNoteRow(t, bob.ui.main.chat, ms[len(ms)-1], "Alice left the group")

	// Locked and unlocked, the group is still there, read-only.
	alice.ui.lock()
	alice.waitFor("locked", func() bool { return !alice.ui.unlock.button.Disabled() })
	test.Type(alice.ui.unlock.password, "alice password")
	alice.tap("Unlock")
	alice.waitFor("unlocked", func() bool { return alice.ui.main != nil })
	mv = alice.ui.main
	alice.open(string(conv))
	if mv.chat == nil || mv.chat.cv.Group == nil || !mv.chat.cv.Group.Left {
		t.Fatal("the group left is not in the list after unlocking")
	}
	leftPane()

	// Deleting the messages kept removes the group.
	mv.chat.confirmLeaveGroup()
	if alice.check("Also delete the messages on this computer") != nil || !alice.hasText("this cannot be undone") {
		t.Fatal("deleting the messages of a group left offers a choice")
	}
	alice.tap("Delete")
	alice.waitFor("the group gone from the list, the dialog closed", func() bool {
		return alice.item(string(conv)) == nil && alice.button("Delete") == nil
	})
	if mv.chat != nil {
		t.Fatal("the deleted conversation is still open")
	}
	// The list is told before the deletion finishes.
	alice.waitFor("the messages deleted", func() bool {
		msgs, err := alice.eng.History(conv, 0, 10)
		return err == nil && len(msgs) == 0
	})
	if _, left := groupCount(t, alice.eng); left != 0 {
		t.Fatalf("%d groups left still kept", left)
	}
}

// TestLeaveGroupDeleteHistory: leaving with "Also delete the messages"
// checked removes the group from the list at once; an error keeps the
// dialog open with the reason.
func TestLeaveGroupDeleteHistory(t *testing.T) {
	h := newProfile(t, "Ana", "pw for ana")
	cp := h.createHostedGroup("Organisers")
	conv := cp.conv
	test.Type(cp.entry, "Agenda attached")
	cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the post delivered", func() bool {
		ms := cp.msgs() // her join note, then the post
		return len(ms) == 2 && ms[1].Body == "Agenda attached" && ms[1].Status == model.StatusDelivered
	})

	// Left behind the dialog's back: the engine refuses, the dialog says so.
	if err := h.eng.LeaveGroup(conv, true); err != nil {
		t.Fatal(err)
	}
	cp.confirmLeaveGroup()
	h.check("Also delete the messages on this computer").SetChecked(true)
	if !h.hasText("The conversation is removed from this computer") {
		t.Fatal("the dialog does not say that the conversation goes")
	}
	h.tap("Leave group")
	h.waitFor("the error", func() bool { return h.hasText("That did not work") })
	h.ui.closeTopDialog()
	h.waitFor("the group gone from the list", func() bool { return h.item(string(conv)) == nil })

	// A second group, left for real.
	cp = h.createHostedGroup("Committee")
	conv = cp.conv
	cp.confirmLeaveGroup()
	h.check("Also delete the messages on this computer").SetChecked(true)
	h.tap("Leave group")
	mv := h.ui.main
	h.waitFor("the group gone from the list, the dialog closed", func() bool {
		return h.item(string(conv)) == nil && h.button("Leave group") == nil
	})
	if mv.chat != nil || h.button("Leave group") != nil {
		t.Fatal("the conversation or the dialog is still open")
	}
	if active, left := groupCount(t, h.eng); active != 0 || left != 0 {
		t.Fatalf("the engine still has %d groups, and %d left", active, left)
	}
}

// groupCount counts the engine's groups, and those left whose history is
// kept.
func groupCount(t *testing.T, e *engine.Engine) (active, left int) {
	t.Helper()
	cs, err := e.Conversations()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		switch {
		case c.Kind != model.KindGroup:
		case c.Left:
			left++
		default:
			active++
		}
	}
	return active, left
}

// checkNoteRow checks that the timeline shows note m as a centred line
// saying want (and its time), not as a bubble.
func checkNoteRow(t *testing.T, cp *chatPane, m model.Message, want string) {
	t.Helper()
	r := newChatRow(cp)
	r.set(m)
	r.Resize(fyne.NewSize(600, r.heightForWidth(600)))
	if r.bubble.Visible() || r.card.Visible() || !r.noteLine.Visible() {
		t.Fatalf("note %q is not shown as a line", want)
	}
	if !strings.HasPrefix(r.noteLine.Text, want+" · ") || r.noteLine.Alignment != fyne.TextAlignCenter {
		t.Fatalf("note row %q (alignment %v), want %q centred", r.noteLine.Text, r.noteLine.Alignment, want)
	}
	if pos, size := r.noteLine.Position(), r.noteLine.Size(); pos.X+size.Width/2 < 290 || pos.X+size.Width/2 > 310 {
		t.Fatalf("note line at %v, %v: not centred in the row", pos, size)
	}
}

// TestCatchUpTimeLeft: the catch-up bar gives the time left once the pace
// is known (three reports over three seconds), in the file cards' words,
// and not before.
func TestCatchUpTimeLeft(t *testing.T) {
	test.NewTempApp(t)
	network := newNet()
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(network)))
	h.createProfile("Ana", "pw for ana")
	// A group whose server is gone: no catch-up of its own comes between
	// the reports this test makes up (a real one starts the pace again).
	gone, err := enginetest.StartHeldServer(loopback.New(network), 0, "Organisers")
	if err != nil {
		t.Fatal(err)
	}
	gone.Close()
	res, err := h.eng.AcceptInvite(gone.Invite)
	if err != nil {
		t.Fatal(err)
	}
	conv := string(res.Group.Conversation())
	h.waitFor("the group in the list", func() bool { return h.item(conv) != nil })
	cp := h.open(conv)
	h.settle()
	server := string(cp.cv.Group.Server)
	now := time.Unix(1_700_000_000, 0)
	h.ui.state.SetClock(func() time.Time { return now })

	h.event(model.GroupSync{Server: server, Done: 0, Total: 20_000})
	for i := 1; i <= 2; i++ {
		now = now.Add(time.Second)
		h.event(model.GroupSync{Server: server, Done: 100 * i, Total: 20_000})
		if got := cp.syncBar.Phase(); strings.Contains(got, "left") {
			t.Fatalf("after %d reports the bar says %q", i, got)
		}
	}
	now = now.Add(time.Second)
	h.event(model.GroupSync{Server: server, Done: 300, Total: 20_000})
	// 19 700 blobs at 100 a second: 197 s.
	if got, want := cp.syncBar.Phase(), "Catching up: 300 of 20000 messages from the server · about 3 minutes left"; got != want {
		t.Fatalf("the bar says %q, want %q", got, want)
	}
	h.event(model.GroupSync{Server: server, Done: 20_000, Total: 20_000, CaughtUp: true})
	if cp.syncBar.Visible() {
		t.Fatal("the catch-up bar stayed after the catch-up")
	}
}
