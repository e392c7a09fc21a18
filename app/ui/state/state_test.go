package state

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
)

// Addresses of the tests: onion addresses are 56 characters.
var (
	self  = strings.Repeat("s", 56)
	alice = strings.Repeat("a", 56)
	bob   = strings.Repeat("b", 56)
	carol = strings.Repeat("c", 56)
	dave  = strings.Repeat("d", 56) // a group member who is not a contact
)

const (
	group  = model.ConversationID("g:0011")
	group2 = model.ConversationID("g:0022")
	server = "server1"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func contact(addr, name string, st model.ContactState, active int) model.Conversation {
	c := model.Contact{Address: addr, Nickname: name, State: st}
	return model.Conversation{ID: model.ConversationID(addr), Kind: model.KindContact, Title: name,
		Contact: &c, LastActivity: at(active)}
}

func groupConv(id model.ConversationID, name string, active int) model.Conversation {
	return model.Conversation{ID: id, Kind: model.KindGroup, Title: name, LastActivity: at(active),
		Group: &model.Group{ID: string(id[2:]), Name: name, Server: server}}
}

// msgID makes a recognisable message ID.
func msgID(n int) model.MessageID {
	var id model.MessageID
	id[0], id[1] = byte(n>>8), byte(n)
	id[15] = 1
	return id
}

func msg(conv model.ConversationID, seq int, author, body string) model.Message {
	return model.Message{ID: msgID(int(seq) + 1000*len(conv)%7), Conversation: conv, Seq: uint64(seq), Author: author,
		Outgoing: author == self, Body: body, Status: model.StatusReceived, Received: at(seq)}
}

// page returns messages seq from..to of conv, from alice.
func page(conv model.ConversationID, from, to int) []model.Message {
	var out []model.Message
	for s := from; s <= to; s++ {
		out = append(out, msg(conv, s, alice, fmt.Sprintf("message %d", s)))
	}
	return out
}

// unlocked returns a Model after a Snapshot of cs.
func unlocked(t *testing.T, cs ...model.Conversation) *Model {
	t.Helper()
	m := New()
	m.SetSelf(self)
	c := m.Apply(model.Snapshot{Unlocked: true, Conversations: cs, Tor: model.TorStatus{State: model.TorReady}})
	if !c.Snapshot || !c.List || !c.Tray || !c.Tor {
		t.Fatalf("snapshot change: %+v", c)
	}
	return m
}

func ids(cs ...model.ConversationID) []model.ConversationID { return cs }

func TestSnapshotOrdersTheList(t *testing.T) {
	archived := contact(carol, "Carol", model.ContactAccepted, 50)
	archived.Archived = true
	blocked := contact(dave, "Dave", model.ContactBlocked, 60)
	m := unlocked(t,
		contact(alice, "Alice", model.ContactAccepted, 10),
		groupConv(group, "Book club", 30),
		contact(bob, "Bob", model.ContactRequest, 1),
		archived, blocked,
	)
	if got, want := m.Shown(), ids(model.ConversationID(bob), group, model.ConversationID(alice)); !slices.Equal(got, want) {
		t.Fatalf("list %v, want %v (request first, then by activity; archived and blocked apart)", got, want)
	}
	if m.Hidden() != 2 || m.Len() != 5 {
		t.Fatalf("hidden %d, len %d", m.Hidden(), m.Len())
	}
	if c := m.SetShowHidden(true); !c.List {
		t.Fatal("showing the hidden ones did not change the list")
	}
	want := ids(model.ConversationID(bob), group, model.ConversationID(alice), model.ConversationID(dave), model.ConversationID(carol))
	if got := m.Shown(); !slices.Equal(got, want) {
		t.Fatalf("with hidden: %v, want %v", got, want)
	}
	m.SetShowHidden(false)
	// Searching finds the hidden ones too, by name or address.
	if c := m.SetFilter(" car"); !c.List || !slices.Equal(m.Shown(), ids(model.ConversationID(carol))) {
		t.Fatalf("search 'car': %v", m.Shown())
	}
	if m.SetFilter(" car").List {
		t.Fatal("the same filter again changed the list")
	}
	m.SetFilter("bbbb")
	if !slices.Equal(m.Shown(), ids(model.ConversationID(bob))) {
		t.Fatalf("search by address: %v", m.Shown())
	}
	m.SetFilter("nobody")
	if len(m.Shown()) != 0 {
		t.Fatalf("search 'nobody': %v", m.Shown())
	}
}

func TestRows(t *testing.T) {
	pending := contact(alice, "Alice", model.ContactPending, 1)
	withMsg := contact(bob, "Bob", model.ContactAccepted, 2)
	withMsg.Last = msg(model.ConversationID(bob), 3, self, "Hi Bob\nsecond line")
	withMsg.Unread, withMsg.Presence = 2, model.Online
	blocked := contact(carol, "Carol", model.ContactBlocked, 3)
	blocked.Presence = model.Online
	g := groupConv(group, "Club", 4)
	g.Last = msg(group, 9, dave, "hello all")
	left := groupConv(group2, "Old club", 5)
	left.Left, left.Group.Left = true, true
	m := unlocked(t, pending, withMsg, blocked, g, left)
	for _, tc := range []struct {
		id       model.ConversationID
		preview  string
		presence model.Presence
	}{
		{model.ConversationID(alice), "Not delivered yet", model.Offline},
		{model.ConversationID(bob), "You: Hi Bob", model.Online},
		{model.ConversationID(carol), "Blocked", model.Offline},
		{group, "dddddddd: hello all", model.Connecting},
		{group2, LeftNote(), model.Offline},
	} {
		r, ok := m.Row(tc.id)
		if !ok || r.Preview != tc.preview || r.Presence != tc.presence {
			t.Errorf("row %s: %+v, want preview %q presence %v", tc.id[:4], r, tc.preview, tc.presence)
		}
	}
	if r, _ := m.Row(model.ConversationID(bob)); r.Unread != 2 || m.Unread() != 2 {
		t.Fatalf("unread: row %d, total %d", r.Unread, m.Unread())
	}
	// The group's server catches up, then is caught up.
	c := m.Apply(model.GroupSync{Server: server, Done: 3, Total: 10})
	if !slices.Equal(c.Rows, ids(group)) {
		t.Fatalf("sync changed rows %v", c.Rows)
	}
	if r, _ := m.Row(group); r.Preview != "Catching up: 3 of 10…" {
		t.Fatalf("catching up: %q", r.Preview)
	}
	if !m.Apply(model.GroupSync{Server: server, Done: 3, Total: 10}).Empty() {
		t.Fatal("the same sync report again changed something")
	}
	m.Apply(model.GroupSync{Server: server, Done: 10, Total: 10, CaughtUp: true})
	if r, _ := m.Row(group); r.Presence != model.Online || r.Preview != "dddddddd: hello all" {
		t.Fatalf("caught up: %+v", r)
	}
	// Once the members are known, the preview names the author.
	m.OpenConversation(group)
	c = m.SetMembers(m.Open().Token, []model.GroupMember{{Address: dave, Name: "Dee", NameCollides: true}}, nil)
	if !c.Members {
		t.Fatalf("members change %+v", c)
	}
	if r, _ := m.Row(group); r.Preview != "Dee (not your contact): hello all" {
		t.Fatalf("with members: %q", r.Preview)
	}
}

// TestRowsLastAuthor: a group's preview names the author of its latest
// message from the conversation itself (LastAuthor, which the engine
// fills), before the group was ever opened and its members asked for:
// by the name they carry, marked when it collides, a newer author with a
// newer message; the address's first characters only when no name came.
func TestRowsLastAuthor(t *testing.T) {
	g := groupConv(group, "Club", 4)
	g.Last = msg(group, 9, dave, "hello all")
	g.LastAuthor = model.GroupMember{Address: dave, Name: "Dee"}
	m := unlocked(t, g)
	preview := func() string {
		t.Helper()
		r, ok := m.Row(group)
		if !ok {
			t.Fatal("no row")
		}
		return r.Preview
	}
	if got := preview(); got != "Dee: hello all" {
		t.Fatalf("from the snapshot: %q", got)
	}
	const erin = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
	g.Last = msg(group, 10, erin, "me too")
	g.LastAuthor = model.GroupMember{Address: erin, Name: "Alice", NameCollides: true}
	if c := m.Apply(model.ConversationChanged{Conversation: g}); !slices.Contains(c.Rows, group) && !c.List {
		t.Fatalf("change %+v", c)
	}
	if got := preview(); got != NotContactMark("Alice")+": me too" {
		t.Fatalf("a colliding author: %q", got)
	}
	g.Last, g.LastAuthor = msg(group, 11, erin, "no name"), model.GroupMember{}
	m.Apply(model.ConversationChanged{Conversation: g})
	if got := preview(); got != "eeeeeeee: no name" {
		t.Fatalf("no name came: %q", got)
	}
	if got := m.AuthorName(group, dave); got != "dddddddd" {
		t.Fatalf("the author of an older message: %q", got)
	}
}

func TestConversationChanged(t *testing.T) {
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10), contact(bob, "Bob", model.ContactAccepted, 5))
	a := model.ConversationID(alice)

	// Presence only: the row changes in place, the list's order does not.
	cv, _ := m.Conversation(a)
	cv.Presence = model.Online
	c := m.Apply(model.ConversationChanged{Conversation: cv})
	if c.List || !slices.Equal(c.Rows, ids(a)) || c.Tray || len(c.Notify) > 0 {
		t.Fatalf("presence change: %+v", c)
	}
	// Applying the same state again changes nothing visible.
	if c := m.Apply(model.ConversationChanged{Conversation: cv}); c.List || c.Tray {
		t.Fatalf("the same change again: %+v", c)
	}
	// Bob writes: his conversation moves up, the unread total changes.
	bc, _ := m.Conversation(model.ConversationID(bob))
	bc.LastActivity, bc.Unread, bc.Last = at(20), 1, msg(model.ConversationID(bob), 1, bob, "hey")
	c = m.Apply(model.ConversationChanged{Conversation: bc})
	if !c.List || !c.Tray || m.Unread() != 1 || m.Shown()[0] != model.ConversationID(bob) {
		t.Fatalf("new activity: %+v, list %v", c, m.Shown())
	}
	// A new request: listed first, and told.
	req := contact(carol, "Carol", model.ContactRequest, 1)
	c = m.Apply(model.ConversationChanged{Conversation: req})
	if !c.List || len(c.Notify) != 1 || c.Notify[0].Kind != NotifyRequest || c.Notify[0].Title != "Carol" {
		t.Fatalf("request: %+v", c)
	}
	if m.Shown()[0] != model.ConversationID(carol) {
		t.Fatalf("the request is not first: %v", m.Shown())
	}
	// The same request again (a name change) is not told again.
	req.Title = "Caroline"
	if c := m.Apply(model.ConversationChanged{Conversation: req}); len(c.Notify) != 0 {
		t.Fatalf("a request was told twice: %+v", c.Notify)
	}
	// Archived: hidden.
	cv.Archived = true
	if c := m.Apply(model.ConversationChanged{Conversation: cv}); !c.List || slices.Contains(m.Shown(), a) || m.Hidden() != 1 {
		t.Fatalf("archived: %+v, list %v", c, m.Shown())
	}
}

func TestOpenConversation(t *testing.T) {
	a := model.ConversationID(alice)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10))
	if !m.OpenConversation("nope").Empty() || m.Open() != nil {
		t.Fatal("a conversation not in the list opened")
	}
	// It opens once it is in the list (a contact just added).
	if c := m.Apply(model.ConversationChanged{Conversation: contact(carol, "Carol", model.ContactPending, 1)}); c.Opened {
		t.Fatal("another conversation opened")
	}
	m.OpenConversation("nope")
	c := m.Apply(model.ConversationChanged{Conversation: contact(dave, "Dave", model.ContactPending, 1)})
	if c.Opened {
		t.Fatal("a conversation opened that was not asked for")
	}
	m.OpenConversation(model.ConversationID(carol))
	m.CloseConversation()
	m.OpenConversation(model.ConversationID(bob))
	c = m.Apply(model.ConversationChanged{Conversation: contact(bob, "Bob", model.ContactPending, 1)})
	if !c.Opened || m.Open() == nil || m.Open().ID != model.ConversationID(bob) {
		t.Fatalf("the added conversation did not open: %+v", c)
	}
	m.CloseConversation()
	c = m.OpenConversation(a)
	o := m.Open()
	if !c.Opened || !c.Selection || o == nil || o.ID != a || o.Loaded {
		t.Fatalf("open: %+v %+v", c, o)
	}
	if !m.OpenConversation(a).Empty() {
		t.Fatal("opening the open conversation again changed something")
	}
	tok := o.Token
	// A message arrives before the newest page: it is kept when the page
	// (read before it was stored) comes.
	m.Apply(model.MessageAdded{Message: msg(a, 2*PageSize+1, alice, "late")})
	c = m.SetPage(tok, 0, page(a, PageSize+1, 2*PageSize), nil)
	if !c.Reloaded || !o.Loaded || !o.HasMore || len(o.Messages) != PageSize+1 || o.Messages[PageSize].Body != "late" {
		t.Fatalf("newest page: %+v, %d messages, more %v", c, len(o.Messages), o.HasMore)
	}
	// Older pages.
	before, ok := m.OlderFrom()
	if !ok || before != PageSize+1 {
		t.Fatalf("older from %d %v", before, ok)
	}
	if _, again := m.OlderFrom(); again {
		t.Fatal("a second older page was asked for while one loads")
	}
	c = m.SetPage(tok, before, page(a, 1, PageSize), nil)
	if c.Prepended != PageSize || o.HasMore || o.Messages[0].Seq != 1 || o.LoadingOlder {
		t.Fatalf("older page: %+v, first %d, more %v", c, o.Messages[0].Seq, o.HasMore)
	}
	if _, ok := m.OlderFrom(); ok {
		t.Fatal("asked for older messages past the first")
	}
	if i, ok := o.Index(msgID(1 + 1000*len(a)%7)); !ok || i != 0 {
		t.Fatalf("index of the first message: %d %v", i, ok)
	}
	// Closing, then results of the old opening: ignored.
	if c := m.CloseConversation(); !c.Closed || m.Open() != nil {
		t.Fatalf("close: %+v", c)
	}
	m.OpenConversation(a)
	if !m.SetPage(tok, 0, page(a, 1, 3), nil).Empty() || m.Open().Loaded {
		t.Fatal("a page read for an earlier opening was applied")
	}
	if !m.SetMembers(tok, []model.GroupMember{{Address: dave}}, nil).Empty() {
		t.Fatal("members read for an earlier opening were applied")
	}
	// A page that could not be read.
	c = m.SetPage(m.Open().Token, 0, nil, errors.New("disk on fire"))
	if !c.Reloaded || m.Open().Err == nil || !m.Open().Loaded {
		t.Fatalf("failed page: %+v", c)
	}
}

func TestMessages(t *testing.T) {
	a := model.ConversationID(alice)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10), contact(bob, "Bob", model.ContactAccepted, 5))
	m.OpenConversation(a)
	o := m.Open()
	m.SetPage(o.Token, 0, page(a, 1, 3), nil)

	// One of ours: appended, not notified.
	mine := msg(a, 4, self, "mine")
	mine.Status = model.StatusQueued
	c := m.Apply(model.MessageAdded{Message: mine})
	if !slices.Equal(c.Appended, []model.MessageID{mine.ID}) || len(c.Notify) != 0 {
		t.Fatalf("sent: %+v", c)
	}
	// Reported twice: nothing.
	if c := m.Apply(model.MessageAdded{Message: mine}); len(c.Appended) != 0 || c.Reordered {
		t.Fatalf("duplicate: %+v", c)
	}
	// Its statuses, one late: a status never goes back.
	for _, tc := range []struct {
		s    model.MessageStatus
		want model.MessageStatus
		upd  bool
	}{
		{model.StatusSent, model.StatusSent, true},
		{model.StatusDelivered, model.StatusDelivered, true},
		{model.StatusSent, model.StatusDelivered, false},   // late
		{model.StatusFailed, model.StatusDelivered, false}, // after delivery
	} {
		c := m.Apply(model.MessageStatusChanged{ID: mine.ID, Conversation: a, Status: tc.s})
		if got := o.Messages[3].Status; got != tc.want || (len(c.Updated) == 1) != tc.upd {
			t.Fatalf("after %v: status %v, change %+v", tc.s, got, c)
		}
	}
	// Status of a message not loaded, or of another conversation: nothing.
	if !m.Apply(model.MessageStatusChanged{ID: msgID(999), Conversation: a, Status: model.StatusSent}).Empty() {
		t.Fatal("status of an unknown message changed something")
	}
	// An incoming one, quoting a message not loaded: told, and the quote
	// is asked for once.
	in := msg(a, 6, alice, "re: old\nmore")
	in.ReplyTo = msgID(777)
	c = m.Apply(model.MessageAdded{Message: in})
	if len(c.Notify) != 1 || c.Notify[0].Title != "Alice" || c.Notify[0].Text != "re: old" {
		t.Fatalf("notification %+v", c.Notify)
	}
	if !slices.Equal(c.Quotes, []model.MessageID{msgID(777)}) {
		t.Fatalf("quotes asked %v", c.Quotes)
	}
	quoted := msg(a, 0, alice, "the old one")
	quoted.ID = msgID(777)
	if c := m.SetQuoted(o.Token, quoted.ID, quoted, true); !slices.Equal(c.Updated, []model.MessageID{in.ID}) {
		t.Fatalf("quote loaded: %+v", c)
	}
	if q, ok := o.Lookup(msgID(777)); !ok || q.Body != "the old one" {
		t.Fatal("the quoted message is not found")
	}
	// Out of order: seq 5 after 6.
	five := msg(a, 5, alice, "five")
	c = m.Apply(model.MessageAdded{Message: five})
	if !c.Reordered || o.Messages[4].ID != five.ID || o.Messages[5].ID != in.ID {
		t.Fatalf("out of order: %+v", c)
	}
	if i, _ := o.Index(in.ID); i != 5 {
		t.Fatalf("index after reordering: %d", i)
	}
	// A message of another conversation: told, the window unchanged.
	c = m.Apply(model.MessageAdded{Message: msg(model.ConversationID(bob), 1, bob, "hi")})
	if len(c.Appended) != 0 || len(c.Notify) != 1 || c.Notify[0].Title != "Bob" || len(o.Messages) != 6 {
		t.Fatalf("other conversation: %+v", c)
	}
}

func TestExpiry(t *testing.T) {
	a := model.ConversationID(alice)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 10))
	m.OpenConversation(a)
	o := m.Open()
	ms := page(a, 1, 4)
	ms[3].ReplyTo = ms[1].ID
	m.SetPage(o.Token, 0, ms, nil)
	c := m.Apply(model.MessagesExpired{Conversation: a, IDs: []model.MessageID{ms[0].ID, ms[1].ID, msgID(4242)}})
	if !slices.Equal(c.Removed, []model.MessageID{ms[0].ID, ms[1].ID}) || !c.Refresh {
		t.Fatalf("expired: %+v", c)
	}
	if len(o.Messages) != 2 || o.Messages[0].ID != ms[2].ID {
		t.Fatalf("left: %d", len(o.Messages))
	}
	if _, ok := o.Lookup(ms[1].ID); ok {
		t.Fatal("an expired message can still be quoted")
	}
	if i, _ := o.Index(ms[3].ID); i != 1 {
		t.Fatalf("index after expiry %d", i)
	}
	// Again: nothing.
	if c := m.Apply(model.MessagesExpired{Conversation: a, IDs: []model.MessageID{ms[0].ID}}); !c.Empty() {
		t.Fatalf("expired twice: %+v", c)
	}
	// Of a conversation not open: nothing here (its row follows with
	// ConversationChanged).
	if c := m.Apply(model.MessagesExpired{Conversation: "g:99", IDs: []model.MessageID{ms[2].ID}}); !c.Empty() {
		t.Fatalf("other conversation: %+v", c)
	}
}

func TestRemovedAndLock(t *testing.T) {
	a := model.ConversationID(alice)
	ac := contact(alice, "Alice", model.ContactAccepted, 10)
	ac.Unread = 3
	m := unlocked(t, ac, contact(bob, "Bob", model.ContactAccepted, 5))
	m.OpenConversation(a)
	c := m.Apply(model.ConversationRemoved{ID: a})
	if !c.List || !c.Closed || !c.Tray || m.Open() != nil || m.Unread() != 0 || len(m.Shown()) != 1 {
		t.Fatalf("removed: %+v", c)
	}
	if !m.Apply(model.ConversationRemoved{ID: a}).Empty() {
		t.Fatal("removed twice changed something")
	}
	m.OpenConversation(model.ConversationID(bob))
	// Locking: everything goes.
	c = m.Apply(model.Snapshot{Unlocked: false})
	if !c.Locked || !c.Closed || !c.List || m.Unlocked() || m.Len() != 0 || m.Open() != nil {
		t.Fatalf("lock: %+v", c)
	}
	// Events of the locked profile that were still queued: ignored.
	for _, ev := range []model.Event{
		model.ConversationChanged{Conversation: ac},
		model.MessageAdded{Message: msg(a, 1, alice, "x")},
		model.GroupSync{Server: server, Total: 3},
	} {
		if c := m.Apply(ev); !c.Empty() {
			t.Fatalf("%T after lock: %+v", ev, c)
		}
	}
	// A second locked snapshot: nothing but the snapshot itself.
	if c := m.Apply(model.Snapshot{}); c.Locked || c.List {
		t.Fatalf("locked again: %+v", c)
	}
	// Tor's status is kept while locked.
	if c := m.Apply(model.TorStatus{State: model.TorBootstrapping, Percent: 50}); !c.Tor || m.Tor().Percent != 50 {
		t.Fatalf("tor: %+v", c)
	}
}

func TestSnapshotKeepsTheOpenConversation(t *testing.T) {
	a := model.ConversationID(alice)
	ac := contact(alice, "Alice", model.ContactAccepted, 10)
	m := unlocked(t, ac, contact(bob, "Bob", model.ContactAccepted, 5))
	m.OpenConversation(a)
	ac.Unread = 1
	c := m.Apply(model.Snapshot{Unlocked: true, Conversations: []model.Conversation{ac}})
	if !c.Header || !c.MarkRead || c.Closed || m.Open() == nil {
		t.Fatalf("snapshot with the open conversation: %+v", c)
	}
	c = m.Apply(model.Snapshot{Unlocked: true})
	if !c.Closed || m.Open() != nil {
		t.Fatalf("snapshot without it: %+v", c)
	}
	// Asked for before the snapshot (just unlocked): opened by it.
	m.OpenConversation(a)
	c = m.Apply(model.Snapshot{Unlocked: true, Conversations: []model.Conversation{ac}})
	if !c.Opened || m.Open() == nil || m.Open().ID != a {
		t.Fatalf("snapshot with the conversation asked for: %+v", c)
	}
}

func TestGroups(t *testing.T) {
	g := groupConv(group, "Club", 10)
	g2 := groupConv(group2, "Other", 5)
	g2.Group.Server = "server2"
	m := unlocked(t, g, g2, contact(carol, "Carol", model.ContactAccepted, 1))
	m.OpenConversation(group)
	o := m.Open()
	m.SetPage(o.Token, 0, nil, nil)
	m.SetMembers(o.Token, []model.GroupMember{{Address: carol, Name: "C"}, {Address: dave, Name: "Dee"}}, nil)

	// Names: self, a contact (by the contact's name), a member, a stranger.
	for addr, want := range map[string]string{self: "You", carol: "Carol", dave: "Dee", bob: "bbbbbbbb"} {
		if got := m.AuthorName(group, addr); got != want {
			t.Errorf("name of %s: %q, want %q", addr[:3], got, want)
		}
	}
	// A message by a new author: the members are read again.
	if c := m.Apply(model.MessageAdded{Message: msg(group, 1, bob, "new here")}); !c.MembersStale {
		t.Fatalf("new author: %+v", c)
	}
	if c := m.Apply(model.MessageAdded{Message: msg(group, 2, dave, "again")}); c.MembersStale {
		t.Fatalf("known author: %+v", c)
	}
	if c := m.Apply(model.GroupMemberLeft{Conversation: group, Author: dave}); !c.MembersStale {
		t.Fatalf("member left: %+v", c)
	}
	// A warning about the server concerns both its groups (not the other
	// server's); the open one's header shows it; twice is once.
	w := model.GroupWarning{Server: server, Kind: "dropped", Reason: "messages were dropped"}
	if c := m.Apply(w); !c.Header {
		t.Fatalf("warning: %+v", c)
	}
	m.Apply(w)
	if len(m.Warnings(group)) != 1 || len(m.Warnings(group2)) != 0 {
		t.Fatalf("warnings %v / %v", m.Warnings(group), m.Warnings(group2))
	}
	if c := m.Apply(model.GroupWarning{Conversation: group2, Reason: "x"}); c.Header || len(m.Warnings(group2)) != 1 {
		t.Fatalf("warning about the other group: %+v", c)
	}
	if c := m.DismissWarnings(group); !c.Header || len(m.Warnings(group)) != 0 {
		t.Fatalf("dismiss: %+v", c)
	}
	// Catching up: the open group's header shows it.
	if c := m.Apply(model.GroupSync{Server: server, Done: 1, Total: 4}); !c.Header || !slices.Equal(c.Rows, ids(group)) {
		t.Fatalf("sync: %+v", c)
	}
	if s, ok := m.CatchingUp(g); !ok || s.Done != 1 {
		t.Fatal("not catching up")
	}
	// Leaving with the history kept: warnings go, the conversation stays
	// (left).
	m.Apply(model.GroupWarning{Conversation: group, Reason: "y"})
	m.Apply(model.GroupLeft{Conversation: group})
	left := g
	left.Left, left.Group.Left = true, true
	if c := m.Apply(model.ConversationChanged{Conversation: left}); !c.Header || len(m.Warnings(group)) != 0 {
		t.Fatalf("left: %+v, warnings %v", c, m.Warnings(group))
	}
	if _, ok := m.CatchingUp(left); ok {
		t.Fatal("a group left is catching up")
	}
	if r, _ := m.Row(group); r.Preview != LeftNote() {
		t.Fatalf("left row %q", r.Preview)
	}
}

func TestGroupInvites(t *testing.T) {
	a := model.ConversationID(alice)
	inv := msg(a, 1, alice, "NOOK:G1:xyz")
	inv.Kind = model.KindGroupInvite
	ac := contact(alice, "Alice", model.ContactAccepted, 1)
	ac.Last = inv
	m := New()
	c := m.Apply(model.Snapshot{Unlocked: true, Conversations: []model.Conversation{ac}})
	if !slices.Equal(c.Invites, []string{inv.Body}) {
		t.Fatalf("invites asked %v", c.Invites)
	}
	if r, _ := m.Row(a); r.Preview != "Invitation to a group" {
		t.Fatalf("before parsing %q", r.Preview)
	}
	// Asked once only.
	if c := m.Apply(model.MessageAdded{Message: inv}); len(c.Invites) != 0 {
		t.Fatalf("asked again: %v", c.Invites)
	}
	if _, known := m.Invite(inv.Body); known {
		t.Fatal("an invite not parsed yet is known")
	}
	club := Invite{OK: true, Name: "Club", Server: server}
	c = m.SetInvite(inv.Body, club)
	if !slices.Equal(c.Rows, ids(a)) {
		t.Fatalf("invite parsed: %+v", c)
	}
	if r, _ := m.Row(a); r.Preview != "Invitation to the group “Club”" {
		t.Fatalf("after parsing %q", r.Preview)
	}
	if in, known := m.Invite(inv.Body); in != club || !known {
		t.Fatalf("Invite: %+v %v", in, known)
	}
	if !m.SetInvite(inv.Body, club).Empty() {
		t.Fatal("the same invite again changed something")
	}
	if m.IsMember(club) {
		t.Fatal("a member of a group not in the list")
	}
	m.Apply(model.ConversationChanged{Conversation: groupConv(group, "Club", 2)})
	if !m.IsMember(club) || m.IsMember(Invite{OK: true, Name: "Club", Server: "elsewhere"}) {
		t.Fatal("IsMember")
	}
}

func TestDisappearNote(t *testing.T) {
	a := model.ConversationID(alice)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 1))
	if c := m.Apply(model.DisappearChanged{Address: alice, Disappear: time.Hour, ByContact: true}); !c.Empty() {
		t.Fatalf("note while closed: %+v", c)
	}
	m.OpenConversation(a)
	if c := m.Apply(model.DisappearChanged{Address: alice, Disappear: time.Hour}); !c.Empty() {
		t.Fatalf("our own change: %+v", c)
	}
	c := m.Apply(model.DisappearChanged{Address: alice, Disappear: time.Hour, ByContact: true})
	if !c.Header || m.Open().TimerNote == nil || m.Open().TimerNote.Disappear != time.Hour {
		t.Fatalf("their change: %+v", c)
	}
}

// TestIgnored: events that a ConversationChanged follows, and problems for
// the log, change nothing by themselves.
func TestIgnored(t *testing.T) {
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 1))
	for _, ev := range []model.Event{
		model.ContactChanged{Contact: model.Contact{Address: alice}},
		model.ContactRemoved{Address: alice},
		model.PresenceChanged{Address: alice, Presence: model.Online},
		model.UnreadChanged{Conversation: model.ConversationID(alice), Unread: 4},
		model.PeerProblem{Reason: "bad"},
		model.GroupMemberLeft{Conversation: group},
		model.GroupLeft{Conversation: group},
	} {
		if c := m.Apply(ev); !c.Empty() {
			t.Errorf("%T changed %+v", ev, c)
		}
	}
}

// TestBurst: a burst of events merges into one Change that names every
// row and message once, with the state after all of them.
func TestBurst(t *testing.T) {
	a, b := model.ConversationID(alice), model.ConversationID(bob)
	m := unlocked(t, contact(alice, "Alice", model.ContactAccepted, 1), contact(bob, "Bob", model.ContactAccepted, 2))
	m.OpenConversation(a)
	m.SetPage(m.Open().Token, 0, nil, nil)
	var total Change
	const n = 500
	for i := 1; i <= n; i++ {
		conv := a
		if i%2 == 0 {
			conv = b
		}
		ms := msg(conv, i, string(conv), fmt.Sprintf("m%d", i))
		ms.ID = msgID(i)
		total.Merge(m.Apply(model.MessageAdded{Message: ms}))
		cv, _ := m.Conversation(conv)
		cv.Last, cv.LastActivity, cv.Unread = ms, at(100+i), cv.Unread+1
		total.Merge(m.Apply(model.ConversationChanged{Conversation: cv}))
		total.Merge(m.Apply(model.ConversationChanged{Conversation: cv})) // duplicate
	}
	if len(total.Appended) != n/2 || len(total.Rows) != 2 || !total.List || !total.Tray || len(total.Notify) != n {
		t.Fatalf("burst: %d appended, rows %v, list %v, tray %v, %d notifications",
			len(total.Appended), total.Rows, total.List, total.Tray, len(total.Notify))
	}
	if m.Unread() != n || len(m.Open().Messages) != n/2 || m.Shown()[0] != b {
		t.Fatalf("after the burst: unread %d, loaded %d, first %v", m.Unread(), len(m.Open().Messages), m.Shown()[0])
	}
	if total.Empty() || !(Change{}).Empty() {
		t.Fatal("Empty")
	}
}

// TestRequestAndNoteTexts: a request we sent says whether it was
// delivered; a note in a group says who joined or left, in the list's
// preview as in the timeline.
func TestRequestAndNoteTexts(t *testing.T) {
	c := model.Contact{Address: alice, State: model.ContactPending}
	if got := RequestState(c); got != "Not delivered yet" {
		t.Fatalf("a request not delivered: %q", got)
	}
	c.RequestDelivered = true
	if got := RequestState(c); got != "Waiting for them to accept" {
		t.Fatalf("a request delivered: %q", got)
	}
	m := unlocked(t, groupConv(group, "Garden", 1), contact(bob, "Bob", model.ContactAccepted, 0))
	joined := msg(group, 1, bob, model.NoteJoined)
	joined.Kind = model.KindNote
	left := msg(group, 2, dave, model.NoteLeft)
	left.Kind = model.KindNote
	mine := msg(group, 3, self, model.NoteJoined)
	mine.Kind, mine.Outgoing = model.KindNote, true
	deleted := msg(group, 4, bob, model.NoteDeleted)
	deleted.Kind = model.KindNote
	myDeleted := msg(group, 5, self, model.NoteDeleted)
	myDeleted.Kind, myDeleted.Outgoing = model.KindNote, true
	for _, c := range []struct {
		m    model.Message
		want string
	}{{joined, "Bob joined"}, {left, dave[:8] + " left the group"}, {mine, "You joined"},
		{deleted, "Bob deleted this message"}, {myDeleted, "You deleted this message"}} {
		if got := m.NoteText(c.m); got != c.want {
			t.Errorf("NoteText = %q, want %q", got, c.want)
		}
	}
	if c := m.Apply(model.MessageAdded{Message: joined}); len(c.Notify) != 0 {
		t.Fatalf("a note notifies: %+v", c.Notify)
	}
	cv := groupConv(group, "Garden", 2)
	cv.Last = joined
	m.Apply(model.ConversationChanged{Conversation: cv})
	if r, _ := m.Row(group); r.Preview != "Bob joined" {
		t.Fatalf("the list's preview of a note: %q", r.Preview)
	}
}

// TestAuthorNamePerGroupKeys: group members are known by a key of the
// group (docs/groups.md, "Per-group identities"): the profile's own key
// reads "You", a member whose contact tags name a contact reads as that
// contact, anyone else by the name they carry.
func TestAuthorNamePerGroupKeys(t *testing.T) {
	m := unlocked(t, contact(bob, "Bob", model.ContactAccepted, 2), groupConv(group, "Club", 4))
	m.OpenConversation(group)
	const mine, bobs, daves = "mykeyinthegroup", "bobskeyinthegroup", "daveskeyinthegroup"
	m.SetMembers(m.Open().Token, []model.GroupMember{{Address: mine, Name: "Me", Self: true},
		{Address: bobs, Name: "Robert", IsContact: true, Contact: bob}, {Address: daves, Name: "Dee"}}, nil)
	for addr, want := range map[string]string{mine: "You", bobs: "Bob", daves: "Dee", "unknownkey": "unknownk"} {
		if got := m.AuthorName(group, addr); got != want {
			t.Errorf("AuthorName(%s) = %q, want %q", addr, got, want)
		}
	}
}

// TestAuthorNameYouTranslated: the person, by the profile's address or by
// their key in a group, is named in the language in use, as the other
// words of the state are: it was the literal "You" in every language.
func TestAuthorNameYouTranslated(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	m := unlocked(t, groupConv(group, "Club", 4))
	m.OpenConversation(group)
	const mine = "mykeyinthegroup"
	m.SetMembers(m.Open().Token, []model.GroupMember{{Address: mine, Name: "Me", Self: true}}, nil)
	for lang, want := range map[string]string{"de": "Du", "fr": "Vous", "ru": "Вы", "zh-Hans": "你", i18n.Source: "You"} {
		i18n.SetLanguage(lang)
		for _, addr := range []string{self, mine} {
			if got := m.AuthorName(group, addr); got != want {
				t.Errorf("%s: AuthorName(%s) = %q, want %q", lang, addr, got, want)
			}
		}
	}
}

// TestAuthorNameOwnLabelMarked: a group member who is not a contact and
// names themself as the app names the person ("You", or the word of the
// language in use: "Du", "Vous", "Вы", "你"; in any case) is
// marked, in that language, so that they cannot pass for the person; a
// name merely containing it is not, the person is still "You" unmarked,
// and a contact of that name is shown by the contact's name.
func TestAuthorNameOwnLabelMarked(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	m := unlocked(t, contact(bob, "Bob", model.ContactAccepted, 2), groupConv(group, "Club", 4))
	m.OpenConversation(group)
	const mine, imp, eng, other, bobs = "mykey", "impostorkey", "englishkey", "otherkey", "bobskey"
	for lang, tc := range map[string]struct{ you, name, marked string }{
		i18n.Source: {"You", "yOu", "yOu (not your contact)"},
		"de":        {"Du", "DU", "DU (nicht dein Kontakt)"},
		"fr":        {"Vous", "vous", "vous (pas dans vos contacts)"},
		"ru":        {"Вы", "вы", "вы (не ваш контакт)"},
		"zh-Hans":   {"你", "你", "你（不是你的联系人）"},
	} {
		i18n.SetLanguage(lang)
		m.SetMembers(m.Open().Token, []model.GroupMember{{Address: mine, Name: "Me", Self: true},
			{Address: imp, Name: tc.name}, {Address: eng, Name: "YOU"}, {Address: other, Name: tc.you + " Two"},
			{Address: bobs, Name: tc.you, IsContact: true, Contact: bob}}, nil)
		if got := m.AuthorName(group, imp); got != tc.marked {
			t.Errorf("%s: a member named %q reads %q, want %q", lang, tc.name, got, tc.marked)
		}
		if got, want := m.AuthorName(group, eng), NotContactMark("YOU"); got != want {
			t.Errorf("%s: a member named YOU reads %q, want %q", lang, got, want)
		}
		if got := m.AuthorName(group, other); got != tc.you+" Two" {
			t.Errorf("%s: a member named %q reads %q", lang, tc.you+" Two", got)
		}
		if got := m.AuthorName(group, mine); got != tc.you {
			t.Errorf("%s: the person reads %q, want %q", lang, got, tc.you)
		}
		if got := m.AuthorName(group, bobs); got != "Bob" {
			t.Errorf("%s: the contact Bob reads %q", lang, got)
		}
	}
}
