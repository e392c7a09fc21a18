package peer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// Reactions (docs/protocol.md §5, Reaction). Ours are set on the target
// message at once; what is still to be sent lives in the reactionBucket,
// one entry per conversation and target holding the latest change (a new
// record ID each time), so that changes made while the contact is away
// travel as one record. The entry goes when the Ack for its record ID
// arrives.

// reactionBucket holds our reactions not yet acknowledged: key conv ‖
// target [16], value record ID [16] ‖ sent (Unix ms, 8) ‖ emoji.
const reactionBucket = "peer-reactions"

// ErrNoMessage is returned by React for a message the conversation does
// not hold (deleted, or gone with its disappearing timer).
var ErrNoMessage = errors.New("no such message in the conversation")

// React sets our reaction on the message target of the conversation with
// addr to emoji (model.CheckEmoji), or removes it with an empty emoji, and
// sends the change when the contact is reachable. It returns the message
// as it is now; a MessageChanged event reports it too, when it changed.
func (m *Manager) React(addr identity.Address, target model.MessageID, emoji string) (model.Message, error) {
	if emoji != "" {
		if err := model.CheckEmoji(emoji); err != nil {
			return model.Message{}, err
		}
	}
	c, err := m.contact(addr)
	if err != nil {
		return model.Message{}, err
	}
	if c.State == model.ContactBlocked {
		return model.Message{}, ErrBlocked
	}
	conv := model.ConversationID(addr)
	rec := &protocol.Reaction{ID: model.NewMessageID(), Target: target, Sent: m.now(), Emoji: emoji}
	var (
		msg     model.Message
		changed bool
	)
	err = m.cfg.Store.Update(func(tx *store.Tx) error {
		var err error
		msg, changed, err = tx.SetReaction(conv, target, string(m.self), emoji)
		if err != nil || !changed {
			return err
		}
		return tx.Bucket(reactionBucket).Put(reactionKey(conv, target), encodePending(rec))
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return model.Message{}, ErrNoMessage
	case err != nil:
		return model.Message{}, fmt.Errorf("store reaction: %w", err)
	}
	if changed {
		m.emit(model.MessageChanged{Message: msg})
		m.wakeLink(addr)
	}
	return msg, nil
}

func reactionKey(conv model.ConversationID, target model.MessageID) []byte {
	return append([]byte(conv), target[:]...)
}

func encodePending(r *protocol.Reaction) []byte {
	b := make([]byte, 0, 40+len(r.Emoji))
	b = append(append(b, r.ID[:]...), r.Target[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Sent.UnixMilli()))
	return append(b, r.Emoji...)
}

func decodePending(v []byte) (*protocol.Reaction, bool) {
	if len(v) < 40 {
		return nil, false
	}
	r := &protocol.Reaction{Sent: time.UnixMilli(int64(binary.BigEndian.Uint64(v[32:40]))).UTC(), Emoji: string(v[40:])}
	copy(r.ID[:], v)
	copy(r.Target[:], v[16:])
	return r, true
}

// pendingReactions returns our reactions to the contact at addr not yet
// acknowledged.
func (m *Manager) pendingReactions(conv model.ConversationID) ([]*protocol.Reaction, error) {
	var out []*protocol.Reaction
	err := m.cfg.Store.Bucket(reactionBucket).Iterate([]byte(conv), func(k, v []byte) error {
		if len(k) != len(conv)+len(model.MessageID{}) {
			return nil // another conversation whose address starts with conv's
		}
		if r, ok := decodePending(v); ok {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// reactionAcked forgets the pending reaction whose record ID is id, if
// that is still the latest change of its target; it reports whether id was
// one.
func (m *Manager) reactionAcked(conv model.ConversationID, id model.MessageID) (bool, error) {
	pending, err := m.pendingReactions(conv)
	if err != nil {
		return false, err
	}
	for _, r := range pending {
		if r.ID != id {
			continue
		}
		key := reactionKey(conv, r.Target)
		return true, m.cfg.Store.Bucket(reactionBucket).Update(func(tx *store.BucketTx) error {
			v, err := tx.Get(key)
			if errors.Is(err, store.ErrNotFound) || err == nil && !bytes.HasPrefix(v, id[:]) {
				return nil // changed again meanwhile: that change is still to send
			} else if err != nil {
				return err
			}
			return tx.Delete(key)
		})
	}
	return false, nil
}

// dropReactions forgets every reaction still to be sent to addr.
func (m *Manager) dropReactions(conv model.ConversationID) {
	pending, err := m.pendingReactions(conv)
	if err == nil {
		err = m.cfg.Store.Bucket(reactionBucket).Update(func(tx *store.BucketTx) error {
			for _, r := range pending {
				if err := tx.Delete(reactionKey(conv, r.Target)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		m.cfg.Logger.Warn("forgetting reactions failed", "err", err)
	}
}

// flushReactions writes our pending reactions not yet written in this
// session, after the queued messages (so that a reaction on a message of
// ours never arrives before it).
func (st *session) flushReactions() error {
	pending, err := st.l.m.pendingReactions(model.ConversationID(st.l.addr))
	if err != nil {
		return err
	}
	for _, r := range pending {
		if st.written[r.ID] {
			continue
		}
		if err := st.s.Send(r); err != nil {
			return err
		}
		st.written[r.ID] = true
	}
	return nil
}

// onReaction stores a contact's reaction on its target and acknowledges
// it. A reaction on a message we do not hold is dropped (and
// acknowledged: the sender must not retry it forever). Nothing from a peer
// that is not an accepted contact is stored or acknowledged.
func (st *session) onReaction(r *protocol.Reaction) error {
	m := st.l.m
	addr := st.l.addr
	c, err := m.contact(addr)
	if err != nil || c.State != model.ContactAccepted {
		return nil
	}
	msg, changed, err := m.cfg.Store.SetReaction(model.ConversationID(addr), r.Target, string(addr), r.Emoji)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case changed:
		m.emit(model.MessageChanged{Message: msg})
	}
	return st.s.Send(&protocol.Ack{IDs: []model.MessageID{r.ID}})
}
