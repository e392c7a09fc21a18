package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

func validStatus(s model.MessageStatus) bool {
	return s >= model.StatusQueued && s <= model.StatusReceived
}

// AppendMessage stores m as the newest message of m.Conversation and returns
// it with the Seq the store assigned (the conversation's previous Seq plus
// one, starting at 1). A message whose ID is already stored in the same
// conversation is refused with ErrDuplicate, so a message received twice is
// stored once. The same ID in another conversation is no duplicate: the
// message is stored, and ConversationsWith tells the caller, who should
// warn (a sender can choose its messages' IDs, see docs/security.md M-1).
func (s *Store) AppendMessage(m model.Message) (model.Message, error) {
	err := s.update(func(txn *badger.Txn) error { return appendMessage(txn, &m) })
	return m, err
}

// QueueMessage appends an outgoing message and puts it in the outbox in one
// transaction, so that a crash cannot leave one without the other.
func (s *Store) QueueMessage(m model.Message) (model.Message, error) {
	err := s.update(func(txn *badger.Txn) error {
		if err := appendMessage(txn, &m); err != nil {
			return err
		}
		return enqueue(txn, m.Conversation, m.ID)
	})
	return m, err
}

func appendMessage(txn *badger.Txn, m *model.Message) error {
	if err := checkName("conversation", string(m.Conversation)); err != nil {
		return err
	}
	if m.ID.IsZero() {
		return fmt.Errorf("%w: zero message id", ErrInvalid)
	}
	if !validStatus(m.Status) {
		return fmt.Errorf("%w: unknown message status", ErrInvalid)
	}
	switch _, err := txn.Get(msgIndexKey(m.Conversation, m.ID)); {
	case err == nil:
		return ErrDuplicate
	case !errors.Is(err, badger.ErrKeyNotFound):
		return err
	}
	info, err := convInfo(txn, m.Conversation)
	if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	info.LastSeq++
	info.Messages++
	if m.CountsUnread() {
		info.Unread++
	}
	if m.Received.After(info.LastActivity) {
		info.LastActivity = m.Received
	}
	m.Seq = info.LastSeq
	if err := txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(*m)); err != nil {
		return err
	}
	if err := indexExpiry(txn, m); err != nil {
		return err
	}
	if err := txn.Set(msgIndexKey(m.Conversation, m.ID), encodeSeq(m.Seq)); err != nil {
		return err
	}
	if err := txn.Set(idConvKey(m.ID, m.Conversation), nil); err != nil {
		return err
	}
	return txn.Set(convKey(kindConv, m.Conversation), encodeConvInfo(info))
}

func convInfo(txn *badger.Txn, conv model.ConversationID) (ConversationInfo, error) {
	item, err := txn.Get(convKey(kindConv, conv))
	if err != nil {
		return ConversationInfo{ID: conv}, err
	}
	var info ConversationInfo
	err = item.Value(func(v []byte) error {
		info, err = decodeConvInfo(conv, v)
		return err
	})
	return info, err
}

// lookup finds conv's message with the given ID through the index.
func lookup(txn *badger.Txn, conv model.ConversationID, id model.MessageID) (model.Message, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return model.Message{}, err
	}
	item, err := txn.Get(msgIndexKey(conv, id))
	if err != nil {
		return model.Message{}, err
	}
	var seq uint64
	err = item.Value(func(v []byte) error {
		seq, err = decodeSeq(v)
		return err
	})
	if err != nil {
		return model.Message{}, err
	}
	if seq == tombstone {
		return model.Message{}, badger.ErrKeyNotFound // deleted on request
	}
	item, err = txn.Get(seqKey(kindMessage, conv, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return model.Message{}, fmt.Errorf("%w: index points to a missing message", ErrCorrupt)
	} else if err != nil {
		return model.Message{}, err
	}
	var m model.Message
	err = item.Value(func(v []byte) error {
		m, err = decodeMessage(conv, seq, v)
		return err
	})
	if err == nil && m.ID != id {
		err = fmt.Errorf("%w: index points to another message", ErrCorrupt)
	}
	return m, err
}

// GetMessage returns conv's message with the given ID, or ErrNotFound.
func (s *Store) GetMessage(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	var m model.Message
	err := s.view(func(txn *badger.Txn) error {
		var err error
		m, err = lookup(txn, conv, id)
		return err
	})
	return m, err
}

// HasMessage reports whether conv holds a message with the given ID.
func (s *Store) HasMessage(conv model.ConversationID, id model.MessageID) (bool, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return false, err
	}
	err := s.view(func(txn *badger.Txn) error {
		_, err := lookup(txn, conv, id)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ConversationsWith returns the conversations that hold a message with the
// given ID, in no particular order. More than one means that two senders
// used one ID: a message ID is chosen by its sender (a group message's is
// a hash, but a contact's one-to-one message may carry any ID), so a
// contact could copy the ID of a group post to hide it, were IDs global.
func (s *Store) ConversationsWith(id model.MessageID) ([]model.ConversationID, error) {
	var out []model.ConversationID
	err := s.view(func(txn *badger.Txn) error {
		var err error
		out, err = conversationsWith(txn, id)
		return err
	})
	return out, err
}

func conversationsWith(txn *badger.Txn, id model.MessageID) ([]model.ConversationID, error) {
	var out []model.ConversationID
	prefix := idKey(kindIDConv, id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		out = append(out, model.ConversationID(it.Item().Key()[len(prefix):]))
	}
	return out, nil
}

// UpdateMessageStatus sets the status of conv's message with the given ID, and
// its FailReason (which should be empty unless status is StatusFailed). It
// returns the updated message, or ErrNotFound. The store does not judge
// transitions: the caller decides whether, say, a late "sent" may follow
// "delivered".
func (s *Store) UpdateMessageStatus(conv model.ConversationID, id model.MessageID, status model.MessageStatus, reason string) (model.Message, error) {
	if !validStatus(status) {
		return model.Message{}, fmt.Errorf("%w: unknown message status", ErrInvalid)
	}
	var m model.Message
	err := s.update(func(txn *badger.Txn) error {
		var err error
		if m, err = lookup(txn, conv, id); err != nil {
			return err
		}
		m.Status, m.FailReason = status, reason
		return txn.Set(seqKey(kindMessage, m.Conversation, m.Seq), encodeMessage(m))
	})
	return m, err
}

// LatestMessages returns the newest n messages of conv, oldest first.
//
// It starts at the conversation's last Seq (from its summary) rather than
// past the end of its key range: a reverse seek to an existing key is several
// times faster in Badger than one that lands between two ranges.
func (s *Store) LatestMessages(conv model.ConversationID, n int) ([]model.Message, error) {
	return s.readBack(conv, 0, n)
}

// MessagesBefore returns the n messages of conv that precede Seq seq, oldest
// first: the page before one already shown.
func (s *Store) MessagesBefore(conv model.ConversationID, seq uint64, n int) ([]model.Message, error) {
	if seq <= 1 {
		return nil, checkName("conversation", string(conv))
	}
	return s.readBack(conv, seq-1, n)
}

// readBack reads up to n messages of conv with Seq ≤ last (0: the
// conversation's last Seq), newest first, and returns them oldest first. It
// seeks to last and iterates in reverse, so it reads only what it returns.
func (s *Store) readBack(conv model.ConversationID, last uint64, n int) ([]model.Message, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, nil
	}
	out := make([]model.Message, 0, min(n, 256))
	err := s.view(func(txn *badger.Txn) error {
		if last == 0 {
			info, err := convInfo(txn, conv)
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			} else if err != nil {
				return err
			}
			last = info.LastSeq
		}
		var err error
		out, err = newestFirst(txn, conv, last, n, out)
		return err
	})
	slices.Reverse(out)
	return out, err
}

// newestFirst appends to out up to n messages of conv with Seq ≤ last,
// newest first, seeking to last and iterating in reverse.
func newestFirst(txn *badger.Txn, conv model.ConversationID, last uint64, n int, out []model.Message) ([]model.Message, error) {
	it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: convKey(kindMessage, conv)})
	defer it.Close()
	for it.Seek(seqKey(kindMessage, conv, last)); it.Valid() && n > 0; it.Next() {
		item := it.Item()
		c, seq, err := parseSeqKey(item.Key())
		if err != nil {
			return out, err
		}
		err = item.Value(func(v []byte) error {
			m, err := decodeMessage(c, seq, v)
			out = append(out, m)
			return err
		})
		if err != nil {
			return out, err
		}
		n--
	}
	return out, nil
}

// Conversation returns the summary of one conversation, or ErrNotFound if it
// has no messages.
func (s *Store) Conversation(conv model.ConversationID) (ConversationInfo, error) {
	if err := checkName("conversation", string(conv)); err != nil {
		return ConversationInfo{}, err
	}
	var info ConversationInfo
	err := s.view(func(txn *badger.Txn) error {
		var err error
		info, err = convInfo(txn, conv)
		return err
	})
	return info, err
}

// ListConversations returns every conversation that has messages, the most
// recently active first.
func (s *Store) ListConversations() ([]ConversationInfo, error) {
	var out []ConversationInfo
	err := s.view(func(txn *badger.Txn) error {
		return eachConvInfo(txn, func(info ConversationInfo) error {
			out = append(out, info)
			return nil
		})
	})
	slices.SortStableFunc(out, byActivity)
	return out, err
}

// eachConvInfo calls fn with the summary of every conversation that has
// messages, in key order, and stops at the first error.
func eachConvInfo(txn *badger.Txn, fn func(ConversationInfo) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{kindConv}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if len(k) < 3 || len(k) != 3+int(k[1])<<8+int(k[2]) {
			return fmt.Errorf("%w: bad conversation key", ErrCorrupt)
		}
		var info ConversationInfo
		err := item.Value(func(v []byte) error {
			var err error
			info, err = decodeConvInfo(model.ConversationID(k[3:]), v)
			return err
		})
		if err != nil {
			return err
		}
		if err := fn(info); err != nil {
			return err
		}
	}
	return nil
}

// byActivity orders conversations the most recently active first, then by
// ID.
func byActivity(a, b ConversationInfo) int {
	if c := b.LastActivity.Compare(a.LastActivity); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// deleteBatch is how many messages DeleteConversation removes per
// transaction (a transaction holds at most 629 KB).
const deleteBatch = 1000

// DeleteConversation removes every message of conv, their index entries,
// conv's outbox and its summary. A long conversation is removed in several
// transactions, newest messages first; the summary goes last, so an
// interrupted deletion leaves a consistent, shorter conversation that a
// second call finishes.
func (s *Store) DeleteConversation(conv model.ConversationID) error {
	if err := checkName("conversation", string(conv)); err != nil {
		return err
	}
	for _, kind := range []byte{kindMessage, kindOutbox} {
		for {
			n := 0
			err := s.update(func(txn *badger.Txn) error {
				n = 0
				it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: convKey(kind, conv)})
				var keys, index [][]byte
				for it.Seek(seqKey(kind, conv, ^uint64(0))); it.Valid() && len(keys) < deleteBatch; it.Next() {
					item := it.Item()
					var id model.MessageID
					err := item.Value(func(v []byte) error {
						if kind == kindMessage {
							if len(v) < 1+len(id) {
								return fmt.Errorf("%w: message record: truncated", ErrCorrupt)
							}
							v = v[1:]
						}
						if len(v) < len(id) {
							return fmt.Errorf("%w: outbox entry: truncated", ErrCorrupt)
						}
						copy(id[:], v)
						return nil
					})
					if err != nil {
						it.Close()
						return err
					}
					keys = append(keys, item.KeyCopy(nil))
					if kind == kindMessage {
						index = append(index, msgIndexKey(conv, id), idConvKey(id, conv))
					} else {
						index = append(index, idKey(kindOutIndex, id))
					}
				}
				it.Close()
				for _, k := range append(keys, index...) {
					if err := txn.Delete(k); err != nil {
						return err
					}
				}
				n = len(keys)
				return nil
			})
			if err != nil {
				return err
			}
			if n < deleteBatch {
				break
			}
		}
	}
	if err := s.deleteTimers(conv); err != nil {
		return err
	}
	// The tombstones of messages deleted on request (DeleteMessage).
	if err := s.deleteIndex(conv); err != nil {
		return err
	}
	return s.update(func(txn *badger.Txn) error { return txn.Delete(convKey(kindConv, conv)) })
}
