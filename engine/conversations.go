package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
)

// current returns the unlocked profile, or ErrLocked.
func (e *Engine) current() (*openProfile, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	if e.open == nil {
		return nil, ErrLocked
	}
	return e.open, nil
}

// Self returns the unlocked profile's onion address (56 characters, as in
// model.Contact.Address) and display name.
func (e *Engine) Self() (string, string, error) {
	op, err := e.current()
	if err != nil {
		return "", "", err
	}
	return string(op.id.Address()), op.displayName(), nil
}

// contact returns the unlocked profile and the onion address of a
// contact's conversation ID (ErrNoConversation for a group's, or an ID
// that is no address).
func (e *Engine) contact(id model.ConversationID) (*openProfile, identity.Address, error) {
	op, err := e.current()
	if err != nil {
		return nil, "", err
	}
	addr, err := contactOf(id)
	if err != nil {
		return nil, "", err
	}
	return op, addr, nil
}

// Contacts returns every contact (requests and blocked ones included), the
// most recently active first.
//
// Deprecated: use Conversations (or the Snapshot that starts every
// subscription), which lists groups too.
func (e *Engine) Contacts() ([]model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	cs, err := op.st.Contacts()
	if err != nil {
		return nil, err
	}
	if err := op.withActivity(cs); err != nil {
		return nil, err
	}
	slices.SortStableFunc(cs, func(a, b model.Contact) int {
		return byActivity(a.LastActivity, b.LastActivity, a.Address, b.Address)
	})
	return cs, nil
}

// Contact returns one contact, named by its conversation ID (its onion
// address).
func (e *Engine) Contact(id model.ConversationID) (model.Contact, error) {
	op, addr, err := e.contact(id)
	if err != nil {
		return model.Contact{}, err
	}
	c, err := op.st.GetContact(string(addr))
	if err != nil {
		return c, fmt.Errorf("contact: %w", err)
	}
	return c, nil
}

// AddContact adds a contact by onion address (as typed or pasted) with a
// local nickname, and sends them a contact request.
func (e *Engine) AddContact(address, nickname string) (model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return model.Contact{}, err
	}
	addr, err := identity.ParseAddress(address)
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.AddContact(addr, strings.TrimSpace(nickname))
}

// AcceptContact accepts a contact request.
func (e *Engine) AcceptContact(id model.ConversationID) (model.Contact, error) {
	op, addr, err := e.contact(id)
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.Accept(addr)
}

// RejectContact deletes a contact request without telling the requester.
func (e *Engine) RejectContact(id model.ConversationID) error {
	op, addr, err := e.contact(id)
	if err != nil {
		return err
	}
	return op.peers.Reject(addr)
}

// BlockContact blocks an address: it can no longer reach this profile.
func (e *Engine) BlockContact(id model.ConversationID) (model.Contact, error) {
	op, addr, err := e.contact(id)
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.Block(addr)
}

// UnblockContact makes a blocked contact a contact again.
func (e *Engine) UnblockContact(id model.ConversationID) (model.Contact, error) {
	op, addr, err := e.contact(id)
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.Unblock(addr)
}

// DeleteContact removes a contact and, if deleteHistory is set, the
// conversation with them.
func (e *Engine) DeleteContact(id model.ConversationID, deleteHistory bool) error {
	op, addr, err := e.contact(id)
	if err != nil {
		return err
	}
	if err := op.peers.DeleteContact(addr); err != nil {
		return err
	}
	if deleteHistory {
		if err := op.st.DeleteConversation(model.ConversationID(addr)); err != nil {
			return fmt.Errorf("delete conversation: %w", err)
		}
	}
	return nil
}

// RenameContact sets a contact's local nickname ("" clears it).
func (e *Engine) RenameContact(id model.ConversationID, nickname string) (model.Contact, error) {
	op, addr, err := e.contact(id)
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.SetNickname(addr, strings.TrimSpace(nickname))
}

// ArchiveContact archives or unarchives a contact's conversation.
//
// Deprecated: use Archive, the same for a contact and a group.
func (e *Engine) ArchiveContact(id model.ConversationID, archived bool) (model.Contact, error) {
	if _, err := contactOf(id); err != nil {
		return model.Contact{}, err
	}
	cv, err := e.Archive(id, archived)
	if err != nil {
		return model.Contact{}, err
	}
	return *cv.Contact, nil
}

// Presence returns whether a contact is online, being dialled, or offline.
func (e *Engine) Presence(id model.ConversationID) model.Presence {
	op, addr, err := e.contact(id)
	if err != nil {
		return model.Offline
	}
	return op.peers.Presence(addr)
}

// Send writes a text message to a contact.
//
// Deprecated: use Reply (or SendMessage) with the contact's conversation
// ID, the same for a contact and a group.
func (e *Engine) Send(id model.ConversationID, body string, replyTo model.MessageID) (model.Message, error) {
	if _, err := contactOf(id); err != nil {
		return model.Message{}, err
	}
	return e.Reply(id, body, replyTo)
}

// Messages returns up to n messages of a conversation, oldest first.
//
// Deprecated: use History, which it is.
func (e *Engine) Messages(conv model.ConversationID, before uint64, n int) ([]model.Message, error) {
	return e.History(conv, before, n)
}

// Message returns conv's message with the given ID. IDs are unique within
// a conversation only: a contact chooses the IDs of its messages.
func (e *Engine) Message(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	op, err := e.current()
	if err != nil {
		return model.Message{}, err
	}
	m, err := op.st.GetMessage(conv, id)
	return withKind(m), err
}

// withActivity sets each contact's LastActivity to its conversation's
// latest message when that is later: messages note activity in the
// conversation's summary, in the transaction that stores them, and not in
// the contact record.
func (op *openProfile) withActivity(cs []model.Contact) error {
	infos, err := op.st.ListConversations()
	if err != nil {
		return err
	}
	last := make(map[model.ConversationID]time.Time, len(infos))
	for _, info := range infos {
		last[info.ID] = info.LastActivity
	}
	for i := range cs {
		if t := last[model.ConversationID(cs[i].Address)]; t.After(cs[i].LastActivity) {
			cs[i].LastActivity = t
		}
	}
	return nil
}

// byActivity orders lists the most recently active first (at and bt), and
// by their keys (ak, bk) among equals.
func byActivity[K cmp.Ordered](at, bt time.Time, ak, bk K) int {
	if c := bt.Compare(at); c != 0 {
		return c
	}
	return cmp.Compare(ak, bk)
}
