package store

import (
	"errors"
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
		return eachConvInfo(txn, func(info ConversationInfo) error {
			last, err := lastMessage(txn, info)
			if err != nil {
				return err
			}
			out = append(out, Summary{ConversationInfo: info, Last: last})
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b Summary) int {
		return byActivity(a.ConversationInfo, b.ConversationInfo)
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
	ms, err := newestFirst(txn, info.ID, info.LastSeq, 1, nil)
	if len(ms) == 0 {
		return model.Message{}, err
	}
	return ms[0], err
}
