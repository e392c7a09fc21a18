package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// sidebar is the searchable list of conversations, contacts' and groups'
// alike, drawn from the state (state.Model.Shown and Row): contact
// requests first, then conversations by last activity. Archived and
// blocked ones are listed only on request.
type sidebar struct {
	mv       *mainView
	list     *focusList
	search   *shortcutEntry
	archived *widget.Check
	empty    fyne.CanvasObject
	noMatch  *widget.Label
	body     *fyne.Container
	syncing  bool // true while the list selection is set from code
}

func newSidebar(mv *mainView) *sidebar {
	s := &sidebar{mv: mv}
	st := mv.u.state
	s.search = newShortcutEntry(mv.u.appShortcut)
	s.search.SetPlaceHolder(i18n.T("sidebar.search"))
	s.search.OnChanged = func(q string) { mv.u.apply(st.SetFilter(q)) }
	s.search.OnSubmitted = func(string) { // Enter opens the first match
		if shown := st.Shown(); len(shown) > 0 {
			mv.openChat(shown[0])
		}
	}
	s.list = newFocusList(
		func() int { return len(st.Shown()) },
		func() fyne.CanvasObject {
			r := widgets.NewContactRow(widgets.ContactSummary{})
			r.Times = mv.u.times
			r.OnAccept = mv.acceptRequest
			r.OnReject = mv.rejectRequest
			r.OnBlock = mv.blockContact
			return r
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			shown := st.Shown()
			if id >= len(shown) {
				return
			}
			row, _ := st.Row(shown[id])
			r := o.(*widgets.ContactRow)
			r.Set(summaryOf(row))
			r.SetFocused(s.list.hasFocus(id))
			s.list.SetItemHeight(id, r.MinSize().Height)
		},
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.setCurrent(id)
		shown := st.Shown()
		if s.syncing || id >= len(shown) {
			return
		}
		mv.openChat(shown[id])
	}
	s.archived = widget.NewCheck(i18n.T("sidebar.show_archived_and_blocked"), func(on bool) { mv.u.apply(st.SetShowHidden(on)) })
	s.archived.Hide()
	addBtn := widget.NewButton(i18n.T("common.add_a_contact"), mv.showAddContact)
	addBtn.Importance = widget.HighImportance
	inviteBtn := widget.NewButton(i18n.T("sidebar.show_my_invite"), mv.showHome)
	emptyText := para(i18n.T("sidebar.no_contacts_yet_show"))
	emptyText.Alignment = fyne.TextAlignCenter
	s.empty = container.NewVBox(layoutSpacer(), emptyText,
		container.NewCenter(container.NewHBox(inviteBtn, addBtn)), layoutSpacer())
	s.noMatch = muted("")
	s.noMatch.Alignment = fyne.TextAlignCenter
	s.body = container.NewStack()
	s.rebuild()
	return s
}

// summaryOf turns a row of the state into what a ContactRow shows.
func summaryOf(r state.Row) widgets.ContactSummary {
	return widgets.ContactSummary{
		Address:      string(r.ID),
		Name:         r.Title,
		Preview:      r.Preview,
		LastActivity: r.LastActivity,
		Presence:     presenceOf(r.Presence),
		Unread:       r.Unread,
		Request:      r.Request,
	}
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

// render redraws what c changed in the list.
func (s *sidebar) render(c state.Change) {
	switch {
	case c.List || c.Snapshot:
		s.rebuild()
	default:
		for _, id := range c.Rows {
			s.refreshItem(id)
		}
		if c.Selection {
			s.selectOpen()
		}
	}
}

// rebuild shows the list as the state has it.
func (s *sidebar) rebuild() {
	st := s.mv.u.state
	if n := st.Hidden(); n > 0 {
		s.archived.SetText(i18n.T("sidebar.show_archived_and_blocked_2", "Number", n))
		s.archived.Show()
	} else {
		s.archived.Hide()
	}
	var content fyne.CanvasObject
	switch {
	case st.Len() == 0:
		content = s.empty
	case len(st.Shown()) == 0 && strings.TrimSpace(st.Filter()) != "":
		s.noMatch.SetText(i18n.T("sidebar.no_contact_matches", "Text", s.search.Text))
		content = container.NewBorder(s.noMatch, nil, nil, nil)
	default:
		content = container.NewBorder(nil, s.archived, nil, nil, s.list)
	}
	if len(s.body.Objects) != 1 || s.body.Objects[0] != content {
		s.body.Objects = []fyne.CanvasObject{content}
		s.body.Refresh()
	}
	s.list.Refresh()
	s.selectOpen()
	s.mv.u.shown("list", len(st.Shown()))
}

// selectOpen highlights the open conversation (none: nothing) without
// opening it again.
func (s *sidebar) selectOpen() {
	s.syncing = true
	defer func() { s.syncing = false }()
	if o := s.mv.u.state.Open(); o != nil {
		for i, id := range s.mv.u.state.Shown() {
			if id == o.ID {
				s.list.Select(i)
				return
			}
		}
	}
	s.list.UnselectAll()
}

func (s *sidebar) refreshItem(id model.ConversationID) {
	for i, x := range s.mv.u.state.Shown() {
		if x == id {
			s.list.RefreshItem(i)
			return
		}
	}
}
