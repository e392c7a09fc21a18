package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds the parts of the conversation screen that only a group
// has: its header and menu (invite a contact, show the invite, members,
// leave), the server's catch-up progress, the warnings about the server,
// and the read-only state of a group the person left.

// serverWarningText explains a GroupWarning to people.
func serverWarningText() string { return i18n.T("groupchat.server_warning") }

// groupHeader returns a group's header: its name, its member count, the
// members and the menu.
func (cp *chatPane) groupHeader() fyne.CanvasObject {
	cp.avatar = widgets.NewAvatar(cp.cv.Title, string(cp.conv))
	cp.name = widget.NewLabelWithStyle(cp.cv.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	cp.name.Truncation = fyne.TextTruncateEllipsis
	cp.members = widget.NewLabel(i18n.T("groupchat.group"))
	cp.members.Importance = widget.LowImportance
	cp.members.SizeName = theme.SizeNameCaptionText
	info := widgets.NewTooltipButton(theme.AccountIcon(), i18n.T("groupchat.members"), cp.showMembers)
	var more *widgets.TooltipButton
	more = widgets.NewTooltipButton(theme.MoreVerticalIcon(), i18n.T("groupchat.more_invite_leave"), func() { cp.showGroupMenu(more) })
	cp.syncBar = widgets.NewProgress(i18n.T("groupchat.catching_up_with_the"))
	cp.syncBar.Hide()
	cp.warnBox = container.NewVBox()
	return container.NewBorder(nil, nil,
		container.NewCenter(cp.avatar),
		container.NewHBox(info, more),
		container.NewVBox(cp.name, cp.members),
	)
}

// updateGroup shows a group's member count, its server's catch-up, and
// its warnings or that the person left it.
func (cp *chatPane) updateGroup(cv model.Conversation) {
	cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(cp.syncBar), cp.warnBox}
	cp.refreshMemberCount()
	cp.showSync()
	cp.showWarnings()
}

// refreshGovern redraws the open Members dialog, if any.
func (cp *chatPane) refreshGovern() {
	if cp.govern != nil {
		cp.govern.render()
	}
}

// loadMembers reads the group's members in the background.
func (cp *chatPane) loadMembers() {
	cp.membersLoading++
	u, conv, token := cp.mv.u, cp.conv, cp.token
	run(u, func(_ context.Context, e Engine) ([]model.GroupMember, error) { return e.Members(conv) },
		func(ms []model.GroupMember, err error) { u.apply(u.state.SetMembers(token, ms, err)) })
}

// refreshMemberCount shows how many members are known: those who have
// posted and neither left nor were removed, and the person themselves.
func (cp *chatPane) refreshMemberCount() {
	if cp.members == nil {
		return
	}
	cp.refreshGovern()
	if e, ended := cp.mv.u.state.EndedOf(cp.cv); ended {
		cp.members.SetText(e.Title)
		return
	}
	o := cp.open()
	if o == nil || o.Token != cp.token || !o.MembersLoaded {
		cp.members.SetText(i18n.T("groupchat.group"))
		return
	}
	n := len(o.Members) + 1
	for _, m := range o.Members {
		if m.Self || m.Address == cp.mv.self || m.Left || m.Removed {
			n--
		}
	}
	if n == 1 {
		// Members are known from their join notices and posts: before
		// the server's history is read, nobody else can be known yet;
		// after, someone may still read without being known.
		if s, ok := cp.mv.u.state.Sync(cp.cv.Group.Server); !ok || !s.CaughtUp || cp.membersLoading > 0 {
			cp.members.SetText(i18n.T("groupchat.group_reading_who_is"))
			return
		}
		cp.members.SetText(i18n.T("groupchat.group_no_other_member"))
		return
	}
	cp.members.SetText(i18n.N("groupchat.group_members", n))
}

// showSync shows the server's catch-up progress, or hides it once done.
func (cp *chatPane) showSync() {
	st, ok := cp.mv.u.state.CatchingUp(cp.cv)
	if !ok {
		cp.syncBar.Hide()
		return
	}
	pct := 100 * float64(st.Done) / float64(st.Total)
	text := i18n.N("groupchat.catching_up_messages", st.Total, "Done", min(st.Done, st.Total))
	if left, ok := cp.mv.u.state.SyncLeft(cp.cv.Group.Server); ok {
		// Once the pace is known (state.SyncLeft), in the words the file
		// cards use.
		text = i18n.N("groupchat.catching_up_messages_left", st.Total, "Done", min(st.Done, st.Total),
			"TimeLeft", widgets.TimeLeft(left))
	}
	cp.syncBar.SetProgress(pct, text)
	cp.syncBar.Show()
}

// showWarnings shows the group's warnings not yet dismissed; for a group
// the person left, the note that says so instead, with the entry disabled.
func (cp *chatPane) showWarnings() {
	ws := cp.mv.u.state.Warnings(cp.conv)
	cp.warnBox.Objects = nil
	switch e, ended := cp.mv.u.state.EndedOf(cp.cv); {
	case ended:
		cp.warnBox.Objects = []fyne.CanvasObject{container.NewPadded(cp.leftBanner(e))}
		cp.entry.SetPlaceHolder(i18n.T("groupchat.you_cannot_write_here", "Title", e.Title))
		cp.entry.Disable()
		cp.sendBtn.Disable()
		cp.empty.SetText(i18n.T("groupchat.no_messages_were_kept"))
	case len(ws) > 0:
		cp.warnBox.Objects = []fyne.CanvasObject{container.NewPadded(cp.warningBanner(ws))}
	}
	cp.warnBox.Refresh()
}

// leftBanner says why the group is read-only (the person left it, was
// removed, or their invite was revoked), what that means, and offers to
// delete what was kept.
func (cp *chatPane) leftBanner(e state.Ended) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(e.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	explain := muted(e.Text)
	del := widget.NewButtonWithIcon(i18n.T("groupchat.delete_messages"), theme.DeleteIcon(), cp.confirmLeaveGroup)
	del.Importance = widget.LowImportance
	return card(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.LogoutIcon())), nil,
		container.NewVBox(
			container.NewBorder(nil, nil, nil, del, title),
			explain,
		)))
}

// warningBanner says, in plain words, what the server did or what
// happened to the group's key, what it means, and lets the person dismiss
// it.
func (cp *chatPane) warningBanner(ws []model.GroupWarning) fyne.CanvasObject {
	st := cp.mv.u.state
	var titles, texts []string
	server := false
	for _, w := range ws {
		title, text, isServer := st.WarningText(w)
		server = server || isServer
		if !slices.Contains(titles, title) {
			titles = append(titles, title)
		}
		if text != "" && !slices.Contains(texts, text) {
			texts = append(texts, text)
		}
	}
	heading := titles[0]
	if len(titles) > 1 {
		heading = i18n.T("groupchat.problems_in_this_group")
		texts = texts[:0]
		for _, w := range ws {
			title, text, _ := st.WarningText(w)
			if line := title + ": " + text; !slices.Contains(texts, line) {
				texts = append(texts, line)
			}
		}
	}
	title := widget.NewLabelWithStyle(heading, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	lines := []fyne.CanvasObject{nil, para(strings.Join(texts, "\n"))}
	if server {
		lines = append(lines, muted(serverWarningText()))
	}
	dismiss := widget.NewButton(i18n.T("groupchat.dismiss"), func() { cp.mv.u.apply(cp.mv.u.state.DismissWarnings(cp.conv)) })
	dismiss.Importance = widget.LowImportance
	lines[0] = container.NewBorder(nil, nil, nil, dismiss, title)
	return card(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.WarningIcon())), nil,
		container.NewVBox(lines...)))
}

// showGroupMenu opens the group's menu under the button.
func (cp *chatPane) showGroupMenu(anchor fyne.CanvasObject) {
	items := []*fyne.MenuItem{
		fyne.NewMenuItemWithIcon(i18n.T("groupchat.invite_a_contact"), theme.ContentAddIcon(), cp.showInviteContact),
		fyne.NewMenuItemWithIcon(i18n.T("groupchat.show_group_invite"), theme.VisibilityIcon(), cp.showGroupInvite),
		fyne.NewMenuItemWithIcon(i18n.T("groupchat.members_2"), theme.AccountIcon(), cp.showMembers),
		cp.showFilesItem(),
		cp.archiveItem(),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItemWithIcon(i18n.T("common.clear_conversation_more"), theme.ContentClearIcon(), cp.confirmClear),
		fyne.NewMenuItemWithIcon(i18n.T("groupchat.leave_group"), theme.LogoutIcon(), cp.confirmLeaveGroup),
	}
	if cp.cv.Left {
		items = []*fyne.MenuItem{
			fyne.NewMenuItemWithIcon(i18n.T("groupchat.members_2"), theme.AccountIcon(), cp.showMembers),
			cp.showFilesItem(),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItemWithIcon(i18n.T("groupchat.delete_messages"), theme.DeleteIcon(), cp.confirmLeaveGroup),
		}
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), cp.mv.u.win.Canvas(), pos)
}

// showInviteContact lets the person pick an accepted contact and sends
// them the group's invite.
func (cp *chatPane) showInviteContact() {
	mv, u := cp.mv, cp.mv.u
	var contacts []model.Contact
	for _, id := range u.state.Shown() {
		if cv, _ := u.state.Conversation(id); cv.Contact != nil && cv.Contact.State == model.ContactAccepted {
			contacts = append(contacts, *cv.Contact)
		}
	}
	slices.SortFunc(contacts, func(a, b model.Contact) int {
		return strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name()))
	})
	var d *dialog.CustomDialog
	errLabel := errorLabel()
	send := widget.NewButton(i18n.T("groupchat.send_invite"), nil)
	send.Importance = widget.HighImportance
	send.Disable()
	cancel := widget.NewButton(i18n.T("common.cancel"), func() { d.Hide() })
	var chosen string
	names := make([]string, len(contacts))
	byName := map[string]string{}
	for i, c := range contacts {
		names[i] = c.Name()
		if _, dup := byName[names[i]]; dup {
			names[i] += " (" + c.Address[:8] + ")"
		}
		byName[names[i]] = c.Address
	}
	pick := widget.NewRadioGroup(names, func(s string) {
		chosen = byName[s]
		if chosen != "" {
			send.Enable()
		} else {
			send.Disable()
		}
	})
	conv := cp.conv
	send.OnTapped = func() {
		addr := chosen
		send.Disable()
		run(u, func(_ context.Context, e Engine) (model.Message, error) {
			return e.InviteToGroup(model.ConversationID(addr), conv)
		}, func(_ model.Message, err error) {
			send.Enable()
			if err != nil {
				setFailure(errLabel, i18n.T("groupchat.the_invite_was_not"), err)
				return
			}
			d.Hide()
			mv.openChat(model.ConversationID(addr))
		})
	}
	var body fyne.CanvasObject = container.NewVScroll(pick)
	if len(contacts) == 0 {
		body = para(i18n.T("groupchat.you_have_no_contacts"))
	}
	content := container.NewBorder(
		para(i18n.T("groupchat.the_invite_is_sent", "Title", cp.cv.Title)),
		container.NewVBox(errLabel, container.NewHBox(layoutSpacer(), cancel, send)),
		nil, nil, body)
	d = dialog.NewCustomWithoutButtons(i18n.T("groupchat.invite_a_contact_to", "Title", cp.cv.Title), content, u.win)
	d.Resize(fyne.NewSize(440, 400))
	u.showDialog(d)
}

// showGroupInvite shows the group's invite as a QR code and as text, with
// the warning that it lets anyone read the group.
func (cp *chatPane) showGroupInvite() {
	u, conv, name := cp.mv.u, cp.conv, cp.cv.Title
	type shown struct {
		text string
		png  []byte
	}
	run(u, func(_ context.Context, e Engine) (shown, error) {
		text, err := e.GroupInvite(conv)
		if err != nil {
			return shown{}, err
		}
		png, _ := engine.InviteQR(text, 512)
		return shown{text, png}, nil
	}, func(s shown, err error) {
		if err != nil {
			u.showError(i18n.T("groupchat.the_group_s_invite"), err)
			return
		}
		cp.showGroupInviteText(name, s.text, s.png)
	})
}

// showGroupInviteText shows a group's invite text and its QR code (png).
func (cp *chatPane) showGroupInviteText(name, text string, png []byte) {
	u := cp.mv.u
	qr := widgets.NewQRView(nil, i18n.T("groupchat.group_invite_for", "Name", name), 220)
	if png != nil {
		_ = qr.SetPNG(png)
	}
	textView := widget.NewLabel(text)
	textView.Wrapping = fyne.TextWrapBreak
	textView.Selectable = true
	textView.TextStyle.Monospace = true
	textView.SizeName = theme.SizeNameCaptionText
	copyBtn := u.copyButton(i18n.T("common.copy_invite_text"), func() string { return text })
	warn := para(i18n.T("groupchat.whoever_has_this_invite"))
	warn.Importance = widget.WarningImportance
	content := container.NewVBox(
		warn,
		container.NewCenter(qr),
		container.NewCenter(copyBtn),
		card(textView),
	)
	d := dialog.NewCustom(i18n.T("groupchat.invite_to", "Name", name), i18n.T("common.close"), container.NewVScroll(content), u.win)
	d.Resize(fyne.NewSize(500, 620))
	u.showDialog(d)
}

// confirmLeaveGroup asks before leaving the group, explaining what that
// means, with the choice to delete its messages too; for a group already
// left, it asks before deleting the messages kept. The engine call runs in
// the background; the list and the pane follow once it is done.
func (cp *chatPane) confirmLeaveGroup() {
	u := cp.mv.u
	g := *cp.cv.Group
	conv := cp.conv
	title, action := i18n.T("groupchat.leave", "Name", g.Name), i18n.T("groupchat.leave_group_2")
	what := i18n.T("groupchat.you_will_no_longer")
	if g.Role == model.RoleOwner && !g.Left && !cp.hasAdmin() {
		what = i18n.T("groupchat.you_will_no_longer_owner")
	}
	also := widget.NewCheck(i18n.T("groupchat.also_delete_the_messages"), nil)
	outcome := muted("")
	showOutcome := func(deleteHistory bool) {
		if deleteHistory {
			outcome.SetText(i18n.T("groupchat.the_conversation_is_removed"))
		} else {
			outcome.SetText(i18n.T("groupchat.the_conversation_stays_in"))
		}
	}
	also.OnChanged = showOutcome
	showOutcome(false)
	if g.Left {
		title, action = i18n.T("groupchat.delete_the_messages_of", "Name", g.Name), i18n.T("common.delete")
		what = i18n.T("groupchat.you_are_no_longer")
		also.SetChecked(true)
		also.Hide()
		outcome.Hide()
	}
	errLabel := errorLabel()
	status := muted("")
	status.Hide()
	busy := idleSpinner()
	var d *dialog.CustomDialog
	cancel := widget.NewButton(i18n.T("common.cancel"), func() { d.Hide() })
	confirm := widget.NewButton(action, nil)
	confirm.Importance = widget.DangerImportance
	confirm.OnTapped = func() {
		deleteHistory := also.Checked
		setError(errLabel, "", "")
		text := i18n.T("groupchat.leaving_the_group")
		if g.Left {
			text = i18n.T("groupchat.deleting_the_messages")
		}
		showBusy(true, text, busy, status, confirm, cancel, also)
		// Its outcome is the dialog's, also when the conversation was
		// closed meanwhile (left or deleted elsewhere).
		runAlways(u, func(_ context.Context, e Engine) (struct{}, error) {
			return struct{}{}, e.LeaveGroup(conv, deleteHistory)
		}, func(_ struct{}, err error) {
			showBusy(false, "", busy, status, confirm, cancel, also)
			if err != nil {
				setFailure(errLabel, i18n.T("groupchat.that_did_not_work"), err)
				return
			}
			d.Hide() // the list and the pane follow the engine's events
		})
	}
	content := container.NewVBox(
		para(what),
		also, outcome,
		errLabel, status, busy,
		container.NewHBox(layoutSpacer(), cancel, confirm),
	)
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.Resize(fyne.NewSize(460, 0))
	u.showDialog(d)
}

// hasAdmin reports whether the group's members, as last loaded, include
// an admin besides the owner.
func (cp *chatPane) hasAdmin() bool {
	o := cp.open()
	if o == nil || o.Token != cp.token {
		return false
	}
	return slices.ContainsFunc(o.Members, func(m model.GroupMember) bool {
		return m.Role == model.RoleAdmin && !m.Removed && !m.Left
	})
}

// memberAddress is the address line of a member: a contact's onion
// address; the others' group key is no address anyone can reach
// (docs/groups.md, "Per-group identities").
func memberAddress(m model.GroupMember) string {
	if m.Contact != "" {
		return widgets.GroupedAddress(m.Contact)
	}
	if m.Self {
		return i18n.T("groupchat.your_key_in_this")
	}
	return i18n.T("groupchat.known_only_by_a")
}
