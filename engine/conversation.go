package engine

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// The conversation API: one set of methods over model.Conversation, the
// same for a contact and a group. Each takes the conversation's ID.

// ErrNoGroupTimer is returned by SetConversationTimer for a group: a group
// has no disappearing-messages timer. Its history is bounded by the
// server's retention, and a per-group timer would need every member's
// client to honour it, which a group with members on older clients cannot
// promise (docs/groups.md, "How long group history lasts").
var ErrNoGroupTimer = errors.New("groups have no disappearing-messages timer")

// ErrNoConversation is returned for a conversation ID that names neither a
// contact nor a group of the profile.
var ErrNoConversation = errors.New("no such conversation")

// archivedBucket holds the groups whose conversation is archived (a
// contact's is in its record), keyed by conversation ID.
const archivedBucket = "archived"

// Conversations returns every conversation of the unlocked profile, the
// most recently active first: contacts (requests and blocked ones
// included), groups and the groups left whose history was kept.
func (e *Engine) Conversations() ([]model.Conversation, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	return op.conversations()
}

// Conversation returns one conversation.
func (e *Engine) Conversation(id model.ConversationID) (model.Conversation, error) {
	op, err := e.current()
	if err != nil {
		return model.Conversation{}, err
	}
	return op.conversation(id)
}

// SendMessage writes a text message to a conversation; it is stored at
// once (queued) and delivered when the contact or the group's server is
// reachable. MessageAdded and ConversationChanged follow.
func (e *Engine) SendMessage(id model.ConversationID, body string) (model.Message, error) {
	return e.Reply(id, body, model.MessageID{})
}

// Reply is SendMessage quoting the message replyTo of the conversation
// (zero: quoting nothing).
func (e *Engine) Reply(id model.ConversationID, body string, replyTo model.MessageID) (model.Message, error) {
	op, err := e.current()
	if err != nil {
		return model.Message{}, err
	}
	if gid, ok := group.ParseConversation(id); ok {
		if strings.TrimSpace(body) == "" {
			return model.Message{}, ErrEmptyMessage
		}
		return op.groups.Post(gid, body, replyTo)
	}
	addr, err := contactOf(id)
	if err != nil {
		return model.Message{}, err
	}
	return op.peers.Send(addr, body, replyTo)
}

// History returns up to n messages of a conversation, oldest first: the
// latest ones when before is 0, else those with Seq < before (the page
// above what the frontend shows). It reads only what it returns.
func (e *Engine) History(id model.ConversationID, before uint64, n int) ([]model.Message, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	var ms []model.Message
	if before == 0 {
		ms, err = op.st.LatestMessages(id, n)
	} else {
		ms, err = op.st.MessagesBefore(id, before, n)
	}
	return withKinds(ms), err
}

// Archive archives or unarchives a conversation: an archived one is
// listed apart until unarchived. ConversationChanged follows.
func (e *Engine) Archive(id model.ConversationID, archived bool) (model.Conversation, error) {
	op, err := e.current()
	if err != nil {
		return model.Conversation{}, err
	}
	if _, ok := group.ParseConversation(id); ok {
		if _, err := op.conversation(id); err != nil {
			return model.Conversation{}, err
		}
		bk := op.st.Bucket(archivedBucket)
		if archived {
			err = bk.Put([]byte(id), []byte{1})
		} else {
			err = bk.Delete([]byte(id))
		}
		if err != nil {
			return model.Conversation{}, err
		}
		op.notify.changed(id)
		return op.conversation(id)
	}
	addr, err := contactOf(id)
	if err != nil {
		return model.Conversation{}, err
	}
	if _, err := op.peers.SetArchived(addr, archived); err != nil {
		return model.Conversation{}, err
	}
	return op.conversation(id)
}

// DeleteConversation deletes a conversation and its messages: a contact is
// deleted (their queued messages are never sent), a group is left (its
// members are told) with its history deleted. ConversationRemoved
// follows.
func (e *Engine) DeleteConversation(id model.ConversationID) error {
	if _, ok := group.ParseConversation(id); ok {
		return e.LeaveGroup(id, true)
	}
	return e.DeleteContact(id, true)
}

// SetConversationTimer sets the disappearing-messages timer of a
// conversation with a contact: zero turns it off, otherwise a whole number
// of seconds up to model.MaxDisappear (model.DisappearChoices are the usual
// ones). Messages written from then on, by either side, are deleted on
// both sides that long after they were sent (ours) or first read (theirs).
// The contact adopts the setting when next reachable unless they changed
// it later themselves. Groups have none: ErrNoGroupTimer.
func (e *Engine) SetConversationTimer(id model.ConversationID, timer time.Duration) (model.Conversation, error) {
	op, err := e.current()
	if err != nil {
		return model.Conversation{}, err
	}
	if _, ok := group.ParseConversation(id); ok {
		return model.Conversation{}, ErrNoGroupTimer
	}
	addr, err := contactOf(id)
	if err != nil {
		return model.Conversation{}, err
	}
	if _, err := op.peers.SetDisappear(addr, timer); err != nil {
		return model.Conversation{}, err
	}
	return op.conversation(id)
}

// Members returns the authors seen in a group's conversation.
func (e *Engine) Members(id model.ConversationID) ([]model.GroupMember, error) {
	op, gid, err := e.groupOf(id)
	if err != nil {
		return nil, err
	}
	ms, err := op.groupMembers(gid)
	if err != nil {
		return nil, err
	}
	out := make([]model.GroupMember, len(ms))
	for i, m := range ms {
		out[i] = fromMember(m)
	}
	return out, nil
}

func fromMember(m groupclient.Member) model.GroupMember {
	return model.GroupMember{Address: string(m.Address), Name: m.Name, Messages: m.Messages, Left: m.Left,
		IsContact: m.IsContact, NameCollides: m.NameCollides, Role: m.Role, Removed: m.Removed,
		Self: m.Self, Contact: string(m.Contact)}
}

// lastAuthor is the member of group g who wrote last, the message a
// conversation's summary ends with, as Members describes them, so that a
// list can name them without asking (Conversation.LastAuthor). It is zero
// when the profile wrote it, or for a message of no member (none yet).
// cs are the profile's contacts.
func (op *openProfile) lastAuthor(g group.ID, last model.Message, cs []model.Contact) (model.GroupMember, error) {
	if last.ID.IsZero() || last.Outgoing || last.Author == "" {
		return model.GroupMember{}, nil
	}
	ms, err := op.groupMembersWith(g, cs)
	if err != nil {
		return model.GroupMember{}, err
	}
	for _, m := range ms {
		if string(m.Address) == last.Author {
			return fromMember(m), nil
		}
	}
	return model.GroupMember{}, nil
}

// contactOf returns the contact address a conversation ID names.
func contactOf(id model.ConversationID) (identity.Address, error) {
	addr, err := identity.ParseAddress(string(id))
	if err != nil || string(addr) != string(id) {
		return "", ErrNoConversation
	}
	return addr, nil
}

// conversations builds every conversation from the contacts, the groups,
// and one read of all conversation summaries.
func (op *openProfile) conversations() ([]model.Conversation, error) {
	contacts, err := op.st.Contacts()
	if err != nil {
		return nil, err
	}
	left, err := op.groups.LeftGroups()
	if err != nil {
		return nil, err
	}
	sums, err := op.st.Summaries()
	if err != nil {
		return nil, err
	}
	byID := make(map[model.ConversationID]store.Summary, len(sums))
	for _, sum := range sums {
		byID[sum.ID] = sum
	}
	archived, err := op.archivedGroups()
	if err != nil {
		return nil, err
	}
	out := make([]model.Conversation, 0, len(contacts)+len(left))
	for _, c := range contacts {
		out = append(out, op.fromContact(c, byID[model.ConversationID(c.Address)]))
	}
	for _, g := range append(op.groups.Groups(), left...) {
		sum := byID[g.Conversation]
		author, err := op.lastAuthor(g.ID, sum.Last, contacts)
		if err != nil {
			return nil, err
		}
		out = append(out, fromGroup(g, sum, archived[g.Conversation], author))
	}
	slices.SortStableFunc(out, func(a, b model.Conversation) int {
		return byActivity(a.LastActivity, b.LastActivity, a.ID, b.ID)
	})
	return out, nil
}

// conversation builds one conversation, or returns ErrNoConversation.
func (op *openProfile) conversation(id model.ConversationID) (model.Conversation, error) {
	sum, err := op.st.Summary(id)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		sum, err = store.Summary{ConversationInfo: store.ConversationInfo{ID: id}}, nil
	}
	if err != nil {
		return model.Conversation{}, err
	}
	if gid, ok := group.ParseConversation(id); ok {
		g, err := op.groupInfo(gid)
		if err != nil {
			return model.Conversation{}, err
		}
		_, aerr := op.st.Bucket(archivedBucket).Get([]byte(id))
		if aerr != nil && !errors.Is(aerr, store.ErrNotFound) {
			return model.Conversation{}, aerr
		}
		var author model.GroupMember
		if !sum.Last.ID.IsZero() && !sum.Last.Outgoing {
			cs, err := op.st.Contacts()
			if err != nil {
				return model.Conversation{}, err
			}
			if author, err = op.lastAuthor(gid, sum.Last, cs); err != nil {
				return model.Conversation{}, err
			}
		}
		return fromGroup(g, sum, aerr == nil, author), nil
	}
	c, err := op.st.GetContact(string(id))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return model.Conversation{}, ErrNoConversation
	} else if err != nil {
		return model.Conversation{}, err
	}
	return op.fromContact(c, sum), nil
}

// groupInfo returns a group of the profile, current or left.
func (op *openProfile) groupInfo(id group.ID) (groupclient.GroupInfo, error) {
	for _, g := range op.groups.Groups() {
		if g.ID == id {
			return g, nil
		}
	}
	left, err := op.groups.LeftGroups()
	if err != nil {
		return groupclient.GroupInfo{}, err
	}
	for _, g := range left {
		if g.ID == id {
			return g, nil
		}
	}
	return groupclient.GroupInfo{}, ErrNoConversation
}

func (op *openProfile) archivedGroups() (map[model.ConversationID]bool, error) {
	out := map[model.ConversationID]bool{}
	err := op.st.Bucket(archivedBucket).Iterate(nil, func(k, _ []byte) error {
		out[model.ConversationID(k)] = true
		return nil
	})
	return out, err
}

func (op *openProfile) fromContact(c model.Contact, sum store.Summary) model.Conversation {
	if sum.LastActivity.After(c.LastActivity) {
		c.LastActivity = sum.LastActivity
	}
	return model.Conversation{
		ID:           model.ConversationID(c.Address),
		Kind:         model.KindContact,
		Title:        c.Name(),
		Contact:      &c,
		Last:         withKind(sum.Last),
		Messages:     sum.Messages,
		LastActivity: c.LastActivity,
		Unread:       int(sum.Unread),
		Presence:     op.presence(c),
		Disappear:    c.Disappear,
		Archived:     c.Archived,
	}
}

// presence is a contact's presence as a conversation shows it: only an
// accepted contact's. With anyone else a session says nothing about
// whether they take our messages: a Nook that blocks requests completes
// the handshake and closes the session at once, and a sender shown
// "online" would think the request went through.
func (op *openProfile) presence(c model.Contact) model.Presence {
	if c.State != model.ContactAccepted {
		return model.Offline
	}
	return op.peers.Presence(identity.Address(c.Address))
}

func fromGroup(g groupclient.GroupInfo, sum store.Summary, archived bool, author model.GroupMember) model.Conversation {
	mg := fromGroupInfo(g)
	return model.Conversation{
		ID:           g.Conversation,
		Kind:         model.KindGroup,
		Title:        mg.Name,
		Group:        &mg,
		Last:         withKind(sum.Last),
		LastAuthor:   author,
		Messages:     sum.Messages,
		LastActivity: sum.LastActivity,
		Unread:       int(sum.Unread),
		Archived:     archived,
		Left:         g.Left,
	}
}

// changed emits the conversation's new state, or its removal when it is
// gone (the notifier calls it).
func (op *openProfile) changed(id model.ConversationID) {
	cv, err := op.conversation(id)
	switch {
	case errors.Is(err, ErrNoConversation):
		op.e.emit(model.ConversationRemoved{ID: id})
	case err != nil:
		op.e.cfg.Logger.Warn("reading a conversation failed", "err", err)
	default:
		op.e.emit(model.ConversationChanged{Conversation: cv})
	}
}

// snapshot is the Snapshot event of the current state.
func (e *Engine) snapshot() model.Event {
	snap := model.Snapshot{Tor: e.TorStatus()}
	op, err := e.current()
	if err != nil {
		return snap
	}
	cs, err := op.conversations()
	if err != nil {
		e.cfg.Logger.Warn("reading the conversations failed", "err", err)
		return snap
	}
	snap.Unlocked, snap.Conversations = true, cs
	return snap
}

// conversationOf returns the conversation an event of the peer manager or
// the group client is about, if any.
func conversationOf(ev model.Event) (model.ConversationID, bool) {
	switch ev := ev.(type) {
	case model.MessageAdded:
		return ev.Message.Conversation, true
	case model.MessageStatusChanged:
		return ev.Conversation, true
	case model.MessagesExpired:
		return ev.Conversation, true
	case model.ContactChanged:
		return model.ConversationID(ev.Contact.Address), true
	case model.ContactRemoved:
		return model.ConversationID(ev.Address), true
	case model.PresenceChanged:
		return model.ConversationID(ev.Address), true
	case model.DisappearChanged:
		return model.ConversationID(ev.Address), true
	case model.GroupLeft:
		return ev.Conversation, true
	case model.GroupMemberLeft:
		return ev.Conversation, true
	case model.GroupMemberKnown:
		return ev.Conversation, true
	case model.GroupRekeyed:
		return ev.Conversation, true
	case model.GroupServersChanged:
		return ev.Conversation, true
	}
	return "", false
}
