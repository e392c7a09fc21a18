package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// writeHint is the message field's placeholder.
const writeHint = "Write a message — Enter sends, Shift+Enter adds a line"

// pageSize is how many messages are read at a time: the latest ones when a
// conversation opens, then one page more each time the top is reached.
const pageSize = state.PageSize

// chatPane shows the open conversation, a contact's or a group's alike:
// a header, the paged message list, banners, the reply bar and the
// entry. Its messages are the state's (state.Open); the pane keeps only
// widgets and their measured heights. What differs between a contact and
// a group is the header's badges and menu (contactHeader, groupHeader),
// the banners, and the group's members and invite (groupchat.go).
type chatPane struct {
	mv    *mainView
	conv  model.ConversationID
	token uint64             // the state's Open token of this opening
	cv    model.Conversation // as last shown

	heights map[model.MessageID]float32 // measured bubble heights
	ready   bool                        // shown: reaching the top loads older messages
	list    *widget.List
	listBox *fyne.Container
	scratch *chatRow // measures rows off screen
	empty   *widget.Label

	avatar *widgets.Avatar
	name   *widget.Label
	banner *fyne.Container
	// Contacts: whether they are online and verified, and the
	// disappearing-messages timer when it is on (it opens its dialog);
	// statusRow holds the three.
	presence  *widgets.StatusBadge
	verified  *fyne.Container
	timer     *widgets.TooltipButton
	statusRow *fyne.Container
	// Groups: the member count, the server's catch-up, the warnings about
	// the server or the note that the person left.
	members *widget.Label
	// membersLoading counts the readings of the members under way (at
	// the opening, and when someone new wrote or joined); until the last
	// is in, the count does not say "nobody else".
	membersLoading int
	syncBar        *widgets.Progress
	warnBox        *fyne.Container
	govern         *membersDialog // the open Members dialog (members.go)

	// offline explains, above the entry, where a message to a contact
	// who is not online goes.
	offline *widget.Label

	replyTo  model.MessageID
	quoteBar *fyne.Container
	quoteTxt *widget.Label
	entry    *chatEntry
	sendBtn  *widgets.TooltipButton
	root     fyne.CanvasObject

	// attach offers a file to send; sendDialog is the last "Send …?"
	// asked, files the open Files list (files.go).
	attach     *widgets.TooltipButton
	sendDialog dialog.Dialog
	files      *filesDialog
}

func newChatPane(mv *mainView, cv model.Conversation, token uint64) *chatPane {
	cp := &chatPane{mv: mv, conv: cv.ID, token: token, cv: cv, heights: map[model.MessageID]float32{}}
	cp.scratch = newChatRow(cp)
	cp.banner = container.NewVBox()

	var header fyne.CanvasObject
	cp.empty = muted("")
	if cv.Kind == model.KindGroup {
		header = cp.groupHeader()
		cp.empty.SetText("No messages yet. Everyone who has this group's invite can read what you write here.")
	} else {
		header = cp.contactHeader()
		cp.empty.SetText("No messages yet. Say hello — only " + cv.Title + " can read what you write here.")
	}
	cp.empty.Alignment = fyne.TextAlignCenter
	cp.listBox = container.NewStack()

	// Reply bar and entry.
	cp.quoteTxt = widget.NewLabel("")
	cp.quoteTxt.Truncation = fyne.TextTruncateEllipsis
	cancelReply := widgets.NewTooltipButton(theme.CancelIcon(), "Cancel the reply (Esc)", cp.clearReply)
	cp.quoteBar = container.NewBorder(nil, nil, widget.NewIcon(theme.MailReplyIcon()), cancelReply, cp.quoteTxt)
	cp.quoteBar.Hide()
	cp.entry = newChatEntry()
	cp.entry.SetPlaceHolder(writeHint)
	cp.entry.OnSend = cp.send
	cp.entry.OnShortcut = func(s fyne.Shortcut) bool {
		if _, ok := s.(*fyne.ShortcutPaste); ok && cp.paste() {
			return true
		}
		return mv.u.appShortcut(s)
	}
	cp.entry.OnEscape = func() bool {
		if cp.replyTo.IsZero() {
			return false
		}
		cp.clearReply()
		return true
	}
	cp.sendBtn = widgets.NewTooltipButton(theme.MailSendIcon(), "Send (Enter)", cp.entry.send)
	cp.sendBtn.Importance = widget.HighImportance
	cp.offline = muted(offlineNote)
	cp.offline.Wrapping = fyne.TextWrapWord
	cp.offline.Hide()
	cp.attach = widgets.NewTooltipButton(theme.ContentAddIcon(), "Send a file or a picture (or drop it here)", func() { cp.chooseAttachment() })
	compose := container.NewVBox(cp.offline, cp.quoteBar,
		container.NewBorder(nil, nil, container.NewVBox(layoutSpacer(), cp.attach),
			container.NewVBox(layoutSpacer(), cp.sendBtn), cp.entry))

	root := container.NewBorder(
		container.NewVBox(container.NewPadded(header), widget.NewSeparator(), cp.banner),
		container.NewPadded(compose), nil, nil,
		cp.listBox,
	)
	cp.root = root
	cp.entry.OnRowsChanged = func() { root.Layout.Layout(root.Objects, root.Size()) }
	cp.update(cv)
	return cp
}

// open is the state of the open conversation (this pane's while it is
// shown).
func (cp *chatPane) open() *state.Open { return cp.mv.u.state.Open() }

// msgs are the loaded messages, oldest first.
func (cp *chatPane) msgs() []model.Message {
	if o := cp.open(); o != nil && o.Token == cp.token {
		return o.Messages
	}
	return nil
}

// isGroup reports whether the conversation is a group's.
func (cp *chatPane) isGroup() bool { return cp.cv.Kind == model.KindGroup }

// contactHeader returns the header of a conversation with a contact: who,
// whether they are online and verified, details and the menu.
func (cp *chatPane) contactHeader() fyne.CanvasObject {
	cp.avatar = widgets.NewAvatar(cp.cv.Title, string(cp.conv))
	cp.name = widget.NewLabelWithStyle(cp.cv.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	cp.name.Truncation = fyne.TextTruncateEllipsis
	cp.presence = widgets.NewStatusBadge(widgets.PresenceOffline, "")
	vIcon := widget.NewIcon(theme.ConfirmIcon())
	vLabel := widget.NewLabel("Verified")
	vLabel.Importance = widget.SuccessImportance
	vLabel.Truncation = fyne.TextTruncateEllipsis // gives way in a narrow window
	cp.verified = container.NewBorder(nil, nil, vIcon, nil, vLabel)
	cp.timer = widgets.NewTooltipButton(theme.HistoryIcon(), "Messages here disappear: change the timer", cp.showDisappear)
	cp.timer.Hide()
	info := widgets.NewTooltipButton(theme.InfoIcon(), "Contact details", cp.showInfo)
	var more *widgets.TooltipButton
	more = widgets.NewTooltipButton(theme.MoreVerticalIcon(), "More: rename, verify, block, delete…", func() { cp.showMenu(more) })
	// The badges take the width there is: "Verified in person" shortens
	// first, so that the header does not set the window's minimum width.
	cp.statusRow = container.NewBorder(nil, nil, cp.presence, cp.timer, cp.verified)
	return container.NewBorder(nil, nil,
		container.NewCenter(cp.avatar),
		container.NewHBox(info, more),
		container.NewVBox(cp.name, cp.statusRow),
	)
}

// load reads the newest page of the conversation (and a group's members)
// in the background, unless the state has it already.
func (cp *chatPane) load() {
	u, conv, token := cp.mv.u, cp.conv, cp.token
	if o := cp.open(); o != nil && o.Loaded {
		cp.showLoaded()
	} else {
		run(u, func(_ context.Context, e Engine) ([]model.Message, error) { return e.History(conv, 0, pageSize) },
			func(page []model.Message, err error) { u.apply(u.state.SetPage(token, 0, page, err)) })
	}
	if cp.isGroup() {
		cp.loadMembers()
	}
}

// loadOlder reads the page before the oldest loaded message, when there
// is one and none is being read.
func (cp *chatPane) loadOlder() {
	u, conv, token := cp.mv.u, cp.conv, cp.token
	before, ok := u.state.OlderFrom()
	if !ok {
		return
	}
	run(u, func(_ context.Context, e Engine) ([]model.Message, error) { return e.History(conv, before, pageSize) },
		func(page []model.Message, err error) { u.apply(u.state.SetPage(token, before, page, err)) })
}

// render redraws what c changed in the open conversation.
func (cp *chatPane) render(c state.Change) {
	st := cp.mv.u.state
	// Members read again first: the count below then says they are being
	// read, not that nobody else is known (TestJoinedGroupKnowsItsMembers).
	if c.MembersStale {
		cp.loadMembers()
	}
	if c.Header {
		if cv, ok := st.Conversation(cp.conv); ok {
			cp.update(cv)
		}
	}
	switch {
	case c.Reloaded:
		cp.showLoaded()
	case c.Prepended > 0:
		cp.prepended(c.Prepended)
	case c.Reordered || len(c.Removed) > 0:
		for _, id := range c.Removed {
			delete(cp.heights, id)
		}
		cp.relist()
	case len(c.Appended) > 0:
		cp.appended(c.Appended)
	}
	if cp.list != nil {
		if c.Refresh || c.Members {
			cp.list.Refresh()
		} else if o := cp.open(); o != nil && len(c.Updated) > 0 {
			// A row that grew (a thumbnail came, a file card changed)
			// keeps the newest message in view if it was.
			bottom := cp.atBottom()
			for _, id := range c.Updated {
				if i, ok := o.Index(id); ok {
					cp.list.RefreshItem(i)
				}
			}
			if bottom {
				cp.list.ScrollToBottom()
			}
		}
	}
	if c.Members {
		cp.membersLoading = max(cp.membersLoading-1, 0)
		cp.refreshMemberCount()
	}
	for _, id := range c.Quotes {
		cp.loadQuote(id)
	}
	cp.renderFiles(c)
}

// loadQuote reads a quoted message that is not loaded.
func (cp *chatPane) loadQuote(id model.MessageID) {
	u, conv, token := cp.mv.u, cp.conv, cp.token
	run(u, func(_ context.Context, e Engine) (model.Message, error) { return e.Message(conv, id) },
		func(m model.Message, err error) { u.apply(u.state.SetQuoted(token, id, m, err == nil)) })
}

// bubble turns a stored message into what a MessageBubble shows.
func (cp *chatPane) bubble(m model.Message) widgets.Message {
	wm := widgets.Message{
		ID:         m.ID.String(),
		Body:       m.Body,
		Time:       m.Received,
		Outgoing:   m.Outgoing,
		State:      deliveryOf(m.Status),
		FailReason: m.FailReason,
		Disappears: m.Disappear > 0,
	}
	if cp.isGroup() && !m.Outgoing {
		wm.Author, wm.AuthorKey = cp.mv.u.state.AuthorName(cp.conv, m.Author), m.Author
	}
	for _, r := range cp.mv.u.state.Reactions(cp.conv, m) {
		wm.Reactions = append(wm.Reactions, widgets.Reaction{Emoji: r.Emoji, Count: r.Count, Mine: r.Mine, Who: r.Who})
	}
	if m.Status == model.StatusQueued {
		// The clock's tooltip: where the message waits, and for what.
		wm.StateTip = "Waiting on this computer: it goes out when you are both online"
		if cp.isGroup() {
			wm.StateTip = "Waiting on this computer: it goes out when the group's server can be reached"
		}
	}
	if !m.ReplyTo.IsZero() {
		q := &widgets.Quote{ID: m.ReplyTo.String(), Text: "Message not available"}
		if qm, ok := cp.lookup(m.ReplyTo); ok {
			q.Author, q.Text = cp.authorOf(qm), qm.Body
		}
		wm.Quote = q
	}
	return wm
}

// lookup finds a message of the conversation by ID, among those loaded.
func (cp *chatPane) lookup(id model.MessageID) (model.Message, bool) {
	if o := cp.open(); o != nil && o.Token == cp.token {
		return o.Lookup(id)
	}
	return model.Message{}, false
}

// lookupText is lookup for a message ID as the widgets give it (its
// text), returning the parsed ID too.
func (cp *chatPane) lookupText(id string) (model.MessageID, model.Message, bool) {
	mid, err := model.ParseMessageID(id)
	if err != nil {
		return model.MessageID{}, model.Message{}, false
	}
	m, ok := cp.lookup(mid)
	return mid, m, ok
}

func (cp *chatPane) authorOf(m model.Message) string {
	if m.Outgoing {
		return "You"
	}
	if cp.isGroup() {
		return cp.mv.u.state.AuthorName(cp.conv, m.Author)
	}
	return cp.cv.Title
}

func deliveryOf(s model.MessageStatus) widgets.DeliveryState {
	switch s {
	case model.StatusQueued:
		return widgets.DeliveryQueued
	case model.StatusSent:
		return widgets.DeliverySent
	case model.StatusDelivered:
		return widgets.DeliveryDelivered
	case model.StatusFailed:
		return widgets.DeliveryFailed
	}
	return widgets.DeliveryNone
}

// setReply quotes a message above the entry.
func (cp *chatPane) setReply(id string) {
	mid, m, ok := cp.lookupText(id)
	if !ok {
		return
	}
	cp.replyTo = mid
	cp.quoteTxt.SetText("Replying to " + cp.authorOf(m) + ": " + firstLine(m.Body))
	cp.quoteBar.Show()
	cp.mv.u.win.Canvas().Focus(cp.entry)
}

func (cp *chatPane) clearReply() {
	cp.replyTo = model.MessageID{}
	cp.quoteBar.Hide()
}

// send hands a message to the engine, in the order written; it appears
// through MessageAdded. If it is not stored, the text goes back into the
// entry (when the conversation is still shown and the entry empty).
func (cp *chatPane) send(text string) {
	replyTo := cp.replyTo
	cp.clearReply()
	u, conv := cp.mv.u, cp.conv
	runInOrder(u, func(_ context.Context, e Engine) (model.Message, error) {
		if replyTo.IsZero() {
			return e.SendMessage(conv, text)
		}
		return e.Reply(conv, text, replyTo)
	}, func(_ model.Message, err error) {
		if err == nil {
			return
		}
		if u.main != nil && u.main.chat == cp && cp.entry.Text == "" {
			cp.entry.SetText(text) // nothing is lost
		}
		u.showError("The message was not sent", err)
	})
}

// canWrite reports whether the person can write here, and so react: the
// entry is disabled in a group left and towards a blocked contact.
func (cp *chatPane) canWrite() bool { return cp.entry != nil && !cp.entry.Disabled() }

// react puts the person's emoji on message id ("" removes theirs), in
// the order asked; the bubble shows it through MessageChanged.
func (cp *chatPane) react(id, emoji string) {
	mid, err := model.ParseMessageID(id)
	if err != nil || !cp.canWrite() {
		return
	}
	u, conv := cp.mv.u, cp.conv
	runInOrder(u, func(_ context.Context, e Engine) (struct{}, error) {
		return struct{}{}, e.React(conv, mid, emoji)
	}, func(_ struct{}, err error) {
		if err != nil {
			u.showError("The reaction was not saved", err)
		}
	})
}

// update shows the conversation's new state: its name, and what its kind
// shows in the header and the banners.
func (cp *chatPane) update(cv model.Conversation) {
	renamed := cv.Title != cp.cv.Title
	cp.cv = cv
	cp.name.SetText(cv.Title)
	cp.avatar.SetIdentity(cv.Title, string(cv.ID))
	cp.banner.Objects = nil
	cp.entry.SetPlaceHolder(writeHint)
	cp.entry.Enable()
	cp.sendBtn.Enable()
	cp.attach.Enable()
	cp.attach.Tooltip = "Send a file or a picture (or drop it here)"
	if cv.Kind == model.KindGroup {
		cp.updateGroup(cv)
	} else if cv.Contact != nil {
		cp.updateContact(*cv.Contact, cv.Presence)
	}
	if cv.Archived {
		mv, id := cp.mv, cv.ID
		unarchive := widget.NewButton("Unarchive", func() {
			mv.act(func(e Engine) error { _, err := e.Archive(id, false); return err })
		})
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(container.NewBorder(nil, nil, nil, unarchive,
			muted("This conversation is archived. It stays hidden in the list until you unarchive it."))))
	}
	if o := cp.open(); o != nil && o.Token == cp.token && o.TimerNote != nil && cv.Contact != nil {
		text := cv.Title + " turned disappearing messages off."
		if d := o.TimerNote.Disappear; d > 0 {
			text = cv.Title + " set new messages to disappear after " + strings.ToLower(disappearLabel(d)) + "."
		}
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(muted(text)))
	}
	cp.banner.Refresh()
	if cp.root != nil {
		cp.root.Refresh() // the banner's height changed: lay the pane out again
	}
	// Replies show the contact's name.
	if renamed && cp.list != nil {
		cp.list.Refresh()
	}
}

// offlineNote is the line above the entry while a contact is not online.
const offlineNote = "Your message waits on this computer and goes out when you are both online."

// updateContact shows a contact's name, state, presence, verification and
// timer.
func (cp *chatPane) updateContact(c model.Contact, p model.Presence) {
	if c.Verified {
		cp.verified.Show()
	} else {
		cp.verified.Hide()
	}
	if c.Disappear > 0 {
		// An icon only, to keep the header narrow; the tooltip says how
		// long.
		cp.timer.Tooltip = "Messages here disappear after " + strings.ToLower(disappearLabel(c.Disappear)) + " — change the timer"
		cp.timer.Show()
	} else {
		cp.timer.Hide()
	}
	if c.State == model.ContactAccepted && p != model.Online {
		cp.offline.Show()
	} else {
		cp.offline.Hide()
	}
	wp := presenceOf(p)
	label := wp.String()
	switch c.State {
	case model.ContactPending:
		// Short, to keep the header narrow; the banner below and the
		// list say it whole (state.RequestState).
		wp, label = widgets.PresenceOffline, "Not delivered"
		if c.RequestDelivered {
			label = "Not accepted yet"
		}
	case model.ContactRequest:
		label = "Wants to add you"
	case model.ContactBlocked:
		wp, label = widgets.PresenceOffline, "Blocked"
	}
	cp.presence.SetPresence(wp, label)
	cp.statusRow.Refresh()
	mv := cp.mv
	switch c.State {
	case model.ContactRequest:
		accept := widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { mv.acceptRequest(c.Address) })
		accept.Importance = widget.HighImportance
		reject := widget.NewButton("Reject", func() { mv.rejectRequest(c.Address) })
		block := widget.NewButtonWithIcon("Block", theme.CancelIcon(), func() { mv.blockContact(c.Address) })
		block.Importance = widget.DangerImportance
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(card(container.NewVBox(
			para(c.Name()+" wants to add you as a contact. Accept only if you know who this is: "+
				"check with them in person or another way you trust. They learn nothing about you until you accept."),
			container.NewHBox(accept, reject, layoutSpacer(), block),
		)))}
		cp.entry.Disable()
		cp.sendBtn.Disable()
		cp.attach.Disable()
	case model.ContactPending:
		text := "Your request is not delivered yet: it waits on this computer and goes out when you are both online. " +
			"If it stays like this, " + c.Name() + " may be offline, or may not take requests from people they have not added."
		if c.RequestDelivered {
			text = "Your request reached " + c.Name() + ". Waiting for them to accept it."
		}
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(muted(
			text + " Messages you write now are kept and sent once they accept."))}
	case model.ContactBlocked:
		unblock := widget.NewButton("Unblock…", cp.confirmUnblock)
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(card(container.NewBorder(nil, nil, nil, unblock,
			para("You blocked this contact. They cannot reach you, and you cannot write to them. "+
				"What they write meanwhile waits on their computer and arrives if you unblock them."))))}
		cp.entry.Disable()
		cp.sendBtn.Disable()
		cp.attach.Disable()
	}
	if n := renamedNote(c); n != "" {
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(muted(n)))
	}
}
