package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// pageSize is how many messages are read at a time: the latest ones when a
// conversation opens, then one page more each time the top is reached.
const pageSize = 50

// chatPane shows one conversation: a header, the paged message list, a
// banner for requests and blocked contacts, the reply bar and the entry.
type chatPane struct {
	mv      *mainView
	addr    string
	conv    model.ConversationID
	contact model.Contact
	group   *model.Group // set for a group's conversation

	msgs    []model.Message
	pos     map[model.MessageID]int           // index in msgs
	quoted  map[model.MessageID]model.Message // quoted messages not in msgs
	heights map[model.MessageID]float32       // measured bubble heights
	hasMore bool                              // older messages exist
	loading bool
	list    *widget.List
	listBox *fyne.Container
	scratch *chatRow // measures rows off screen
	empty   *widget.Label

	avatar   *widgets.Avatar
	name     *widget.Label
	presence *widgets.StatusBadge
	verified *fyne.Container
	// timer shows the disappearing-messages timer when it is on (and opens
	// its dialog); statusRow holds presence, verification and timer.
	timer     *widgets.TooltipButton
	statusRow *fyne.Container
	// timerNote says that the contact changed the timer (kept in the
	// banner while the conversation is open).
	timerNote fyne.CanvasObject
	banner    *fyne.Container
	members   *widget.Label     // groups: the member count
	syncBar   *widgets.Progress // groups: the server's catch-up
	warnBox   *fyne.Container   // groups: warnings about the server

	replyTo  model.MessageID
	quoteBar *fyne.Container
	quoteTxt *widget.Label
	entry    *chatEntry
	sendBtn  *widgets.TooltipButton
	root     fyne.CanvasObject
}

func newChatPane(mv *mainView, it *contactItem) *chatPane {
	cp := &chatPane{
		mv: mv, addr: it.c.Address, conv: model.ConversationID(it.c.Address), contact: it.c,
		pos: map[model.MessageID]int{}, quoted: map[model.MessageID]model.Message{},
		heights: map[model.MessageID]float32{},
	}
	cp.scratch = newChatRow(cp)
	cp.banner = container.NewVBox()

	var header fyne.CanvasObject
	if it.group != nil {
		cp.group = it.group
		header = cp.groupHeader()
	} else {
		header = cp.contactHeader(it)
	}

	// Messages.
	cp.empty = muted("No messages yet. Say hello — only " + it.c.Name() + " can read what you write here.")
	if cp.group != nil {
		cp.empty.SetText("No messages yet. Everyone who has this group's invite can read what you write here.")
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
	cp.entry.SetPlaceHolder("Write a message — Enter sends, Shift+Enter adds a line")
	cp.entry.OnSend = cp.send
	cp.entry.OnShortcut = mv.u.appShortcut
	cp.entry.OnEscape = func() bool {
		if cp.replyTo.IsZero() {
			return false
		}
		cp.clearReply()
		return true
	}
	cp.sendBtn = widgets.NewTooltipButton(theme.MailSendIcon(), "Send (Enter)", cp.entry.send)
	cp.sendBtn.Importance = widget.HighImportance
	compose := container.NewVBox(cp.quoteBar,
		container.NewBorder(nil, nil, nil, container.NewVBox(layoutSpacer(), cp.sendBtn), cp.entry))

	root := container.NewBorder(
		container.NewVBox(container.NewPadded(header), widget.NewSeparator(), cp.banner),
		container.NewPadded(compose), nil, nil,
		cp.listBox,
	)
	cp.root = root
	cp.entry.OnRowsChanged = func() { root.Layout.Layout(root.Objects, root.Size()) }
	if cp.group != nil {
		cp.showSync()
		cp.showWarnings()
	} else {
		cp.contactChanged(it.c)
		cp.setPresence(it.presence)
	}
	cp.load()
	return cp
}

// contactHeader returns the header of a conversation with a contact: who,
// whether they are online and verified, details and the menu.
func (cp *chatPane) contactHeader(it *contactItem) fyne.CanvasObject {
	cp.avatar = widgets.NewAvatar(it.c.Name(), it.c.Address)
	cp.name = widget.NewLabelWithStyle(it.c.Name(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
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

// load reads the latest page of the conversation and measures it at the
// width the list is going to have (the pane fills the right-hand side).
// Heights set before the list is rendered cost a map write each; set while
// it is laid out, each changed height refreshes the whole list.
func (cp *chatPane) load() {
	msgs, err := cp.mv.u.eng.History(cp.conv, 0, pageSize)
	if err != nil {
		msg, _ := failure("The conversation could not be read.", err)
		cp.empty.SetText(msg)
	}
	cp.msgs = msgs
	cp.hasMore = len(msgs) == pageSize && msgs[0].Seq > 1
	cp.reindex()
	if w := cp.mv.right.Size().Width; w > 0 {
		for _, m := range msgs {
			cp.measure(m, w)
		}
	}
	cp.list = cp.newList()
	cp.showList()
}

// showList shows the list, or the empty state.
func (cp *chatPane) showList() {
	var o fyne.CanvasObject = cp.list
	if len(cp.msgs) == 0 {
		o = container.New(columnLayout{width: 420}, cp.empty)
	}
	cp.listBox.Objects = []fyne.CanvasObject{o}
	cp.listBox.Refresh()
}

// shown runs once the pane is in the window: it scrolls to the latest
// message and focuses the entry.
func (cp *chatPane) shown() {
	cp.scrollToBottom()
	if !cp.entry.Disabled() {
		cp.mv.u.win.Canvas().Focus(cp.entry)
	}
}

func (cp *chatPane) reindex() {
	clear(cp.pos)
	for i, m := range cp.msgs {
		cp.pos[m.ID] = i
	}
}

// newList returns a message list over cp.msgs with the heights measured so
// far. Item heights are keyed by index in widget.List, so a list is made
// anew when older messages are put in front; setting heights before the
// list is rendered costs only a map write each.
func (cp *chatPane) newList() *widget.List {
	var l *widget.List
	l = widget.NewList(
		func() int { return len(cp.msgs) },
		func() fyne.CanvasObject { return newChatRow(cp) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(cp.msgs) {
				return
			}
			m := cp.msgs[id]
			r := o.(*chatRow)
			r.set(m)
			h := r.heightForWidth(l.Size().Width)
			cp.heights[m.ID] = h
			l.SetItemHeight(id, h)
			if id == 0 && cp.hasMore && !cp.loading {
				cp.loading = true
				cp.mv.u.later(cp.loadOlder)
			}
		},
	)
	l.HideSeparators = true
	l.OnSelected = func(widget.ListItemID) { l.UnselectAll() } // messages are not selectable rows
	for i, m := range cp.msgs {
		if h, ok := cp.heights[m.ID]; ok {
			l.SetItemHeight(i, h)
		}
	}
	return l
}

// measure returns the height of m's bubble at width w.
func (cp *chatPane) measure(m model.Message, w float32) float32 {
	cp.scratch.set(m)
	h := cp.scratch.heightForWidth(w)
	cp.heights[m.ID] = h
	return h
}

// contentHeight is the height of all loaded messages.
func (cp *chatPane) contentHeight() float32 {
	sep := theme.Padding()
	var total float32
	for _, m := range cp.msgs {
		total += cp.heights[m.ID] + sep
	}
	return total
}

// scrollToBottom measures what is not measured yet and shows the latest
// message.
func (cp *chatPane) scrollToBottom() {
	if cp.list == nil || len(cp.msgs) == 0 {
		return
	}
	w := cp.list.Size().Width
	for i, m := range cp.msgs {
		if _, ok := cp.heights[m.ID]; !ok {
			cp.list.SetItemHeight(i, cp.measure(m, w))
		}
	}
	cp.list.ScrollToBottom()
}

// loadOlder puts the page before the oldest loaded message in front,
// keeping the messages on screen where they are.
func (cp *chatPane) loadOlder() {
	defer func() { cp.loading = false }()
	if cp.mv.chat != cp || !cp.hasMore || len(cp.msgs) == 0 {
		return
	}
	if cp.list.GetScrollOffset() > cp.list.Size().Height {
		return // scrolled away from the top meanwhile (or never there: the first layout)
	}
	older, err := cp.mv.u.eng.History(cp.conv, cp.msgs[0].Seq, pageSize)
	if err != nil || len(older) == 0 {
		cp.hasMore = false
		return
	}
	cp.hasMore = len(older) == pageSize && older[0].Seq > 1
	w := cp.list.Size().Width
	sep := theme.Padding()
	var added float32
	for _, m := range older {
		added += cp.measure(m, w) + sep
	}
	offset := cp.list.GetScrollOffset()
	size := cp.list.Size()
	cp.msgs = append(older, cp.msgs...)
	cp.reindex()
	cp.list = cp.newList()
	cp.list.MinSize() // creates the renderer, so that the list can scroll
	cp.list.Resize(size)
	cp.showList()
	cp.list.ScrollToOffset(offset + added)
}

// removeMessages takes deleted (disappeared) messages out of view.
func (cp *chatPane) removeMessages(ids []model.MessageID) {
	gone := map[model.MessageID]bool{}
	for _, id := range ids {
		if _, ok := cp.pos[id]; ok {
			gone[id] = true
		}
		delete(cp.quoted, id)
	}
	if len(gone) == 0 {
		if cp.list != nil {
			cp.list.Refresh() // quotes of them now say "not available"
		}
		return
	}
	atBottom := cp.list.GetScrollOffset()+cp.list.Size().Height >= cp.contentHeight()-80
	offset, size := cp.list.GetScrollOffset(), cp.list.Size()
	cp.msgs = slices.DeleteFunc(cp.msgs, func(m model.Message) bool { return gone[m.ID] })
	for id := range gone {
		delete(cp.heights, id)
	}
	cp.reindex()
	cp.list = cp.newList()
	cp.list.MinSize()
	cp.list.Resize(size)
	cp.showList()
	if atBottom {
		cp.scrollToBottom()
	} else {
		cp.list.ScrollToOffset(offset)
	}
}

// loaded reports how many messages are loaded.
func (cp *chatPane) loaded() int { return len(cp.msgs) }

// appendMessage adds a new message at the bottom.
func (cp *chatPane) appendMessage(m model.Message) {
	if _, ok := cp.pos[m.ID]; ok {
		return
	}
	atBottom := true
	if cp.list != nil && len(cp.msgs) > 0 {
		atBottom = cp.list.GetScrollOffset()+cp.list.Size().Height >= cp.contentHeight()-80
	}
	cp.msgs = append(cp.msgs, m)
	cp.pos[m.ID] = len(cp.msgs) - 1
	if len(cp.msgs) == 1 {
		cp.showList()
	}
	cp.list.SetItemHeight(len(cp.msgs)-1, cp.measure(m, cp.list.Size().Width))
	cp.list.Refresh()
	if atBottom || m.Outgoing {
		cp.list.ScrollToBottom()
	}
}

// statusChanged shows an outgoing message's new delivery state.
func (cp *chatPane) statusChanged(ev model.MessageStatusChanged) {
	i, ok := cp.pos[ev.ID]
	if !ok {
		return
	}
	cp.msgs[i].Status = ev.Status
	cp.msgs[i].FailReason = ev.Reason
	cp.list.RefreshItem(i)
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
	if cp.group != nil && !m.Outgoing {
		wm.Author, wm.AuthorKey = cp.mv.authorName(cp.conv, m.Author), m.Author
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

// lookup finds a message of the conversation by ID.
func (cp *chatPane) lookup(id model.MessageID) (model.Message, bool) {
	if i, ok := cp.pos[id]; ok {
		return cp.msgs[i], true
	}
	if m, ok := cp.quoted[id]; ok {
		return m, true
	}
	m, err := cp.mv.u.eng.Message(cp.conv, id)
	if err != nil {
		return model.Message{}, false
	}
	cp.quoted[id] = m
	return m, true
}

func (cp *chatPane) authorOf(m model.Message) string {
	if m.Outgoing {
		return "You"
	}
	if cp.group != nil {
		return cp.mv.authorName(cp.conv, m.Author)
	}
	return cp.contact.Name()
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
	mid, err := model.ParseMessageID(id)
	if err != nil {
		return
	}
	m, ok := cp.lookup(mid)
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

// send hands a message to the engine; it appears through MessageAdded.
func (cp *chatPane) send(text string) {
	replyTo := cp.replyTo
	cp.clearReply()
	u, addr, conv, group := cp.mv.u, model.ConversationID(cp.addr), cp.conv, cp.group != nil
	u.sends.run(func() {
		var err error
		if group {
			_, err = u.eng.Reply(conv, text, replyTo)
		} else {
			_, err = u.eng.Reply(model.ConversationID(addr), text, replyTo)
		}
		if err != nil {
			u.do(func() {
				if cp.mv.chat == cp && cp.entry.Text == "" {
					cp.entry.SetText(text) // nothing is lost
				}
				u.showError("The message was not sent", err)
			})
		}
	})
}

func (cp *chatPane) setPresence(p model.Presence) {
	wp := presenceOf(p)
	label := wp.String()
	switch cp.contact.State {
	case model.ContactPending:
		label = "Request sent"
	case model.ContactRequest:
		label = "Wants to add you"
	case model.ContactBlocked:
		wp, label = widgets.PresenceOffline, "Blocked"
	}
	cp.presence.SetPresence(wp, label)
}

// contactChanged shows a contact's new name, state or verification.
func (cp *chatPane) contactChanged(c model.Contact) {
	cp.contact = c
	cp.name.SetText(c.Name())
	cp.avatar.SetIdentity(c.Name(), c.Address)
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
	cp.statusRow.Refresh()
	cp.setPresence(cp.mv.u.eng.Presence(model.ConversationID(c.Address)))
	cp.banner.Objects = nil
	cp.entry.Enable()
	cp.sendBtn.Enable()
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
	case model.ContactPending:
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(muted(
			"Waiting for " + c.Name() + " to accept your request. Messages you write now are kept and sent once they do."))}
	case model.ContactBlocked:
		unblock := widget.NewButton("Unblock", func() {
			mv.contactAction(func() (model.Contact, error) { return mv.u.eng.UnblockContact(model.ConversationID(c.Address)) })
		})
		cp.banner.Objects = []fyne.CanvasObject{container.NewPadded(card(container.NewBorder(nil, nil, nil, unblock,
			para("You blocked this contact. They cannot reach you, and you cannot write to them."))))}
		cp.entry.Disable()
		cp.sendBtn.Disable()
	}
	if c.Archived {
		unarchive := widget.NewButton("Unarchive", func() {
			mv.contactAction(func() (model.Contact, error) {
				return mv.u.eng.ArchiveContact(model.ConversationID(c.Address), false)
			})
		})
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(container.NewBorder(nil, nil, nil, unarchive,
			muted("This conversation is archived. It stays hidden in the list until you unarchive it."))))
	}
	if n := renamedNote(c); n != "" {
		cp.banner.Objects = append(cp.banner.Objects, container.NewPadded(muted(n)))
	}
	if cp.timerNote != nil {
		cp.banner.Objects = append(cp.banner.Objects, cp.timerNote)
	}
	cp.banner.Refresh()
	if cp.root != nil {
		cp.root.Refresh() // the banner's height changed: lay the pane out again
	}
	// Replies show the contact's name.
	if cp.list != nil {
		cp.list.Refresh()
	}
}
