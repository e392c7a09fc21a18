package state

import (
	"fmt"
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
			r.Preview = SyncText(s) + "…"
		case seen && s.CaughtUp:
			r.Presence = model.Online
		}
		if r.Preview == "" {
			r.Preview = "No messages yet"
		}
	case cv.Contact == nil:
	case cv.Contact.State == model.ContactPending && r.Preview == "":
		r.Preview = RequestState(*cv.Contact)
	case cv.Contact.State == model.ContactBlocked:
		r.Preview, r.Presence = "Blocked", model.Offline
	}
	return r, true
}

// RequestState says how far a contact request we sent got: delivered
// only once their Nook said it stored it (model.Contact.RequestDelivered).
func RequestState(c model.Contact) string {
	if c.RequestDelivered {
		return "Waiting for them to accept"
	}
	return "Not delivered yet"
}

// LeftNote is what a group the person left says about itself.
const LeftNote = "You left this group"

// SyncText describes a running catch-up.
func SyncText(ev model.GroupSync) string {
	return fmt.Sprintf("Catching up: %d of %d", min(ev.Done, ev.Total), ev.Total)
}

// previewOf is the list's one-line preview of a message.
func (m *Model) previewOf(msg model.Message) string {
	if msg.Kind == model.KindNote {
		return m.NoteText(msg)
	}
	text := m.messageText(msg)
	switch {
	case msg.Outgoing:
		return "You: " + text
	case m.convs[msg.Conversation].Kind == model.KindGroup:
		return m.AuthorName(msg.Conversation, msg.Author) + ": " + text
	}
	return text
}

// messageText is a message's text on one line: its first line, or what a
// group invite invites to.
func (m *Model) messageText(msg model.Message) string {
	if msg.Kind == model.KindGroupInvite {
		if in := m.invites[msg.Body]; in.OK {
			return "Invitation to the group “" + in.Name + "”"
		}
		return "Invitation to a group"
	}
	return FirstLine(msg.Body)
}

// NoteText is what a note says: who joined or left a group ("Rosa
// joined", "You left the group"), the author named as in the group.
func (m *Model) NoteText(msg model.Message) string {
	who := "You"
	if !msg.Outgoing {
		who = m.AuthorName(msg.Conversation, msg.Author)
	}
	switch msg.Body {
	case model.NoteJoined:
		return who + " joined"
	case model.NoteLeft:
		return who + " left the group"
	}
	if text, ok := m.rotationNoteText(msg, who); ok {
		return text
	}
	return who + ": " + FirstLine(msg.Body)
}

// FirstLine is the first line of s, trimmed.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
