package engine

import (
	"errors"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
)

// errChangeRefused is what changeMessage returns for a change its type's
// rule does not allow the profile; each facade method over it says in
// its own error why (ErrNotDeletable).
var errChangeRefused = errors.New("the message cannot be changed so")

// changeMessage makes a change of type typ (model.Changes) with payload
// on message msg of a conversation, a contact's or a group's: stored at
// once (MessageChanged reports it) and sent as a Change record or a
// group.KindChange when the contact or the group's server is reachable.
// A facade method for a new change type is a few lines over it.
// ErrNoMessage for a message the conversation does not hold,
// ErrNoConversation for a conversation the profile does not have,
// errChangeRefused for a change the rule does not allow.
func (e *Engine) changeMessage(conv model.ConversationID, msg model.MessageID, typ model.ChangeType, payload []byte) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if gid, ok := group.ParseConversation(conv); ok {
		_, err = op.groups.Change(gid, msg, typ, payload)
	} else {
		addr, cerr := contactOf(conv)
		if cerr != nil {
			return cerr
		}
		_, err = op.peers.Change(addr, msg, typ, payload)
	}
	switch {
	case errors.Is(err, groupclient.ErrUnknownMessage), errors.Is(err, peer.ErrNoMessage):
		return ErrNoMessage
	case errors.Is(err, groupclient.ErrChangeRefused), errors.Is(err, peer.ErrChangeRefused):
		return errChangeRefused
	case errors.Is(err, groupclient.ErrUnknownGroup), errors.Is(err, peer.ErrNotContact):
		return ErrNoConversation
	}
	return err
}
