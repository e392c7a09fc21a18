package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
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

// Self returns the unlocked profile's onion address and display name.
func (e *Engine) Self() (identity.Address, string, error) {
	op, err := e.current()
	if err != nil {
		return "", "", err
	}
	return op.id.Address(), op.displayName(), nil
}

// Contacts returns every contact (requests and blocked ones included), the
// most recently active first.
func (e *Engine) Contacts() ([]model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	cs, err := op.st.Contacts()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cs, func(a, b model.Contact) int {
		if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
			return c
		}
		return strings.Compare(a.Address, b.Address)
	})
	return cs, nil
}

// Contact returns one contact.
func (e *Engine) Contact(addr identity.Address) (model.Contact, error) {
	op, err := e.current()
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
func (e *Engine) AcceptContact(addr identity.Address) (model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.Accept(addr)
}

// RejectContact deletes a contact request without telling the requester.
func (e *Engine) RejectContact(addr identity.Address) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	return op.peers.Reject(addr)
}

// BlockContact blocks an address: it can no longer reach this profile.
func (e *Engine) BlockContact(addr identity.Address) (model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.Block(addr)
}

// UnblockContact makes a blocked contact a contact again.
func (e *Engine) UnblockContact(addr identity.Address) (model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.Unblock(addr)
}

// DeleteContact removes a contact and, if deleteHistory is set, the
// conversation with them.
func (e *Engine) DeleteContact(addr identity.Address, deleteHistory bool) error {
	op, err := e.current()
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
func (e *Engine) RenameContact(addr identity.Address, nickname string) (model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.SetNickname(addr, strings.TrimSpace(nickname))
}

// ArchiveContact archives or unarchives a contact's conversation.
func (e *Engine) ArchiveContact(addr identity.Address, archived bool) (model.Contact, error) {
	op, err := e.current()
	if err != nil {
		return model.Contact{}, err
	}
	return op.peers.SetArchived(addr, archived)
}

// Presence returns whether a contact is online, being dialled, or offline.
func (e *Engine) Presence(addr identity.Address) model.Presence {
	op, err := e.current()
	if err != nil {
		return model.Offline
	}
	return op.peers.Presence(addr)
}

// Send writes a text message to a contact; it is stored at once (queued)
// and delivered when the contact is reachable. replyTo quotes a message of
// the conversation, or is zero.
func (e *Engine) Send(addr identity.Address, body string, replyTo model.MessageID) (model.Message, error) {
	op, err := e.current()
	if err != nil {
		return model.Message{}, err
	}
	return op.peers.Send(addr, body, replyTo)
}

// Messages returns up to n messages of a conversation, oldest first: the
// latest ones when before is 0, else those with Seq < before (the page
// above what the frontend shows). It reads only what it returns.
func (e *Engine) Messages(conv model.ConversationID, before uint64, n int) ([]model.Message, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	if before == 0 {
		return op.st.LatestMessages(conv, n)
	}
	return op.st.MessagesBefore(conv, before, n)
}

// Message returns conv's message with the given ID. IDs are unique within
// a conversation only: a contact chooses the IDs of its messages.
func (e *Engine) Message(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	op, err := e.current()
	if err != nil {
		return model.Message{}, err
	}
	return op.st.GetMessage(conv, id)
}

// Conversations returns every conversation with its latest activity.
func (e *Engine) Conversations() ([]store.ConversationInfo, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	return op.st.ListConversations()
}
