package state

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nookchat/nook/engine/model"
)

// This file holds what the screens say about governed groups
// (docs/groups.md, "Governed groups"): the notes that renewals of a
// group's key leave in its timeline, the warnings about them in plain
// words, and why a group became read-only history.

// Ended says why a group can no longer be read or written: the person
// left it, was removed, was not given the renewed key, or joined with an
// invite that was revoked.
type Ended struct {
	// Title is one line for the banner and the list ("You were removed
	// from this group"); Text explains what it means.
	Title, Text string
}

// The titles of Ended.
const (
	RemovedNote = "You were removed from this group"
	NoKeyNote   = "You no longer have this group's key"
	RevokedNote = "This invite no longer works — ask for a new one"
	// OwnerUnknownNote: joined from an old invite that did not name the
	// group's owner, the person cannot check a renewal of its key.
	OwnerUnknownNote = "This group's key was renewed — ask for a new invite"
)

// EndedOf says why group conversation cv is read-only, or ok false when
// it is not (cv is not a group left). The reason is the newest note of
// the conversation saying so (the open window's, or its last message):
// the notes are stored, so it survives a restart.
func (m *Model) EndedOf(cv model.Conversation) (e Ended, ok bool) {
	if cv.Group == nil || !cv.Left {
		return Ended{}, false
	}
	var msgs []model.Message
	if o := m.open; o != nil && o.ID == cv.ID {
		msgs = o.Messages
	}
	msgs = append(slices.Clone(msgs), cv.Last)
	for i := len(msgs) - 1; i >= 0; i-- {
		msg := msgs[i]
		if msg.Kind != model.KindNote || msg.Conversation != cv.ID {
			continue
		}
		by := m.AuthorName(cv.ID, msg.Author)
		switch word, ids := model.NoteWords(msg.Body); {
		case word == model.NoteRemoved && slices.ContainsFunc(ids, func(id string) bool { return m.isSelf(cv.ID, id) }):
			return Ended{RemovedNote, by + " removed you. The others have a new key that you do not have: " +
				"you can no longer read or write here. What was written before stays on this computer until you delete it."}, true
		case word == model.NoteNoKey:
			return Ended{NoKeyNote, by + " renewed the group's key without giving it to you: you can no longer " +
				"read or write here. If this is a mistake, ask them for a new invite."}, true
		case word == model.NoteRevoked:
			return Ended{RevokedNote, "The group's key was renewed after this invite was made, so it cannot " +
				"read anything new. Ask whoever invited you for a new invite."}, true
		case word == model.NoteOwnerUnknown:
			return Ended{OwnerUnknownNote, ownerUnknownText}, true
		case word == model.NoteLeft && msg.Outgoing:
			return Ended{LeftNote, leftText}, true
		}
	}
	return Ended{LeftNote, leftText}, true
}

// leftText explains LeftNote.
const leftText = "You no longer receive or send its messages. What was written before you left stays on " +
	"this computer until you delete it. To come back, you need the group's invite again."

// ownerUnknownText explains OwnerUnknownNote.
const ownerUnknownText = "The invite you joined with was made by an older Nook and does not say who owns the group, " +
	"so Nook cannot check that whoever renewed its key may do so, and does not follow the renewal. " +
	"Ask a member you trust for a new invite."

// rotationNoteText is what a note of a renewal of the group's key says, who being
// its author as shown ("You" for the person), or ok false for another
// note.
func (m *Model) rotationNoteText(msg model.Message, who string) (string, bool) {
	word, ids := model.NoteWords(msg.Body)
	switch word {
	case model.NoteRemoved:
		if slices.ContainsFunc(ids, func(id string) bool { return m.isSelf(msg.Conversation, id) }) {
			return RemovedNote + " by " + who, true
		}
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = m.AuthorName(msg.Conversation, id)
		}
		return who + " removed " + joinNames(names), true
	case model.NoteAdmins:
		var named, unnamed []string
		for _, id := range ids {
			if len(id) < 2 {
				continue
			}
			name := m.AuthorName(msg.Conversation, id[1:])
			if m.isSelf(msg.Conversation, id[1:]) {
				name = "you"
			}
			if id[0] == '+' {
				named = append(named, name)
			} else {
				unnamed = append(unnamed, name)
			}
		}
		var parts []string
		switch len(named) {
		case 0:
		case 1:
			parts = append(parts, "made "+named[0]+" an admin")
		default:
			parts = append(parts, "made "+joinNames(named)+" admins")
		}
		if len(unnamed) > 0 {
			parts = append(parts, "removed "+joinNames(unnamed)+" as admin")
		}
		if len(parts) == 0 {
			return who + " renewed the group's key — earlier invites no longer work", true
		}
		return who + " " + strings.Join(parts, " and ") + " — earlier invites no longer work", true
	case model.NoteRenewed:
		return who + " renewed the group's key — earlier invites no longer work", true
	case model.NoteNoKey:
		return who + " renewed the group's key without giving it to you — you can no longer read or write here", true
	case model.NoteRevoked:
		return RevokedNote, true
	case model.NoteOwnerUnknown:
		return OwnerUnknownNote, true
	}
	return "", false
}

// joinNames lists names: "Tom", "Tom and Ann", "Tom, Ann and Bea".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "nobody"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// WarningText says in plain words what a group warning means: a title and
// a sentence. Server says whether it is about the group server (dropped,
// reordered or injected messages) rather than about the group's members
// and its key.
func (m *Model) WarningText(w model.GroupWarning) (title, text string, server bool) {
	who := "A member"
	if w.Author != "" && w.Conversation != "" {
		who = m.AuthorName(w.Conversation, w.Author)
	}
	switch w.Kind {
	case "old key":
		if strings.Contains(w.Reason, "not shown") {
			return "A message with the group's old key was not shown",
				"Someone who was removed from the group, or whose invite was revoked, wrote with the key the group used before. " +
					"Their message is not shown.", false
		}
		return "A message used the group's old key",
			who + " wrote with the key the group used before their Nook had the new one. " +
				"Whoever was removed could read that message too.", false
	case "rotation":
		return "A change to the group's key was refused", sentence(w.Reason) + ".", false
	case "concurrent rotation":
		return "Two admins renewed the group's key at once",
			"The renewal the server stored first counts; the other is made again on top of it. Nothing needs doing.", false
	case "not given the key":
		return NoKeyNote, "An admin renewed the group's key without giving it to you: you can no longer read or write here.", false
	case "invite revoked":
		return RevokedNote, "The group's key was renewed after this invite was made.", false
	case "owner unknown":
		return OwnerUnknownNote, ownerUnknownText, false
	}
	r := strings.TrimSpace(w.Reason)
	if r == "" {
		r = w.Kind
	}
	return "Problem with the group server", capital(r), true
}

// sentence is s with each clause after a semicolon made a sentence of
// its own, capitalised, without the final period: "someone tried…; it is
// ignored" reads "Someone tried…. It is ignored".
func sentence(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	parts := strings.Split(s, "; ")
	for i, p := range parts {
		parts[i] = capital(p)
	}
	return strings.Join(parts, ". ")
}

// capital is s with a capital first letter.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// isSelf reports whether id names the person in group conv: their onion
// address (a membership from before per-group keys) or their key in that
// group, as the members last read say (model.GroupMember.Self).
func (m *Model) isSelf(conv model.ConversationID, id string) bool {
	if id == "" {
		return false
	}
	if id == m.self {
		return true
	}
	return slices.ContainsFunc(m.members[conv], func(mb model.GroupMember) bool { return mb.Self && mb.Address == id })
}
