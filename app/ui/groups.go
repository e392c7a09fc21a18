package ui

import (
	"fmt"
	"strings"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// This file holds what the main window knows about groups: the groups in
// the list, the authors' names, and each server's catch-up state and
// warnings. The group chat itself is in groupchat.go.

// groupConvPrefix starts the conversation ID of every group.
const groupConvPrefix = "g:"

// isGroupConversation reports whether conv is a group's conversation.
func isGroupConversation(conv model.ConversationID) bool {
	return strings.HasPrefix(string(conv), groupConvPrefix)
}

// groupInviteOf returns the group invite a message body consists of, or
// nil when the body is anything else.
func groupInviteOf(body string) *model.InvitePreview {
	body = strings.TrimSpace(body)
	if len(body) < len(engine.GroupInvitePrefix) || !strings.EqualFold(body[:len(engine.GroupInvitePrefix)], engine.GroupInvitePrefix) {
		return nil
	}
	inv, err := engine.ParseInvite(body)
	if err != nil || inv.Kind != model.InviteGroup {
		return nil
	}
	return &inv
}

// serverSync is a group server's catch-up state as last reported.
type serverSync struct {
	seen bool // a GroupSync arrived since unlock
	ev   model.GroupSync
}

// catchingUp reports whether a catch-up with a known size is running.
func (s serverSync) catchingUp() bool { return s.seen && !s.ev.CaughtUp && s.ev.Total > 0 }

// syncText describes a running catch-up.
func syncText(ev model.GroupSync) string {
	return fmt.Sprintf("Catching up: %d of %d", min(ev.Done, ev.Total), ev.Total)
}

// groupItem returns the list item of a group.
func groupItem(g model.Group) *contactItem {
	gi := g
	return &contactItem{
		group: &gi,
		c: model.Contact{
			Address:  string(g.Conversation()),
			Nickname: g.Name,
			State:    model.ContactAccepted,
		},
	}
}

// loadGroups adds the profile's groups to the list (without rebuilding
// it), and the groups it left whose messages it kept.
func (s *sidebar) loadGroups() error {
	eng := s.mv.u.eng
	gs, err := eng.Groups()
	if err != nil {
		return err
	}
	left, err := eng.LeftGroups()
	if err != nil {
		return err
	}
	for _, g := range append(gs, left...) {
		if s.all[string(g.Conversation())] != nil {
			continue
		}
		it := groupItem(g)
		if ms, err := eng.History(g.Conversation(), 0, 1); err == nil && len(ms) == 1 {
			it.preview, it.last = s.previewOf(ms[0]), ms[0].Received
		}
		it.unread, _ = eng.Unread(g.Conversation())
		s.all[it.c.Address] = it
	}
	return nil
}

// reloadGroups picks up groups joined since the list was made.
func (s *sidebar) reloadGroups() {
	if err := s.loadGroups(); err == nil {
		s.rebuild()
	}
}

// groupSummary turns a group's item into a ContactRow. The dot says
// whether the group's server is reachable: amber while connecting or
// catching up, green once caught up.
func (s *sidebar) groupSummary(it *contactItem) widgets.ContactSummary {
	sum := widgets.ContactSummary{
		Address:      it.c.Address,
		Name:         it.group.Name,
		Preview:      it.preview,
		LastActivity: it.lastActivity(),
		Presence:     widgets.PresenceConnecting,
		Unread:       it.unread,
	}
	st := s.mv.syncs[string(it.group.Server)]
	switch {
	case it.group.Left:
		sum.Preview = leftNote
		sum.Presence = widgets.PresenceOffline
	case st.catchingUp():
		sum.Preview = syncText(st.ev) + "…"
	case st.seen && st.ev.CaughtUp:
		sum.Presence = widgets.PresenceOnline
	}
	if sum.Preview == "" {
		sum.Preview = "No messages yet"
	}
	return sum
}

// refreshServer redraws the list rows of a server's groups.
func (s *sidebar) refreshServer(server string) {
	for i, it := range s.shown {
		if it.group != nil && string(it.group.Server) == server {
			s.list.RefreshItem(i)
		}
	}
}

// groupAdded shows a group just created or joined in the list. A group
// left earlier and joined again is a group again, also when it is open.
func (mv *mainView) groupAdded(g model.Group) {
	it := mv.sidebar.all[string(g.Conversation())]
	switch {
	case it == nil:
		mv.sidebar.all[string(g.Conversation())] = groupItem(g)
	case it.group != nil && it.group.Left && !g.Left:
		gi := g
		it.group = &gi
		mv.reopenChat(g.Conversation())
	}
	mv.sidebar.rebuild()
}

// groupLeft shows that the person left a group: with its messages
// deleted, it goes from the list (and the home page replaces it when
// open); else it stays as read-only history that says the person left.
func (mv *mainView) groupLeft(conv model.ConversationID, deleted bool) {
	delete(mv.warnings, conv)
	delete(mv.members, conv)
	if deleted {
		mv.contactRemoved(string(conv))
		return
	}
	it := mv.sidebar.item(string(conv))
	if it == nil || it.group == nil {
		return
	}
	gi := *it.group
	gi.Left = true
	it.group = &gi
	mv.sidebar.rebuild()
	mv.reopenChat(conv)
}

// reopenChat shows conv again from scratch when it is the open
// conversation (its kind of pane changed).
func (mv *mainView) reopenChat(conv model.ConversationID) {
	if mv.chat != nil && mv.chat.conv == conv {
		mv.chat = nil
		mv.openChat(string(conv))
	}
}

// openGroup shows a group's conversation, adding it to the list first.
func (mv *mainView) openGroup(g model.Group) {
	mv.groupAdded(g)
	mv.openChat(string(g.Conversation()))
}

// authorName is the name shown for the author of a message of conv: "You",
// the contact's name, the name the member carries in the group, or the
// first characters of their address.
func (mv *mainView) authorName(conv model.ConversationID, addr string) string {
	if addr == mv.self {
		return "You"
	}
	if mv.sidebar == nil {
		// The list is being made: contacts are not all known yet.
	} else if it := mv.sidebar.item(addr); it != nil && it.group == nil {
		return it.c.Name()
	}
	if isGroupConversation(conv) {
		names := mv.memberNames(conv, addr)
		if n := names[addr]; n != "" {
			return n
		}
	}
	if len(addr) > 8 {
		return addr[:8]
	}
	return addr
}

// memberNames returns the names of a group's members, reading them again
// when addr is not among them yet.
func (mv *mainView) memberNames(conv model.ConversationID, addr string) map[string]string {
	names := mv.members[conv]
	if _, ok := names[addr]; ok {
		return names
	}
	ms, err := mv.u.eng.GroupMembers(conv)
	if err != nil {
		return names
	}
	names = map[string]string{}
	for _, m := range ms {
		names[string(m.Address)] = memberName(m)
	}
	if _, ok := names[addr]; !ok {
		names[addr] = "" // not known yet: do not ask again for every bubble
	}
	mv.members[conv] = names
	return names
}

// notContactMark follows the name of a group member who is not a contact
// but carries the name of someone the person knows (a contact, themselves,
// or another member), so that a stranger cannot pass as them.
const notContactMark = " (not your contact)"

// memberName is the name a group member is shown with, marked when it
// collides with a name the person knows.
func memberName(m model.GroupMember) string {
	if m.NameCollides && m.Name != "" {
		return m.Name + notContactMark
	}
	return m.Name
}

// forgetMembers drops the cached names of a group's members when addr is
// not among them by name (a new author posted); it reports whether it did.
func (mv *mainView) forgetMembers(conv model.ConversationID, addr string) bool {
	if n := mv.members[conv][addr]; n != "" {
		return false
	}
	delete(mv.members, conv)
	return true
}

// groupSync records a server's catch-up progress and shows it.
func (mv *mainView) groupSync(ev model.GroupSync) {
	mv.syncs[ev.Server] = serverSync{seen: true, ev: ev}
	mv.sidebar.refreshServer(ev.Server)
	if mv.chat != nil && mv.chat.group != nil && string(mv.chat.group.Server) == ev.Server {
		mv.chat.showSync()
	}
}

// groupWarning keeps a warning for the groups concerned and shows it in the
// open one.
func (mv *mainView) groupWarning(ev model.GroupWarning) {
	for _, it := range mv.sidebar.all {
		if it.group == nil || it.group.Left || !warningConcerns(ev, *it.group) {
			continue
		}
		conv := it.group.Conversation()
		mv.warnings[conv] = append(mv.warnings[conv], ev)
	}
	if mv.chat != nil && mv.chat.group != nil && warningConcerns(ev, *mv.chat.group) {
		mv.chat.showWarnings()
	}
}

// warningConcerns reports whether a warning is about group g: it names the
// group, or the whole stream of g's server.
func warningConcerns(ev model.GroupWarning, g model.Group) bool {
	if ev.Conversation != "" {
		return ev.Conversation == g.Conversation()
	}
	return ev.Server == string(g.Server)
}
