package engine

import (
	"errors"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// DeleteMessage deletes one message of a conversation, a contact's or a
// group's, from this computer only ("Delete for me"). In the transaction
// that deletes it, the conversation's summary is fixed: its count, its
// unread count if the message was unread, and its latest message, read
// from what remains. An outgoing message still queued here leaves the
// outbox and is never sent.
//
// What the other side still has: every message they received, and an
// outgoing one already sent (written to the contact's Nook, or posted to
// the group's server; a send in progress cannot be recalled). Nothing
// tells them of the deletion. A contact's copy written again because our
// acknowledgement was lost is recognised and not shown again.
//
// MessagesDeleted and ConversationChanged follow (and UnreadChanged when
// the unread count changed).
func (e *Engine) DeleteMessage(conv model.ConversationID, id model.MessageID) (model.Conversation, error) {
	op, err := e.current()
	if err != nil {
		return model.Conversation{}, err
	}
	before, err := op.conversation(conv)
	if err != nil {
		return model.Conversation{}, err
	}
	if _, ok := group.ParseConversation(conv); ok {
		_, err = op.groups.DeleteMessage(conv, id)
	} else {
		_, err = op.st.DeleteMessage(conv, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return model.Conversation{}, ErrNoMessage
	} else if err != nil {
		return model.Conversation{}, err
	}
	return op.deleted(conv, []model.MessageID{id}, false, before.Unread)
}

// ClearConversation deletes every message of a conversation from this
// computer only, as DeleteMessage deletes one; the contact or group
// stays, and so does the conversation in the list, with no messages and
// nothing unread. Queued outgoing messages are never sent. The other side
// keeps everything it received, and is not told. MessagesDeleted (with
// All set) and ConversationChanged follow.
func (e *Engine) ClearConversation(conv model.ConversationID) (model.Conversation, error) {
	op, err := e.current()
	if err != nil {
		return model.Conversation{}, err
	}
	before, err := op.conversation(conv)
	if err != nil {
		return model.Conversation{}, err
	}
	var ids []model.MessageID
	if _, ok := group.ParseConversation(conv); ok {
		ids, err = op.groups.Clear(conv)
	} else {
		ids, err = op.st.ClearConversation(conv)
	}
	if err != nil {
		// Part may be deleted: report what is.
		op.notify.changed(conv)
		return model.Conversation{}, err
	}
	return op.deleted(conv, ids, true, before.Unread)
}

// deleted reports messages deleted on request and returns the
// conversation's new state.
func (op *openProfile) deleted(conv model.ConversationID, ids []model.MessageID, all bool, unreadBefore int) (model.Conversation, error) {
	op.e.emit(model.MessagesDeleted{Conversation: conv, IDs: ids, All: all})
	cv, err := op.conversation(conv)
	if err != nil {
		return cv, err
	}
	if cv.Unread != unreadBefore {
		op.e.emit(model.UnreadChanged{Conversation: conv, Unread: cv.Unread})
	}
	op.e.emit(model.ConversationChanged{Conversation: cv})
	return cv, nil
}
