package model

import (
	"errors"
	"time"
)

// ChangeDelete deletes a message for everyone: its author takes back a
// text they sent, and every copy becomes a note saying so. Its payload is
// empty.
const ChangeDelete ChangeType = 3

// NoteDeleted is the Body of a KindNote that was a text its author (the
// note's Author, Outgoing when this profile) deleted for everyone
// ("Alice deleted this message").
const NoteDeleted = "deleted"

// Deletable reports whether a message may be deleted for everyone at now
// by author: a text (not a note, an invitation or a file) that author
// wrote, within EditWindow of its sending. The window is an edit's, for
// the same reasons: a message others read, answered or quoted days ago
// stays what the conversation said when it mattered, and the sender need
// not keep a deletion sendable for ever; within a day it takes back a
// message sent by mistake or to the wrong person, which is what it is
// for. Signal allows a day as well.
func Deletable(m Message, author string, now time.Time) bool {
	return Editable(m, author, now)
}

// ApplyDelete returns m deleted for everyone by author at the time at
// (their clock), and whether it changed: a note (KindNote, NoteDeleted)
// by the same author at the same place, its text, quote and reactions
// gone, Edited the deletion's time. Only its author may delete it, within EditWindow of its sending
// (Deletable); anything else, and a message already deleted, is refused
// (false). m is not modified.
func ApplyDelete(m Message, author string, at time.Time) (Message, bool) {
	if !Deletable(m, author, at) || at.Before(m.Sent) {
		return m, false
	}
	m.Kind, m.Body, m.ReplyTo, m.Reactions, m.Edited = KindNote, NoteDeleted, MessageID{}, nil, at
	return m, true
}

// errDeletePayload: a deletion carries nothing.
var errDeletePayload = errors.New("a deletion carries no payload")

func init() {
	Changes[ChangeDelete] = ChangeRule{
		Name: "delete",
		Check: func(p []byte) error {
			if len(p) != 0 {
				return errDeletePayload
			}
			return nil
		},
		Allowed: Deletable,
		Apply: func(m Message, author string, at time.Time, _ []byte) (Message, bool) {
			return ApplyDelete(m, author, at)
		},
	}
}
