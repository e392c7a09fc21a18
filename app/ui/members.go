package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds a group's Members dialog (docs/groups.md, "Governed
// groups"): who is in the group, their roles, who left or was removed,
// and for the owner and admins the actions that move the group to a new
// key: remove a member, name or unname an admin (the owner), renew the
// key to revoke invites. Each asks first, saying what happens.

// membersDialog is the open Members dialog of a group. It draws from the
// state (the members as last loaded, the person's role in the
// conversation) whenever they change (refreshMemberCount, updateGroup).
type membersDialog struct {
	cp   *chatPane
	d    *dialog.CustomDialog
	rows *fyne.Container
	// renew is "Renew key / revoke invites…"; roleNote says why the
	// actions are disabled, for a member.
	renew    *widgets.TooltipButton
	roleNote *widget.Label
	top      *fyne.Container
	// actions are the buttons of the rows as last drawn, by member ID
	// and action ("remove", "admin"), for the tests.
	actions map[string]map[string]*widgets.TooltipButton
	// servers is the part about the group's servers (groupservers.go),
	// below the members in scroll.
	servers *groupServers
	scroll  *container.Scroll
}

// Tooltips of the actions a person's role does not allow.
const (
	tipNotAdmin      = "Only the group's owner and admins can do this"
	tipNotOwner      = "Only the group's owner can name or remove admins"
	tipOwnerStays    = "The group's owner cannot be removed"
	tipAdminByOwner  = "Only the group's owner can remove an admin"
	tipReadOnlyGroup = "You can no longer change this group"
)

// showMembers opens the Members dialog and reads the members again.
func (cp *chatPane) showMembers() {
	if cp.govern != nil {
		cp.govern.d.Hide()
	}
	md := &membersDialog{cp: cp, rows: container.NewVBox()}
	cp.govern = md
	u := cp.mv.u
	md.renew = widgets.NewTooltipButton(theme.ViewRefreshIcon(), "", md.confirmRenew)
	md.renew.SetText("Renew key / revoke invites…")
	md.renew.Importance = widget.MediumImportance
	md.roleNote = muted("")
	md.roleNote.Hide()
	intro := muted("Everyone whose Nook said they joined, or who has posted. Anyone with the group's invite " +
		"can read it without being seen: someone who joined with an earlier version of Nook and " +
		"never posted is not listed. Members are shown by the name they chose, unless they are your contacts.")
	md.top = container.NewVBox(intro, container.NewHBox(md.renew), md.roleNote)
	md.servers = newGroupServers(md)
	md.scroll = container.NewVScroll(container.NewVBox(md.rows, md.servers.object()))
	md.d = dialog.NewCustom("Members of “"+cp.cv.Title+"”", "Close",
		container.NewBorder(md.top, nil, nil, nil, md.scroll), u.win)
	md.d.Resize(fyne.NewSize(600, 600))
	u.showDialogOnClosed(md.d, func() {
		if cp.govern == md {
			cp.govern = nil
		}
	})
	md.render()
	cp.loadMembersDialog()
	md.servers.load()
}

// loadMembersDialog reads the members for the dialog, showing an error
// when they cannot be read.
func (cp *chatPane) loadMembersDialog() {
	cp.membersLoading++
	u, conv, token := cp.mv.u, cp.conv, cp.token
	run(u, func(_ context.Context, e Engine) ([]model.GroupMember, error) { return e.Members(conv) },
		func(ms []model.GroupMember, err error) {
			if err != nil {
				cp.membersLoading = max(cp.membersLoading-1, 0)
				u.showError("The members could not be read", err)
				return
			}
			u.apply(u.state.SetMembers(token, ms, nil))
		})
}

// role is the person's role in the group, and whether they can still
// act in it (not a group left or removed from).
func (md *membersDialog) role() (model.GroupRole, bool) {
	cv := md.cp.cv
	if cv.Group == nil {
		return model.RoleMember, false
	}
	return cv.Group.Role, !cv.Left
}

// render draws the dialog from the state.
func (md *membersDialog) render() {
	cp := md.cp
	mine, active := md.role()
	admin := active && mine != model.RoleMember
	md.renew.Tooltip = ""
	switch {
	case !active:
		md.renew.Disable()
		md.renew.Tooltip = tipReadOnlyGroup
		md.roleNote.SetText("You can no longer read or write in this group: nothing here can be changed.")
		md.roleNote.Show()
	case admin:
		md.renew.Enable()
		md.renew.Tooltip = "Give everyone a new key; invites shared before stop working"
		text := "You are the group's owner: you can remove members, name admins and renew its key."
		if mine == model.RoleAdmin {
			text = "You are an admin of the group: you can remove members and renew its key. " +
				"Only its owner can name admins or remove an admin."
		}
		md.roleNote.SetText(text)
		md.roleNote.Show()
	default:
		md.renew.Disable()
		md.renew.Tooltip = tipNotAdmin
		md.roleNote.SetText("Only the group's owner and admins can remove members or renew its key.")
		md.roleNote.Show()
	}
	md.actions = map[string]map[string]*widgets.TooltipButton{}
	var rows []fyne.CanvasObject
	o := cp.open()
	if o == nil || o.Token != cp.token || !o.MembersLoaded {
		rows = append(rows, para("Reading who is here…"))
	} else {
		for _, m := range sortedMembers(o.Members, cp.mv.self) {
			rows = append(rows, md.row(m, mine, active), widget.NewSeparator())
		}
		if len(o.Members) == 0 {
			rows = append(rows, para("Nobody is known to be here yet."))
		}
	}
	g := cp.cv.Group
	if g != nil && g.ServerFingerprint != "" {
		rows = append(rows, muted("Server fingerprint: "+g.ServerFingerprint+". Every member should see the same one: "+
			"compare it with the others. A different one means the server treats you apart."))
	}
	if g != nil && g.ServerConflict {
		warn := para("This group's server gave another of your groups a different address or posting key. " +
			"Its operator can tell those groups' messages apart.")
		warn.Importance = widget.WarningImportance
		rows = append(rows, warn)
	}
	md.rows.Objects = rows
	md.rows.Refresh()
	md.top.Refresh()
	md.servers.render()
}

// row draws one member: avatar, name, role and what is known of them,
// and the actions the person's role allows (disabled, with the reason as
// a tooltip, where it does not).
func (md *membersDialog) row(m model.GroupMember, mine model.GroupRole, active bool) fyne.CanvasObject {
	cp, mv := md.cp, md.cp.mv
	st := mv.u.state
	self := m.Self || m.Address == mv.self
	name := st.AuthorName(cp.conv, m.Address)
	avatar := name
	if self {
		name, avatar = mv.name+" (you)", mv.name
	}
	detail := roleName(m.Role)
	switch {
	case self:
	case m.IsContact:
		detail += " · your contact"
	default:
		detail += " · not a contact"
	}
	switch m.Messages {
	case 0:
		detail += " · No messages yet"
	case 1:
		detail += " · 1 message"
	default:
		detail += fmt.Sprintf(" · %d messages", m.Messages)
	}
	switch {
	case m.Removed:
		detail += " · removed from the group"
	case m.Left:
		detail += " · left the group"
	}
	nameLabel := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	nameLabel.Truncation = fyne.TextTruncateEllipsis
	lines := []fyne.CanvasObject{nameLabel, muted(detail)}
	if m.NameCollides && !m.IsContact && !self {
		warn := muted("Not your contact, but has the same name as someone you know: it may be someone else.")
		warn.Importance = widget.WarningImportance
		lines = append(lines, warn)
	}
	lines = append(lines, muted(memberAddress(m)))
	var buttons []fyne.CanvasObject
	if !self && !m.Removed && !m.Left {
		remove := widgets.NewTooltipButton(theme.ContentRemoveIcon(), "", func() { md.confirmRemove(m, name) })
		remove.SetText("Remove…")
		remove.Importance = widget.MediumImportance
		tip := ""
		switch {
		case !active:
			tip = tipReadOnlyGroup
		case mine == model.RoleMember:
			tip = tipNotAdmin
		case m.Role == model.RoleOwner:
			tip = tipOwnerStays
		case m.Role == model.RoleAdmin && mine != model.RoleOwner:
			tip = tipAdminByOwner
		}
		setAllowed(remove, tip, "Remove "+name+" from the group")
		admin := widgets.NewTooltipButton(theme.AccountIcon(), "", func() { md.confirmAdmin(m, name, m.Role != model.RoleAdmin) })
		admin.SetText("Make admin")
		if m.Role == model.RoleAdmin {
			admin.SetText("Remove admin")
		}
		tip = ""
		switch {
		case !active:
			tip = tipReadOnlyGroup
		case mine != model.RoleOwner:
			tip = tipNotOwner
		case m.Role == model.RoleOwner:
			tip = "The group's owner stays its owner"
		}
		setAllowed(admin, tip, admin.Text)
		buttons = append(buttons, admin, remove)
		md.actions[m.Address] = map[string]*widgets.TooltipButton{"remove": remove, "admin": admin}
	}
	if len(buttons) > 0 {
		// On a line of their own: beside the lines they squeezed the
		// address onto three.
		lines = append(lines, container.NewHBox(append([]fyne.CanvasObject{layoutSpacer()}, buttons...)...))
	}
	if r := md.actions[m.Address]["remove"]; r != nil && r.Disabled() && active && mine != model.RoleMember {
		// A tooltip does not show above a dialog: an admin reads here
		// why this one member cannot be removed.
		lines = append(lines, muted(r.Tooltip+"."))
	}
	return container.NewBorder(nil, nil,
		container.NewVBox(widgets.NewAvatar(avatar, m.Address)), nil,
		container.NewVBox(lines...))
}

// sortedMembers orders the members as the dialog lists them: the person
// first, then the owner, the admins and the members, each by name, and
// last those who left or were removed.
func sortedMembers(ms []model.GroupMember, self string) []model.GroupMember {
	out := slices.Clone(ms)
	rank := func(m model.GroupMember) int {
		switch {
		case m.Self || m.Address == self:
			return 0
		case m.Removed || m.Left:
			return 4
		}
		return 3 - int(min(m.Role, model.RoleOwner))
	}
	slices.SortStableFunc(out, func(a, b model.GroupMember) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out
}

// setAllowed enables b with tooltip ok, or disables it with the reason.
func setAllowed(b *widgets.TooltipButton, reason, ok string) {
	if reason != "" {
		b.Disable()
		b.Tooltip = reason
		return
	}
	b.Enable()
	b.Tooltip = ok
}

// roleName is a role as the dialog names it.
func roleName(r model.GroupRole) string {
	switch r {
	case model.RoleOwner:
		return "Owner"
	case model.RoleAdmin:
		return "Admin"
	}
	return "Member"
}

// confirmRemove asks before removing a member, saying what happens.
func (md *membersDialog) confirmRemove(m model.GroupMember, name string) {
	id := m.Address
	md.confirm("Remove "+name+" from “"+md.cp.cv.Title+"”?",
		name+" will no longer read or write in this group. Everyone else gets a new key; "+
			name+" keeps what they already have. Invites shared before this also stop working.",
		"Remove", "The group's key is being renewed…", "The member was not removed.",
		func(e Engine, conv model.ConversationID) error { return e.RemoveMember(conv, id) })
}

// confirmAdmin asks before naming an admin (admin true) or unnaming one.
func (md *membersDialog) confirmAdmin(m model.GroupMember, name string, admin bool) {
	id := m.Address
	title := "Make " + name + " an admin?"
	text := name + " will be able to remove members and renew the group's key. "
	action := "Make admin"
	if !admin {
		title = "Remove " + name + " as admin?"
		text = name + " will no longer be able to remove members or renew the group's key. "
		action = "Remove admin"
	}
	text += "Everyone gets a new key that says so; invites shared before stop working."
	md.confirm(title, text, action, "The group's key is being renewed…", "The admins were not changed.",
		func(e Engine, conv model.ConversationID) error { return e.SetAdmin(conv, id, admin) })
}

// confirmRenew asks before renewing the group's key to revoke invites.
func (md *membersDialog) confirmRenew() {
	md.confirm("Renew the key of “"+md.cp.cv.Title+"”?",
		"Every member gets a new key and nobody is removed. Invites shared before stop working: "+
			"whoever has one and has not joined yet will be told it no longer works and needs a new one.",
		"Renew key", "The group's key is being renewed…", "The key was not renewed.",
		func(e Engine, conv model.ConversationID) error { return e.RevokeInvites(conv) })
}

// confirm shows a confirmation for one governing action: title and text
// say what happens; action names the button; busyText shows while the
// engine works; failed heads an error (explained by engine.Explain). On
// success the dialog closes and the members are read again.
func (md *membersDialog) confirm(title, text, action, busyText, failed string, do func(Engine, model.ConversationID) error) {
	cp, u := md.cp, md.cp.mv.u
	conv := cp.conv
	errLabel := errorLabel()
	status := muted("")
	status.Hide()
	busy := idleSpinner()
	var d *dialog.CustomDialog
	cancel := widget.NewButton("Cancel", func() { d.Hide() })
	ok := widget.NewButton(action, nil)
	ok.Importance = widget.DangerImportance
	ok.OnTapped = func() {
		setError(errLabel, "", "")
		showBusy(true, busyText, busy, status, ok, cancel)
		runAlways(u, func(_ context.Context, e Engine) (struct{}, error) {
			return struct{}{}, do(e, conv)
		}, func(_ struct{}, err error) {
			showBusy(false, "", busy, status, ok, cancel)
			if err != nil {
				setFailure(errLabel, failed, err)
				return
			}
			d.Hide()
			if cp.govern == md && cp.mv.chat == cp {
				cp.loadMembersDialog()
			}
		})
	}
	content := container.NewVBox(
		para(text),
		errLabel, status, busy,
		container.NewHBox(layoutSpacer(), cancel, ok),
	)
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.Resize(fyne.NewSize(460, 0))
	u.showDialog(d)
}
