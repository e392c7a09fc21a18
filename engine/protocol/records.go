package protocol

import (
	"errors"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// Text is a message of a conversation.
type Text struct {
	ID model.MessageID
	// Sent is the author's clock when writing; it travels with millisecond
	// precision and is decoded in UTC.
	Sent time.Time
	// ReplyTo is the message this one quotes, or zero.
	ReplyTo model.MessageID
	// Body is the text, valid UTF-8 of at most MaxBody bytes.
	Body string
	// Disappear is the message's disappearing timer, whole seconds up to
	// model.MaxDisappear; zero: kept. A Text with a timer is sent in
	// layout 2, one without in layout 1.
	Disappear time.Duration
}

// Type returns TypeText.
func (*Text) Type() Type { return TypeText }

func (r *Text) layout() uint8 {
	if r.Disappear != 0 {
		return 2
	}
	return LayoutV1
}

func (r *Text) encode(e *encoder) {
	e.id(r.ID)
	e.u64(uint64(r.Sent.UnixMilli()))
	e.id(r.ReplyTo)
	e.check("body", checkText(r.Body))
	e.lenBytes("body", 4, MaxBody, []byte(r.Body))
	if r.Disappear != 0 {
		e.check("disappear", checkDisappear(r.Disappear))
		e.u32(uint32(r.Disappear / time.Second))
	}
}

func decodeText(d *decoder) Record {
	r := &Text{ID: d.id("id")}
	r.Sent = time.UnixMilli(int64(d.u64("sent"))).UTC()
	r.ReplyTo = d.id("reply_to")
	r.Body = string(d.lenBytes("body", 4, MaxBody))
	d.check("body", checkText(r.Body))
	return r
}

// decodeTextV2 reads layout 2: layout 1 and a disappearing timer.
func decodeTextV2(d *decoder) Record {
	r := decodeText(d).(*Text)
	r.Disappear = time.Duration(d.u32("disappear")) * time.Second
	if r.Disappear == 0 {
		d.fail("disappear", "zero (a Text without a timer uses layout 1)")
	}
	d.check("disappear", checkDisappear(r.Disappear))
	return r
}

// Disappear sets the conversation's disappearing-messages timer. Each side
// sends its setting at the start of every session and when the user
// changes it; the receiver adopts it when Set is later than its own last
// change (the later change wins).
type Disappear struct {
	// Timer is whole seconds up to model.MaxDisappear; zero: off.
	Timer time.Duration
	// Set is when the sender's user chose it (millisecond precision, UTC).
	Set time.Time
}

// Type returns TypeDisappear.
func (*Disappear) Type() Type { return TypeDisappear }

func (r *Disappear) encode(e *encoder) {
	e.check("timer", checkDisappear(r.Timer))
	e.u32(uint32(r.Timer / time.Second))
	e.u64(uint64(r.Set.UnixMilli()))
}

func decodeDisappear(d *decoder) Record {
	r := &Disappear{Timer: time.Duration(d.u32("timer")) * time.Second}
	d.check("timer", checkDisappear(r.Timer))
	r.Set = time.UnixMilli(int64(d.u64("set"))).UTC()
	return r
}

// Ack acknowledges messages: the receiver has stored them.
type Ack struct {
	IDs []model.MessageID // 1 to MaxAckIDs ids
}

// Type returns TypeAck.
func (*Ack) Type() Type { return TypeAck }

func (r *Ack) encode(e *encoder) {
	if len(r.IDs) == 0 || len(r.IDs) > MaxAckIDs {
		e.fail("ids", errors.New("must hold 1 to 1024 ids"))
		return
	}
	e.u16(uint16(len(r.IDs)))
	for _, id := range r.IDs {
		e.id(id)
	}
}

func decodeAck(d *decoder) Record {
	n := int(d.u16("n"))
	if d.err == nil && (n == 0 || n > MaxAckIDs) {
		d.fail("n", "%d ids, must be 1 to %d", n, MaxAckIDs)
	}
	if d.err == nil && len(d.b) != n*len(model.MessageID{}) {
		d.fail("ids", "%d ids need %d bytes, have %d", n, n*16, len(d.b))
	}
	if d.err != nil {
		return nil
	}
	r := &Ack{IDs: make([]model.MessageID, n)}
	for i := range r.IDs {
		r.IDs[i] = d.id("ids")
	}
	return r
}

// ContactRequest asks the dialled peer to become a contact.
type ContactRequest struct {
	// DisplayName is the name the requester advertises (may be empty).
	DisplayName string
	// Proof is reserved for the proof of an invite's one-time secret (a MAC
	// over the session's channel binding); empty when there is none.
	Proof []byte
}

// Type returns TypeContactRequest.
func (*ContactRequest) Type() Type { return TypeContactRequest }

func (r *ContactRequest) encode(e *encoder) {
	e.check("name", CheckDisplayName(r.DisplayName))
	e.lenBytes("name", 2, MaxNameBytes, []byte(r.DisplayName))
	e.lenBytes("proof", 2, MaxProof, r.Proof)
}

func decodeContactRequest(d *decoder) Record {
	r := &ContactRequest{DisplayName: string(d.lenBytes("name", 2, MaxNameBytes))}
	d.check("name", CheckDisplayName(r.DisplayName))
	r.Proof = d.lenBytes("proof", 2, MaxProof)
	return r
}

// ContactAccept accepts a contact request.
type ContactAccept struct {
	DisplayName string // the accepter's advertised name (may be empty)
}

// Type returns TypeContactAccept.
func (*ContactAccept) Type() Type { return TypeContactAccept }

func (r *ContactAccept) encode(e *encoder) {
	e.check("name", CheckDisplayName(r.DisplayName))
	e.lenBytes("name", 2, MaxNameBytes, []byte(r.DisplayName))
}

func decodeContactAccept(d *decoder) Record {
	r := &ContactAccept{DisplayName: string(d.lenBytes("name", 2, MaxNameBytes))}
	d.check("name", CheckDisplayName(r.DisplayName))
	return r
}

// InviteConfirm is sent by an inviter that redeemed the one-time secret
// proved in the dialler's ContactRequest, before its ContactAccept: the MAC
// of invite.Confirm (docs/invites.md §5). It shows the dialler that the
// Nook it reached checked the secret of the invite it used; not who made
// that invite. Peers that do not know the type ignore it.
type InviteConfirm struct {
	MAC [ConfirmSize]byte
}

// ConfirmSize is the length of an InviteConfirm's MAC (HMAC-SHA256).
const ConfirmSize = 32

// Type returns TypeInviteConfirm.
func (*InviteConfirm) Type() Type { return TypeInviteConfirm }

func (r *InviteConfirm) encode(e *encoder) { e.raw(r.MAC[:]) }

func decodeInviteConfirm(d *decoder) Record {
	r := &InviteConfirm{}
	copy(r.MAC[:], d.take("mac", ConfirmSize))
	return r
}

// RequestReceived tells a requester that its ContactRequest is stored
// and waits for the person to accept it: sent by the receiver after it
// stored the request (again for a request sent again), never for a
// request it did not keep. It carries nothing. A requester tells "not
// delivered yet" from "delivered, waiting for them to accept" by it;
// peers that do not know the type ignore it (their requesters then never
// learn that a request arrived, only that it was accepted).
type RequestReceived struct{}

// Type returns TypeRequestReceived.
func (*RequestReceived) Type() Type { return TypeRequestReceived }

func (*RequestReceived) encode(*encoder) {}

// ContactReject declines a contact request. It carries no reason.
type ContactReject struct{}

// Type returns TypeContactReject.
func (*ContactReject) Type() Type { return TypeContactReject }

func (*ContactReject) encode(*encoder) {}

// Attr names a profile attribute.
type Attr uint8

// Profile attributes. Others travel as opaque values.
const (
	AttrDisplayName Attr = 0x01
	AttrPicture     Attr = 0x02 // reserved
)

// ProfileGet asks the peer for one profile attribute.
type ProfileGet struct {
	Attr Attr
}

// Type returns TypeProfileGet.
func (*ProfileGet) Type() Type { return TypeProfileGet }

func (r *ProfileGet) encode(e *encoder) { e.u8(uint8(r.Attr)) }

func decodeProfileGet(d *decoder) Record { return &ProfileGet{Attr: Attr(d.u8("attr"))} }

// ProfileAttr returns one profile attribute.
type ProfileAttr struct {
	Attr  Attr
	Value []byte // for AttrDisplayName, a valid display name
}

// Type returns TypeProfileAttr.
func (*ProfileAttr) Type() Type { return TypeProfileAttr }

func (r *ProfileAttr) encode(e *encoder) {
	if r.Attr == AttrDisplayName {
		e.check("value", CheckDisplayName(string(r.Value)))
	}
	e.u8(uint8(r.Attr))
	e.lenBytes("value", 4, MaxAttrValue, r.Value)
}

func decodeProfileAttr(d *decoder) Record {
	r := &ProfileAttr{Attr: Attr(d.u8("attr"))}
	r.Value = d.lenBytes("value", 4, MaxAttrValue)
	if r.Attr == AttrDisplayName {
		d.check("value", CheckDisplayName(string(r.Value)))
	}
	return r
}

// GroupInvite invites the contact to a group: a message of the
// conversation, stored, acknowledged and deleted like a Text. Layout 2
// (the one sent) carries the message's ID, time and disappearing timer
// before the invite. Layout 1 carried the invite alone, could not be
// acknowledged and was never sent: it decodes as an Unknown, which
// receivers ignore.
type GroupInvite struct {
	ID model.MessageID
	// Sent is the author's clock when writing (millisecond precision,
	// UTC).
	Sent time.Time
	// Disappear is the message's disappearing timer, as in Text (zero:
	// kept).
	Disappear time.Duration
	// Invite is the group's invite text, opaque to this package: 1 to
	// MaxGroupInvite bytes.
	Invite []byte
}

// Type returns TypeGroupInvite.
func (*GroupInvite) Type() Type { return TypeGroupInvite }

func (r *GroupInvite) layout() uint8 { return 2 }

func (r *GroupInvite) encode(e *encoder) {
	e.id(r.ID)
	e.u64(uint64(r.Sent.UnixMilli()))
	e.check("disappear", checkDisappear(r.Disappear))
	e.u32(uint32(r.Disappear / time.Second))
	if len(r.Invite) == 0 {
		e.fail("invite", errors.New("empty"))
		return
	}
	e.lenBytes("invite", 4, MaxGroupInvite, r.Invite)
}

// decodeGroupInviteV2 reads layout 2.
func decodeGroupInviteV2(d *decoder) Record {
	r := &GroupInvite{ID: d.id("id")}
	r.Sent = time.UnixMilli(int64(d.u64("sent"))).UTC()
	r.Disappear = time.Duration(d.u32("disappear")) * time.Second
	d.check("disappear", checkDisappear(r.Disappear))
	r.Invite = d.lenBytes("invite", 4, MaxGroupInvite)
	if d.err == nil && len(r.Invite) == 0 {
		d.fail("invite", "empty")
	}
	return r
}

// Reaction puts the sender's emoji on a message of the conversation, or
// removes it. It is not a message: it is acknowledged by its ID (an Ack)
// like one, but stored with its target (one reaction per person and
// message, a later one replacing an earlier one), and dropped when the
// target is not there.
type Reaction struct {
	// ID identifies this reaction record, for the Ack: random, a new one
	// for every change.
	ID model.MessageID
	// Target is the message reacted to, of either side.
	Target model.MessageID
	// Sent is the sender's clock (millisecond precision, UTC).
	Sent time.Time
	// Emoji is one emoji (model.CheckEmoji), at most model.MaxEmojiBytes
	// bytes; empty: the sender removes their reaction.
	Emoji string
}

// Type returns TypeReaction.
func (*Reaction) Type() Type { return TypeReaction }

func (r *Reaction) encode(e *encoder) {
	e.id(r.ID)
	e.id(r.Target)
	e.u64(uint64(r.Sent.UnixMilli()))
	e.check("emoji", checkReaction(r.Emoji))
	e.lenBytes("emoji", 2, model.MaxEmojiBytes, []byte(r.Emoji))
}

func decodeReaction(d *decoder) Record {
	r := &Reaction{ID: d.id("id"), Target: d.id("target")}
	r.Sent = time.UnixMilli(int64(d.u64("sent"))).UTC()
	r.Emoji = string(d.lenBytes("emoji", 2, model.MaxEmojiBytes))
	d.check("emoji", checkReaction(r.Emoji))
	return r
}

// checkReaction reports why s is neither one emoji nor empty.
func checkReaction(s string) error {
	if s == "" {
		return nil
	}
	return model.CheckEmoji(s)
}

// Ping asks the peer for a Pong with the same nonce.
type Ping struct{ Nonce uint64 }

// Type returns TypePing.
func (*Ping) Type() Type { return TypePing }

func (r *Ping) encode(e *encoder) { e.u64(r.Nonce) }

// Pong answers a Ping.
type Pong struct{ Nonce uint64 }

// Type returns TypePong.
func (*Pong) Type() Type { return TypePong }

func (r *Pong) encode(e *encoder) { e.u64(r.Nonce) }

// Edit replaces the text of a message the sender wrote. Like a Reaction
// it is no message: acknowledged by its ID, applied to its target (only
// the target's author's own text, within model.EditWindow of its
// sending, the latest edit winning: model.ApplyEdit), and dropped when
// the target is not there.
type Edit struct {
	// ID identifies this edit record, for the Ack: random, a new one for
	// every edit.
	ID model.MessageID
	// Target is the message edited, one the sender wrote.
	Target model.MessageID
	// Sent is the sender's clock when editing (millisecond precision,
	// UTC): the edit's time.
	Sent time.Time
	// Body is the new text (at most MaxBody bytes of UTF-8, not empty).
	Body string
}

// Type returns TypeEdit.
func (*Edit) Type() Type { return TypeEdit }

func (r *Edit) encode(e *encoder) {
	e.id(r.ID)
	e.id(r.Target)
	e.u64(uint64(r.Sent.UnixMilli()))
	e.check("body", checkEdit(r.Body))
	e.lenBytes("body", 4, MaxBody, []byte(r.Body))
}

func decodeEdit(d *decoder) Record {
	r := &Edit{ID: d.id("id"), Target: d.id("target")}
	r.Sent = time.UnixMilli(int64(d.u64("sent"))).UTC()
	r.Body = string(d.lenBytes("body", 4, MaxBody))
	d.check("body", checkEdit(r.Body))
	return r
}

// checkEdit reports why s is not the text of an edit: a message body,
// not empty.
func checkEdit(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	return checkText(s)
}

// Change is any change of a message, of a type the model's table names
// (model.Changes: deleting it for everyone, and reactions and edits, which
// are still sent as Reaction and Edit records so that earlier versions
// read them). Like those it is no message: acknowledged by its ID, applied
// to its target by the type's rule (which refuses what the sender may
// not change), and dropped when the target is not there. A change type
// this version does not know is acknowledged and dropped.
type Change struct {
	// ID identifies this change record, for the Ack: random, a new one
	// for every change.
	ID model.MessageID
	// Target is the message changed.
	Target model.MessageID
	// Sent is the sender's clock when making the change (millisecond
	// precision, UTC): the change's time.
	Sent time.Time
	// Change is what the change does.
	Change model.ChangeType
	// Payload is the change's content as its type says
	// (model.CheckChange), at most model.MaxChangePayload bytes.
	Payload []byte
}

// Type returns TypeChange.
func (*Change) Type() Type { return TypeChange }

func (r *Change) encode(e *encoder) {
	e.id(r.ID)
	e.id(r.Target)
	e.u64(uint64(r.Sent.UnixMilli()))
	e.u8(uint8(r.Change))
	e.check("payload", model.CheckChange(r.Change, r.Payload))
	e.lenBytes("payload", 4, model.MaxChangePayload, r.Payload)
}

func decodeChange(d *decoder) Record {
	r := &Change{ID: d.id("id"), Target: d.id("target")}
	r.Sent = time.UnixMilli(int64(d.u64("sent"))).UTC()
	r.Change = model.ChangeType(d.u8("change"))
	r.Payload = d.lenBytes("payload", 4, model.MaxChangePayload)
	d.check("payload", model.CheckChange(r.Change, r.Payload))
	return r
}
