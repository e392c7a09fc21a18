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

// messageChanged applies a message whose content changed (its reactions):
// the open window shows it as it is now. A member not known by name
// reacting in the open group asks for the members again.
func (m *Model) messageChanged(msg model.Message) Change {
	o := m.open
	if o == nil || o.ID != msg.Conversation {
		return Change{}
	}
	c := Change{}
	if _, ok := o.quoted[msg.ID]; ok {
		o.quoted[msg.ID] = msg
	}
	i, ok := o.pos[msg.ID]
	if !ok {
		return c
	}
	msg.Seq = o.Messages[i].Seq
	o.Messages[i] = msg
	c.Updated = []model.MessageID{msg.ID}
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
