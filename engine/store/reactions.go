package store

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// SetReaction sets author's reaction on conv's message id to emoji (""
// removes it) and returns the message as it is now and whether it
// changed. The reaction is kept in the message's record, in this one
// transaction: it goes when the message goes. ErrNotFound when conv holds
// no message of that ID (deleted, disappeared, or never received): the
// caller drops the reaction. The conversation's summary (activity, unread
// count) does not change.
func (s *Store) SetReaction(conv model.ConversationID, id model.MessageID, author, emoji string) (model.Message, bool, error) {
	var (
		m       model.Message
		changed bool
	)
	err := s.update(func(txn *badger.Txn) error {
		var err error
		m, changed, err = setReaction(txn, conv, id, author, emoji)
		return err
	})
	return m, changed, err
}

// SetReaction is Store.SetReaction inside the transaction.
func (tx *Tx) SetReaction(conv model.ConversationID, id model.MessageID, author, emoji string) (model.Message, bool, error) {
	return setReaction(tx.txn, conv, id, author, emoji)
}

func setReaction(txn *badger.Txn, conv model.ConversationID, id model.MessageID, author, emoji string) (model.Message, bool, error) {
	if author == "" {
		return model.Message{}, false, fmt.Errorf("%w: reaction without an author", ErrInvalid)
	}
	if emoji != "" {
		if err := model.CheckEmoji(emoji); err != nil {
			return model.Message{}, false, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	m, err := lookup(txn, conv, id)
	if err != nil {
		return m, false, mapErr(err)
	}
	rs, changed := model.SetReaction(m.Reactions, author, emoji)
	if !changed {
		return m, false, nil
	}
	m.Reactions = rs
	return m, true, txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(m))
}
