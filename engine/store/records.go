package store

import (
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// encodeContact encodes everything but the address, which is the key.
func encodeContact(c model.Contact) []byte {
	var e enc
	e.byte(recordVersion)
	e.string(c.Nickname)
	e.string(c.DisplayName)
	e.byte(byte(c.State))
	e.bool(c.Verified)
	e.bool(c.Archived)
	e.time(c.Added)
	e.time(c.LastActivity)
	var vflags byte
	if c.InviteConfirmed {
		vflags |= contactInviteConfirmed
	}
	if c.VerifyRevoked {
		vflags |= contactVerifyRevoked
	}
	if c.Verified && c.Verification != model.Unverified {
		vflags |= contactNameRecorded
	}
	if c.RequestDelivered && c.State == model.ContactPending {
		vflags |= contactRequestDelivered
	}
	verification := c.Verification != model.Unverified || vflags != 0
	if c.Disappear > 0 || !c.DisappearSet.IsZero() || verification {
		// Optional trailing fields: records written before disappearing
		// messages existed end here.
		e.uvarint(uint64(c.Disappear / time.Second))
		e.time(c.DisappearSet)
	}
	if verification {
		// Optional trailing fields: records written before safety codes
		// (docs/security.md, "Verified contacts") end here.
		e.byte(byte(c.Verification))
		e.byte(vflags)
	}
	if vflags&contactNameRecorded != 0 {
		// Records written before the badge kept its name (security
		// review 2, M-B) end here.
		e.string(c.VerifiedName)
	}
	return e.b
}

// Flags of a contact record's verification fields.
const (
	contactInviteConfirmed = 1 << 0
	contactVerifyRevoked   = 1 << 1
	// contactNameRecorded: VerifiedName follows. Set on every verified
	// contact stored since the badge keeps its name; a verified contact
	// without it was stored by an earlier version.
	contactNameRecorded = 1 << 2
	// contactRequestDelivered: our request to a Pending contact was
	// stored by their Nook (model.Contact.RequestDelivered). Records
	// written before the flag existed do not have it: their requests read
	// as not delivered, which is what their sender knew.
	contactRequestDelivered = 1 << 3
	contactFlags            = contactInviteConfirmed | contactVerifyRevoked | contactNameRecorded | contactRequestDelivered
)

func decodeContact(address string, b []byte) (model.Contact, error) {
	c, _, err := decodeContactRecord(address, b)
	return c, err
}

// decodeContactRecord decodes a contact record and reports whether it
// holds the name its badge was given under (contactNameRecorded).
func decodeContactRecord(address string, b []byte) (model.Contact, bool, error) {
	d := dec{b: b, what: "contact"}
	d.version()
	c := model.Contact{Address: address}
	c.Nickname = d.string()
	c.DisplayName = d.string()
	c.State = model.ContactState(d.byte())
	c.Verified = d.bool()
	c.Archived = d.bool()
	c.Added = d.time()
	c.LastActivity = d.time()
	if len(d.b) > 0 {
		c.Disappear = d.disappear()
		c.DisappearSet = d.time()
	}
	recorded := false
	switch {
	case len(d.b) > 0:
		c.Verification = model.Verification(d.byte())
		vflags := d.byte()
		if c.Verification > model.VerifiedEarlierVersion || vflags&^contactFlags != 0 {
			d.fail("unknown verification")
		}
		if c.Verified != (c.Verification != model.Unverified) {
			d.fail("verified flag and verification disagree")
		}
		if vflags&contactNameRecorded != 0 {
			if !c.Verified {
				d.fail("a verified name on a contact not verified")
			}
			c.VerifiedName = d.string()
			recorded = true
		}
		if vflags&contactRequestDelivered != 0 && c.State != model.ContactPending {
			d.fail("a delivered request on a contact not pending")
		}
		c.RequestDelivered = vflags&contactRequestDelivered != 0
		c.InviteConfirmed = vflags&contactInviteConfirmed != 0
		c.VerifyRevoked = vflags&contactVerifyRevoked != 0
	case c.Verified:
		// Written before Nook recorded how a contact was verified.
		c.Verification = model.VerifiedLegacy
	}
	return c, recorded, d.done()
}

// Message record flags.
const (
	flagOutgoing = 1
	// flagPadded: the timer fields are always there, and zeros follow up
	// to a multiple of messagePad bytes.
	flagPadded = 2
	// flagReactions: the message has reactions. Its record always holds
	// the kind byte (0 for a text), then the number of reactions and each
	// one's author and emoji, before the padding. Records written before
	// reactions never have it.
	flagReactions = 4
	// flagEdited: the author changed the text (Body holds the new one).
	// Its record always holds the kind byte, then the reactions if
	// flagReactions, then the time of the latest edit, before
	// the padding. Records written before edits never have it.
	flagEdited = 8
)

// messagePad is the unit to which message records are padded with zeros.
// Badger's write-ahead log shows every value's length in plaintext (only
// keys and values are encrypted, not the entry headers), so an unpadded
// record would show its body's length to anyone reading the disk. In the
// tables, compression makes the padding almost free.
const messagePad = 512

// encodeMessage encodes everything but the conversation and Seq, which are
// the key.
func encodeMessage(m model.Message) []byte {
	var e enc
	e.b = make([]byte, 0, 64+len(m.Author)+len(m.Body)+len(m.FailReason))
	e.byte(recordVersion)
	e.raw(m.ID[:])
	e.string(m.Author)
	flags := byte(flagPadded)
	if m.Outgoing {
		flags |= flagOutgoing
	}
	if len(m.Reactions) > 0 {
		flags |= flagReactions
	}
	edited := !m.Edited.IsZero()
	if edited {
		flags |= flagEdited
	}
	e.byte(flags)
	e.time(m.Sent)
	e.time(m.Received)
	e.string(m.Body)
	e.raw(m.ReplyTo[:])
	e.byte(byte(m.Status))
	e.string(m.FailReason)
	// Records written before padding end after FailReason unless they
	// have a timer (optional trailing fields, as in contact records).
	e.uvarint(uint64(m.Disappear / time.Second))
	e.time(m.ExpiresAt)
	if m.Kind != model.KindText || len(m.Reactions) > 0 || edited {
		// The kind follows the timer; a text's record has none (its zero
		// byte would be the padding's first) unless reactions or an edit
		// time follow.
		e.byte(byte(m.Kind))
	}
	if len(m.Reactions) > 0 {
		e.uvarint(uint64(len(m.Reactions)))
		for _, r := range m.Reactions {
			e.string(r.Author)
			e.string(r.Emoji)
		}
	}
	if edited {
		e.time(m.Edited)
	}
	if r := len(e.b) % messagePad; r != 0 {
		e.b = append(e.b, make([]byte, messagePad-r)...)
	}
	return e.b
}

func decodeMessage(conv model.ConversationID, seq uint64, b []byte) (model.Message, error) {
	d := dec{b: b, what: "message"}
	d.version()
	m := model.Message{Conversation: conv, Seq: seq}
	copy(m.ID[:], d.raw(len(m.ID)))
	m.Author = d.string()
	flags := d.byte()
	if flags&^(flagOutgoing|flagPadded|flagReactions|flagEdited) != 0 || flags&(flagReactions|flagEdited) != 0 && flags&flagPadded == 0 {
		d.fail("unknown flags")
	}
	m.Outgoing = flags&flagOutgoing != 0
	m.Sent = d.time()
	m.Received = d.time()
	m.Body = d.string()
	copy(m.ReplyTo[:], d.raw(len(m.ReplyTo)))
	m.Status = model.MessageStatus(d.byte())
	m.FailReason = d.string()
	if len(d.b) > 0 || flags&flagPadded != 0 {
		m.Disappear = d.disappear()
		m.ExpiresAt = d.time()
	}
	if flags&flagPadded == 0 && len(d.b) > 0 {
		// An unpadded record with a kind, as the first version of message
		// kinds wrote them before padding: it follows the timer fields.
		m.Kind = model.MessageKind(d.byte())
		if m.Kind == model.KindText {
			d.fail("text kind stored")
		}
	}
	if flags&(flagReactions|flagEdited) != 0 {
		m.Kind = model.MessageKind(d.byte())
	}
	if flags&flagReactions != 0 {
		m.Reactions = d.reactions()
	}
	if flags&flagEdited != 0 {
		if m.Edited = d.time(); d.err == nil && m.Edited.IsZero() {
			d.fail("edited without a time")
		}
	}
	if flags&flagPadded != 0 && d.err == nil {
		if flags&(flagReactions|flagEdited) == 0 && len(d.b) > 0 && d.b[0] != byte(model.KindText) {
			// A kind other than text; a text's record goes on with the
			// padding.
			m.Kind = model.MessageKind(d.byte())
		}
		if len(d.b) >= messagePad {
			d.fail("bad padding")
		}
		for _, x := range d.b {
			if x != 0 {
				d.fail("bad padding")
				break
			}
		}
		if d.err == nil {
			d.b = nil
		}
	}
	return m, d.done()
}

// ConversationInfo summarises one conversation for a conversation list.
type ConversationInfo struct {
	ID model.ConversationID
	// LastSeq is the Seq of the latest message; Messages is how many the
	// conversation holds.
	LastSeq  uint64
	Messages uint64
	// LastActivity is the Received time of the latest message.
	LastActivity time.Time
	// Unread counts the incoming messages stored since the conversation
	// was last marked read; it is kept in the transaction that stores
	// each message.
	Unread uint64
}

func encodeConvInfo(c ConversationInfo) []byte {
	var e enc
	e.byte(recordVersion)
	e.uvarint(c.LastSeq)
	e.uvarint(c.Messages)
	e.time(c.LastActivity)
	if c.Unread > 0 {
		// Optional trailing field: records written before the store kept
		// unread counts end here (the engine kept them in a bucket).
		e.uvarint(c.Unread)
	}
	return e.b
}

func decodeConvInfo(conv model.ConversationID, b []byte) (ConversationInfo, error) {
	d := dec{b: b, what: "conversation"}
	d.version()
	c := ConversationInfo{ID: conv}
	c.LastSeq = d.uvarint()
	c.Messages = d.uvarint()
	c.LastActivity = d.time()
	if len(d.b) > 0 {
		c.Unread = d.uvarint()
		if c.Unread == 0 {
			d.fail("zero unread count stored")
		}
	}
	if err := d.done(); err != nil {
		return c, err
	}
	if c.Messages > c.LastSeq {
		return c, fmt.Errorf("%w: conversation record: count exceeds last seq", ErrCorrupt)
	}
	return c, nil
}

// reactions reads a message's reactions: a count (1 to
// model.MaxReactions), then each one's author and emoji; an author has
// one reaction.
func (d *dec) reactions() []model.Reaction {
	n := d.uvarint()
	if d.err == nil && (n == 0 || n > model.MaxReactions) {
		d.fail("bad number of reactions")
	}
	if d.err != nil {
		return nil
	}
	rs := make([]model.Reaction, 0, n)
	for range n {
		r := model.Reaction{Author: d.string(), Emoji: d.string()}
		if d.err != nil {
			return nil
		}
		if r.Author == "" || model.CheckEmoji(r.Emoji) != nil {
			d.fail("bad reaction")
			return nil
		}
		for _, o := range rs {
			if o.Author == r.Author {
				d.fail("two reactions by one author")
				return nil
			}
		}
		rs = append(rs, r)
	}
	return rs
}

// disappear reads a disappearing timer in whole seconds.
func (d *dec) disappear() time.Duration {
	n := d.uvarint()
	if n > uint64(model.MaxDisappear/time.Second) {
		d.fail("disappearing timer too long")
		return 0
	}
	return time.Duration(n) * time.Second
}
