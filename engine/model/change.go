package model

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// ChangeType says what a change of a message does. Changes travel in one
// wire family, the Change record between contacts (docs/protocol.md §5)
// and group kind 12 (docs/groups.md), which carry a ChangeType and its
// payload; Changes says how each is checked and applied. A new kind of
// change of a message is an entry in Changes (with its constant here) and
// whatever calls it: no record, group kind, session or group client code.
type ChangeType uint8

// The change types. ChangeReaction and ChangeEdit are what the Reaction
// and Edit records (and group kinds 5 and 10) carry, which peers still
// send for them so that versions before the Change family read them; a
// Change of these types is read the same.
const (
	// ChangeReaction: the payload is one emoji (CheckEmoji), or empty
	// to remove the author's (SetReaction).
	ChangeReaction ChangeType = 1
	// ChangeEdit: the payload is the new text (ApplyEdit).
	ChangeEdit ChangeType = 2
)

// MaxChangePayload bounds a change's payload on the wire: an edit's
// text, the longest, as long as a Text record's body (a group message
// is bounded by its fixed size before that).
const MaxChangePayload = 64 << 10

// ErrChangeRefused is what a ChangeRule's Check returns for a payload
// that is not one of its type's.
var ErrChangeRefused = errors.New("not a change of that type")

// A ChangeRule is what a change type is: how its payload is checked on the
// wire, whether an author may make it on a message, and how it is applied
// to the stored message. peer and groupclient apply every change, of
// either family, through it (store.Tx.ChangeMessage in the transaction
// that handles the record).
type ChangeRule struct {
	// Name names the type in errors and logs.
	Name string
	// Check reports why payload is not one of this type's (nil: it is).
	// Records and group messages that fail it are malformed.
	Check func(payload []byte) error
	// Allowed reports whether author may make this change of m at now:
	// the sender's check before it stores and sends its own change.
	Allowed func(m Message, author string, now time.Time) bool
	// Apply returns m changed by author's change made at at (their
	// clock) with payload, and whether it changed. It refuses (false)
	// what the type does not allow, whoever sent it: a peer or member
	// changing what the rule keeps from them is dropped here. m is not
	// modified.
	Apply func(m Message, author string, at time.Time, payload []byte) (Message, bool)
}

// Changes holds every change type this version applies. A Change of a
// type missing here (made by a later version) is checked only for its
// size, acknowledged and dropped.
var Changes = map[ChangeType]ChangeRule{
	ChangeReaction: {
		Name: "reaction",
		Check: func(p []byte) error {
			if len(p) == 0 {
				return nil
			}
			return CheckEmoji(string(p))
		},
		// A note (a member joined, a message deleted) takes no reactions.
		Allowed: func(m Message, _ string, _ time.Time) bool { return m.Kind != KindNote },
		Apply: func(m Message, author string, _ time.Time, p []byte) (Message, bool) {
			if m.Kind == KindNote {
				return m, false
			}
			rs, changed := SetReaction(m.Reactions, author, string(p))
			m.Reactions = rs
			return m, changed
		},
	},
	ChangeEdit: {
		Name: "edit",
		Check: func(p []byte) error {
			if len(p) == 0 {
				return fmt.Errorf("%w: an edit's text is empty", ErrChangeRefused)
			}
			if !utf8.Valid(p) {
				return fmt.Errorf("%w: an edit's text is not UTF-8", ErrChangeRefused)
			}
			return nil
		},
		Allowed: Editable,
		Apply: func(m Message, author string, at time.Time, p []byte) (Message, bool) {
			return ApplyEdit(m, author, string(p), at)
		},
	},
}

// CheckChange reports why payload cannot be a change of type t on the
// wire: too long, or refused by its rule's Check. A type this version
// does not know is checked only for its size.
func CheckChange(t ChangeType, payload []byte) error {
	if len(payload) > MaxChangePayload {
		return fmt.Errorf("%w: %d bytes of payload, at most %d", ErrChangeRefused, len(payload), MaxChangePayload)
	}
	if r, ok := Changes[t]; ok && r.Check != nil {
		return r.Check(payload)
	}
	return nil
}
