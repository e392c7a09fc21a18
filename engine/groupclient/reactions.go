package groupclient

import (
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// React puts our emoji on a stored message of a group (an empty emoji
// removes ours): the reaction is set on the message, and a group message
// of kind group.KindReaction is signed, sealed and queued, in one
// transaction; it goes out like a post (each change is a post of its own,
// with a token). It returns the message as it is now; a MessageChanged
// event reports it too, when it changed. ErrUnknownMessage for a message
// the group does not hold.
func (c *Client) React(id group.ID, target model.MessageID, emoji string) (model.Message, error) {
	if emoji != "" {
		if err := model.CheckEmoji(emoji); err != nil {
			return model.Message{}, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return model.Message{}, ErrClosed
	}
	gs, ok := c.groups[id]
	if !ok {
		return model.Message{}, ErrUnknownGroup
	}
	full, err := c.fullID(gs, target)
	if err != nil {
		return model.Message{}, err
	}
	m := group.Message{Kind: group.KindReaction, ReplyTo: full, Emoji: emoji, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	last := uint64(0)
	switch v, err := c.bucket.Get(seqKey(id)); {
	case err == nil:
		if last, err = parseU64(v); err != nil {
			return model.Message{}, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return model.Message{}, err
	}
	m.Seq = last + 1
	blob, err := gs.cur().g.Seal(c.cfg.Rand, gs.self, &m)
	if err != nil {
		return model.Message{}, err
	}
	var (
		msg     model.Message
		changed bool
	)
	err = c.st.Update(func(tx *store.Tx) error {
		var err error
		msg, changed, err = tx.SetReaction(gs.conv, target, string(gs.self.Address()), emoji)
		if err != nil || !changed {
			return err // nothing to post
		}
		post := m.ID.Model()
		if err := tx.Enqueue(gs.conv, post); err != nil {
			return err
		}
		b := tx.Bucket(bucketName)
		if err := b.Put(seqKey(id), u64(m.Seq)); err != nil {
			return err
		}
		return b.Put(queueKey(post), blob)
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Message{}, ErrUnknownMessage
	} else if err != nil {
		return model.Message{}, fmt.Errorf("groupclient: queue reaction: %w", err)
	}
	if !changed {
		return msg, nil
	}
	gs.head = m.ID
	c.cfg.Emit(model.MessageChanged{Message: msg})
	c.wakePostersLocked(gs)
	return msg, nil
}

// reactionEffect is a member's reaction to store.
type reactionEffect struct {
	conv   model.ConversationID
	target model.MessageID
	author string
	emoji  string
}

// observeReaction records the effect of a member's reaction. Ours are set
// when we react (one coming back changes nothing). A reaction older than
// its author's newest message (the server reordered or replayed it; the
// timeline reported it) is not applied: it could undo a later change. A
// blocked contact's reaction is not stored. c.mu is held.
func (c *Client) observeReaction(gs *groupState, m *group.Message, fx *effects) {
	switch {
	case m.Author == gs.self.Address(), m.Seq < gs.tl.LastSeq(m.Author):
		return
	case c.blockedMember(gs.g.ID(), m.Author):
		return
	}
	fx.reactions = append(fx.reactions, reactionEffect{conv: gs.conv, target: m.ReplyTo.Model(), author: string(m.Author), emoji: m.Emoji})
}

// applyReactions sets the reactions of a batch on their targets, inside
// the transaction that stores the batch, and appends the messages that
// changed to out (once each, as they are at the end). A reaction on a
// message the group does not hold (deleted, gone, never received) is
// dropped.
func applyReactions(tx *store.Tx, rs []reactionEffect, out []model.Message) ([]model.Message, error) {
	at := map[model.MessageID]int{}
	for _, r := range rs {
		m, changed, err := tx.SetReaction(r.conv, r.target, r.author, r.emoji)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return out, err
		case !changed:
			continue
		}
		if i, ok := at[m.ID]; ok && out[i].Conversation == m.Conversation {
			out[i] = m
			continue
		}
		at[m.ID] = len(out)
		out = append(out, m)
	}
	return out, nil
}
