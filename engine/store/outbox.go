package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// The outbox is a persistent queue of message IDs per conversation: what
// still has to be sent when the contact or server is next reachable. Entries
// are numbered from one counter shared by all conversations, so each
// conversation's entries come back in the order they were enqueued.

var outboxCounterKey = metaKey("outbox")

// Enqueue puts message id at the end of conv's outbox. Enqueuing an ID that
// is already queued does nothing.
func (s *Store) Enqueue(conv model.ConversationID, id model.MessageID) error {
	return s.update(func(txn *badger.Txn) error { return enqueue(txn, conv, id) })
}

func enqueue(txn *badger.Txn, conv model.ConversationID, id model.MessageID) error {
	if err := checkName("conversation", string(conv)); err != nil {
		return err
	}
	if id.IsZero() {
		return fmt.Errorf("%w: zero message id", ErrInvalid)
	}
	switch _, err := txn.Get(idKey(kindOutIndex, id)); {
	case err == nil:
		return nil
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	var n uint64
	switch item, err := txn.Get(outboxCounterKey); {
	case err == nil:
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if len(v) != 8 {
			return fmt.Errorf("%w: bad outbox counter", ErrCorrupt)
		}
		n = binary.BigEndian.Uint64(v)
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	n++
	if err := txn.Set(outboxCounterKey, binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return err
	}
	if err := txn.Set(seqKey(kindOutbox, conv, n), id[:]); err != nil {
		return err
	}
	return txn.Set(idKey(kindOutIndex, id), encodePointer(conv, n))
}

// Outbox returns the IDs queued for conv, first queued first.
func (s *Store) Outbox(conv model.ConversationID) ([]model.MessageID, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return nil, err
	}
	var out []model.MessageID
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: convKey(kindOutbox, conv)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				var id model.MessageID
				if len(v) != len(id) {
					return fmt.Errorf("%w: bad outbox entry", ErrCorrupt)
				}
				copy(id[:], v)
				out = append(out, id)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// OutboxConversations returns the conversations whose outbox is not empty.
func (s *Store) OutboxConversations() ([]model.ConversationID, error) {
	var out []model.ConversationID
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindOutbox}})
		defer it.Close()
		for it.Rewind(); it.Valid(); {
			conv, _, err := parseSeqKey(it.Item().Key())
			if err != nil {
				return err
			}
			out = append(out, conv)
			// Skip the rest of this conversation's entries.
			it.Seek(seqKey(kindOutbox, conv, ^uint64(0)))
			if it.Valid() {
				if c, _, _ := parseSeqKey(it.Item().Key()); c == conv {
					it.Next()
				}
			}
		}
		return nil
	})
	return out, err
}

// Dequeue removes message id from the outbox it is in, if any.
func (s *Store) Dequeue(id model.MessageID) error {
	return s.update(func(txn *badger.Txn) error { return dequeue(txn, id) })
}

func dequeue(txn *badger.Txn, id model.MessageID) error {
	k := idKey(kindOutIndex, id)
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	var (
		conv model.ConversationID
		n    uint64
	)
	err = item.Value(func(v []byte) error {
		conv, n, err = decodePointer(v)
		return err
	})
	if err != nil {
		return err
	}
	if err := txn.Delete(seqKey(kindOutbox, conv, n)); err != nil {
		return err
	}
	return txn.Delete(k)
}
