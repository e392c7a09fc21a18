package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// Disappearing messages. A message with a Disappear timer is indexed in one
// of two ways:
//
//	x expiry(8, big-endian Unix ns) messageID(16)   its timer runs: delete then
//	                                  → conv, seq
//	t conv seq(8, big-endian) → messageID           incoming, timer starts when read
//
// The x range sorts by deletion time, so NextExpiry reads one key and
// DeleteExpired reads only what is due.
const (
	kindExpiry = 'x'
	kindTimer  = 't'
)

func expiryKey(at time.Time, id model.MessageID) []byte {
	k := binary.BigEndian.AppendUint64([]byte{kindExpiry}, uint64(max(at.UnixNano(), 0)))
	return append(k, id[:]...)
}

// indexExpiry records m's timer: in the expiry range if it runs, or as
// waiting to be read.
func indexExpiry(txn *badger.Txn, m *model.Message) error {
	switch {
	case m.Disappear <= 0:
		return nil
	case !m.ExpiresAt.IsZero():
		return txn.Set(expiryKey(m.ExpiresAt, m.ID), encodePointer(m.Conversation, m.Seq))
	default:
		return txn.Set(seqKey(kindTimer, m.Conversation, m.Seq), m.ID[:])
	}
}

// timerBatch bounds the messages one transaction of StartTimers or
// DeleteExpired touches (Badger limits a transaction's size).
const timerBatch = 500

// StartTimers starts the disappearing timers of conv's messages that wait
// for being read: each now expires its Disappear after now. It returns how
// many started.
func (s *Store) StartTimers(conv model.ConversationID, now time.Time) (int, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return 0, err
	}
	total := 0
	for {
		n, done := 0, false
		err := s.update(func(txn *badger.Txn) error {
			n = 0
			it := txn.NewIterator(badger.IteratorOptions{Prefix: convKey(kindTimer, conv)})
			var keys, ids [][]byte
			for it.Rewind(); it.Valid() && len(keys) < timerBatch; it.Next() {
				id, err := it.Item().ValueCopy(nil)
				if err != nil {
					it.Close()
					return err
				}
				keys, ids = append(keys, it.Item().KeyCopy(nil)), append(ids, id)
			}
			it.Close()
			for i, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
				_, seq, err := parseSeqKey(k)
				if err != nil {
					return err
				}
				m, err := messageAt(txn, conv, seq)
				if errors.Is(err, badger.ErrKeyNotFound) || err == nil && string(m.ID[:]) != string(ids[i]) {
					continue // deleted since (or a stale entry of a deleted conversation)
				} else if err != nil {
					return err
				}
				if m.Disappear <= 0 || !m.ExpiresAt.IsZero() {
					continue
				}
				m.ExpiresAt = now.Add(m.Disappear)
				if err := txn.Set(seqKey(kindMessage, conv, seq), encodeMessage(m)); err != nil {
					return err
				}
				if err := indexExpiry(txn, &m); err != nil {
					return err
				}
				n++
			}
			done = len(keys) < timerBatch
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if done {
			return total, nil
		}
	}
}

// messageAt reads the message at conv, seq.
func messageAt(txn *badger.Txn, conv model.ConversationID, seq uint64) (model.Message, error) {
	item, err := txn.Get(seqKey(kindMessage, conv, seq))
	if err != nil {
		return model.Message{}, err
	}
	var m model.Message
	err = item.Value(func(v []byte) error {
		m, err = decodeMessage(conv, seq, v)
		return err
	})
	return m, err
}

// NextExpiry returns when the next disappearing message is due; ok is
// false when no timer runs.
func (s *Store) NextExpiry() (at time.Time, ok bool, err error) {
	err = s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindExpiry}})
		defer it.Close()
		it.Rewind()
		if !it.Valid() {
			return nil
		}
		k := it.Item().Key()
		if len(k) != 1+8+len(model.MessageID{}) {
			return fmt.Errorf("%w: bad expiry key", ErrCorrupt)
		}
		at, ok = time.Unix(0, int64(binary.BigEndian.Uint64(k[1:9]))), true
		return nil
	})
	return at, ok, err
}

// DeleteExpired deletes the messages whose timer ran out by now, with
// their index and outbox entries (a queued message that expires is never
// sent), and returns them with only ID, Conversation, Seq and Outgoing set.
// It deletes at most timerBatch messages per call; call it again while it
// returns that many.
func (s *Store) DeleteExpired(now time.Time) ([]model.Message, error) {
	var gone []model.Message
	err := s.update(func(txn *badger.Txn) error {
		gone = gone[:0]
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindExpiry}})
		var keys, ptrs [][]byte
		for it.Rewind(); it.Valid() && len(keys) < timerBatch; it.Next() {
			k := it.Item().Key()
			if len(k) != 1+8+len(model.MessageID{}) {
				it.Close()
				return fmt.Errorf("%w: bad expiry key", ErrCorrupt)
			}
			if int64(binary.BigEndian.Uint64(k[1:9])) > now.UnixNano() {
				break
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				it.Close()
				return err
			}
			keys, ptrs = append(keys, it.Item().KeyCopy(nil)), append(ptrs, v)
		}
		it.Close()
		for i, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
			conv, seq, err := decodePointer(ptrs[i])
			if err != nil {
				return err
			}
			m, err := messageAt(txn, conv, seq)
			if errors.Is(err, badger.ErrKeyNotFound) || err == nil && string(m.ID[:]) != string(k[9:]) {
				continue // its conversation was deleted
			} else if err != nil {
				return err
			}
			if err := deleteMessage(txn, m); err != nil {
				return err
			}
			gone = append(gone, model.Message{ID: m.ID, Conversation: m.Conversation, Seq: m.Seq, Outgoing: m.Outgoing})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}

// deleteMessage removes one message, its index and outbox entries, and
// counts it out of its conversation's summary.
func deleteMessage(txn *badger.Txn, m model.Message) error {
	if err := txn.Delete(seqKey(kindMessage, m.Conversation, m.Seq)); err != nil {
		return err
	}
	if err := txn.Delete(msgIndexKey(m.Conversation, m.ID)); err != nil {
		return err
	}
	if err := txn.Delete(idConvKey(m.ID, m.Conversation)); err != nil {
		return err
	}
	if err := dequeue(txn, m.ID); err != nil {
		return err
	}
	info, err := convInfo(txn, m.Conversation)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if info.Messages > 0 {
		info.Messages--
	}
	return txn.Set(convKey(kindConv, m.Conversation), encodeConvInfo(info))
}

// deleteTimers removes conv's entries waiting for a read (DeleteConversation).
func (s *Store) deleteTimers(conv model.ConversationID) error {
	for {
		n := 0
		err := s.update(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: convKey(kindTimer, conv)})
			var keys [][]byte
			for it.Rewind(); it.Valid() && len(keys) < timerBatch; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			it.Close()
			n = len(keys)
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || n < timerBatch {
			return err
		}
	}
}
