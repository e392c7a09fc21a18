package widgets

import (
	"time"

	"github.com/nookchat/nook/app/i18n"
)

// DeliveryState is how far an outgoing message has got.
type DeliveryState int

const (
	// DeliveryNone is for incoming messages: no state is shown.
	DeliveryNone DeliveryState = iota
	// DeliveryQueued: waiting in the outbox for the contact to be reachable.
	DeliveryQueued
	// DeliverySent: written to the contact's connection, not yet confirmed.
	DeliverySent
	// DeliveryDelivered: the contact's device acknowledged it.
	DeliveryDelivered
	// DeliveryFailed: given up on; Message.FailReason says why.
	DeliveryFailed
)

// String returns a short description of s for people.
func (s DeliveryState) String() string {
	switch s {
	case DeliveryQueued:
		return i18n.T("message.waiting_to_send")
	case DeliverySent:
		return i18n.T("message.sent")
	case DeliveryDelivered:
		return i18n.T("message.delivered")
	case DeliveryFailed:
		return i18n.T("common.not_sent")
	default:
		return ""
	}
}

// Tip is the tooltip of s's icon: what it means, in a sentence.
func (s DeliveryState) Tip() string {
	switch s {
	case DeliveryQueued:
		return i18n.T("message.waiting_on_this_computer")
	case DeliverySent:
		return i18n.T("message.sent_not_confirmed_as")
	case DeliveryDelivered:
		return i18n.T("message.delivered_received_on_the")
	case DeliveryFailed:
		return i18n.T("common.not_sent")
	default:
		return ""
	}
}

func (s DeliveryState) glyph() (glyph, bool) {
	switch s {
	case DeliveryQueued:
		return glyphClock, true
	case DeliverySent:
		return glyphCheck, true
	case DeliveryDelivered:
		return glyphCheckDouble, true
	case DeliveryFailed:
		return glyphWarning, true
	default:
		return 0, false
	}
}

// Quote is the message a reply refers to, as shown above the reply.
type Quote struct {
	// ID identifies the quoted message; it is passed to OnQuoteTapped.
	ID     string
	Author string
	// Text is the quoted message; only its first line is shown.
	Text string
}

// Message is what a MessageBubble shows.
type Message struct {
	// ID identifies the message for the callbacks; the bubble does not
	// interpret it.
	ID   string
	Body string
	// Author is shown above the body of incoming messages in groups; leave
	// it empty in one-to-one conversations.
	Author string
	// AuthorKey picks the author's colour (see AvatarColor): use the
	// author's address. Empty uses Author.
	AuthorKey string
	Time      time.Time
	Outgoing  bool
	// State is shown on outgoing messages only.
	State DeliveryState
	// FailReason is the sentence saying that and why a message was not
	// sent, in the person's language ("Not sent: you left the group"); it
	// is shown under the bubble when State is DeliveryFailed (empty: "Not
	// sent").
	FailReason string
	// StateTip, if set, is the tooltip of the delivery icon instead of
	// State.Tip() (say, where a queued message waits for whom).
	StateTip string
	// Quote, when set, is shown above the body.
	Quote *Quote
	// Disappears marks a message under a disappearing-messages timer: a
	// small timer is shown beside its time.
	Disappears bool
	// Reactions are shown as chips under the bubble, in this order.
	Reactions []Reaction
	// Edited marks a message whose author changed its text: "edited" is
	// shown beside its time.
	Edited bool
	// Editable offers Edit in the menu (with OnEdit set): the app says
	// which messages the user may still edit.
	Editable bool
}
