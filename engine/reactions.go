package engine

import (
	"errors"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
)

// ErrNoMessage is returned by React and DeleteMessage for a message the
// conversation does not hold (deleted, or gone with its disappearing
// timer).
var ErrNoMessage = errors.New("that message is no longer in the conversation")

// ErrBadEmoji is returned by React for an emoji that is not one emoji
// (model.CheckEmoji).
var ErrBadEmoji = errors.New("a reaction must be a single emoji")

// React puts the profile's emoji on message msg of a conversation, the
// same for a contact and a group, replacing the profile's earlier
// reaction on it; an empty emoji removes it. The reaction is stored on the
// message at once (MessageChanged reports the whole message) and sent
// when the contact or the group's server is reachable. A reaction is
// quiet: it counts nothing unread, does not move the conversation up the
// list and is no cause for a notification (docs/protocol.md §5).
func (e *Engine) React(conv model.ConversationID, msg model.MessageID, emoji string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if emoji != "" && model.CheckEmoji(emoji) != nil {
		return ErrBadEmoji
	}
	if gid, ok := group.ParseConversation(conv); ok {
		_, err = op.groups.React(gid, msg, emoji)
	} else {
		addr, cerr := contactOf(conv)
		if cerr != nil {
			return cerr
		}
		_, err = op.peers.React(addr, msg, emoji)
	}
	switch {
	case errors.Is(err, groupclient.ErrUnknownMessage), errors.Is(err, peer.ErrNoMessage):
		return ErrNoMessage
	case errors.Is(err, groupclient.ErrUnknownGroup), errors.Is(err, peer.ErrNotContact):
		return ErrNoConversation
	}
	return err
}
