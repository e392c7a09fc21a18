package groupclient

import (
	"errors"

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
	t, err := c.targetLocked(id, target, nil, nil)
	if err != nil {
		return model.Message{}, err
	}
	m := group.Message{Kind: group.KindReaction, ReplyTo: t.full, Emoji: emoji, Name: c.cfg.Name(), Sent: t.now, Prev: t.gs.head}
	msg, _, err := c.changeLocked(t.gs, &m, func(tx *store.Tx) (model.Message, bool, error) {
		return tx.ChangeMessage(t.gs.conv, target, func(old model.Message) (model.Message, bool) {
			return model.Changes[model.ChangeReaction].Apply(old, t.self, m.Sent, []byte(emoji))
		})
	})
	return msg, err
}

// messageChanges are the group message kinds that change a stored
// message rather than add one, with what records their effect for the
// batch's transaction (a reactionEffect). A new kind of change is an
// entry here and its observe method; the batch applies it (applyReactions).
var messageChanges = map[group.Kind]func(*Client, *groupState, *group.Message, *effects){
	group.KindReaction: (*Client).observeReaction,
	group.KindEdit:     (*Client).observeEdit,
	group.KindChange:   (*Client).observeChange,
}

// reactionEffect is a member's change of a message to store: apply
// changes the target as the change's kind says (model.SetReaction,
// model.ApplyEdit), reporting whether it changed.
type reactionEffect struct {
	conv   model.ConversationID
	target model.MessageID
	apply  func(model.Message) (model.Message, bool)
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
	author, at, emoji := string(m.Author), m.Sent, []byte(m.Emoji)
	rule := model.Changes[model.ChangeReaction]
	fx.reactions = append(fx.reactions, reactionEffect{conv: gs.conv, target: m.ReplyTo.Model(),
		apply: func(msg model.Message) (model.Message, bool) { return rule.Apply(msg, author, at, emoji) }})
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
		m, changed, err := tx.ChangeMessage(r.conv, r.target, r.apply)
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
	t, err := c.targetLocked(id, target, model.Editable, ErrNotEditable)
	if err != nil {
		return model.Message{}, err
	}
	// Under c.mu: no other edit of ours comes in between.
	m := group.Message{Kind: group.KindEdit, ReplyTo: t.full, Text: text, Name: c.cfg.Name(), Sent: model.EditTime(t.old, t.now), Prev: t.gs.head}
	msg, _, err := c.changeLocked(t.gs, &m, func(tx *store.Tx) (model.Message, bool, error) {
		// The edit's time is the sealed message's (millisecond precision),
		// as the others apply it.
		return tx.EditMessage(t.gs.conv, target, t.self, text, m.Sent)
	})
	return msg, err
}

// observeEdit records the effect of a member's edit: it is applied in the
// batch's transaction (applyReactions) if it is the author's own, recent
// text. Ours are applied when we edit. c.mu is held.
func (c *Client) observeEdit(gs *groupState, m *group.Message, fx *effects) {
	if m.Author == gs.self.Address() || c.blockedMember(gs.g.ID(), m.Author) {
		return
	}
	author, text, at := string(m.Author), []byte(m.Text), m.Sent
	rule := model.Changes[model.ChangeEdit]
	fx.reactions = append(fx.reactions, reactionEffect{conv: gs.conv, target: m.ReplyTo.Model(),
		apply: func(msg model.Message) (model.Message, bool) { return rule.Apply(msg, author, at, text) }})
}
