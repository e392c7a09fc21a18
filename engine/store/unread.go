package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// Unread counts live in each conversation's summary (ConversationInfo.Unread)
// and change in the transaction that stores an incoming message, so that a
// received message costs one commit and a crash cannot leave a message
// stored but not counted.

// MarkRead sets conv's unread count to zero. It reports whether the count
// was not zero already; a conversation already read (or without messages)
// costs no commit.
func (s *Store) MarkRead(conv model.ConversationID) (bool, error) {
	info, err := s.Conversation(conv)
	if errors.Is(err, ErrNotFound) || err == nil && info.Unread == 0 {
		return false, nil
	} else if err != nil {
		return false, err
	}
	changed := false
	err = s.update(func(txn *badger.Txn) error {
		changed = false
		info, err := convInfo(txn, conv)
		if errors.Is(err, badger.ErrKeyNotFound) || err == nil && info.Unread == 0 {
			return nil
		} else if err != nil {
			return err
		}
		info.Unread, changed = 0, true
		return txn.Set(convKey(kindConv, conv), encodeConvInfo(info))
	})
	return changed, err
}

// SetUnread sets conv's unread count inside the transaction; a
// conversation without messages is left alone. The engine uses it once, to
// bring over the counts it kept in a bucket before the store kept them.
func (tx *Tx) SetUnread(conv model.ConversationID, n uint64) error {
	if err := checkName("conversation", string(conv)); err != nil {
		return err
	}
	info, err := convInfo(tx.txn, conv)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	info.Unread = n
	return tx.txn.Set(convKey(kindConv, conv), encodeConvInfo(info))
}

// ErrNotOurs is returned by MarkDelivered for an acknowledgement of an
// incoming message of the conversation named.
var ErrNotOurs = errors.New("not an outgoing message of this conversation")

// MarkDelivered handles an acknowledgement in one transaction: the
// outgoing message id of conv becomes Delivered (unless it already is) and
// leaves the outbox. It returns the message and whether its status
// changed; ErrNotFound when conv holds no message of that ID (a message of
// another conversation is never touched: IDs are unique per conversation
// only), ErrNotOurs for an incoming one.
func (s *Store) MarkDelivered(conv model.ConversationID, id model.MessageID) (model.Message, bool, error) {
	var (
		m       model.Message
		changed bool
	)
	err := s.update(func(txn *badger.Txn) error {
		changed = false
		var err error
		if m, err = lookup(txn, conv, id); err != nil {
			return err
		}
		if !m.Outgoing {
			return fmt.Errorf("%w: %s", ErrNotOurs, id)
		}
		if m.Status != model.StatusDelivered {
			m.Status, m.FailReason, changed = model.StatusDelivered, "", true
			if err := txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(m)); err != nil {
				return err
			}
		}
		return dequeue(txn, id)
	})
	return m, changed, err
}

// SetStatus is Store.UpdateMessageStatus inside the transaction.
func (tx *Tx) SetStatus(conv model.ConversationID, id model.MessageID, status model.MessageStatus, reason string) (model.Message, error) {
	if !validStatus(status) {
		return model.Message{}, fmt.Errorf("%w: unknown message status", ErrInvalid)
	}
	m, err := tx.GetMessage(conv, id)
	if err != nil {
		return m, err
	}
	m.Status, m.FailReason = status, reason
	return m, tx.txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(m))
}

// GetMessage is Store.GetMessage inside the transaction.
func (tx *Tx) GetMessage(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	m, err := lookup(tx.txn, conv, id)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return m, ErrNotFound
	}
	return m, err
}
