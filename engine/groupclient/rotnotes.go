package groupclient

import (
	"crypto/sha256"
	"slices"
	"strings"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// This file holds the notes that rotations leave in a group's timeline
// ("Rosa removed Tom", "Rosa renewed the group's key"), stored like the
// join and leave notes: model.KindNote messages, never unread.

// rotationNote is the note of rotation part m from epoch prev to ep,
// accepted or ending the group for this profile: word is
// model.NoteRemoved (the removed members listed after it), NoteAdmins
// (the admins named and unnamed after it), NoteRenewed, NoteNoKey or
// NoteRevoked. Its ID is the part's.
func (c *Client) rotationNote(gs *groupState, prev, ep *epochState, m *group.Message, word string) model.Message {
	id := func(k group.PublicKey) string { return string(identity.AddressFromPublicKey(k[:])) }
	words := []string{word}
	switch word {
	case model.NoteRemoved:
		for _, k := range ep.removed {
			words = append(words, id(k))
		}
	case model.NoteAdmins:
		for _, k := range ep.admins {
			if !slices.Contains(prev.admins, k) {
				words = append(words, "+"+id(k))
			}
		}
		for _, k := range prev.admins {
			if !slices.Contains(ep.admins, k) {
				words = append(words, "-"+id(k))
			}
		}
	}
	body := strings.Join(words, " ")
	n := model.Message{ID: m.ID.Model(), Kind: model.KindNote, Conversation: gs.conv, Author: string(m.Author),
		Sent: m.Sent, Received: c.cfg.Now(), Body: body, Status: model.StatusReceived}
	if m.Author == gs.self.Address() {
		n.Outgoing, n.Status = true, model.StatusDelivered
	}
	return n
}

// noteRotation adds the note of an accepted rotation part to the batch's
// new messages. c.mu is held.
func (c *Client) noteRotation(gs *groupState, prev, ep *epochState, m *group.Message, word string, fx *effects) {
	fx.news = append(fx.news, c.rotationNote(gs, prev, ep, m, word))
	fx.full = append(fx.full, m.ID)
}

// rotationWord is the note word of a rotation from epoch prev to ep that
// gave this profile the key.
func rotationWord(prev, ep *epochState) string {
	switch {
	case len(ep.removed) > 0:
		return model.NoteRemoved
	case !slices.Equal(prev.admins, ep.admins):
		return model.NoteAdmins
	}
	return model.NoteRenewed
}

// storeOwnRotationNote stores, in the transaction that stores the
// profile's own rotation, its note. Its ID is derived from the first
// part's (ownNoteID), not the part's own: a stored message with the
// part's ID would make the part, back from the server, a message already
// known, and the rotation would never count as on the server.
func (c *Client) storeOwnRotationNote(tx *store.Tx, gs *groupState, prev, ep *epochState, first *group.Message) (model.Message, error) {
	n := c.rotationNote(gs, prev, ep, first, rotationWord(prev, ep))
	n.ID = ownNoteID(first.ID)
	return tx.AppendMessage(n)
}

// ownNoteID is the ID of the note of the profile's own rotation whose
// first part is id.
func ownNoteID(id group.MessageID) model.MessageID {
	h := sha256.Sum256(append([]byte("nook own rotation note v1\x00"), id[:]...))
	return model.MessageID(h[:16])
}
