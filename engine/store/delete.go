package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// Deleting messages on request ("Delete for me", "Clear conversation").
// Unlike a message that disappeared, a message the person deleted leaves
// a tombstone: its index entry stays, pointing at Seq 0, so that a copy
// written again by its sender (whose acknowledgement was lost) is
// recognised as a duplicate and acknowledged without being stored again.
// A tombstone holds the message's ID only, no content.

// tombstone is the Seq a message index entry holds once its message was
// deleted on request.
const tombstone = 0

// DeleteMessage deletes conv's message id on request, in one transaction:
// the message, its outbox entry (a queued message is never sent), its
// timers, and its place in the conversation's summary (count, unread
// count; the latest message is read from what remains). It returns the
// message as it was, or ErrNotFound.
func (s *Store) DeleteMessage(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	var m model.Message
	err := s.update(func(txn *badger.Txn) error {
		var err error
		m, err = deleteOne(txn, conv, id)
		return err
	})
	return m, err
}

// DeleteMessage is Store.DeleteMessage inside the transaction.
func (tx *Tx) DeleteMessage(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	m, err := deleteOne(tx.txn, conv, id)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return m, ErrNotFound
	}
	return m, err
}

func deleteOne(txn *badger.Txn, conv model.ConversationID, id model.MessageID) (model.Message, error) {
	m, err := lookup(txn, conv, id)
	if err != nil {
		return m, err
	}
	info, ierr := convInfo(txn, conv)
	if ierr != nil && !errors.Is(ierr, badger.ErrKeyNotFound) {
		return m, ierr
	}
	unread, err := isUnread(txn, info, m)
	if err != nil {
		return m, err
	}
	if err := forget(txn, m); err != nil {
		return m, err
	}
	if ierr != nil {
		return m, nil // no summary to fix
	}
	if info.Messages > 0 {
		info.Messages--
	}
	if unread && info.Unread > 0 {
		info.Unread--
	}
	return m, txn.Set(convKey(kindConv, conv), encodeConvInfo(info))
}

// forget removes m's record, timers and outbox entry and leaves a
// tombstone in its index. The caller fixes the summary.
func forget(txn *badger.Txn, m model.Message) error {
	if err := txn.Delete(seqKey(kindMessage, m.Conversation, m.Seq)); err != nil {
		return err
	}
	if err := txn.Set(msgIndexKey(m.Conversation, m.ID), encodeSeq(tombstone)); err != nil {
		return err
	}
	if err := txn.Delete(idConvKey(m.ID, m.Conversation)); err != nil {
		return err
	}
	if !m.ExpiresAt.IsZero() {
		if err := txn.Delete(expiryKey(m.ExpiresAt, m.ID)); err != nil {
			return err
		}
	}
	if err := txn.Delete(seqKey(kindTimer, m.Conversation, m.Seq)); err != nil {
		return err
	}
	return dequeue(txn, m.ID)
}

// isUnread reports whether m is counted in info.Unread: the unread count
// covers the newest incoming messages (notes aside), so m is unread when
// fewer than info.Unread such messages came after it. It reads nothing
// when fewer than info.Unread messages were numbered after m, else the
// messages after m until info.Unread counted ones.
func isUnread(txn *badger.Txn, info ConversationInfo, m model.Message) (bool, error) {
	if !m.CountsUnread() || info.Unread == 0 {
		return false, nil
	}
	if info.LastSeq-m.Seq < info.Unread {
		// Fewer messages came after it than are unread: it is one of them.
		return true, nil
	}
	it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: convKey(kindMessage, m.Conversation)})
	defer it.Close()
	later := uint64(0)
	for it.Seek(seqKey(kindMessage, m.Conversation, info.LastSeq)); it.Valid(); it.Next() {
		item := it.Item()
		_, seq, err := parseSeqKey(item.Key())
		if err != nil {
			return false, err
		}
		if seq <= m.Seq {
			break
		}
		var counts bool
		err = item.Value(func(v []byte) error {
			o, err := decodeMessage(m.Conversation, seq, v)
			counts = o.CountsUnread()
			return err
		})
		if err != nil {
			return false, err
		}
		if counts {
			if later++; later >= info.Unread {
				return false, nil
			}
		}
	}
	return true, nil
}

// ClearConversation deletes every message of conv on request and keeps
// the conversation: its summary stays, with no messages and nothing
// unread, and its Seq numbering goes on (a message stored later is not
// numbered like one deleted). Queued messages leave the outbox and are
// never sent. A long conversation is cleared in several transactions,
// newest messages first, each fixing the summary's count, so an
// interrupted clearing leaves a consistent, shorter conversation that a
// second call finishes. It returns the IDs of the messages it deleted.
func (s *Store) ClearConversation(conv model.ConversationID) ([]model.MessageID, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return nil, err
	}
	var ids []model.MessageID
	for {
		var batch []model.MessageID
		err := s.update(func(txn *badger.Txn) error {
			batch = batch[:0]
			info, err := convInfo(txn, conv)
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			ms, err := newestFirst(txn, conv, info.LastSeq, clearBatch, nil)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if err := forget(txn, m); err != nil {
					return err
				}
				batch = append(batch, m.ID)
			}
			info.Messages -= min(info.Messages, uint64(len(ms)))
			info.Unread = 0
			return txn.Set(convKey(kindConv, conv), encodeConvInfo(info))
		})
		if err != nil {
			return ids, err
		}
		ids = append(ids, batch...)
		if len(batch) < clearBatch {
			return ids, nil
		}
	}
}

// deleteIndex removes conv's message index entries, tombstones included
// (DeleteConversation), a batch per transaction.
func (s *Store) deleteIndex(conv model.ConversationID) error {
	prefix := convKey(kindMsgIndex, conv)
	for {
		n := 0
		err := s.update(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
			var keys [][]byte
			for it.Rewind(); it.Valid() && len(keys) < deleteBatch; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			it.Close()
			n = len(keys)
			for _, k := range keys {
				if len(k) != len(prefix)+len(model.MessageID{}) {
					return fmt.Errorf("%w: bad index key", ErrCorrupt)
				}
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || n < deleteBatch {
			return err
		}
	}
}

// clearBatch is how many messages one transaction of ClearConversation
// deletes: each costs about five key operations, and a transaction holds
// at most 629 KB (TestLargestTransactions).
const clearBatch = 500
