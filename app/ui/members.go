package ui

import (
	"cmp"
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
	// below the members in scroll (which holds top too).
	servers *groupServers
	scroll  *container.Scroll
}

// Tooltips of the actions a person's role does not allow.

func tipReadOnlyGroup() string { return i18n.T("members.tip_read_only_group") }

func tipAdminByOwner() string { return i18n.T("members.tip_admin_by_owner") }

func tipOwnerStays() string { return i18n.T("members.tip_owner_stays") }

func tipNotOwner() string { return i18n.T("members.tip_not_owner") }

func tipNotAdmin() string { return i18n.T("members.tip_not_admin") }

// showMembers opens the Members dialog and reads the members again.
func (cp *chatPane) showMembers() {
	if cp.govern != nil {
		cp.govern.d.Hide()
	}
	md := &membersDialog{cp: cp, rows: container.NewVBox()}
	cp.govern = md
	u := cp.mv.u
	md.renew = widgets.NewTooltipButton(theme.ViewRefreshIcon(), "", md.confirmRenew)
	md.renew.SetText(i18n.T("members.renew_key_revoke_invites"))
	md.renew.Importance = widget.MediumImportance
	md.roleNote = muted("")
	md.roleNote.Hide()
	intro := muted(i18n.T("members.everyone_whose_nook_said"))
	md.top = container.NewVBox(intro, container.NewHBox(md.renew), md.roleNote)
	md.servers = newGroupServers(md)
	// The introduction scrolls with the rest: pinned above, it left a
	// small window (720×520) a third of the dialog for the members and
	// servers.
	md.scroll = container.NewVScroll(container.NewVBox(md.top, md.rows, md.servers.object()))
	md.d = dialog.NewCustom(i18n.T("members.members_of", "Title", cp.cv.Title), i18n.T("common.close"),
		md.scroll, u.win)
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
				u.showError(i18n.T("members.the_members_could_not"), err)
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
		md.renew.Tooltip = tipReadOnlyGroup()
		md.roleNote.SetText(i18n.T("members.you_can_no_longer"))
		md.roleNote.Show()
	case admin:
		md.renew.Enable()
		md.renew.Tooltip = i18n.T("members.give_everyone_a_new")
		text := i18n.T("members.you_are_the_group")
		if mine == model.RoleAdmin {
			text = i18n.T("members.you_are_an_admin")
		}
		md.roleNote.SetText(text)
		md.roleNote.Show()
	default:
		md.renew.Disable()
		md.renew.Tooltip = tipNotAdmin()
		md.roleNote.SetText(i18n.T("members.only_the_group_s"))
		md.roleNote.Show()
	}
	md.actions = map[string]map[string]*widgets.TooltipButton{}
	var rows []fyne.CanvasObject
	o := cp.open()
	if o == nil || o.Token != cp.token || !o.MembersLoaded {
		rows = append(rows, para(i18n.T("members.reading_who_is_here")))
	} else {
		for _, m := range sortedMembers(o.Members, cp.mv.self) {
			rows = append(rows, md.row(m, mine, active), widget.NewSeparator())
		}
		if len(o.Members) == 0 {
			rows = append(rows, para(i18n.T("members.nobody_is_known_to")))
		}
	}
	g := cp.cv.Group
	if g != nil && g.ServerFingerprint != "" {
		rows = append(rows, muted(i18n.T("members.server_fingerprint_every_member", "ServerFingerprint", g.ServerFingerprint)))
	}
	if g != nil && g.ServerConflict {
		warn := para(i18n.T("members.this_group_s_server"))
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
		name, avatar = i18n.T("members.name_you", "Name", mv.name), mv.name
	}
	detail := roleName(m.Role)
	switch {
	case self:
	case m.IsContact:
		detail += i18n.T("members.your_contact")
	default:
		detail += i18n.T("members.not_a_contact")
	}
	switch m.Messages {
	case 0:
		detail += i18n.T("members.no_messages_yet")
	default:
		detail += i18n.N("members.messages", int(m.Messages))
	}
	switch {
	case m.Removed:
		detail += i18n.T("members.removed_from_the_group")
	case m.Left:
		detail += i18n.T("members.left_the_group")
	}
	nameLabel := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	nameLabel.Truncation = fyne.TextTruncateEllipsis
	lines := []fyne.CanvasObject{nameLabel, muted(detail)}
	if state.Marked(m) && !self {
		warn := muted(i18n.T("members.not_your_contact_but"))
		warn.Importance = widget.WarningImportance
		lines = append(lines, warn)
	}
	lines = append(lines, muted(memberAddress(m)))
	var buttons []fyne.CanvasObject
	if !self && !m.Removed && !m.Left {
		remove := widgets.NewTooltipButton(theme.ContentRemoveIcon(), "", func() { md.confirmRemove(m, name) })
		remove.SetText(i18n.T("common.remove_more"))
		remove.Importance = widget.MediumImportance
		tip := ""
		switch {
		case !active:
			tip = tipReadOnlyGroup()
		case mine == model.RoleMember:
			tip = tipNotAdmin()
		case m.Role == model.RoleOwner:
			tip = tipOwnerStays()
		case m.Role == model.RoleAdmin && mine != model.RoleOwner:
			tip = tipAdminByOwner()
		}
		setAllowed(remove, tip, i18n.T("members.remove_from_the_group", "Name", name))
		admin := widgets.NewTooltipButton(theme.AccountIcon(), "", func() { md.confirmAdmin(m, name, m.Role != model.RoleAdmin) })
		admin.SetText(i18n.T("members.make_admin"))
		if m.Role == model.RoleAdmin {
			admin.SetText(i18n.T("members.remove_admin"))
		}
		tip = ""
		switch {
		case !active:
			tip = tipReadOnlyGroup()
		case mine != model.RoleOwner:
			tip = tipNotOwner()
		case m.Role == model.RoleOwner:
			tip = i18n.T("members.the_group_s_owner")
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
		return i18n.T("members.owner")
	case model.RoleAdmin:
		return i18n.T("members.admin")
	}
	return i18n.T("members.member")
}

// confirmRemove asks before removing a member, saying what happens.
func (md *membersDialog) confirmRemove(m model.GroupMember, name string) {
	id := m.Address
	md.confirm(i18n.T("members.remove_from", "Name", name, "Title", md.cp.cv.Title),
		i18n.T("members.will_no_longer_read", "Name", name),
		i18n.T("common.remove"), i18n.T("members.the_group_s_key"), i18n.T("members.the_member_was_not"),
		func(e Engine, conv model.ConversationID) error { return e.RemoveMember(conv, id) })
}

// confirmAdmin asks before naming an admin (admin true) or unnaming one.
func (md *membersDialog) confirmAdmin(m model.GroupMember, name string, admin bool) {
	id := m.Address
	title := i18n.T("members.make_an_admin", "Name", name)
	text := i18n.T("members.will_be_able_to", "Name", name)
	action := i18n.T("members.make_admin")
	if !admin {
		title = i18n.T("members.remove_as_admin", "Name", name)
		text = i18n.T("members.will_no_longer_be", "Name", name)
		action = i18n.T("members.remove_admin")
	}
	md.confirm(title, text, action, i18n.T("members.the_group_s_key"), i18n.T("members.the_admins_were_not"),
		func(e Engine, conv model.ConversationID) error { return e.SetAdmin(conv, id, admin) })
}

// confirmRenew asks before renewing the group's key to revoke invites.
func (md *membersDialog) confirmRenew() {
	md.confirm(i18n.T("members.renew_the_key_of", "Title", md.cp.cv.Title),
		i18n.T("members.every_member_gets_a"),
		i18n.T("members.renew_key"), i18n.T("members.the_group_s_key"), i18n.T("members.the_key_was_not"),
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
	cancel := widget.NewButton(i18n.T("common.cancel"), func() { d.Hide() })
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
