package engine

import (
	"errors"
	"strings"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
)

// ErrNotEditable is returned by EditMessage for a message that cannot be
// edited: not a text the profile wrote, or sent more than
// model.EditWindow ago.
var ErrNotEditable = errors.New("only your own messages can be edited, within a day of sending")

// EditMessage replaces the text of message msg of a conversation, one the
// profile wrote within model.EditWindow, the same for a contact and a
// group. The new text is stored at once (MessageChanged reports the
// message with its Edited time) and the edit is sent when the contact or
// the group's server is reachable; the others show the new text, marked
// edited. Like a reaction it is quiet: nothing unread, no move up the
// list, no notification. ErrEmptyMessage for an empty text,
// ErrNoMessage for a message the conversation does not hold,
// ErrNotEditable for another's message or one too old.
func (e *Engine) EditMessage(conv model.ConversationID, msg model.MessageID, text string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return ErrEmptyMessage
	}
	if gid, ok := group.ParseConversation(conv); ok {
		_, err = op.groups.Edit(gid, msg, text)
	} else {
		addr, cerr := contactOf(conv)
		if cerr != nil {
			return cerr
		}
		_, err = op.peers.Edit(addr, msg, text)
	}
	switch {
	case errors.Is(err, groupclient.ErrUnknownMessage), errors.Is(err, peer.ErrNoMessage):
		return ErrNoMessage
	case errors.Is(err, groupclient.ErrNotEditable), errors.Is(err, peer.ErrNotEditable):
		return ErrNotEditable
	case errors.Is(err, groupclient.ErrUnknownGroup), errors.Is(err, peer.ErrNotContact):
		return ErrNoConversation
	}
	return err
}
