package store

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// ChangeMessage applies change to conv's message id in this transaction
// and stores the result when change reports that it changed: the one
// place a change of a stored message (a reaction, an edit, the next kind
// of change) goes through. It returns the message as it is now and
// whether it changed. ErrNotFound when conv holds no message of that ID
// (deleted, disappeared, or not yet received): the caller drops the
// change. The conversation's summary (activity, unread count) does not
// change; change must not change the message's ID, conversation or Seq.
func (tx *Tx) ChangeMessage(conv model.ConversationID, id model.MessageID, change func(model.Message) (model.Message, bool)) (model.Message, bool, error) {
	return changeMessage(tx.txn, conv, id, change)
}

// ChangeMessage is Tx.ChangeMessage in a transaction of its own.
func (s *Store) ChangeMessage(conv model.ConversationID, id model.MessageID, change func(model.Message) (model.Message, bool)) (model.Message, bool, error) {
	var (
		m       model.Message
		changed bool
	)
	err := s.update(func(txn *badger.Txn) error {
		var err error
		m, changed, err = changeMessage(txn, conv, id, change)
		return err
	})
	return m, changed, err
}

func changeMessage(txn *badger.Txn, conv model.ConversationID, id model.MessageID, change func(model.Message) (model.Message, bool)) (model.Message, bool, error) {
	m, err := lookup(txn, conv, id)
	if err != nil {
		return m, false, mapErr(err)
	}
	after, changed := change(m)
	if !changed {
		return m, false, nil
	}
	if after.ID != m.ID || after.Conversation != m.Conversation || after.Seq != m.Seq {
		return m, false, fmt.Errorf("%w: a change of a message changed its identity", ErrInvalid)
	}
	return after, true, txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(after))
}

// EditMessage replaces the text of conv's message id with text, as its
// author edited it at the time at (model.ApplyEdit), in this transaction
// (ChangeMessage). An edit that ApplyEdit refuses (not the author's, not
// a text, too late, older than the last one applied) changes nothing.
func (tx *Tx) EditMessage(conv model.ConversationID, id model.MessageID, author, text string, at time.Time) (model.Message, bool, error) {
	if author == "" || at.IsZero() {
		return model.Message{}, false, fmt.Errorf("%w: an edit without an author or a time", ErrInvalid)
	}
	return tx.ChangeMessage(conv, id, func(m model.Message) (model.Message, bool) { return model.ApplyEdit(m, author, text, at) })
}

// EditMessage is Tx.EditMessage in a transaction of its own.
func (s *Store) EditMessage(conv model.ConversationID, id model.MessageID, author, text string, at time.Time) (model.Message, bool, error) {
	if author == "" || at.IsZero() {
		return model.Message{}, false, fmt.Errorf("%w: an edit without an author or a time", ErrInvalid)
	}
	return s.ChangeMessage(conv, id, func(m model.Message) (model.Message, bool) { return model.ApplyEdit(m, author, text, at) })
}
