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

// Changes of a message: reactions, edits and every change type of
// model.Changes (docs/protocol.md §5, Reaction, Edit and Change). Ours are applied to the target message at once;
// what is still to be sent lives in the reactionBucket, one entry per
// conversation, target and kind of change holding the latest change (a
// new record ID each time), so that changes made while the contact is
// away travel as one record each. The entry goes when the Ack for its
// record ID arrives. A new change type is an entry in model.Changes,
// carried by the Change record: nothing in this package.

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
	rec := &protocol.Reaction{ID: model.NewMessageID(), Target: target, Sent: m.now(), Emoji: emoji}
	return m.change(addr, rec, nil)
}

// change applies rec, a change of ours of a message of the conversation
// with addr (changeTypes), to its target, and keeps rec to send, in one
// transaction; allowed, if not nil, says first whether the message may be
// changed so (an error refuses), and may complete rec from it. It returns the message as it is now; a
// MessageChanged event reports it, and the contact's link is woken, when
// it changed. ErrNoMessage for a message the conversation does not hold.
func (m *Manager) change(addr identity.Address, rec protocol.Record, allowed func(model.Message) error) (model.Message, error) {
	c, err := m.contact(addr)
	if err != nil {
		return model.Message{}, err
	}
	if c.State == model.ContactBlocked {
		return model.Message{}, ErrBlocked
	}
	conv := model.ConversationID(addr)
	ct := changeTypes[rec.Type()]
	_, target, _, _ := ct.fields(rec)
	var (
		msg     model.Message
		changed bool
		refused error
		status  model.MessageStatus
	)
	err = m.cfg.Store.Update(func(tx *store.Tx) error {
		var err error
		refused = nil
		msg, changed, err = tx.ChangeMessage(conv, target, func(old model.Message) (model.Message, bool) {
			if allowed != nil {
				if refused = allowed(old); refused != nil {
					return old, false
				}
			}
			status = old.Status
			_, _, sent, content := ct.fields(rec) // as allowed left it
			return ct.apply(old, string(m.self), sent, content)
		})
		if err != nil || !changed {
			return err
		}
		if isDelete(rec) {
			return retract(tx, conv, target, rec, status)
		}
		return putChange(tx, conv, rec)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return model.Message{}, ErrNoMessage
	case err != nil:
		return model.Message{}, fmt.Errorf("store the change of a message: %w", err)
	case refused != nil:
		return model.Message{}, refused
	}
	if changed {
		m.emit(model.MessageChanged{Message: msg})
		m.wakeLink(addr)
	}
	return msg, nil
}

// changeKey is the reactionBucket key of r, a change of target: conv ‖
// target for a Reaction, conv ‖ target ‖ record type for an Edit, and
// conv ‖ target ‖ TypeChange ‖ change type for a Change (one pending
// change per target and type).
func changeKey(conv model.ConversationID, target model.MessageID, r protocol.Record) []byte {
	k := append([]byte(conv), target[:]...)
	switch x := r.(type) {
	case *protocol.Reaction:
	case *protocol.Change:
		k = append(k, byte(protocol.TypeChange), byte(x.Change))
	default:
		k = append(k, byte(r.Type()))
	}
	return k
}

// A changeType is what this package knows of a kind of record that
// changes a message (docs/protocol.md §5): how it is taken apart into
// what the reactionBucket stores and made again from it, and how a
// contact's record of it changes the stored message (the author is the
// contact). The Change record's entry serves every type of model.Changes;
// a new record type that changes a message (none should be needed) would
// be an entry here and its record in package protocol.
type changeType struct {
	fields func(protocol.Record) (id, target model.MessageID, sent time.Time, content string)
	make   func(id, target model.MessageID, sent time.Time, content string) protocol.Record
	apply  func(m model.Message, author string, sent time.Time, content string) (model.Message, bool)
}

var changeTypes = map[protocol.Type]changeType{
	protocol.TypeReaction: {
		fields: func(r protocol.Record) (model.MessageID, model.MessageID, time.Time, string) {
			x := r.(*protocol.Reaction)
			return x.ID, x.Target, x.Sent, x.Emoji
		},
		make: func(id, target model.MessageID, sent time.Time, emoji string) protocol.Record {
			return &protocol.Reaction{ID: id, Target: target, Sent: sent, Emoji: emoji}
		},
		apply: applyAs(model.ChangeReaction),
	},
	protocol.TypeEdit: {
		fields: func(r protocol.Record) (model.MessageID, model.MessageID, time.Time, string) {
			x := r.(*protocol.Edit)
			return x.ID, x.Target, x.Sent, x.Body
		},
		make: func(id, target model.MessageID, sent time.Time, body string) protocol.Record {
			return &protocol.Edit{ID: id, Target: target, Sent: sent, Body: body}
		},
		apply: applyAs(model.ChangeEdit),
	},
	// A Change's content is its change type (one byte) and payload.
	protocol.TypeChange: {
		fields: func(r protocol.Record) (model.MessageID, model.MessageID, time.Time, string) {
			x := r.(*protocol.Change)
			return x.ID, x.Target, x.Sent, string(append([]byte{byte(x.Change)}, x.Payload...))
		},
		make: func(id, target model.MessageID, sent time.Time, content string) protocol.Record {
			if content == "" {
				return &protocol.Change{ID: id, Target: target, Sent: sent}
			}
			return &protocol.Change{ID: id, Target: target, Sent: sent, Change: model.ChangeType(content[0]), Payload: []byte(content[1:])}
		},
		apply: func(m model.Message, author string, at time.Time, content string) (model.Message, bool) {
			if content == "" {
				return m, false
			}
			return applyAs(model.ChangeType(content[0]))(m, author, at, content[1:])
		},
	},
}

// applyAs returns the apply of a changeType whose content is the payload
// of a change of type t: model.Changes' rule (nothing for a type this
// version does not know).
func applyAs(t model.ChangeType) func(model.Message, string, time.Time, string) (model.Message, bool) {
	return func(m model.Message, author string, at time.Time, payload string) (model.Message, bool) {
		rule, ok := model.Changes[t]
		if !ok {
			return m, false
		}
		return rule.Apply(m, author, at, []byte(payload))
	}
}

// recordID returns the record ID of a change.
func recordID(r protocol.Record) model.MessageID {
	id, _, _, _ := changeTypes[r.Type()].fields(r)
	return id
}

func encodeChange(r protocol.Record) []byte {
	id, target, sent, content := changeTypes[r.Type()].fields(r)
	b := make([]byte, 0, 40+len(content))
	b = append(append(b, id[:]...), target[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(sent.UnixMilli()))
	return append(b, content...)
}

// decodeChange decodes a change of kind typ stored by encodeChange.
func decodeChange(typ protocol.Type, v []byte) (protocol.Record, bool) {
	ct, ok := changeTypes[typ]
	if !ok || len(v) < 40 {
		return nil, false
	}
	var id, target model.MessageID
	copy(id[:], v)
	copy(target[:], v[16:])
	sent := time.UnixMilli(int64(binary.BigEndian.Uint64(v[32:40]))).UTC()
	return ct.make(id, target, sent, string(v[40:])), true
}

// putChange stores r, a change of ours, as the latest of its kind for its
// target, to be sent (in the transaction that applied it).
func putChange(tx *store.Tx, conv model.ConversationID, r protocol.Record) error {
	_, target, _, _ := changeTypes[r.Type()].fields(r)
	return tx.Bucket(reactionBucket).Put(changeKey(conv, target, r), encodeChange(r))
}

// isDelete reports whether r deletes its target for everyone.
func isDelete(r protocol.Record) bool {
	c, ok := r.(*protocol.Change)
	return ok && c.Change == model.ChangeDelete
}

// retract stores r, our deletion for everyone of target, whose status
// before it was status, in the transaction that made target the note
// (docs/protocol.md §5, Change, type 3). The text must not travel after
// it: target leaves the outbox, and every change of it still to be sent
// (a reaction, an edit, an earlier Change) is forgotten, since each
// would carry or restore what was retracted. A message still queued was
// never handed to the contact, so nothing is sent at all: the contact
// never learns that it existed. One sent but not yet acknowledged may
// have arrived, so the deletion is kept to be sent (a contact that does
// not hold the message drops it).
func retract(tx *store.Tx, conv model.ConversationID, target model.MessageID, r protocol.Record, status model.MessageStatus) error {
	if err := tx.Dequeue(target); err != nil {
		return err
	}
	b := tx.Bucket(reactionBucket)
	base := append([]byte(conv), target[:]...)
	keys := [][]byte{base, append(bytes.Clone(base), byte(protocol.TypeEdit))}
	for t := range model.Changes {
		keys = append(keys, append(bytes.Clone(base), byte(protocol.TypeChange), byte(t)))
	}
	for _, k := range keys {
		_, err := b.Get(k)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	if status == model.StatusQueued {
		return nil
	}
	return putChange(tx, conv, r)
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
		case base + 1, base + 2: // an Edit; a Change, whose value holds its type
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

// flushReactions hands the writer our pending changes not yet written in
// this session, after the queued messages (so that a change of a message
// of ours never arrives before it), as many as the flush window holds. It
// reports whether it handed over all of them.
func (st *session) flushReactions() (all bool, err error) {
	pending, err := st.l.m.pendingChanges(model.ConversationID(st.l.addr))
	if err != nil {
		return false, err
	}
	for _, p := range pending {
		id := recordID(p.rec)
		if st.written[id] {
			continue
		}
		if !st.out.hasRoom() {
			return false, nil
		}
		if err := st.out.sendOutbox(p.rec); err != nil {
			return false, err
		}
		st.written[id] = true
	}
	return true, nil
}

// onChange applies a contact's change of a message (a reaction, an
// edit: changeTypes) to its target and acknowledges it. A change of a
// message we do not hold is dropped (and acknowledged: the sender must not
// retry it forever), and so is one the kind's rule refuses (an edit of
// what the contact did not write). Nothing from a peer that is not an
// accepted contact is stored or acknowledged.
func (st *session) onChange(r protocol.Record, ct changeType) error {
	m := st.l.m
	addr := st.l.addr
	c, err := m.contact(addr)
	if err != nil || c.State != model.ContactAccepted {
		return nil
	}
	id, target, sent, content := ct.fields(r)
	msg, changed, err := m.cfg.Store.ChangeMessage(model.ConversationID(addr), target, func(msg model.Message) (model.Message, bool) {
		return ct.apply(msg, string(addr), sent, content)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case changed:
		m.emit(model.MessageChanged{Message: msg})
	}
	return st.out.ack(id)
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
	now := m.now()
	rec := &protocol.Edit{ID: model.NewMessageID(), Target: target, Body: text}
	return m.change(addr, rec, func(old model.Message) error {
		if !model.Editable(old, string(m.self), now) {
			return ErrNotEditable
		}
		rec.Sent = model.EditTime(old, now)
		return nil
	})
}

// ErrChangeRefused is returned by Change for a change its type's rule
// does not allow us to make on the message (model.ChangeRule.Allowed).
var ErrChangeRefused = errors.New("the message cannot be changed so")

// Change makes a change of type typ (model.Changes) with payload on the
// message target of the conversation with addr, one the type's rule
// allows us (ErrChangeRefused otherwise), and sends it as a Change record
// when the contact is reachable: the one method every change type but
// reactions and edits (React, Edit: their own records, which earlier
// versions read) goes through. It returns the message as it is now; a
// MessageChanged event reports it. ErrNoMessage for a message the
// conversation does not hold.
func (m *Manager) Change(addr identity.Address, target model.MessageID, typ model.ChangeType, payload []byte) (model.Message, error) {
	rule, ok := model.Changes[typ]
	if !ok {
		return model.Message{}, fmt.Errorf("%w: unknown change type %d", ErrChangeRefused, typ)
	}
	if err := model.CheckChange(typ, payload); err != nil {
		return model.Message{}, fmt.Errorf("%w: %w", ErrChangeRefused, err)
	}
	now := m.now()
	rec := &protocol.Change{ID: model.NewMessageID(), Target: target, Change: typ, Payload: bytes.Clone(payload)}
	return m.change(addr, rec, func(old model.Message) error {
		if !rule.Allowed(old, string(m.self), now) {
			return ErrChangeRefused
		}
		rec.Sent = model.EditTime(old, now)
		return nil
	})
}
