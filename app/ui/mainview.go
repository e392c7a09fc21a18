package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// mainView is the window of an unlocked profile: the contact list on the
// left; on the right either a conversation or the home page with the
// person's own invite.
type mainView struct {
	u       *UI
	self    string
	name    string
	sidebar *sidebar
	home    *homePanel
	chat    *chatPane // nil while the home page is shown
	right   *fyne.Container
	root    fyne.CanvasObject

	selfAvatar  *widgets.Avatar
	selfName    *widget.Label
	netBadge    *widgets.StatusBadge
	add         *addContactDialog // the open Add contact dialog, if any
	addBtn      *widget.Button
	createGroup *createGroupDialog // the open New group dialog, if any
}

func newMainView(u *UI, p opened) *mainView {
	mv := &mainView{u: u, self: p.self, name: p.name}
	mv.sidebar = newSidebar(mv)
	mv.home = newHomePanel(mv)
	mv.right = container.NewStack(mv.home.root)

	mv.selfAvatar = widgets.NewAvatar(p.name, mv.self)
	mv.selfName = widget.NewLabelWithStyle(p.name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	mv.selfName.Truncation = fyne.TextTruncateEllipsis
	addBtn := widget.NewButtonWithIcon(i18n.T("mainview.add"), theme.ContentAddIcon(), nil)
	addBtn.OnTapped = func() { mv.showAddMenu(addBtn) }
	addBtn.Importance = widget.HighImportance
	mv.addBtn = addBtn
	top := container.NewBorder(nil, nil,
		container.NewCenter(mv.selfAvatar),
		container.NewHBox(
			widgets.NewTooltipButton(theme.SettingsIcon(), i18n.T("mainview.settings", "Shortcut", shortcutText(",")), u.showSettings),
			widgets.NewTooltipButton(widgets.LockIcon(), i18n.T("mainview.lock_nook_now", "Shortcut", shortcutText("L")), u.lockNow),
		),
		mv.selfName,
	)
	profileRow := widget.NewButton("", mv.showHome) // the whole row opens the home page
	profileRow.Importance = widget.LowImportance
	header := container.NewVBox(
		container.NewStack(profileRow, top),
		container.NewBorder(nil, nil, nil, addBtn, mv.sidebar.search),
	)
	mv.netBadge = widgets.NewStatusBadge(widgets.PresenceConnecting, "")
	footer := container.NewVBox(widget.NewSeparator(), container.NewPadded(mv.netBadge))
	left := container.NewBorder(container.NewPadded(header), footer, nil, nil, mv.sidebar.body)
	split := container.NewHSplit(left, mv.right)
	split.Offset = 0.34
	mv.root = split
	mv.setTorStatus(u.state.Tor())
	return mv
}

// showHome shows the person's own invite on the right.
func (mv *mainView) showHome() {
	mv.u.apply(mv.u.state.CloseConversation())
}

// openChat shows a conversation (a contact's or a group's); one not in
// the list yet (just added) opens once it is.
func (mv *mainView) openChat(id model.ConversationID) {
	mv.u.apply(mv.u.state.OpenConversation(id))
}

// showConversation puts a conversation just read into the list (one
// created or joined: the engine reports it with its first change) and
// opens it.
func (mv *mainView) showConversation(cv model.Conversation) {
	mv.u.apply(mv.u.state.Apply(model.ConversationChanged{Conversation: cv}))
	mv.openChat(cv.ID)
}

// render redraws what c changed in the main window.
func (mv *mainView) render(c state.Change) {
	switch {
	case c.Opened:
		mv.showChat()
	case c.Closed:
		mv.showHomePage()
	}
	mv.sidebar.render(c)
	if mv.chat != nil && !c.Opened {
		mv.chat.render(c)
	}
	if c.MarkRead {
		mv.markShownRead()
	}
}

// showChat shows the open conversation in a new pane and loads it.
func (mv *mainView) showChat() {
	o := mv.u.state.Open()
	cv, ok := mv.u.state.Conversation(o.ID)
	if !ok {
		return
	}
	mv.u.newGeneration()
	mv.unfocusPane()
	cp := newChatPane(mv, cv, o.Token)
	mv.chat = cp
	mv.u.hideTooltip()
	mv.right.Objects = []fyne.CanvasObject{cp.root}
	mv.right.Refresh()
	cp.load()
	cp.shown()
	mv.markShownRead()
}

// showHomePage shows the home page on the right.
func (mv *mainView) showHomePage() {
	mv.u.newGeneration()
	mv.unfocusPane()
	mv.chat = nil
	mv.u.hideTooltip()
	mv.right.Objects = []fyne.CanvasObject{mv.home.root}
	mv.right.Refresh()
}

// showAddMenu offers what the Add button adds: a contact or a group.
func (mv *mainView) showAddMenu(anchor fyne.CanvasObject) {
	items := []*fyne.MenuItem{
		fyne.NewMenuItemWithIcon(i18n.T("mainview.add_a_contact"), theme.AccountIcon(), mv.showAddContact),
		fyne.NewMenuItemWithIcon(i18n.T("mainview.new_group"), theme.ContentAddIcon(), mv.showCreateGroup),
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor).AddXY(0, anchor.Size().Height)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), mv.u.win.Canvas(), pos)
}

// markShownRead marks the shown conversation read when the window has the
// focus.
func (mv *mainView) markShownRead() {
	if mv.chat == nil || !mv.u.focused {
		return
	}
	id, unread := mv.u.state.NowRead()
	if !unread {
		return
	}
	fire(mv.u, func(_ context.Context, e Engine) error { return e.MarkRead(id) })
}

func (mv *mainView) setTorStatus(s model.TorStatus) {
	mv.home.setTorStatus(s)
	switch s.State {
	case model.TorReady:
		label := i18n.T("mainview.connected_through_tor")
		if s.PhaseTag == "local" {
			label = i18n.T("mainview.local_test_network_no")
		}
		mv.netBadge.SetPresence(widgets.PresenceOnline, label)
	case model.TorFailed, model.TorStopped:
		mv.netBadge.SetPresence(widgets.PresenceOffline, i18n.T("mainview.not_connected_to_tor"))
	case model.TorRestarting:
		mv.netBadge.SetPresence(widgets.PresenceConnecting, i18n.T("mainview.reconnecting_to_tor"))
	default:
		mv.netBadge.SetPresence(widgets.PresenceConnecting, i18n.T("mainview.connecting_to_tor", "Percent", s.Percent))
	}
}

// setSelf shows a new display name.
func (mv *mainView) setSelf(name string) {
	mv.name = name
	mv.selfName.SetText(name)
	mv.selfAvatar.SetIdentity(name, mv.self)
	mv.home.refreshInvite()
}

// acceptRequest, rejectRequest and blockContact act on a contact from the
// list or the conversation's banner.
func (mv *mainView) acceptRequest(addr string) {
	mv.act(func(e Engine) error { _, err := e.AcceptContact(model.ConversationID(addr)); return err })
}

func (mv *mainView) rejectRequest(addr string) {
	mv.act(func(e Engine) error { return e.RejectContact(model.ConversationID(addr)) })
}

func (mv *mainView) blockContact(addr string) {
	mv.act(func(e Engine) error { _, err := e.BlockContact(model.ConversationID(addr)); return err })
}

// act runs an engine call on a conversation in the background; what it
// changes comes back as events. An error is shown in a dialog.
func (mv *mainView) act(f func(e Engine) error) {
	run(mv.u, func(_ context.Context, e Engine) (struct{}, error) { return struct{}{}, f(e) },
		func(_ struct{}, err error) {
			if err != nil {
				mv.u.showError(i18n.T("mainview.that_did_not_work"), err)
			}
		})
}
