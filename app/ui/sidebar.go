package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// contactItem is what the list knows about one contact.
type contactItem struct {
	// c is the contact; for a group, a stand-in whose Address is the
	// conversation ID ("g:…") and whose Nickname is the group's name.
	c        model.Contact
	group    *model.Group // nil for a contact
	preview  string
	last     time.Time
	unread   int
	presence model.Presence
}

// lastActivity is the later of the contact's and its last message's time.
func (it *contactItem) lastActivity() time.Time {
	if it.last.After(it.c.LastActivity) {
		return it.last
	}
	return it.c.LastActivity
}

// hidden reports whether the item lives in the "archived and blocked"
// section.
func (it *contactItem) hidden() bool {
	return it.c.Archived || it.c.State == model.ContactBlocked
}

// sidebar is the searchable contact and conversation list: contact
// requests first, then conversations by last activity. Archived and
// blocked contacts are listed only on request.
type sidebar struct {
	mv       *mainView
	all      map[string]*contactItem
	shown    []*contactItem
	list     *focusList
	search   *shortcutEntry
	archived *widget.Check
	empty    fyne.CanvasObject
	noMatch  *widget.Label
	body     *fyne.Container
	selected string
	syncing  bool // true while the list selection is set from code
}

func newSidebar(mv *mainView) (*sidebar, error) {
	s := &sidebar{mv: mv, all: map[string]*contactItem{}}
	s.search = newShortcutEntry(mv.u.appShortcut)
	s.search.SetPlaceHolder("Search")
	s.search.OnChanged = func(string) { s.rebuild() }
	s.search.OnSubmitted = func(string) { // Enter opens the first match
		if len(s.shown) > 0 {
			mv.openChat(s.shown[0].c.Address)
		}
	}
	s.list = newFocusList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject {
			r := widgets.NewContactRow(widgets.ContactSummary{})
			r.Times = mv.u.times
			r.OnAccept = mv.acceptRequest
			r.OnReject = mv.rejectRequest
			r.OnBlock = mv.blockContact
			return r
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(s.shown) {
				return
			}
			r := o.(*widgets.ContactRow)
			r.Set(s.summary(s.shown[id]))
			r.SetFocused(s.list.hasFocus(id))
			s.list.SetItemHeight(id, r.MinSize().Height)
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.setCurrent(id)
		if s.syncing || id >= len(s.shown) {
			return
		}
		mv.openChat(s.shown[id].c.Address)
	}
	s.archived = widget.NewCheck("Show archived and blocked", func(bool) { s.rebuild() })
	s.archived.Hide()
	addBtn := widget.NewButton("Add a contact", mv.showAddContact)
	addBtn.Importance = widget.HighImportance
	inviteBtn := widget.NewButton("Show my invite", mv.showHome)
	emptyText := para("No contacts yet — show your invite to someone you trust, or add theirs.")
	emptyText.Alignment = fyne.TextAlignCenter
	s.empty = container.NewVBox(layoutSpacer(), emptyText,
		container.NewCenter(container.NewHBox(inviteBtn, addBtn)), layoutSpacer())
	s.noMatch = muted("")
	s.noMatch.Alignment = fyne.TextAlignCenter
	s.body = container.NewStack()
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// load reads every contact with its last message, unread count and
// presence.
func (s *sidebar) load() error {
	eng := s.mv.u.eng
	cs, err := eng.Contacts()
	if err != nil {
		return err
	}
	for _, c := range cs {
		it := &contactItem{c: c}
		conv := model.ConversationID(c.Address)
		if ms, err := eng.History(conv, 0, 1); err == nil && len(ms) == 1 {
			it.preview, it.last = s.previewOf(ms[0]), ms[0].Received
		}
		it.unread, _ = eng.Unread(conv)
		it.presence = eng.Presence(model.ConversationID(c.Address))
		s.all[c.Address] = it
	}
	if err := s.loadGroups(); err != nil {
		return err
	}
	s.rebuild()
	return nil
}

// previewOf is the list's one-line preview of a message.
func (s *sidebar) previewOf(m model.Message) string {
	text := firstLine(m.Body)
	if g := groupInviteOf(m.Body); g != nil {
		text = "Invitation to the group “" + g.Name + "”"
	}
	switch {
	case m.Outgoing:
		return "You: " + text
	case isGroupConversation(m.Conversation):
		return s.mv.authorName(m.Conversation, m.Author) + ": " + text
	}
	return text
}

// summary turns an item into what a ContactRow shows.
func (s *sidebar) summary(it *contactItem) widgets.ContactSummary {
	if it.group != nil {
		return s.groupSummary(it)
	}
	sum := widgets.ContactSummary{
		Address:      it.c.Address,
		Name:         it.c.Name(),
		Preview:      it.preview,
		LastActivity: it.lastActivity(),
		Presence:     presenceOf(it.presence),
		Unread:       it.unread,
		Request:      it.c.State == model.ContactRequest,
	}
	switch it.c.State {
	case model.ContactPending:
		if sum.Preview == "" {
			sum.Preview = "Request sent — waiting for them to accept"
		}
	case model.ContactBlocked:
		sum.Preview = "Blocked"
		sum.Presence = widgets.PresenceOffline
	}
	return sum
}

func presenceOf(p model.Presence) widgets.Presence {
	switch p {
	case model.Online:
		return widgets.PresenceOnline
	case model.Connecting:
		return widgets.PresenceConnecting
	}
	return widgets.PresenceOffline
}

// rebuild filters and sorts the items and refreshes the list.
func (s *sidebar) rebuild() {
	q := strings.ToLower(strings.TrimSpace(s.search.Text))
	s.shown = s.shown[:0]
	hiddenCount := 0
	for _, it := range s.all {
		if it.hidden() {
			hiddenCount++
			if !s.archived.Checked && q == "" {
				continue
			}
		}
		if q != "" && !strings.Contains(strings.ToLower(it.c.Name()), q) &&
			!strings.Contains(strings.ToLower(it.c.DisplayName), q) &&
			!strings.HasPrefix(it.c.Address, q) {
			continue
		}
		s.shown = append(s.shown, it)
	}
	slices.SortFunc(s.shown, func(a, b *contactItem) int {
		if ar, br := a.c.State == model.ContactRequest, b.c.State == model.ContactRequest; ar != br {
			if ar {
				return -1
			}
			return 1
		}
		if ah, bh := a.hidden(), b.hidden(); ah != bh {
			if bh {
				return -1
			}
			return 1
		}
		if c := b.lastActivity().Compare(a.lastActivity()); c != 0 {
			return c
		}
		return strings.Compare(a.c.Address, b.c.Address)
	})
	if hiddenCount > 0 {
		s.archived.SetText(fmt.Sprintf("Show archived and blocked (%d)", hiddenCount))
		s.archived.Show()
	} else {
		s.archived.Hide()
	}
	var content fyne.CanvasObject
	switch {
	case len(s.all) == 0:
		content = s.empty
	case len(s.shown) == 0 && q != "":
		s.noMatch.SetText("No contact matches “" + s.search.Text + "”.")
		content = container.NewBorder(s.noMatch, nil, nil, nil)
	default:
		content = container.NewBorder(nil, s.archived, nil, nil, s.list)
	}
	if len(s.body.Objects) != 1 || s.body.Objects[0] != content {
		s.body.Objects = []fyne.CanvasObject{content}
		s.body.Refresh()
	}
	s.list.Refresh()
	s.selectAddress(s.selected)
}

// selectAddress highlights a contact ("" for none) without opening it.
func (s *sidebar) selectAddress(addr string) {
	s.selected = addr
	s.syncing = true
	defer func() { s.syncing = false }()
	for i, it := range s.shown {
		if it.c.Address == addr {
			s.list.Select(i)
			return
		}
	}
	s.list.UnselectAll()
}

func (s *sidebar) item(addr string) *contactItem { return s.all[addr] }

// totalUnread is the sum of the unread counts.
func (s *sidebar) totalUnread() int {
	n := 0
	for _, it := range s.all {
		n += it.unread
	}
	return n
}

func (s *sidebar) upsert(c model.Contact) {
	it := s.all[c.Address]
	if it == nil {
		it = &contactItem{presence: s.mv.u.eng.Presence(model.ConversationID(c.Address))}
		s.all[c.Address] = it
	}
	it.c = c
	s.rebuild()
}

func (s *sidebar) remove(addr string) {
	delete(s.all, addr)
	if s.selected == addr {
		s.selected = ""
	}
	s.rebuild()
}

func (s *sidebar) messageAdded(m model.Message) {
	it := s.all[string(m.Conversation)]
	if it == nil {
		if isGroupConversation(m.Conversation) {
			s.reloadGroups() // joined elsewhere
		}
		return
	}
	it.preview, it.last = s.previewOf(m), m.Received
	s.rebuild()
}

// refreshPreview reads a conversation's latest message again (after some
// disappeared).
func (s *sidebar) refreshPreview(conv model.ConversationID) {
	it := s.all[string(conv)]
	if it == nil {
		return
	}
	it.preview = ""
	if ms, err := s.mv.u.eng.History(conv, 0, 1); err == nil && len(ms) == 1 {
		it.preview = s.previewOf(ms[0])
	}
	s.refreshItem(string(conv))
}

func (s *sidebar) setPresence(addr string, p model.Presence) {
	if it := s.all[addr]; it != nil && it.group == nil && it.presence != p {
		it.presence = p
		s.refreshItem(addr)
	}
}

func (s *sidebar) setUnread(addr string, n int) {
	if it := s.all[addr]; it != nil && it.unread != n {
		it.unread = n
		s.refreshItem(addr)
	}
}

func (s *sidebar) refreshItem(addr string) {
	for i, it := range s.shown {
		if it.c.Address == addr {
			s.list.RefreshItem(i)
			return
		}
	}
}
