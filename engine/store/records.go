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
	if c.Disappear > 0 || !c.DisappearSet.IsZero() {
		// Optional trailing fields: records written before disappearing
		// messages existed end here.
		e.uvarint(uint64(c.Disappear / time.Second))
		e.time(c.DisappearSet)
	}
	return e.b
}

func decodeContact(address string, b []byte) (model.Contact, error) {
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
	return c, d.done()
}

const flagOutgoing = 1

// encodeMessage encodes everything but the conversation and Seq, which are
// the key.
func encodeMessage(m model.Message) []byte {
	var e enc
	e.b = make([]byte, 0, 64+len(m.Author)+len(m.Body)+len(m.FailReason))
	e.byte(recordVersion)
	e.raw(m.ID[:])
	e.string(m.Author)
	var flags byte
	if m.Outgoing {
		flags |= flagOutgoing
	}
	e.byte(flags)
	e.time(m.Sent)
	e.time(m.Received)
	e.string(m.Body)
	e.raw(m.ReplyTo[:])
	e.byte(byte(m.Status))
	e.string(m.FailReason)
	if m.Disappear > 0 || m.Kind != model.KindText {
		// Optional trailing fields, as in contact records.
		e.uvarint(uint64(m.Disappear / time.Second))
		e.time(m.ExpiresAt)
	}
	if m.Kind != model.KindText {
		// Optional too: records of text messages end before it.
		e.byte(byte(m.Kind))
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
	if flags&^flagOutgoing != 0 {
		d.fail("unknown flags")
	}
	m.Outgoing = flags&flagOutgoing != 0
	m.Sent = d.time()
	m.Received = d.time()
	m.Body = d.string()
	copy(m.ReplyTo[:], d.raw(len(m.ReplyTo)))
	m.Status = model.MessageStatus(d.byte())
	m.FailReason = d.string()
	if len(d.b) > 0 {
		m.Disappear = d.disappear()
		m.ExpiresAt = d.time()
	}
	if len(d.b) > 0 {
		m.Kind = model.MessageKind(d.byte())
		if m.Kind == model.KindText {
			d.fail("text kind stored")
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

// disappear reads a disappearing timer in whole seconds.
func (d *dec) disappear() time.Duration {
	n := d.uvarint()
	if n > uint64(model.MaxDisappear/time.Second) {
		d.fail("disappearing timer too long")
		return 0
	}
	return time.Duration(n) * time.Second
}
