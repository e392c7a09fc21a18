package groupclient

import (
	"errors"
	"time"

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
	var msg model.Message
	changed, err := c.queueChangeLocked(gs, &m, func(tx *store.Tx) (changed bool, err error) {
		msg, changed, err = tx.SetReaction(gs.conv, target, string(gs.self.Address()), emoji)
		return changed, err
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Message{}, ErrUnknownMessage
	} else if err != nil {
		return model.Message{}, err
	}
	if changed {
		c.cfg.Emit(model.MessageChanged{Message: msg})
	}
	return msg, nil
}

// reactionEffect is a member's change of a message to store: a reaction
// (emoji), or with edit an edit (text, made at the time at).
type reactionEffect struct {
	conv   model.ConversationID
	target model.MessageID
	author string
	emoji  string
	edit   bool
	text   string
	at     time.Time
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

// applyReactions sets the reactions and edits of a batch on their
// targets, inside the transaction that stores the batch, and appends the
// messages that changed to out (once each, as they are at the end). A
// change of a message the group does not hold (deleted, gone, not yet
// received) is dropped; an edit that is not the author's own, too late or
// older than the last one changes nothing (model.ApplyEdit).
func applyReactions(tx *store.Tx, rs []reactionEffect, out []model.Message) ([]model.Message, error) {
	at := map[model.MessageID]int{}
	for _, r := range rs {
		var (
			m       model.Message
			changed bool
			err     error
		)
		if r.edit {
			m, changed, err = tx.EditMessage(r.conv, r.target, r.author, r.text, r.at)
		} else {
			m, changed, err = tx.SetReaction(r.conv, r.target, r.author, r.emoji)
		}
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

// ErrNotEditable is returned by Edit for a message the profile may not
// edit: not its own text, or sent more than model.EditWindow ago.
var ErrNotEditable = errors.New("groupclient: the message cannot be edited")

// Edit replaces the text of a message the profile wrote in a group: the
// message is changed and a group message of kind group.KindEdit is
// signed, sealed and queued, in one transaction, and goes out like a
// post. It returns the message as it is now; MessageChanged reports it.
// ErrUnknownMessage for a message the group does not hold,
// ErrNotEditable for one that is not the profile's own text or is older
// than model.EditWindow.
func (c *Client) Edit(id group.ID, target model.MessageID, text string) (model.Message, error) {
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
	now := c.cfg.Now()
	self := string(gs.self.Address())
	if old, err := c.st.GetMessage(gs.conv, target); err != nil {
		return model.Message{}, err
	} else if !model.Editable(old, self, now) {
		return model.Message{}, ErrNotEditable
	}
	m := group.Message{Kind: group.KindEdit, ReplyTo: full, Text: text, Name: c.cfg.Name(), Sent: now, Prev: gs.head}
	var msg model.Message
	changed, err := c.queueChangeLocked(gs, &m, func(tx *store.Tx) (changed bool, err error) {
		// The edit's time is the sealed message's (millisecond precision),
		// as the others apply it.
		msg, changed, err = tx.EditMessage(gs.conv, target, self, text, m.Sent)
		return changed, err
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Message{}, ErrUnknownMessage
	} else if err != nil {
		return model.Message{}, err
	}
	if changed {
		c.cfg.Emit(model.MessageChanged{Message: msg})
	}
	return msg, nil
}

// observeEdit records the effect of a member's edit: it is applied in the
// batch's transaction (applyReactions) if it is the author's own, recent
// text. Ours are applied when we edit. c.mu is held.
func (c *Client) observeEdit(gs *groupState, m *group.Message, fx *effects) {
	if m.Author == gs.self.Address() || c.blockedMember(gs.g.ID(), m.Author) {
		return
	}
	fx.reactions = append(fx.reactions, reactionEffect{conv: gs.conv, target: m.ReplyTo.Model(), author: string(m.Author),
		edit: true, text: m.Text, at: m.Sent})
}
