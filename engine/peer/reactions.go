package peer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// Changes of a message: reactions and edits (docs/protocol.md §5,
// Reaction and Edit). Ours are applied to the target message at once;
// what is still to be sent lives in the reactionBucket, one entry per
// conversation, target and kind of change holding the latest change (a
// new record ID each time), so that changes made while the contact is
// away travel as one record each. The entry goes when the Ack for its
// record ID arrives. A new kind of change is a case in changeKind,
// encodeChange and decodeChange.

// reactionBucket holds our changes of messages not yet acknowledged: key
// conv ‖ target [16] for a reaction (as written before edits), conv ‖
// target ‖ record type [1] for another change; value record ID [16] ‖
// target [16] ‖ sent (Unix ms, 8) ‖ the change's content (an emoji, a
// text).
const reactionBucket = "peer-reactions"

// ErrNoMessage is returned by React and Edit for a message the
// conversation does not hold (deleted, or gone with its disappearing
// timer).
var ErrNoMessage = errors.New("no such message in the conversation")

// ErrNotEditable is returned by Edit for a message we may not edit: not
// our own text, or sent more than model.EditWindow ago.
var ErrNotEditable = errors.New("the message cannot be edited")

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
		return putChange(tx, conv, rec)
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

// changeKey is the reactionBucket key of a change of kind typ of target.
func changeKey(conv model.ConversationID, target model.MessageID, typ protocol.Type) []byte {
	k := append([]byte(conv), target[:]...)
	if typ != protocol.TypeReaction {
		k = append(k, byte(typ))
	}
	return k
}

// changeOf returns the target, time and content of a change of a
// message, or false for a record that is none.
func changeOf(r protocol.Record) (target model.MessageID, sent time.Time, content string, ok bool) {
	switch r := r.(type) {
	case *protocol.Reaction:
		return r.Target, r.Sent, r.Emoji, true
	case *protocol.Edit:
		return r.Target, r.Sent, r.Body, true
	}
	return model.MessageID{}, time.Time{}, "", false
}

// recordID returns the record ID of a change.
func recordID(r protocol.Record) model.MessageID {
	switch r := r.(type) {
	case *protocol.Reaction:
		return r.ID
	case *protocol.Edit:
		return r.ID
	}
	return model.MessageID{}
}

func encodeChange(r protocol.Record) []byte {
	target, sent, content, _ := changeOf(r)
	id := recordID(r)
	b := make([]byte, 0, 40+len(content))
	b = append(append(b, id[:]...), target[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(sent.UnixMilli()))
	return append(b, content...)
}

// decodeChange decodes a change of kind typ stored by encodeChange.
func decodeChange(typ protocol.Type, v []byte) (protocol.Record, bool) {
	if len(v) < 40 {
		return nil, false
	}
	var id, target model.MessageID
	copy(id[:], v)
	copy(target[:], v[16:])
	sent := time.UnixMilli(int64(binary.BigEndian.Uint64(v[32:40]))).UTC()
	switch typ {
	case protocol.TypeReaction:
		return &protocol.Reaction{ID: id, Target: target, Sent: sent, Emoji: string(v[40:])}, true
	case protocol.TypeEdit:
		return &protocol.Edit{ID: id, Target: target, Sent: sent, Body: string(v[40:])}, true
	}
	return nil, false
}

// putChange stores r, a change of ours, as the latest of its kind for its
// target, to be sent (in the transaction that applied it).
func putChange(tx *store.Tx, conv model.ConversationID, r protocol.Record) error {
	target, _, _, _ := changeOf(r)
	return tx.Bucket(reactionBucket).Put(changeKey(conv, target, r.Type()), encodeChange(r))
}

// A pendingChange is a change of ours not yet acknowledged, with its key.
type pendingChange struct {
	key []byte
	rec protocol.Record
}

// pendingChanges returns our changes of messages of the conversation
// with addr not yet acknowledged.
func (m *Manager) pendingChanges(conv model.ConversationID) ([]pendingChange, error) {
	var out []pendingChange
	base := len(conv) + len(model.MessageID{})
	err := m.cfg.Store.Bucket(reactionBucket).Iterate([]byte(conv), func(k, v []byte) error {
		typ := protocol.TypeReaction
		switch len(k) {
		case base:
		case base + 1:
			typ = protocol.Type(k[base])
		default:
			return nil // another conversation whose address starts with conv's
		}
		if r, ok := decodeChange(typ, v); ok {
			out = append(out, pendingChange{bytes.Clone(k), r})
		}
		return nil
	})
	return out, err
}

// changeAcked forgets the pending change whose record ID is id, if that
// is still the latest change of its kind of its target; it reports
// whether id was one.
func (m *Manager) changeAcked(conv model.ConversationID, id model.MessageID) (bool, error) {
	pending, err := m.pendingChanges(conv)
	if err != nil {
		return false, err
	}
	for _, p := range pending {
		if recordID(p.rec) != id {
			continue
		}
		return true, m.cfg.Store.Bucket(reactionBucket).Update(func(tx *store.BucketTx) error {
			v, err := tx.Get(p.key)
			if errors.Is(err, store.ErrNotFound) || err == nil && !bytes.HasPrefix(v, id[:]) {
				return nil // changed again meanwhile: that change is still to send
			} else if err != nil {
				return err
			}
			return tx.Delete(p.key)
		})
	}
	return false, nil
}

// dropReactions forgets every change still to be sent to addr.
func (m *Manager) dropReactions(conv model.ConversationID) {
	pending, err := m.pendingChanges(conv)
	if err == nil {
		err = m.cfg.Store.Bucket(reactionBucket).Update(func(tx *store.BucketTx) error {
			for _, p := range pending {
				if err := tx.Delete(p.key); err != nil {
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

// flushReactions writes our pending changes not yet written in this
// session, after the queued messages (so that a change of a message of
// ours never arrives before it).
func (st *session) flushReactions() error {
	pending, err := st.l.m.pendingChanges(model.ConversationID(st.l.addr))
	if err != nil {
		return err
	}
	for _, p := range pending {
		id := recordID(p.rec)
		if st.written[id] {
			continue
		}
		if err := st.s.Send(p.rec); err != nil {
			return err
		}
		st.written[id] = true
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

// Edit replaces the text of a message we wrote to the contact at addr
// (model.ApplyEdit) and sends the edit when the contact is reachable. It
// returns the message as it is now; a MessageChanged event reports it.
// ErrNoMessage for a message the conversation does not hold,
// ErrNotEditable for one that is not our own text or is older than
// model.EditWindow.
func (m *Manager) Edit(addr identity.Address, target model.MessageID, text string) (model.Message, error) {
	if text == "" || len(text) > protocol.MaxBody || !utf8.ValidString(text) {
		return model.Message{}, fmt.Errorf("%w: the new text is empty, too long or not UTF-8", ErrNotEditable)
	}
	c, err := m.contact(addr)
	if err != nil {
		return model.Message{}, err
	}
	if c.State == model.ContactBlocked {
		return model.Message{}, ErrBlocked
	}
	conv := model.ConversationID(addr)
	at := time.UnixMilli(m.now().UnixMilli()).UTC() // as the contact reads it
	rec := &protocol.Edit{ID: model.NewMessageID(), Target: target, Sent: at, Body: text}
	var (
		msg     model.Message
		changed bool
	)
	err = m.cfg.Store.Update(func(tx *store.Tx) error {
		old, err := tx.GetMessage(conv, target)
		if err != nil {
			return err
		}
		if !model.Editable(old, string(m.self), at) {
			return ErrNotEditable
		}
		msg, changed, err = tx.EditMessage(conv, target, string(m.self), text, at)
		if err != nil || !changed {
			return err
		}
		return putChange(tx, conv, rec)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return model.Message{}, ErrNoMessage
	case errors.Is(err, ErrNotEditable):
		return model.Message{}, err
	case err != nil:
		return model.Message{}, fmt.Errorf("store edit: %w", err)
	}
	if changed {
		m.emit(model.MessageChanged{Message: msg})
		m.wakeLink(addr)
	}
	return msg, nil
}

// onEdit applies a contact's edit of a message they wrote and
// acknowledges it. An edit of a message we do not hold is dropped (and
// acknowledged), and so is one that is not the contact's own recent text
// (model.ApplyEdit). Nothing from a peer that is not an accepted contact
// is stored or acknowledged.
func (st *session) onEdit(r *protocol.Edit) error {
	m := st.l.m
	addr := st.l.addr
	c, err := m.contact(addr)
	if err != nil || c.State != model.ContactAccepted {
		return nil
	}
	msg, changed, err := m.cfg.Store.EditMessage(model.ConversationID(addr), r.Target, string(addr), r.Body, r.Sent)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case changed:
		m.emit(model.MessageChanged{Message: msg})
	}
	return st.s.Send(&protocol.Ack{IDs: []model.MessageID{r.ID}})
}
