package model

import "time"

// MaxDisappear is the longest disappearing-messages timer (one year).
const MaxDisappear = 365 * 24 * time.Hour

// DisappearChoices are the timers a frontend offers, shortest first; zero
// is "off". The protocol carries any whole number of seconds up to
// MaxDisappear.
var DisappearChoices = []time.Duration{
	0,
	5 * time.Minute,
	time.Hour,
	8 * time.Hour,
	24 * time.Hour,
	7 * 24 * time.Hour,
	4 * 7 * 24 * time.Hour,
}

// MessagesExpired reports messages deleted because their disappearing
// timer ran out. A frontend removes them from view.
type MessagesExpired struct {
	Conversation ConversationID
	IDs          []MessageID
}

// DisappearChanged reports that a conversation's disappearing-messages
// timer changed; ByContact is set when the contact changed it.
type DisappearChanged struct {
	Address   string
	Disappear time.Duration
	ByContact bool
}

func (MessagesExpired) isEvent()  {}
func (DisappearChanged) isEvent() {}
