package model

import "time"

// EditWindow is how long after sending its author may change a message's
// text. An edit is for a typo or a wrong word noticed soon after; a
// window keeps it from rewriting what others read, answered or quoted
// days ago (the conversation's record would say something other than
// what was said when it mattered), and it bounds how long a sender must
// keep a message editable. Signal allows 24 hours as well.
const EditWindow = 24 * time.Hour

// Editable reports whether a message's text may be edited at now by its
// author: a text (not a note, an invitation or a file) written by that
// author within EditWindow of its sending.
func Editable(m Message, author string, now time.Time) bool {
	return m.Kind == KindText && m.Author == author && now.Sub(m.Sent) <= EditWindow
}

// ApplyEdit returns m with its text replaced by text, from an edit its
// author made at the time at (their clock), and whether it changed. An
// edit is applied only to a text, by its own author (a peer or member
// editing someone else's message is refused: false), when made within
// EditWindow of the message's sending, and when newer than the edit
// last applied (edits that arrive out of order keep the latest). m is not
// modified.
func ApplyEdit(m Message, author, text string, at time.Time) (Message, bool) {
	if !Editable(m, author, at) || at.Before(m.Sent) || !at.After(m.Edited) {
		return m, false
	}
	if m.Body == text {
		m.Edited = at
		return m, true
	}
	m.Body, m.Edited = text, at
	return m, true
}

// EditTime returns the time to give a new edit of m made at now: now to
// the millisecond (as the records carry it), and after m's last edit, so
// that an edit made within the same millisecond as the one before still
// replaces it everywhere, and not before m was sent (the sender's copy
// of m keeps its time to the nanosecond: a change within the millisecond
// m was sent in would otherwise fall before it and be refused).
func EditTime(m Message, now time.Time) time.Time {
	t := time.UnixMilli(now.UnixMilli()).UTC()
	if t.Before(m.Sent) {
		t = m.Sent.Truncate(time.Millisecond).Add(time.Millisecond).UTC()
	}
	if !t.After(m.Edited) {
		t = m.Edited.Add(time.Millisecond).UTC()
	}
	return t
}
