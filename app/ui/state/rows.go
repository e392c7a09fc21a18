package state

import (
	"strings"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// Row is what the list shows of one conversation.
type Row struct {
	ID           model.ConversationID
	Kind         model.ConversationKind
	Title        string
	Preview      string
	LastActivity time.Time
	// Presence is the contact's; for a group, Online once its server
	// caught up, Connecting before, Offline for a group left.
	Presence model.Presence
	Unread   int
	// Request: a contact request, with Accept, Reject and Block.
	Request bool
}

// Row returns a conversation's row.
func (m *Model) Row(id model.ConversationID) (Row, bool) {
	cv, ok := m.convs[id]
	if !ok {
		return Row{}, false
	}
	r := Row{ID: id, Kind: cv.Kind, Title: cv.Title, LastActivity: cv.LastActivity, Presence: cv.Presence,
		Unread: cv.Unread, Request: isRequest(cv)}
	if !cv.Last.ID.IsZero() {
		r.Preview = m.previewOf(cv.Last)
	}
	switch {
	case cv.Kind == model.KindGroup:
		r.Presence = model.Connecting
		s, seen := m.syncs[cv.Group.Server]
		switch {
		case cv.Left:
			e, _ := m.EndedOf(cv)
			r.Preview, r.Presence = e.Title, model.Offline
		case seen && !s.CaughtUp && s.Total > 0:
			r.Preview = T("state.catching_up_preview", "Progress", SyncText(s))
		case seen && s.CaughtUp:
			r.Presence = model.Online
		}
		if r.Preview == "" {
			r.Preview = T("state.no_messages_yet")
		}
	case cv.Contact == nil:
	case cv.Contact.State == model.ContactPending && r.Preview == "":
		r.Preview = RequestState(*cv.Contact)
	case cv.Contact.State == model.ContactBlocked:
		r.Preview, r.Presence = T("state.blocked"), model.Offline
	}
	return r, true
}

// RequestState says how far a contact request we sent got: delivered
// only once their Nook said it stored it (model.Contact.RequestDelivered).
func RequestState(c model.Contact) string {
	if c.RequestDelivered {
		return T("state.waiting_accept")
	}
	return T("state.request_not_delivered")
}

// LeftNote is what a group the person left says about itself.
func LeftNote() string { return T("state.left_note") }

// SyncText describes a running catch-up.
func SyncText(ev model.GroupSync) string {
	return N("state.catching_up", ev.Total, "Done", min(ev.Done, ev.Total))
}

// previewOf is the list's one-line preview of a message.
func (m *Model) previewOf(msg model.Message) string {
	if msg.Kind == model.KindNote {
		return m.NoteText(msg)
	}
	text := m.messageText(msg)
	switch {
	case msg.Outgoing:
		return T("state.you_preview", "Text", text)
	case m.convs[msg.Conversation].Kind == model.KindGroup:
		return T("state.author_preview", "Name", m.AuthorName(msg.Conversation, msg.Author), "Text", text)
	}
	return text
}

// messageText is a message's text on one line: its first line, or what a
// group invite invites to.
func (m *Model) messageText(msg model.Message) string {
	if msg.Kind == model.KindGroupInvite {
		if in := m.invites[msg.Body]; in.OK {
			return T("state.invitation_to", "Name", in.Name)
		}
		return T("state.invitation")
	}
	return FirstLine(msg.Body)
}

// NoteText is what a note says: who joined or left a group ("Rosa
// joined", "You left the group"), the author named as in the group.
func (m *Model) NoteText(msg model.Message) string {
	who := T("state.you")
	if !msg.Outgoing {
		who = m.AuthorName(msg.Conversation, msg.Author)
	}
	switch msg.Body {
	case model.NoteJoined:
		if msg.Outgoing {
			return T("state.you_joined")
		}
		return T("state.joined", "Name", who)
	case model.NoteLeft:
		if msg.Outgoing {
			return T("state.you_left")
		}
		return T("state.left", "Name", who)
	case model.NoteDeleted:
		if msg.Outgoing {
			return T("state.you_deleted_message")
		}
		return T("state.deleted_message", "Name", who)
	}
	if text, ok := m.rotationNoteText(msg, who); ok {
		return text
	}
	return T("state.author_preview", "Name", who, "Text", FirstLine(msg.Body))
}

// FirstLine is the first line of s, trimmed.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
