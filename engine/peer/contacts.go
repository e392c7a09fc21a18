package peer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// AddContact adds addr as a contact with a local nickname and starts
// reaching out: the link dials it and sends a contact request. Adding an
// address that already asked us (state Request) accepts it. Adding an
// existing contact only updates the nickname.
func (m *Manager) AddContact(addr identity.Address, nickname string) (model.Contact, error) {
	if addr == m.self {
		return model.Contact{}, ErrSelf
	}
	if err := checkNickname(nickname); err != nil {
		return model.Contact{}, err
	}
	c, err := m.changeContact(addr, true, func(c *model.Contact) bool {
		if nickname != "" {
			c.Nickname = nickname
		}
		switch c.State {
		case 0:
			c.State = model.ContactPending
		case model.ContactRequest:
			c.State = model.ContactAccepted
		}
		return true
	})
	if err != nil {
		return c, err
	}
	if c.State != model.ContactBlocked {
		m.wakeLink(addr)
	}
	return c, nil
}

// Accept accepts a contact request: the contact becomes Accepted and is
// told so.
func (m *Manager) Accept(addr identity.Address) (model.Contact, error) {
	return m.acceptFrom(addr, model.ContactRequest, model.ContactPending)
}

// acceptFrom makes the contact addr Accepted if its state is one of from
// (otherwise it changes nothing), and wakes its link to tell the contact.
func (m *Manager) acceptFrom(addr identity.Address, from ...model.ContactState) (model.Contact, error) {
	c, err := m.changeContact(addr, false, func(c *model.Contact) bool {
		if !slices.Contains(from, c.State) {
			return false
		}
		c.State = model.ContactAccepted
		return true
	})
	if err != nil {
		return c, err
	}
	m.wakeLink(addr)
	return c, nil
}

// wakeLink tells the link to addr, started if need be, that the contact or
// its outbox changed, and asks it for a dial attempt now.
func (m *Manager) wakeLink(addr identity.Address) {
	if l := m.linkFor(addr, true); l != nil {
		l.contactChanged(true)
	}
}

// Reject deletes a contact request. The requester is not told.
func (m *Manager) Reject(addr identity.Address) error {
	c, err := m.contact(addr)
	if err != nil {
		return err
	}
	if c.State != model.ContactRequest {
		return errors.New("that contact did not send a request")
	}
	return m.DeleteContact(addr)
}

// Block blocks addr: its sessions are closed right after the handshake and
// it is never dialled. Blocking an address that is not a contact adds it as
// blocked.
func (m *Manager) Block(addr identity.Address) (model.Contact, error) {
	if addr == m.self {
		return model.Contact{}, ErrSelf
	}
	c, err := m.changeContact(addr, true, func(c *model.Contact) bool {
		c.State = model.ContactBlocked
		return true
	})
	if err != nil {
		return c, err
	}
	m.dropLink(addr)
	m.closeStrangers(addr)
	m.failOutbox(addr, model.ReasonBlocked)
	return c, nil
}

// Unblock makes a blocked contact an accepted contact again.
func (m *Manager) Unblock(addr identity.Address) (model.Contact, error) {
	return m.acceptFrom(addr, model.ContactBlocked)
}

// DeleteContact removes the contact and ends its session. The conversation's
// messages stay in the store until deleted separately.
func (m *Manager) DeleteContact(addr identity.Address) error {
	m.contactMu.Lock()
	err := m.cfg.Store.DeleteContact(string(addr))
	m.contactMu.Unlock()
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotContact
		}
		return err
	}
	m.dropLink(addr)
	m.failOutbox(addr, model.ReasonDeleted)
	m.emit(model.ContactRemoved{Address: string(addr)})
	return nil
}

// failOutbox marks every message still queued for addr as failed with
// reason and empties its outbox and its reactions to send: they will never
// be sent.
func (m *Manager) failOutbox(addr identity.Address, reason string) {
	conv := model.ConversationID(addr)
	ids, err := m.cfg.Store.Outbox(conv)
	if err != nil {
		m.cfg.Logger.Warn("reading an outbox failed", "err", err)
		return
	}
	for _, id := range ids {
		msg, err := m.cfg.Store.GetMessage(conv, id)
		if err == nil && msg.Status != model.StatusDelivered {
			if _, err := m.cfg.Store.UpdateMessageStatus(conv, id, model.StatusFailed, reason); err == nil {
				m.emit(model.MessageStatusChanged{ID: id, Conversation: conv, Status: model.StatusFailed, Reason: reason})
			}
		}
		if err := m.cfg.Store.Dequeue(id); err != nil {
			m.cfg.Logger.Warn("emptying an outbox failed", "err", err)
		}
	}
	m.dropReactions(conv)
}

// SetNickname sets the local name of a contact ("" clears it).
func (m *Manager) SetNickname(addr identity.Address, nickname string) (model.Contact, error) {
	if err := checkNickname(nickname); err != nil {
		return model.Contact{}, err
	}
	return m.changeContact(addr, false, func(c *model.Contact) bool {
		c.Nickname = nickname
		return true
	})
}

// SetArchived archives or unarchives a contact's conversation.
func (m *Manager) SetArchived(addr identity.Address, archived bool) (model.Contact, error) {
	return m.changeContact(addr, false, func(c *model.Contact) bool {
		c.Archived = archived
		return true
	})
}

// Send stores a text message to a contact and queues it for delivery. It
// returns the stored message (Status Queued); delivery is reported by
// MessageStatusChanged events.
func (m *Manager) Send(addr identity.Address, body string, replyTo model.MessageID) (model.Message, error) {
	if strings.TrimSpace(body) == "" {
		return model.Message{}, ErrEmptyMessage
	}
	if len(body) > protocol.MaxBody || !utf8.ValidString(body) {
		return model.Message{}, fmt.Errorf("message is too long (at most %d bytes of text)", protocol.MaxBody)
	}
	return m.queue(addr, model.KindText, body, replyTo)
}

// SendGroupInvite stores a group invitation to a contact (a message of the
// group-invite kind whose body is the invite text) and queues it; it
// travels as a GroupInvite record and is delivered and acknowledged like
// a text.
func (m *Manager) SendGroupInvite(addr identity.Address, inviteText string) (model.Message, error) {
	if inviteText == "" || len(inviteText) > protocol.MaxGroupInvite || !utf8.ValidString(inviteText) {
		return model.Message{}, fmt.Errorf("%w: not a group invite", ErrEmptyMessage)
	}
	return m.queue(addr, model.KindGroupInvite, inviteText, model.MessageID{})
}

// queue stores an outgoing message of any kind and wakes the contact's
// link to send it.
func (m *Manager) queue(addr identity.Address, kind model.MessageKind, body string, replyTo model.MessageID) (model.Message, error) {
	return m.queueID(addr, model.NewMessageID(), kind, body, replyTo)
}

// queueID is queue with the message's ID chosen by the caller.
func (m *Manager) queueID(addr identity.Address, id model.MessageID, kind model.MessageKind, body string, replyTo model.MessageID) (model.Message, error) {
	c, err := m.contact(addr)
	if err != nil {
		return model.Message{}, err
	}
	if c.State == model.ContactBlocked {
		return model.Message{}, ErrBlocked
	}
	now := m.now()
	msg, err := m.cfg.Store.QueueMessage(model.Message{
		ID:           id,
		Kind:         kind,
		Conversation: model.ConversationID(addr),
		Author:       string(m.self),
		Outgoing:     true,
		Sent:         now,
		Received:     now,
		Body:         body,
		ReplyTo:      replyTo,
		Status:       model.StatusQueued,
		Disappear:    c.Disappear,
		ExpiresAt:    expiresAt(now, c.Disappear),
	})
	if err != nil {
		return model.Message{}, fmt.Errorf("store message: %w", err)
	}
	m.emit(model.MessageAdded{Message: msg})
	m.wakeLink(addr) // the conversation's activity is in its summary

	return msg, nil
}

// contact returns the stored contact, or ErrNotContact.
func (m *Manager) contact(addr identity.Address) (model.Contact, error) {
	c, err := m.cfg.Store.GetContact(string(addr))
	if errors.Is(err, store.ErrNotFound) {
		return c, ErrNotContact
	}
	return c, err
}

// changeContact applies fn to the stored contact (a new one when create is
// set and there is none), stores it if fn returns true, and emits
// ContactChanged.
func (m *Manager) changeContact(addr identity.Address, create bool, fn func(*model.Contact) bool) (model.Contact, error) {
	m.contactMu.Lock()
	defer m.contactMu.Unlock()
	c, err := m.cfg.Store.GetContact(string(addr))
	switch {
	case errors.Is(err, store.ErrNotFound) && create:
		c = model.Contact{Address: string(addr), Added: m.now()}
	case errors.Is(err, store.ErrNotFound):
		return c, ErrNotContact
	case err != nil:
		return c, err
	}
	if !fn(&c) {
		return c, nil
	}
	// The store decides the name a badge belongs to (VerifiedName).
	if c, err = m.cfg.Store.SaveContact(c); err != nil {
		return c, fmt.Errorf("store contact: %w", err)
	}
	m.emit(model.ContactChanged{Contact: c})
	return c, nil
}

func checkNickname(s string) error {
	if s == "" {
		return nil
	}
	if err := protocol.CheckDisplayName(s); err != nil {
		return fmt.Errorf("nickname: %w", err)
	}
	return nil
}

// SetVerified marks the contact verified by the user (after comparing the
// safety code with them: model.VerifiedSafetyCode), or, with verified
// false, not verified, however it was verified before.
func (m *Manager) SetVerified(addr identity.Address, verified bool) (model.Contact, error) {
	return m.changeContact(addr, false, func(c *model.Contact) bool {
		if verified {
			c.Verified, c.Verification = true, model.VerifiedSafetyCode
		} else {
			c.Verified, c.Verification = false, model.Unverified
		}
		c.VerifyRevoked = false
		return true
	})
}

// apply records on c what a valid proof showed.
func (p ProofCheck) apply(c *model.Contact) {
	if p.Verified && c.Verification != model.VerifiedSafetyCode {
		c.Verified, c.Verification, c.VerifyRevoked = true, model.VerifiedInPerson, false
	}
}

// sendConfirm sends the dialler our InviteConfirm, if the proof gave one.
func (p ProofCheck) sendConfirm(s interface{ Send(protocol.Record) error }) error {
	if len(p.Confirm) != protocol.ConfirmSize {
		return nil
	}
	r := &protocol.InviteConfirm{}
	copy(r.MAC[:], p.Confirm)
	return s.Send(r)
}
