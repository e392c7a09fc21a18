package state

import (
	"reflect"
	"slices"

	"github.com/nookchat/nook/engine/model"
)

// Change says what a step of the Model changed, for the screens to redraw
// exactly that. The zero Change is "nothing".
type Change struct {
	// Snapshot: a Snapshot replaced the whole state. Locked: it was of a
	// locked profile after an unlocked one.
	Snapshot bool
	Locked   bool
	// List: the list's order or membership changed (rebuild it). Rows:
	// conversations whose row changed in place.
	List bool
	Rows []model.ConversationID
	// Selection: the highlighted conversation changed.
	Selection bool
	// Opened, Closed: a conversation was opened, or the open one closed
	// (also when it was removed).
	Opened bool
	Closed bool
	// Header: the open conversation's own state changed (title, contact,
	// presence, timer, archived, warnings, catch-up).
	Header bool
	// Reloaded: the open conversation's window was replaced (its newest
	// page arrived, or could not be read). Prepended: that many older
	// messages were put in front. Reordered: messages moved (one arrived
	// out of order): redraw the window keeping the scroll position.
	Reloaded  bool
	Prepended int
	Reordered bool
	// Appended, Updated and Removed name messages of the open
	// conversation added at the end, changed, or taken out.
	Appended []model.MessageID
	Updated  []model.MessageID
	Removed  []model.MessageID
	// Refresh: names or quotes shown in the open conversation may have
	// changed: redraw its visible messages.
	Refresh bool
	// Members: the open group's members were loaded. MembersStale: they
	// changed (read them again).
	Members      bool
	MembersStale bool
	// MarkRead: the open conversation has unread messages.
	MarkRead bool
	// Tray: the unread total changed. Tor: Tor's status changed.
	Tray bool
	Tor  bool
	// Notify: things to tell the person about (the UI decides whether to,
	// by focus and settings).
	Notify []Notification
	// Quotes: messages quoted in the open conversation to read (SetQuoted).
	// Invites: group invite texts to read the group name of (SetInvite).
	Quotes  []model.MessageID
	Invites []string
	// Files: conversations whose file transfers changed (their Files
	// list).
	Files []model.ConversationID
}

// NotificationKind says what a Notification is about.
type NotificationKind uint8

// Notification kinds.
const (
	NotifyMessage NotificationKind = iota + 1
	NotifyRequest
)

// Notification is something that arrived: a message or a contact request.
type Notification struct {
	Kind         NotificationKind
	Conversation model.ConversationID
	// Title is who it is from; Text what it says (a message's first line).
	Title string
	Text  string
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return !c.Snapshot && !c.Locked && !c.List && len(c.Rows) == 0 && !c.Selection && !c.Opened && !c.Closed &&
		!c.Header && !c.Reloaded && c.Prepended == 0 && !c.Reordered && len(c.Appended) == 0 &&
		len(c.Updated) == 0 && len(c.Removed) == 0 && !c.Refresh && !c.Members && !c.MembersStale &&
		!c.MarkRead && !c.Tray && !c.Tor && len(c.Notify) == 0 && len(c.Quotes) == 0 && len(c.Invites) == 0 &&
		len(c.Files) == 0
}

// Merge adds what o changed to c: the Change of a burst of steps, rendered
// once.
func (c *Change) Merge(o Change) {
	c.Snapshot = c.Snapshot || o.Snapshot
	c.Locked = c.Locked || o.Locked
	c.List = c.List || o.List
	c.Rows = addIDs(c.Rows, o.Rows)
	c.Selection = c.Selection || o.Selection
	c.Opened = c.Opened || o.Opened
	c.Closed = c.Closed || o.Closed
	c.Header = c.Header || o.Header
	c.Reloaded = c.Reloaded || o.Reloaded
	c.Prepended += o.Prepended
	c.Reordered = c.Reordered || o.Reordered
	c.Appended = addIDs(c.Appended, o.Appended)
	c.Updated = addIDs(c.Updated, o.Updated)
	c.Removed = addIDs(c.Removed, o.Removed)
	c.Refresh = c.Refresh || o.Refresh
	c.Members = c.Members || o.Members
	c.MembersStale = c.MembersStale || o.MembersStale
	c.MarkRead = c.MarkRead || o.MarkRead
	c.Tray = c.Tray || o.Tray
	c.Tor = c.Tor || o.Tor
	c.Notify = append(c.Notify, o.Notify...)
	c.Quotes = addIDs(c.Quotes, o.Quotes)
	c.Invites = addIDs(c.Invites, o.Invites)
	c.Files = addIDs(c.Files, o.Files)
}

// addIDs appends the elements of b not in a.
func addIDs[T comparable](a, b []T) []T {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// Apply applies one engine event and returns what changed. Events may
// repeat what the Model already shows (a Snapshot is followed by changes
// it already holds; a message may be reported twice): applying them again
// changes nothing. Events of a profile that was locked meanwhile are
// ignored.
func (m *Model) Apply(ev model.Event) Change {
	switch ev := ev.(type) {
	case model.Snapshot:
		return m.snapshot(ev)
	case model.TorStatus:
		if reflect.DeepEqual(ev, m.tor) {
			return Change{}
		}
		m.tor = ev
		return Change{Tor: true}
	}
	if !m.unlocked {
		return Change{}
	}
	switch ev := ev.(type) {
	case model.ConversationChanged:
		return m.changed(ev.Conversation)
	case model.ConversationRemoved:
		return m.removed(ev.ID)
	case model.MessageAdded:
		return m.added(ev.Message)
	case model.MessageStatusChanged:
		return m.status(ev)
	case model.MessageChanged:
		return m.messageChanged(ev.Message)
	case model.MessagesExpired:
		return m.expired(ev)
	case model.MessagesDeleted:
		// Deleted on request: they go from view as expired ones do.
		return m.expired(model.MessagesExpired{Conversation: ev.Conversation, IDs: ev.IDs})
	case model.GroupSync:
		return m.groupSync(ev)
	case model.GroupWarning:
		return m.groupWarning(ev)
	case model.GroupMemberLeft:
		if m.open != nil && m.open.ID == ev.Conversation {
			return Change{MembersStale: true}
		}
	case model.GroupRekeyed:
		// Roles and members changed; the note follows as a message.
		if m.open != nil && m.open.ID == ev.Conversation {
			return Change{MembersStale: true, Header: true}
		}
	case model.GroupMemberKnown:
		if m.open != nil && m.open.ID == ev.Conversation {
			return Change{MembersStale: true}
		}
	case model.GroupLeft:
		delete(m.warnings, ev.Conversation)
		if m.open != nil && m.open.ID == ev.Conversation {
			return Change{Header: true}
		}
	case model.FileChanged:
		return m.fileChanged(ev.File)
	case model.DisappearChanged:
		if ev.ByContact && m.open != nil && m.open.ID == model.ConversationID(ev.Address) {
			m.open.TimerNote = &ev
			return Change{Header: true}
		}
	}
	// ContactChanged, ContactRemoved, PresenceChanged and UnreadChanged
	// are followed by the ConversationChanged that carries them;
	// PeerProblem is for the log.
	return Change{}
}

func (m *Model) snapshot(s model.Snapshot) Change {
	c := Change{Snapshot: true, Tor: !reflect.DeepEqual(s.Tor, m.tor)}
	m.tor = s.Tor
	if !s.Unlocked {
		if m.unlocked {
			c.Locked, c.List, c.Tray = true, true, true
			c.Closed = m.open != nil
		}
		m.reset()
		return c
	}
	m.unlocked = true
	m.convs = make(map[model.ConversationID]model.Conversation, len(s.Conversations))
	var last []model.Message
	for _, cv := range s.Conversations {
		m.convs[cv.ID] = cv
		last = append(last, cv.Last)
	}
	for id := range m.warnings {
		if _, ok := m.convs[id]; !ok {
			delete(m.warnings, id)
		}
	}
	m.rebuild()
	c.List, c.Tray = true, true
	c.Invites = m.invitesOf(last...)
	if m.open != nil {
		if cv, ok := m.convs[m.open.ID]; ok {
			c.Header = true
			c.MarkRead = cv.Unread > 0
		} else {
			m.open = nil
			c.Closed, c.Selection = true, true
		}
	}
	if _, ok := m.convs[m.want]; ok && m.want != "" {
		c.Merge(m.OpenConversation(m.want))
	}
	return c
}

func (m *Model) changed(cv model.Conversation) Change {
	old, existed := m.convs[cv.ID]
	m.convs[cv.ID] = cv
	c := Change{List: m.rebuild() || !existed, Rows: []model.ConversationID{cv.ID}}
	c.Tray = !existed || old.Unread != cv.Unread
	if isRequest(cv) && (!existed || !isRequest(old)) {
		c.Notify = []Notification{{Kind: NotifyRequest, Conversation: cv.ID, Title: cv.Title,
			Text: T("state.wants_to_add_you")}}
	}
	if m.open != nil && m.open.ID == cv.ID {
		c.Header = true
		c.MarkRead = cv.Unread > 0
		c.Refresh = existed && old.Title != cv.Title // replies name them
	}
	c.Invites = m.invitesOf(cv.Last)
	if m.want == cv.ID {
		c.Merge(m.OpenConversation(cv.ID))
	}
	return c
}

func (m *Model) removed(id model.ConversationID) Change {
	old, existed := m.convs[id]
	if !existed {
		return Change{}
	}
	closed := m.removeConv(id)
	delete(m.files, id)
	m.rebuild()
	return Change{List: true, Tray: old.Unread > 0, Closed: closed, Selection: closed}
}

func (m *Model) added(msg model.Message) Change {
	c := Change{Invites: m.invitesOf(msg)}
	o := m.open
	if o != nil && o.ID == msg.Conversation {
		if _, dup := o.pos[msg.ID]; dup {
			return c
		}
		n := len(o.Messages)
		if n == 0 || o.Messages[n-1].Seq < msg.Seq {
			o.Messages = append(o.Messages, msg)
			o.pos[msg.ID] = n
			c.Appended = []model.MessageID{msg.ID}
		} else {
			o.Messages = merge(o.Messages, []model.Message{msg})
			o.reindex()
			c.Reordered = true
		}
		c.Quotes = o.missingQuotes([]model.Message{msg})
		if cv := m.convs[o.ID]; cv.Kind == model.KindGroup && !msg.Outgoing && !m.knownAuthor(o.ID, msg.Author) {
			c.MembersStale = true
		}
		// A message may quote one of the window that was not loaded yet.
		for _, x := range o.Messages {
			if x.ReplyTo == msg.ID {
				c.Updated = append(c.Updated, x.ID)
			}
		}
	}
	if msg.CountsUnread() { // a note (someone joined or left) does not notify
		title := T("state.new_message")
		if cv, ok := m.convs[msg.Conversation]; ok {
			title = cv.Title
		}
		c.Notify = []Notification{{Kind: NotifyMessage, Conversation: msg.Conversation, Title: title,
			Text: m.messageText(msg)}}
	}
	return c
}

// rank orders statuses of an outgoing message: a status never goes back
// (a late Sent after Delivered changes nothing). Failed is below
// Delivered: an acknowledgement that arrives after giving up still counts.
func rank(s model.MessageStatus) int {
	switch s {
	case model.StatusQueued:
		return 1
	case model.StatusSent:
		return 2
	case model.StatusFailed:
		return 3
	case model.StatusDelivered:
		return 4
	}
	return 0
}

func (m *Model) status(ev model.MessageStatusChanged) Change {
	o := m.open
	if o == nil || o.ID != ev.Conversation {
		return Change{}
	}
	i, ok := o.pos[ev.ID]
	if !ok || rank(ev.Status) <= rank(o.Messages[i].Status) {
		return Change{}
	}
	o.Messages[i].Status, o.Messages[i].FailReason = ev.Status, ev.Reason
	return Change{Updated: []model.MessageID{ev.ID}}
}

func (m *Model) expired(ev model.MessagesExpired) Change {
	o := m.open
	if o == nil || o.ID != ev.Conversation {
		return Change{}
	}
	c := Change{}
	gone := map[model.MessageID]bool{}
	for _, id := range ev.IDs {
		if _, ok := o.pos[id]; ok {
			gone[id] = true
			c.Removed = append(c.Removed, id)
		}
		if _, ok := o.quoted[id]; ok {
			delete(o.quoted, id)
			c.Refresh = true
		}
	}
	if len(gone) > 0 {
		o.Messages = slices.DeleteFunc(o.Messages, func(x model.Message) bool { return gone[x.ID] })
		o.reindex()
		for _, x := range o.Messages {
			if gone[x.ReplyTo] {
				c.Refresh = true // its quote is not available any more
			}
		}
	}
	return c
}

func (m *Model) groupSync(ev model.GroupSync) Change {
	old, ok := m.syncs[ev.Server]
	if ok && old == ev {
		return Change{}
	}
	m.trackSync(ev, old, ok)
	m.syncs[ev.Server] = ev
	c := Change{}
	for _, id := range m.shown {
		if cv := m.convs[id]; cv.Group != nil && !cv.Left && cv.Group.Server == ev.Server {
			c.Rows = append(c.Rows, id)
		}
	}
	if m.open != nil {
		if cv := m.convs[m.open.ID]; cv.Group != nil && cv.Group.Server == ev.Server {
			c.Header = true
		}
	}
	return c
}

// concerns reports whether a warning is about a group: it names the group,
// or the whole stream of the group's server.
func concerns(ev model.GroupWarning, cv model.Conversation) bool {
	if cv.Group == nil || cv.Left {
		return false
	}
	if ev.Conversation != "" {
		return ev.Conversation == cv.ID
	}
	return ev.Server == cv.Group.Server
}

func (m *Model) groupWarning(ev model.GroupWarning) Change {
	c := Change{}
	for id, cv := range m.convs {
		if !concerns(ev, cv) || slices.ContainsFunc(m.warnings[id], func(w model.GroupWarning) bool { return reflect.DeepEqual(w, ev) }) {
			continue
		}
		m.warnings[id] = append(m.warnings[id], ev)
		if m.open != nil && m.open.ID == id {
			c.Header = true
		}
	}
	return c
}
