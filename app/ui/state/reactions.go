package state

import (
	"github.com/nookchat/nook/engine/model"
)

// Reaction is one emoji under a message as the screen shows it: how many
// people chose it, whether the profile is one of them, and who they are
// (the profile first, as "You", then the others by AuthorName).
type Reaction struct {
	Emoji string
	Count int
	Mine  bool
	Who   []string
}

// Reactions groups the reactions of msg, a message of conv, by emoji, in
// the order each emoji was first chosen.
func (m *Model) Reactions(conv model.ConversationID, msg model.Message) []Reaction {
	var out []Reaction
	at := map[string]int{}
	for _, r := range msg.Reactions {
		i, ok := at[r.Emoji]
		if !ok {
			i = len(out)
			at[r.Emoji] = i
			out = append(out, Reaction{Emoji: r.Emoji})
		}
		g := &out[i]
		g.Count++
		if r.Author == m.self && m.self != "" {
			g.Mine = true
			g.Who = append([]string{T("state.you")}, g.Who...)
		} else {
			g.Who = append(g.Who, m.AuthorName(conv, r.Author))
		}
	}
	return out
}

// messageChanged applies a message whose content changed (its reactions,
// its text when edited): the open window shows it as it is now, and so do
// the replies loaded that quote it when its text changed, and the list's
// row when it is the conversation's latest message. A member not
// known by name reacting in the open group asks for the members again.
func (m *Model) messageChanged(msg model.Message) Change {
	c := Change{}
	// The list's row shows the latest message's text: an edit of it
	// changes the row (not its place: an edit is no activity).
	if cv, ok := m.convs[msg.Conversation]; ok && cv.Last.ID == msg.ID && cv.Last.Body != msg.Body {
		cv.Last = msg
		m.convs[msg.Conversation] = cv
		c.Rows = []model.ConversationID{msg.Conversation}
	}
	o := m.open
	if o == nil || o.ID != msg.Conversation {
		return c
	}
	old, quoted := o.quoted[msg.ID]
	if quoted {
		o.quoted[msg.ID] = msg
	}
	i, ok := o.pos[msg.ID]
	if ok {
		old = o.Messages[i]
	}
	if (ok || quoted) && old.Body != msg.Body {
		for _, r := range o.Messages {
			if r.ReplyTo == msg.ID {
				c.Updated = append(c.Updated, r.ID)
			}
		}
	}
	if !ok {
		return c
	}
	msg.Seq = o.Messages[i].Seq
	o.Messages[i] = msg
	c.Updated = append([]model.MessageID{msg.ID}, c.Updated...)
	if cv := m.convs[o.ID]; cv.Kind == model.KindGroup {
		for _, r := range msg.Reactions {
			if r.Author != m.self && !m.knownAuthor(o.ID, r.Author) {
				c.MembersStale = true
				break
			}
		}
	}
	return c
}
