package ui

import (
	"context"
	"time"

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

// writeHint is the message field's placeholder.
func writeHint() string { return i18n.T("chat.write_hint") }

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

	replyTo model.MessageID
	// editing is the message of the person's whose text the entry holds
	// to be edited (zero: the entry writes a new message).
	editing   model.MessageID
	quoteBar  *fyne.Container
	quoteIcon *widget.Icon
	quoteTxt  *widget.Label
	entry     *chatEntry
	sendBtn   *widgets.TooltipButton
	root      fyne.CanvasObject

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
		cp.empty.SetText(i18n.T("chat.no_messages_yet_everyone"))
	} else {
		header = cp.contactHeader()
		cp.empty.SetText(i18n.T("chat.no_messages_yet_say", "Title", cv.Title))
	}
	cp.empty.Alignment = fyne.TextAlignCenter
	cp.listBox = container.NewStack()

	// Reply bar and entry.
	cp.quoteTxt = widget.NewLabel("")
	cp.quoteTxt.Truncation = fyne.TextTruncateEllipsis
	cancelReply := widgets.NewTooltipButton(theme.CancelIcon(), i18n.T("chat.cancel_esc"), cp.clearReply)
	cp.quoteIcon = widget.NewIcon(theme.MailReplyIcon())
	cp.quoteBar = container.NewBorder(nil, nil, cp.quoteIcon, cancelReply, cp.quoteTxt)
	cp.quoteBar.Hide()
	cp.entry = newChatEntry()
	cp.entry.SetPlaceHolder(writeHint())
	cp.entry.OnSend = cp.send
	cp.entry.OnShortcut = func(s fyne.Shortcut) bool {
		if _, ok := s.(*fyne.ShortcutPaste); ok && cp.paste() {
			return true
		}
		return mv.u.appShortcut(s)
	}
	cp.entry.OnEscape = func() bool {
		if cp.replyTo.IsZero() && cp.editing.IsZero() {
			return false
		}
		cp.clearReply()
		return true
	}
	cp.sendBtn = widgets.NewTooltipButton(theme.MailSendIcon(), i18n.T("chat.send_enter"), cp.entry.send)
	cp.sendBtn.Importance = widget.HighImportance
	cp.offline = muted(offlineNote())
	cp.offline.Wrapping = fyne.TextWrapWord
	cp.offline.Hide()
	cp.attach = widgets.NewTooltipButton(theme.ContentAddIcon(), i18n.T("chat.send_a_file_or"), func() { cp.chooseAttachment() })
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
	vLabel := widget.NewLabel(i18n.T("chat.verified"))
	vLabel.Importance = widget.SuccessImportance
	vLabel.Truncation = fyne.TextTruncateEllipsis // gives way in a narrow window
	cp.verified = container.NewBorder(nil, nil, vIcon, nil, vLabel)
	cp.timer = widgets.NewTooltipButton(theme.HistoryIcon(), i18n.T("chat.messages_here_disappear_change"), cp.showDisappear)
	cp.timer.Hide()
	info := widgets.NewTooltipButton(theme.InfoIcon(), i18n.T("common.contact_details"), cp.showInfo)
	var more *widgets.TooltipButton
	more = widgets.NewTooltipButton(theme.MoreVerticalIcon(), i18n.T("chat.more_rename_verify_block"), func() { cp.showMenu(more) })
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
		FailReason: failText(m.FailReason),
		Disappears: m.Disappear > 0,
		Edited:     !m.Edited.IsZero(),
		Editable:   editable(m, time.Now()),
	}
	if cp.isGroup() && !m.Outgoing {
		wm.Author, wm.AuthorKey = cp.mv.u.state.AuthorName(cp.conv, m.Author), m.Author
	}
	for _, r := range cp.mv.u.state.Reactions(cp.conv, m) {
		wm.Reactions = append(wm.Reactions, widgets.Reaction{Emoji: r.Emoji, Count: r.Count, Mine: r.Mine, Who: r.Who})
	}
	if m.Status == model.StatusQueued {
		// The clock's tooltip: where the message waits, and for what.
		wm.StateTip = i18n.T("chat.waiting_on_this_computer")
		if cp.isGroup() {
			wm.StateTip = i18n.T("chat.waiting_on_this_computer_2")
		}
	}
	if !m.ReplyTo.IsZero() {
		q := &widgets.Quote{ID: m.ReplyTo.String(), Text: i18n.T("chat.message_not_available")}
		if qm, ok := cp.lookup(m.ReplyTo); ok {
			q.Author, q.Text = cp.authorOf(qm), qm.Body
			if qm.Kind == model.KindNote { // deleted for everyone
				q.Text = cp.mv.u.state.NoteText(qm)
			}
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
		return i18n.T("common.you")
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
	cp.clearReply()
	cp.replyTo = mid
	cp.quoteIcon.SetResource(theme.MailReplyIcon())
	cp.quoteTxt.SetText(i18n.T("chat.replying_to", "Author", cp.authorOf(m), "Text", firstLine(m.Body)))
	cp.quoteBar.Show()
	cp.mv.u.win.Canvas().Focus(cp.entry)
}

// editable reports whether the person may still edit m: a text of theirs
// sent within model.EditWindow of now (the engine checks it again).
func editable(m model.Message, now time.Time) bool {
	return m.Outgoing && m.Kind == model.KindText && now.Sub(m.Sent) <= model.EditWindow
}

// setEdit puts the text of a message of the person's into the entry to be
// edited: sending replaces the message's text; Escape cancels.
func (cp *chatPane) setEdit(id string) {
	mid, m, ok := cp.lookupText(id)
	if !ok || !editable(m, time.Now()) {
		return
	}
	cp.clearReply()
	cp.editing = mid
	cp.quoteIcon.SetResource(theme.DocumentCreateIcon())
	cp.quoteTxt.SetText(i18n.T("chat.editing_your_message"))
	cp.quoteBar.Show()
	cp.entry.SetText(m.Body)
	cp.mv.u.win.Canvas().Focus(cp.entry)
}

// clearReply ends a reply or an edit; an edit's text leaves the entry.
func (cp *chatPane) clearReply() {
	if !cp.editing.IsZero() {
		cp.editing = model.MessageID{}
		cp.entry.SetText("")
	}
	cp.replyTo = model.MessageID{}
	cp.quoteBar.Hide()
}

// send hands a message to the engine, in the order written; it appears
// through MessageAdded. If it is not stored, the text goes back into the
// entry (when the conversation is still shown and the entry empty).
func (cp *chatPane) send(text string) {
	if !cp.editing.IsZero() {
		cp.sendEdit(text)
		return
	}
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
		u.showError(i18n.T("chat.the_message_was_not"), err)
	})
}

// sendEdit hands the new text of the message being edited to the
// engine; the bubble shows it through MessageChanged. If the edit is not
// stored, the text goes back into the entry as for a message.
func (cp *chatPane) sendEdit(text string) {
	mid := cp.editing
	cp.editing = model.MessageID{}
	cp.clearReply()
	u, conv := cp.mv.u, cp.conv
	runInOrder(u, func(_ context.Context, e Engine) (struct{}, error) {
		return struct{}{}, e.EditMessage(conv, mid, text)
	}, func(_ struct{}, err error) {
		if err == nil {
			return
		}
		if u.main != nil && u.main.chat == cp && cp.entry.Text == "" {
			cp.entry.SetText(text)
		}
		u.showError(i18n.T("chat.the_message_was_not_edited"), err)
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
			u.showError(i18n.T("chat.the_reaction_was_not"), err)
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
	cp.entry.SetPlaceHolder(writeHint())
	cp.entry.Enable()
	cp.sendBtn.Enable()
	cp.attach.Enable()
	cp.attach.Tooltip = i18n.T("chat.send_a_file_or")
	if cv.Kind == model.KindGroup {
		cp.updateGroup(cv)
	} else if cv.Contact != nil {
		cp.updateContact(*cv.Contact, cv.Presence)
	}
	if cv.Archived {
		mv, id := cp.mv, cv.ID
		unarchive := widget.NewButton(i18n.T("chat.unarchive"), func() {
			mv.act(func(e Engine) error { _, err := e.Archive(id, false); return err })
		})
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(container.NewBorder(nil, nil, nil, unarchive,
			muted(i18n.T("chat.this_conversation_is_archived")))))
	}
	if o := cp.open(); o != nil && o.Token == cp.token && o.TimerNote != nil && cv.Contact != nil {
		text := i18n.T("chat.turned_disappearing_messages_off", "Title", cv.Title)
		if d := o.TimerNote.Disappear; d > 0 {
			text = i18n.T("chat.set_new_messages_to", "Title", cv.Title, "After", disappearAfter(d))
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

// failText is the sentence under a message the engine gave up on, in the
// person's language: the engine's reasons (model.Reason*) are stored in
// English with the message; one a later version adds is shown as it is.
func failText(reason string) string {
	switch reason {
	case "":
		return ""
	case model.ReasonBlocked:
		return i18n.T("chat.not_sent_blocked")
	case model.ReasonDeleted:
		return i18n.T("chat.not_sent_deleted")
	case model.ReasonLeft:
		return i18n.T("chat.not_sent_left")
	case model.ReasonRemoved:
		return i18n.T("chat.not_sent_removed")
	case model.ReasonRefused:
		return i18n.T("chat.not_sent_refused")
	case model.ReasonFileGone:
		return i18n.T("chat.not_sent_file_gone")
	}
	return i18n.T("chat.not_sent_reason", "Reason", reason)
}

// problemText is a file transfer's problem sentence (model.FileTransfer.
// Problem) in the person's language; one a later version adds is shown as
// it is.
func problemText(problem string) string {
	switch problem {
	case model.ProblemDiskFull:
		return i18n.T("chat.file_problem_disk_full")
	case model.ProblemMismatch:
		return i18n.T("chat.file_problem_mismatch")
	}
	return problem
}

// offlineNote is the line above the entry while a contact is not online.
func offlineNote() string { return i18n.T("chat.your_message_waits_on") }

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
		cp.timer.Tooltip = i18n.T("chat.messages_here_disappear_after", "After", disappearAfter(c.Disappear))
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
		wp, label = widgets.PresenceOffline, i18n.T("chat.not_delivered")
		if c.RequestDelivered {
			label = i18n.T("chat.not_accepted_yet")
		}
	case model.ContactRequest:
		label = i18n.T("chat.wants_to_add_you_2")
	case model.ContactBlocked:
		wp, label = widgets.PresenceOffline, i18n.T("chat.blocked")
	}
	cp.presence.SetPresence(wp, label)
	cp.statusRow.Refresh()
	mv := cp.mv
	switch c.State {
	case model.ContactRequest:
		accept := widget.NewButtonWithIcon(i18n.T("common.accept"), theme.ConfirmIcon(), func() { mv.acceptRequest(c.Address) })
		accept.Importance = widget.HighImportance
		reject := widget.NewButton(i18n.T("common.reject"), func() { mv.rejectRequest(c.Address) })
		block := widget.NewButtonWithIcon(i18n.T("common.block"), theme.CancelIcon(), func() { mv.blockContact(c.Address) })
		block.Importance = widget.DangerImportance
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(card(container.NewVBox(
			para(i18n.T("chat.wants_to_add_you", "Name", c.Name())),
			container.NewHBox(accept, reject, layoutSpacer(), block),
		)))}
		cp.entry.Disable()
		cp.sendBtn.Disable()
		cp.attach.Disable()
	case model.ContactPending:
		text := i18n.T("chat.your_request_is_not", "Name", c.Name())
		if c.RequestDelivered {
			text = i18n.T("chat.your_request_reached_waiting", "Name", c.Name())
		}
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(muted(
			i18n.T("chat.messages_you_write_now", "Text", text)))}
	case model.ContactBlocked:
		unblock := widget.NewButton(i18n.T("common.unblock_more"), cp.confirmUnblock)
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(card(container.NewBorder(nil, nil, nil, unblock,
			para(i18n.T("chat.you_blocked_this_contact")))))}
		cp.entry.Disable()
		cp.sendBtn.Disable()
		cp.attach.Disable()
	}
	if n := renamedNote(c); n != "" {
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(muted(n)))
	}
}
