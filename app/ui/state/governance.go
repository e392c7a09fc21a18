package state

import (
	"slices"
	"strings"

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

// RemovedNote is the title of Ended when the person was removed.
func RemovedNote() string { return T("state.removed_note") }

// NoKeyNote is the title of Ended when a renewal left the person out.
func NoKeyNote() string { return T("state.no_key_note") }

// RevokedNote is the title of Ended when the person's invite was revoked.
func RevokedNote() string { return T("state.revoked_note") }

// OwnerUnknownNote is the title of Ended when the person joined from an old
// invite that did not name the group's owner, and so cannot check a renewal
// of its key.
func OwnerUnknownNote() string { return T("state.owner_unknown_note") }

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
			return Ended{RemovedNote(), T("state.removed_text", "Name", by)}, true
		case word == model.NoteNoKey:
			return Ended{NoKeyNote(), T("state.no_key_text", "Name", by)}, true
		case word == model.NoteRevoked:
			return Ended{RevokedNote(), T("state.revoked_text")}, true
		case word == model.NoteOwnerUnknown:
			return Ended{OwnerUnknownNote(), ownerUnknownText()}, true
		case word == model.NoteLeft && msg.Outgoing:
			return Ended{LeftNote(), leftText()}, true
		}
	}
	return Ended{LeftNote(), leftText()}, true
}

// leftText explains LeftNote.
func leftText() string { return T("state.left_text") }

// ownerUnknownText explains OwnerUnknownNote.
func ownerUnknownText() string { return T("state.owner_unknown_text") }

// rotationNoteText is what a note of a renewal of the group's key says, who being
// its author as shown ("You" for the person), or ok false for another
// note.
func (m *Model) rotationNoteText(msg model.Message, who string) (string, bool) {
	// The person's own notes have sentences of their own ("You renewed…"):
	// in many languages the verb agrees with its subject.
	self := msg.Outgoing
	word, ids := model.NoteWords(msg.Body)
	switch word {
	case model.NoteRemoved:
		if slices.ContainsFunc(ids, func(id string) bool { return m.isSelf(msg.Conversation, id) }) {
			return T("state.removed_by", "Name", who), true
		}
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = m.AuthorName(msg.Conversation, id)
		}
		if self {
			return T("state.you_removed", "Names", joinNames(names)), true
		}
		return T("state.removed", "Name", who, "Names", joinNames(names)), true
	case model.NoteAdmins:
		// Each change is a clause of its own with its subject, and the
		// person named or acting has sentences of their own: the verb
		// agrees with its subject, the object takes its case.
		var named, unnamed []string
		var youNamed, youUnnamed bool
		for _, id := range ids {
			if len(id) < 2 {
				continue
			}
			if m.isSelf(msg.Conversation, id[1:]) && !self {
				if id[0] == '+' {
					youNamed = true
				} else {
					youUnnamed = true
				}
				continue
			}
			name := m.AuthorName(msg.Conversation, id[1:])
			if id[0] == '+' {
				named = append(named, name)
			} else {
				unnamed = append(unnamed, name)
			}
		}
		var parts []string
		if youNamed {
			parts = append(parts, T("state.made_you_admin", "Name", who))
		}
		switch {
		case len(named) > 0 && self:
			parts = append(parts, N("state.you_made_admin", len(named), "Names", joinNames(named)))
		case len(named) > 0:
			parts = append(parts, N("state.made_admin", len(named), "Name", who, "Names", joinNames(named)))
		}
		if youUnnamed {
			parts = append(parts, T("state.removed_you_admin", "Name", who))
		}
		switch {
		case len(unnamed) > 0 && self:
			parts = append(parts, N("state.you_removed_admin", len(unnamed), "Names", joinNames(unnamed)))
		case len(unnamed) > 0:
			parts = append(parts, N("state.removed_admin", len(unnamed), "Name", who, "Names", joinNames(unnamed)))
		}
		if len(parts) == 0 {
			return renewedText(who, self), true
		}
		return T("state.admins_changed", "Changes", strings.Join(parts, T("state.and_clause"))), true
	case model.NoteRenewed:
		return renewedText(who, self), true
	case model.NoteNoKey:
		return T("state.renewed_without_you", "Name", who), true
	case model.NoteRevoked:
		return RevokedNote(), true
	case model.NoteOwnerUnknown:
		return OwnerUnknownNote(), true
	}
	return "", false
}

// renewedText is the note of a renewal of the group's key.
func renewedText(who string, self bool) string {
	if self {
		return T("state.you_renewed")
	}
	return T("state.renewed", "Name", who)
}

// joinNames lists names: "Tom", "Tom and Ann", "Tom, Ann and Bea".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return T("state.nobody")
	case 1:
		return names[0]
	}
	return T("state.names", "Names", strings.Join(names[:len(names)-1], T("state.names_separator")), "Last", names[len(names)-1])
}

// WarningText says in plain words what a group warning means: a title and
// a sentence. Server says whether it is about the group server (dropped,
// reordered or injected messages) rather than about the group's members
// and its key.
func (m *Model) WarningText(w model.GroupWarning) (title, text string, server bool) {
	who := T("state.a_member")
	if w.Author != "" && w.Conversation != "" {
		who = m.AuthorName(w.Conversation, w.Author)
	}
	switch w.Kind {
	case "old key":
		if strings.Contains(w.Reason, "not shown") {
			return T("state.old_key_hidden"), T("state.old_key_hidden_text"), false
		}
		return T("state.old_key"), T("state.old_key_text", "Name", who), false
	case "rotation":
		return T("state.rotation_refused"), Say(w.Why, "state.warning_unknown"), false
	case "concurrent rotation":
		return T("state.concurrent_rotation"), T("state.concurrent_rotation_text"), false
	case "not given the key":
		return NoKeyNote(), T("state.not_given_key_text"), false
	case "invite revoked":
		return RevokedNote(), T("state.invite_revoked_text"), false
	case "owner unknown":
		return OwnerUnknownNote(), ownerUnknownText(), false
	}
	// The engine's reason by its key; a reason a later engine adds, in
	// words of the app's.
	return T("state.server_problem"), Say(w.Why, "state.warning_unknown"), true
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
