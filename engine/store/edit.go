package store

import (
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// EditMessage replaces the text of conv's message id with text, as its
// author edited it at the time at (model.ApplyEdit), in this transaction,
// and returns the message as it is now and whether it changed. An edit
// that ApplyEdit refuses (not the author's, not a text, too late, older
// than the last one applied) changes nothing. ErrNotFound when conv holds
// no message of that ID (deleted, disappeared, or not yet received): the
// caller drops the edit. The conversation's summary does not change.
func (tx *Tx) EditMessage(conv model.ConversationID, id model.MessageID, author, text string, at time.Time) (model.Message, bool, error) {
	return editMessage(tx.txn, conv, id, author, text, at)
}

// EditMessage is Tx.EditMessage in a transaction of its own.
func (s *Store) EditMessage(conv model.ConversationID, id model.MessageID, author, text string, at time.Time) (model.Message, bool, error) {
	var (
		m       model.Message
		changed bool
	)
	err := s.update(func(txn *badger.Txn) error {
		var err error
		m, changed, err = editMessage(txn, conv, id, author, text, at)
		return err
	})
	return m, changed, err
}

func editMessage(txn *badger.Txn, conv model.ConversationID, id model.MessageID, author, text string, at time.Time) (model.Message, bool, error) {
	if author == "" || at.IsZero() {
		return model.Message{}, false, fmt.Errorf("%w: an edit without an author or a time", ErrInvalid)
	}
	m, err := lookup(txn, conv, id)
	if err != nil {
		return m, false, mapErr(err)
	}
	m, changed := model.ApplyEdit(m, author, text, at)
	if !changed {
		return m, false, nil
	}
	return m, true, txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(m))
}
