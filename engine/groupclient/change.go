package groupclient

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// ErrChangeRefused is returned by Change for a change its type's rule
// does not allow the profile to make on the message
// (model.ChangeRule.Allowed).
var ErrChangeRefused = errors.New("groupclient: the message cannot be changed so")

// Change makes a change of type typ (model.Changes) with payload on a
// stored message of a group, one the type's rule allows the profile
// (ErrChangeRefused otherwise): the message is changed and a group
// message of kind group.KindChange is signed, sealed and queued, in one
// transaction, and goes out like a post. Every change type but reactions
// and edits (React, Edit: kinds 5 and 10, which earlier versions read)
// goes through it. It returns the message as it is now; MessageChanged
// reports it. ErrUnknownMessage for a message the group does not hold.
func (c *Client) Change(id group.ID, target model.MessageID, typ model.ChangeType, payload []byte) (model.Message, error) {
	rule, ok := model.Changes[typ]
	if !ok {
		return model.Message{}, fmt.Errorf("%w: unknown change type %d", ErrChangeRefused, typ)
	}
	if err := model.CheckChange(typ, payload); err != nil {
		return model.Message{}, fmt.Errorf("%w: %w", ErrChangeRefused, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, err := c.targetLocked(id, target, rule.Allowed, ErrChangeRefused)
	if err != nil {
		return model.Message{}, err
	}
	gs, self := t.gs, t.self
	// Under c.mu: no other change of ours comes in between.
	m := group.Message{Kind: group.KindChange, ReplyTo: t.full, Change: typ, Payload: bytes.Clone(payload),
		Name: c.cfg.Name(), Sent: model.EditTime(t.old, t.now), Prev: gs.head}
	var plan *retraction
	if typ == model.ChangeDelete {
		if plan, err = c.planRetractionLocked(gs, target, t.full, m.Sent); err != nil {
			return model.Message{}, err
		}
		if h, ok := plan.heads[m.Prev]; ok {
			m.Prev = h
		}
		if plan.unposted {
			return c.retractLocked(gs, plan, func(old model.Message) (model.Message, bool) {
				return rule.Apply(old, self, m.Sent, payload)
			})
		}
	}
	msg, changed, err := c.changeLocked(gs, &m, func(tx *store.Tx) (model.Message, bool, error) {
		// The change's time is the sealed message's (millisecond
		// precision), as the others apply it.
		msg, changed, err := tx.ChangeMessage(gs.conv, target, func(old model.Message) (model.Message, bool) {
			return rule.Apply(old, self, m.Sent, payload)
		})
		if err != nil || !changed || plan == nil {
			return msg, changed, err
		}
		return msg, true, plan.apply(tx, gs)
	})
	if changed && plan != nil {
		plan.moveHead(gs)
	}
	return msg, err
}

// observeChange records the effect of a member's change of a message of
// the model's table (model.Changes): applied in the batch's transaction
// (applyReactions) as the type's rule says, which refuses what the
// author may not change. Ours are applied when we make them; a blocked
// contact's, and one of a type this version does not know, are dropped.
// c.mu is held.
func (c *Client) observeChange(gs *groupState, m *group.Message, fx *effects) {
	rule, ok := model.Changes[m.Change]
	if !ok || m.Author == gs.self.Address() || c.blockedMember(gs.g.ID(), m.Author) {
		return
	}
	author, at, payload := string(m.Author), m.Sent, m.Payload
	fx.reactions = append(fx.reactions, reactionEffect{conv: gs.conv, target: m.ReplyTo.Model(),
		apply: func(msg model.Message) (model.Message, bool) { return rule.Apply(msg, author, at, payload) }})
}
