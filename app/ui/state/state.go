// Package state is what Nook's screens show, kept apart from the widgets
// that show it: the conversations of the unlocked profile (from the
// engine's Snapshot, then its changes), the open conversation with the
// window of its messages that is loaded, the members of an open group,
// the unread total, Tor's status, the search filter, each group
// server's catch-up and warnings, and the file transfers seen (with their
// speed, worked out from their progress, and thumbnails).
//
// A Model changes in two ways only: Apply takes an engine event, and a few
// methods take the result of a background load (a page of history, a
// group's members, a quoted message, a parsed group invite, a file
// transfer or a thumbnail). Each returns
// a Change that says precisely what changed, so that the screens redraw
// only that; Changes of a burst of events merge into one (Change.Merge),
// which the UI renders once. Results of loads for the open conversation
// (a page, members, a quote) carry the Open token of the opening they were
// started for, and are ignored when another conversation (or the same one
// again) was opened since; a group invite's name is kept whenever it
// comes.
//
// The package imports only the standard library and engine/model: it
// knows nothing of Fyne or of the engine's methods, and its tests run
// without a window.
package state

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// PageSize is how many messages a page of history holds.
const PageSize = 50

// Model is the state of the screens. Its zero value is not usable: use
// New. A Model is not safe for concurrent use: the UI keeps it on its own
// goroutine.
type Model struct {
	self     string
	unlocked bool
	tor      model.TorStatus

	convs map[model.ConversationID]model.Conversation
	// shown are the conversations the list shows, in its order; hidden
	// counts the archived and blocked ones (listed only on request or
	// while searching).
	shown  []model.ConversationID
	hidden int
	filter string
	// showHidden lists the archived and blocked conversations too.
	showHidden bool
	unread     int

	open  *Open
	token uint64 // the last Open token handed out
	// want is a conversation to open as soon as it is in the list (one
	// just added, whose ConversationChanged has not arrived yet).
	want model.ConversationID

	syncs    map[string]model.GroupSync
	rates    map[string]*syncRate // the pace of running catch-ups (catchup.go)
	warnings map[model.ConversationID][]model.GroupWarning
	// members are the names of each group's members, as last loaded.
	members map[model.ConversationID][]model.GroupMember
	// invites are the group names of the group invites seen (by their
	// text); an entry with ok false is an invite that did not parse.
	invites map[string]Invite
	parsed  map[string]bool // invites SetInvite was given
	// files are the file transfers seen (files.go); fileAsked those
	// being read; now the clock of their progress.
	files     map[model.ConversationID]map[model.MessageID]*File
	fileAsked map[fileKey]bool
	now       func() time.Time
}

// Open is the open conversation: its loaded window of messages (oldest
// first, ordered by Seq), whether older ones exist, and for a group its
// members.
type Open struct {
	ID model.ConversationID
	// Token identifies this opening: results of loads started for it
	// carry it.
	Token uint64
	// Loaded is set once the newest page arrived.
	Loaded   bool
	Messages []model.Message
	// HasMore says that older messages exist above the window.
	HasMore bool
	// LoadingOlder is set while a page of older messages is being read.
	LoadingOlder bool
	// Members of a group, once loaded (MembersLoaded).
	Members       []model.GroupMember
	MembersLoaded bool
	// TimerNote is the contact's last change of the disappearing timer
	// seen while the conversation was open (ByContact), or nil.
	TimerNote *model.DisappearChanged
	// Err is why the history could not be read, or nil.
	Err error

	pos    map[model.MessageID]int
	quoted map[model.MessageID]model.Message
	asked  map[model.MessageID]bool // quotes asked for
}

// New returns an empty, locked Model for the profile whose address is self
// (it may be set later with SetSelf).
func New() *Model {
	m := &Model{}
	m.reset()
	return m
}

func (m *Model) reset() {
	m.unlocked = false
	m.convs = map[model.ConversationID]model.Conversation{}
	m.shown, m.hidden, m.unread = nil, 0, 0
	m.open, m.want = nil, ""
	m.syncs = map[string]model.GroupSync{}
	m.rates = map[string]*syncRate{}
	m.warnings = map[model.ConversationID][]model.GroupWarning{}
	m.members = map[model.ConversationID][]model.GroupMember{}
	m.invites = map[string]Invite{}
	m.parsed = map[string]bool{}
	m.files = map[model.ConversationID]map[model.MessageID]*File{}
	m.fileAsked = map[fileKey]bool{}
}

// SetSelf sets the address of the unlocked profile (its own messages in a
// group are "You").
func (m *Model) SetSelf(addr string) { m.self = addr }

// Self is the address SetSelf set.
func (m *Model) Self() string { return m.self }

// Unlocked reports whether the last Snapshot was of an unlocked profile.
func (m *Model) Unlocked() bool { return m.unlocked }

// Tor is Tor's last status.
func (m *Model) Tor() model.TorStatus { return m.tor }

// Conversation returns a conversation of the list.
func (m *Model) Conversation(id model.ConversationID) (model.Conversation, bool) {
	c, ok := m.convs[id]
	return c, ok
}

// Len is how many conversations the profile has (shown or not).
func (m *Model) Len() int { return len(m.convs) }

// Shown returns the IDs of the conversations the list shows, in order:
// contact requests first, then the others by latest activity, then (when
// asked for, or while searching) the archived and blocked ones.
func (m *Model) Shown() []model.ConversationID { return m.shown }

// Hidden is how many conversations are archived or blocked.
func (m *Model) Hidden() int { return m.hidden }

// Filter is the search text.
func (m *Model) Filter() string { return m.filter }

// ShowHidden reports whether archived and blocked conversations are
// listed.
func (m *Model) ShowHidden() bool { return m.showHidden }

// Unread is the total of unread messages.
func (m *Model) Unread() int { return m.unread }

// Open returns the open conversation, or nil.
func (m *Model) Open() *Open { return m.open }

// Sync returns a group server's last catch-up report; ok is false when
// none arrived since unlock.
func (m *Model) Sync(server string) (model.GroupSync, bool) {
	s, ok := m.syncs[server]
	return s, ok
}

// CatchingUp reports whether a group's server is catching up, with a known
// size, and its last report.
func (m *Model) CatchingUp(c model.Conversation) (model.GroupSync, bool) {
	if c.Group == nil || c.Left {
		return model.GroupSync{}, false
	}
	s, ok := m.syncs[c.Group.Server]
	return s, ok && !s.CaughtUp && s.Total > 0
}

// Warnings returns the warnings of a group not yet dismissed.
func (m *Model) Warnings(id model.ConversationID) []model.GroupWarning { return m.warnings[id] }

// Members returns a group's members as last loaded.
func (m *Model) Members(id model.ConversationID) []model.GroupMember { return m.members[id] }

// hiddenConv reports whether a conversation is listed only on request.
func hiddenConv(c model.Conversation) bool {
	return c.Archived || (c.Contact != nil && c.Contact.State == model.ContactBlocked)
}

func isRequest(c model.Conversation) bool {
	return c.Contact != nil && c.Contact.State == model.ContactRequest
}

// matches reports whether a conversation matches the search text q (lower
// case, trimmed).
func matches(c model.Conversation, q string) bool {
	if q == "" {
		return true
	}
	if strings.Contains(strings.ToLower(c.Title), q) || strings.HasPrefix(string(c.ID), q) {
		return true
	}
	return c.Contact != nil && strings.Contains(strings.ToLower(c.Contact.DisplayName), q)
}

// rebuild recomputes the list, the hidden count and the unread total; it
// reports whether the list's order or membership changed.
func (m *Model) rebuild() bool {
	q := strings.ToLower(strings.TrimSpace(m.filter))
	shown := make([]model.ConversationID, 0, len(m.convs))
	m.hidden, m.unread = 0, 0
	for id, c := range m.convs {
		m.unread += c.Unread
		if hiddenConv(c) {
			m.hidden++
			if !m.showHidden && q == "" {
				continue
			}
		}
		if matches(c, q) {
			shown = append(shown, id)
		}
	}
	slices.SortFunc(shown, func(a, b model.ConversationID) int { return m.compare(m.convs[a], m.convs[b]) })
	changed := !slices.Equal(shown, m.shown)
	m.shown = shown
	return changed
}

// compare orders the list: requests, then the others, then the hidden
// ones; within each, the most recently active first.
func (m *Model) compare(a, b model.Conversation) int {
	rank := func(c model.Conversation) int {
		switch {
		case isRequest(c):
			return 0
		case hiddenConv(c):
			return 2
		}
		return 1
	}
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
		return c
	}
	return strings.Compare(string(a.ID), string(b.ID))
}

// SetFilter sets the search text.
func (m *Model) SetFilter(q string) Change {
	if q == m.filter {
		return Change{}
	}
	m.filter = q
	m.rebuild()
	return Change{List: true}
}

// SetShowHidden lists the archived and blocked conversations, or not.
func (m *Model) SetShowHidden(on bool) Change {
	if on == m.showHidden {
		return Change{}
	}
	m.showHidden = on
	m.rebuild()
	return Change{List: true}
}

// DismissWarnings forgets a group's warnings.
func (m *Model) DismissWarnings(id model.ConversationID) Change {
	if len(m.warnings[id]) == 0 {
		return Change{}
	}
	delete(m.warnings, id)
	c := Change{}
	if m.open != nil && m.open.ID == id {
		c.Header = true
	}
	return c
}

// OpenConversation makes id the open conversation, with nothing loaded
// yet: the UI loads its newest page (and for a group its members) and
// hands them to SetPage and SetMembers with the returned Open's Token.
// Opening the open conversation again changes nothing (Change.Opened is
// false). An ID that is not in the list yet opens once it is (a contact
// just added), unless another is opened or the open one closed before.
func (m *Model) OpenConversation(id model.ConversationID) Change {
	m.want = ""
	if m.open != nil && m.open.ID == id {
		return Change{}
	}
	if _, ok := m.convs[id]; !ok {
		m.want = id
		return Change{}
	}
	m.token++
	m.open = &Open{ID: id, Token: m.token, pos: map[model.MessageID]int{},
		quoted: map[model.MessageID]model.Message{}, asked: map[model.MessageID]bool{}}
	if ms, ok := m.members[id]; ok {
		m.open.Members, m.open.MembersLoaded = ms, true
	}
	return Change{Opened: true, Selection: true}
}

// CloseConversation closes the open conversation (the home page shows).
func (m *Model) CloseConversation() Change {
	m.want = ""
	if m.open == nil {
		return Change{}
	}
	m.open = nil
	return Change{Closed: true, Selection: true}
}

// current returns the open conversation if token is its token.
func (m *Model) current(token uint64) *Open {
	if m.open == nil || m.open.Token != token {
		return nil
	}
	return m.open
}

// SetPage applies a page of history read for the open conversation with
// token: the newest page (before 0) or the one before the oldest loaded
// message. A result for a conversation no longer open is ignored.
// Messages that arrived while the page was read are kept.
func (m *Model) SetPage(token uint64, before uint64, page []model.Message, err error) Change {
	o := m.current(token)
	if o == nil {
		return Change{}
	}
	if err != nil {
		o.LoadingOlder = false
		if before == 0 {
			o.Loaded, o.Err = true, err
			return Change{Reloaded: true}
		}
		o.HasMore = false
		return Change{}
	}
	more := len(page) >= PageSize && page[0].Seq > 1
	if before == 0 {
		o.Loaded, o.Err = true, nil
		o.HasMore = more
		o.Messages = merge(page, o.Messages)
		o.reindex()
		return Change{Reloaded: true, Quotes: o.missingQuotes(o.Messages)}
	}
	o.LoadingOlder = false
	if len(page) == 0 {
		o.HasMore = false
		return Change{}
	}
	o.HasMore = more
	n := len(o.Messages)
	o.Messages = merge(page, o.Messages)
	o.reindex()
	return Change{Prepended: len(o.Messages) - n, Quotes: o.missingQuotes(page)}
}

// merge returns the messages of a and b ordered by Seq, each once.
func merge(a, b []model.Message) []model.Message {
	out := make([]model.Message, 0, len(a)+len(b))
	seen := make(map[model.MessageID]bool, len(a)+len(b))
	for _, ms := range [][]model.Message{a, b} {
		for _, msg := range ms {
			if !seen[msg.ID] {
				seen[msg.ID] = true
				out = append(out, msg)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y model.Message) int { return cmp.Compare(x.Seq, y.Seq) })
	return out
}

func (o *Open) reindex() {
	clear(o.pos)
	for i, msg := range o.Messages {
		o.pos[msg.ID] = i
	}
}

// OlderFrom asks for the page before the oldest loaded message: it returns
// the Seq to read before and true, and marks the page as loading, when
// there is one to read and none is being read.
func (m *Model) OlderFrom() (before uint64, ok bool) {
	o := m.open
	if o == nil || !o.Loaded || !o.HasMore || o.LoadingOlder || len(o.Messages) == 0 {
		return 0, false
	}
	o.LoadingOlder = true
	return o.Messages[0].Seq, true
}

// Index returns the position of a message in the open conversation's
// window.
func (o *Open) Index(id model.MessageID) (int, bool) {
	i, ok := o.pos[id]
	return i, ok
}

// Lookup finds a message of the open conversation: in the window, or
// among the quoted messages loaded.
func (o *Open) Lookup(id model.MessageID) (model.Message, bool) {
	if i, ok := o.pos[id]; ok {
		return o.Messages[i], true
	}
	q, ok := o.quoted[id]
	return q, ok
}

// missingQuotes returns the messages quoted by ms that are neither loaded
// nor asked for yet, and marks them asked for.
func (o *Open) missingQuotes(ms []model.Message) []model.MessageID {
	var out []model.MessageID
	for _, msg := range ms {
		q := msg.ReplyTo
		if q.IsZero() || o.asked[q] {
			continue
		}
		if _, ok := o.Lookup(q); ok {
			continue
		}
		o.asked[q] = true
		out = append(out, q)
	}
	return out
}

// SetQuoted applies a quoted message read for the open conversation with
// token (found false: it is gone). The messages quoting it are updated.
func (m *Model) SetQuoted(token uint64, id model.MessageID, msg model.Message, found bool) Change {
	o := m.current(token)
	if o == nil || !found {
		return Change{}
	}
	o.quoted[id] = msg
	c := Change{}
	for _, x := range o.Messages {
		if x.ReplyTo == id {
			c.Updated = append(c.Updated, x.ID)
		}
	}
	return c
}

// SetMembers applies the members read for a group that was open with
// token; they are kept for the group's names (also after it is closed).
func (m *Model) SetMembers(token uint64, ms []model.GroupMember, err error) Change {
	o := m.current(token)
	if o == nil || err != nil {
		return Change{}
	}
	o.Members, o.MembersLoaded = ms, true
	m.members[o.ID] = ms
	// Names in bubbles and in the list's preview may change.
	return Change{Members: true, Rows: []model.ConversationID{o.ID}, Refresh: true}
}

// Invite is what a group invite received in a conversation names.
type Invite struct {
	// OK is false for text that is not a valid group invite.
	OK bool
	// Name is the group's name, Server its server's onion address.
	Name   string
	Server string
}

// Invite returns what a group invite's text names; known is false until
// SetInvite was given it (Change.Invites asks for it).
func (m *Model) Invite(text string) (in Invite, known bool) {
	return m.invites[text], m.parsed[text]
}

// SetInvite records what a group invite's text names.
func (m *Model) SetInvite(text string, in Invite) Change {
	if old, known := m.invites[text]; known && old == in && m.parsed[text] {
		return Change{}
	}
	m.invites[text] = in
	m.parsed[text] = true
	c := Change{Refresh: true}
	for id, cv := range m.convs {
		if cv.Last.Kind == model.KindGroupInvite && cv.Last.Body == text {
			c.Rows = append(c.Rows, id)
		}
	}
	return c
}

// IsMember reports whether the profile is in the group of an invite (by
// name and server, which is what the person sees); a group it left is not
// one it is in.
func (m *Model) IsMember(in Invite) bool {
	if !in.OK {
		return false
	}
	for _, cv := range m.convs {
		if cv.Group != nil && !cv.Left && cv.Group.Name == in.Name && cv.Group.Server == in.Server {
			return true
		}
	}
	return false
}

// invitesOf returns the group invites among ms not yet known or asked for.
func (m *Model) invitesOf(ms ...model.Message) []string {
	var out []string
	for _, msg := range ms {
		if msg.Kind != model.KindGroupInvite {
			continue
		}
		if _, known := m.invites[msg.Body]; known {
			continue
		}
		m.invites[msg.Body] = Invite{} // asked: not again
		out = append(out, msg.Body)
	}
	return out
}

// NowRead reports whether the open conversation has unread messages (the
// UI marks it read when the window has the focus).
func (m *Model) NowRead() (model.ConversationID, bool) {
	if m.open == nil {
		return "", false
	}
	c, ok := m.convs[m.open.ID]
	return m.open.ID, ok && c.Unread > 0
}

// AuthorName is the name shown for the author of a message of conv: the
// person themselves as "You" in the language in use (state.you), the
// contact's name, the name the member carries in the group (marked
// when it collides with a name the person knows or reads as the person's
// own label: Marked), or the first characters of their address.
func (m *Model) AuthorName(conv model.ConversationID, addr string) string {
	if addr == m.self && addr != "" {
		return T("state.you")
	}
	if c, ok := m.convs[model.ConversationID(addr)]; ok && c.Kind == model.KindContact {
		return c.Title
	}
	named := func(mb model.GroupMember) (string, bool) {
		if mb.Address != addr {
			return "", false
		}
		if mb.Self {
			return T("state.you"), true
		}
		if c, ok := m.convs[model.ConversationID(mb.Contact)]; ok && mb.Contact != "" && c.Kind == model.KindContact {
			return c.Title, true
		}
		if mb.Name == "" {
			return "", false
		}
		if Marked(mb) {
			return NotContactMark(mb.Name), true
		}
		return mb.Name, true
	}
	for _, mb := range m.members[conv] {
		if name, ok := named(mb); ok {
			return name
		}
	}
	// The author of the conversation's latest message comes with it, for
	// the list's preview of a group whose members were never asked for.
	if name, ok := named(m.convs[conv].LastAuthor); ok {
		return name
	}
	if len(addr) > 8 {
		return addr[:8]
	}
	return addr
}

// NotContactMark returns the name of a group member who is not a contact
// but carries the name of someone the person knows (a contact, themselves,
// another member, or the label the app gives the person: Marked) with the
// mark that says so, in the language in use ("Bob (not your contact)"),
// so that a stranger cannot pass as them.
func NotContactMark(name string) string {
	return T("state.name_not_your_contact", "Name", name)
}

// Marked reports whether a group member who is not a contact (nor the
// person) is shown with NotContactMark: the engine found their name taken
// (NameCollides), or it reads as the label the app gives the person
// themselves as author, "You" in the language in use (state.you) or in
// English, compared ignoring case and runs of spaces. A member could
// otherwise name themself "You" (or "Du", "Vous", "你") and be shown
// exactly as the person's own messages are.
func Marked(mb model.GroupMember) bool {
	if mb.Self || mb.IsContact {
		return false
	}
	if mb.NameCollides {
		return true
	}
	name := foldLabel(mb.Name)
	return name != "" && (name == foldLabel(T("state.you")) || name == foldLabel("You"))
}

// foldLabel folds a name for Marked: case folded, spaces trimmed and
// each run of them one.
func foldLabel(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// knownAuthor reports whether addr has a name in conv (self, a contact, a
// member with a name).
func (m *Model) knownAuthor(conv model.ConversationID, addr string) bool {
	return m.AuthorName(conv, addr) != addr[:min(8, len(addr))]
}

// removeConv forgets a conversation; it reports whether the open one was
// closed.
func (m *Model) removeConv(id model.ConversationID) bool {
	delete(m.convs, id)
	delete(m.warnings, id)
	delete(m.members, id)
	if m.open != nil && m.open.ID == id {
		m.open = nil
		return true
	}
	return false
}
