package groupclient

import (
	"crypto/sha256"
	"strings"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// This file holds the notes that rotations leave in a group's timeline
// ("Rosa removed Tom", "Rosa renewed the group's key"), stored like the
// join and leave notes: model.KindNote messages, never unread.

// rotationNote is the note of rotation part m, accepted (or ending the
// group for this profile) with epoch ep: word is model.NoteRemoved (the
// removed members are listed after it), NoteRenewed, NoteNoKey or
// NoteRevoked. Its ID is the part's.
func (c *Client) rotationNote(gs *groupState, ep *epochState, m *group.Message, word string) model.Message {
	body := word
	if word == model.NoteRemoved {
		ids := make([]string, 0, len(ep.removed))
		for _, k := range ep.removed {
			ids = append(ids, string(identity.AddressFromPublicKey(k[:])))
		}
		body = strings.Join(append([]string{word}, ids...), " ")
	}
	n := model.Message{ID: m.ID.Model(), Kind: model.KindNote, Conversation: gs.conv, Author: string(m.Author),
		Sent: m.Sent, Received: c.cfg.Now(), Body: body, Status: model.StatusReceived}
	if m.Author == c.cfg.Self.Address() {
		n.Outgoing, n.Status = true, model.StatusDelivered
	}
	return n
}

// noteRotation adds the note of an accepted rotation part to the batch's
// new messages. c.mu is held.
func (c *Client) noteRotation(gs *groupState, ep *epochState, m *group.Message, word string, fx *effects) {
	fx.news = append(fx.news, c.rotationNote(gs, ep, m, word))
	fx.full = append(fx.full, m.ID)
}

// rotationWord is the note word of a rotation that gave this profile the
// key.
func rotationWord(ep *epochState) string {
	if len(ep.removed) > 0 {
		return model.NoteRemoved
	}
	return model.NoteRenewed
}

// storeOwnRotationNote stores, in the transaction that stores the
// profile's own rotation, its note. Its ID is derived from the first
// part's (ownNoteID), not the part's own: a stored message with the
// part's ID would make the part, back from the server, a message already
// known, and the rotation would never count as on the server.
func (c *Client) storeOwnRotationNote(tx *store.Tx, gs *groupState, ep *epochState, first *group.Message) (model.Message, error) {
	n := c.rotationNote(gs, ep, first, rotationWord(ep))
	n.ID = ownNoteID(first.ID)
	return tx.AppendMessage(n)
}

// ownNoteID is the ID of the note of the profile's own rotation whose
// first part is id.
func ownNoteID(id group.MessageID) model.MessageID {
	h := sha256.Sum256(append([]byte("nook own rotation note v1\x00"), id[:]...))
	return model.MessageID(h[:16])
}
