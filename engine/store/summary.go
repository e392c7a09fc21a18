package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// Summary is a conversation's summary with its latest message: what a
// conversation list shows.
type Summary struct {
	ConversationInfo
	// Last is the latest message (zero ID when the conversation has none
	// left: all disappeared).
	Last model.Message
}

// Summaries returns every conversation that has messages, with its latest
// message, the most recently active first, in one read: the latest
// message is one lookup by key, not a scan.
func (s *Store) Summaries() ([]Summary, error) {
	var out []Summary
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindConv}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if len(k) < 3 || len(k) != 3+int(k[1])<<8+int(k[2]) {
				return fmt.Errorf("%w: bad conversation key", ErrCorrupt)
			}
			var sum Summary
			err := item.Value(func(v []byte) error {
				var err error
				sum.ConversationInfo, err = decodeConvInfo(model.ConversationID(k[3:]), v)
				return err
			})
			if err != nil {
				return err
			}
			if sum.Last, err = lastMessage(txn, sum.ConversationInfo); err != nil {
				return err
			}
			out = append(out, sum)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Summary) int {
		if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, err
}

// Summary returns one conversation's summary with its latest message, or
// ErrNotFound if it has no messages.
func (s *Store) Summary(conv model.ConversationID) (Summary, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return Summary{}, err
	}
	var sum Summary
	err := s.view(func(txn *badger.Txn) error {
		var err error
		if sum.ConversationInfo, err = convInfo(txn, conv); err != nil {
			return err
		}
		sum.Last, err = lastMessage(txn, sum.ConversationInfo)
		return err
	})
	return sum, err
}

// lastMessage returns the latest message of a conversation: the one at its
// last Seq, or, when that one was deleted (it disappeared), the newest
// before it.
func lastMessage(txn *badger.Txn, info ConversationInfo) (model.Message, error) {
	if info.LastSeq == 0 || info.Messages == 0 {
		return model.Message{}, nil
	}
	m, err := messageAt(txn, info.ID, info.LastSeq)
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return m, err
	}
	it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: convKey(kindMessage, info.ID)})
	defer it.Close()
	it.Seek(seqKey(kindMessage, info.ID, info.LastSeq))
	if !it.Valid() {
		return model.Message{}, nil
	}
	conv, seq, err := parseSeqKey(it.Item().Key())
	if err != nil {
		return model.Message{}, err
	}
	err = it.Item().Value(func(v []byte) error {
		m, err = decodeMessage(conv, seq, v)
		return err
	})
	return m, err
}
