package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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

	// Groups: each server's catch-up state by address, the warnings not
	// yet dismissed by group, and the names of each group's members.
	syncs    map[string]serverSync
	warnings map[model.ConversationID][]model.GroupWarning
	members  map[model.ConversationID]map[string]string
}

func newMainView(u *UI) (*mainView, error) {
	addr, name, err := u.eng.Self()
	if err != nil {
		return nil, err
	}
	mv := &mainView{u: u, self: string(addr), name: name,
		syncs:    map[string]serverSync{},
		warnings: map[model.ConversationID][]model.GroupWarning{},
		members:  map[model.ConversationID]map[string]string{},
	}
	mv.sidebar, err = newSidebar(mv)
	if err != nil {
		return nil, err
	}
	mv.home = newHomePanel(mv)
	mv.right = container.NewStack(mv.home.root)

	mv.selfAvatar = widgets.NewAvatar(name, mv.self)
	mv.selfName = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	mv.selfName.Truncation = fyne.TextTruncateEllipsis
	addBtn := widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), nil)
	addBtn.OnTapped = func() { mv.showAddMenu(addBtn) }
	addBtn.Importance = widget.HighImportance
	mv.addBtn = addBtn
	top := container.NewBorder(nil, nil,
		container.NewCenter(mv.selfAvatar),
		container.NewHBox(
			widgets.NewTooltipButton(theme.SettingsIcon(), "Settings ("+shortcutText(",")+")", u.showSettings),
			widgets.NewTooltipButton(widgets.LockIcon(), "Lock Nook now ("+shortcutText("L")+")", u.lockNow),
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
	mv.setTorStatus(u.tor)
	return mv, nil
}

// showHome shows the person's own invite on the right.
func (mv *mainView) showHome() {
	mv.chat = nil
	mv.sidebar.selectAddress("")
	mv.u.hideTooltip()
	mv.right.Objects = []fyne.CanvasObject{mv.home.root}
	mv.right.Refresh()
}

// openChat shows the conversation with a contact.
func (mv *mainView) openChat(addr string) {
	if mv.chat != nil && mv.chat.addr == addr {
		return
	}
	it := mv.sidebar.item(addr)
	if it == nil {
		return
	}
	cp := newChatPane(mv, it)
	mv.chat = cp
	mv.sidebar.selectAddress(addr)
	mv.u.hideTooltip()
	mv.right.Objects = []fyne.CanvasObject{cp.root}
	mv.right.Refresh()
	cp.shown()
	mv.markShownRead()
}

// showAddMenu offers what the Add button adds: a contact or a group.
func (mv *mainView) showAddMenu(anchor fyne.CanvasObject) {
	items := []*fyne.MenuItem{
		fyne.NewMenuItemWithIcon("Add a contact…", theme.AccountIcon(), mv.showAddContact),
		fyne.NewMenuItemWithIcon("New group…", theme.ContentAddIcon(), mv.showCreateGroup),
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
	conv := mv.chat.conv
	if it := mv.sidebar.item(mv.chat.addr); it == nil || it.unread == 0 {
		return
	}
	eng := mv.u.eng
	mv.u.background(func() { _ = eng.MarkRead(conv) })
}

func (mv *mainView) setTorStatus(s model.TorStatus) {
	mv.home.setTorStatus(s)
	switch s.State {
	case model.TorReady:
		label := "Connected through Tor"
		if s.Phase == "Local network" {
			label = "Local test network (no Tor)"
		}
		mv.netBadge.SetPresence(widgets.PresenceOnline, label)
	case model.TorFailed, model.TorStopped:
		mv.netBadge.SetPresence(widgets.PresenceOffline, "Not connected to Tor")
	case model.TorRestarting:
		mv.netBadge.SetPresence(widgets.PresenceConnecting, "Reconnecting to Tor…")
	default:
		mv.netBadge.SetPresence(widgets.PresenceConnecting, fmt.Sprintf("Connecting to Tor… %d %%", s.Percent))
	}
}

func (mv *mainView) messageAdded(m model.Message) {
	newAuthor := false
	if isGroupConversation(m.Conversation) && !m.Outgoing {
		newAuthor = mv.forgetMembers(m.Conversation, m.Author)
	}
	mv.sidebar.messageAdded(m)
	if mv.chat != nil && mv.chat.conv == m.Conversation {
		if newAuthor && mv.chat.group != nil {
			mv.chat.refreshMemberCount()
		}
		mv.chat.appendMessage(m)
	}
}

// messagesExpired removes disappeared messages from the chat and brings
// the conversation's preview up to date.
func (mv *mainView) messagesExpired(ev model.MessagesExpired) {
	mv.sidebar.refreshPreview(ev.Conversation)
	if mv.chat != nil && mv.chat.conv == ev.Conversation {
		mv.chat.removeMessages(ev.IDs)
	}
}

// disappearChanged tells the user, in the open conversation, that the
// contact changed the disappearing-messages timer.
func (mv *mainView) disappearChanged(ev model.DisappearChanged) {
	if !ev.ByContact || mv.chat == nil || mv.chat.addr != ev.Address {
		return
	}
	text := mv.chat.contact.Name() + " turned disappearing messages off."
	if ev.Disappear > 0 {
		text = mv.chat.contact.Name() + " set new messages to disappear after " + strings.ToLower(disappearLabel(ev.Disappear)) + "."
	}
	mv.chat.timerNote = container.NewPadded(muted(text))
	mv.chat.contactChanged(mv.chat.contact)
}

func (mv *mainView) statusChanged(ev model.MessageStatusChanged) {
	if mv.chat != nil && mv.chat.conv == ev.Conversation {
		mv.chat.statusChanged(ev)
	}
}

func (mv *mainView) contactChanged(c model.Contact) {
	mv.sidebar.upsert(c)
	if mv.chat != nil && mv.chat.addr == c.Address {
		mv.chat.contactChanged(c)
	}
}

func (mv *mainView) contactRemoved(addr string) {
	mv.sidebar.remove(addr)
	if mv.chat != nil && mv.chat.addr == addr {
		mv.showHome()
	}
}

func (mv *mainView) presenceChanged(addr string, p model.Presence) {
	mv.sidebar.setPresence(addr, p)
	if mv.chat != nil && mv.chat.addr == addr {
		mv.chat.setPresence(p)
	}
}

func (mv *mainView) unreadChanged(conv model.ConversationID, n int) {
	mv.sidebar.setUnread(string(conv), n)
	if n > 0 && mv.chat != nil && mv.chat.conv == conv {
		mv.markShownRead()
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
	mv.contactAction(func() (model.Contact, error) { return mv.u.eng.AcceptContact(model.ConversationID(addr)) })
}

func (mv *mainView) rejectRequest(addr string) {
	mv.contactAction(func() (model.Contact, error) {
		return model.Contact{}, mv.u.eng.RejectContact(model.ConversationID(addr))
	})
}

func (mv *mainView) blockContact(addr string) {
	mv.contactAction(func() (model.Contact, error) { return mv.u.eng.BlockContact(model.ConversationID(addr)) })
}

// contactAction runs an engine call on a contact in the background and
// shows what it returns; errors are shown in a dialog.
func (mv *mainView) contactAction(f func() (model.Contact, error)) {
	u := mv.u
	u.background(func() {
		c, err := f()
		u.do(func() {
			if u.main != mv {
				return
			}
			if err != nil {
				u.showError("That did not work", err)
				return
			}
			if c.Address != "" {
				mv.contactChanged(c)
			}
		})
	})
}
