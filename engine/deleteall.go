package engine

import (
	"errors"

	"github.com/nookchat/nook/engine/model"
)

// ErrNotDeletable is returned by DeleteForEveryone for a message that
// cannot be deleted for everyone: not a text the profile wrote, or sent
// more than model.EditWindow ago.
var ErrNotDeletable = errors.New("only your own messages can be deleted for everyone, within a day of sending")

// DeleteForEveryone deletes message msg of a conversation for everyone,
// a text the profile wrote within model.EditWindow, the same for a
// contact and a group (model.ChangeDelete): the profile's copy becomes at
// once a note saying it deleted the message (MessageChanged reports it:
// Kind model.KindNote, Body model.NoteDeleted, no text, quote or
// reactions), and the deletion is sent when the contact or the group's
// server is reachable; the others' copies become the same note, and
// their replies quoting it show that it was deleted. It is quiet, like an
// edit: nothing unread, no move up the list, no notification. It cannot
// reach what was already copied: a version of Nook before the Change
// record keeps the text, and so does anyone who modified their app, took
// a screenshot or read it already. ErrNoMessage for a message the
// conversation does not hold, ErrNotDeletable for another's message or
// one too old.
func (e *Engine) DeleteForEveryone(conv model.ConversationID, msg model.MessageID) error {
	err := e.changeMessage(conv, msg, model.ChangeDelete, nil)
	if errors.Is(err, errChangeRefused) {
		return ErrNotDeletable
	}
	return err
}
