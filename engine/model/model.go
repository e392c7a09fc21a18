// Package model is Nook's vocabulary: the identifiers, records and events that
// the engine, its storage and its frontends share. It imports only the
// standard library, so every other package can depend on it without pulling
// in anything else.
package model

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// MessageID identifies one message everywhere: in storage, on the wire and in
// acknowledgements. It is chosen at random by the author, so that a message
// resent after a crash is recognised and never shown twice.
type MessageID [16]byte

// NewMessageID returns a fresh random message ID.
func NewMessageID() MessageID {
	var id MessageID
	if _, err := rand.Read(id[:]); err != nil {
		panic("model: crypto/rand failed: " + err.Error())
	}
	return id
}

// String returns the ID in hexadecimal.
func (id MessageID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero ID (no message).
func (id MessageID) IsZero() bool { return id == MessageID{} }

// ErrBadMessageID is returned by ParseMessageID for text that is not 32
// hexadecimal digits.
var ErrBadMessageID = errors.New("message id must be 32 hexadecimal digits")

// ParseMessageID parses the hexadecimal form produced by String.
func ParseMessageID(s string) (MessageID, error) {
	var id MessageID
	if len(s) != 2*len(id) {
		return id, ErrBadMessageID
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, ErrBadMessageID
	}
	return id, nil
}

// ConversationID names a conversation: for a contact it is the contact's onion
// address (56 characters), for a group it is "g:" followed by the group ID in
// hexadecimal.
type ConversationID string

// MessageStatus is where a message is on its way. Outgoing messages move
// Queued → Sent → Delivered, or end in Failed with a reason; incoming messages
// are Received.
type MessageStatus uint8

// Message statuses, in the order an outgoing message passes through them.
const (
	StatusQueued    MessageStatus = iota + 1 // stored, waiting for the contact or server
	StatusSent                               // written to the peer or server
	StatusDelivered                          // acknowledged by the recipient
	StatusFailed                             // given up; Message.FailReason says why
	StatusReceived                           // an incoming message
)

func (s MessageStatus) String() string {
	switch s {
	case StatusQueued:
		return "queued"
	case StatusSent:
		return "sent"
	case StatusDelivered:
		return "delivered"
	case StatusFailed:
		return "failed"
	case StatusReceived:
		return "received"
	}
	return "unknown"
}

// MessageKind says what a message is; the zero kind is text.
type MessageKind uint8

// Message kinds. Adding one: see the engine's package documentation.
const (
	// KindText is an ordinary text message.
	KindText MessageKind = iota
	// KindGroupInvite is an invitation to a group: Body is the group's
	// invite text (NOOK:G1:… or, from the group's first renewal of its
	// key, NOOK:G2:…), which AcceptInvite takes to join.
	KindGroupInvite
	// KindNote is a note about the conversation rather than a message in
	// it, which a frontend shows as a centred line, not a bubble: Body is
	// one of the Note words below and Author whom it is about (in a
	// group, the member who joined or left; Outgoing set when it is this
	// profile). A note never counts as unread.
	KindNote
	// KindFile is a file offered in a one-to-one conversation: Body is
	// its name; its transfer (size, type, state, progress) is a
	// FileTransfer of the same conversation and ID (Engine.File). The
	// value is fixed (the store keeps it) so that kinds added beside it
	// cannot take it.
	KindFile MessageKind = 16
)

// The Body of a KindNote.
const (
	// NoteJoined: the author joined the group ("Rosa joined").
	NoteJoined = "joined"
	// NoteLeft: the author left the group ("Tom left the group").
	NoteLeft = "left"
	// NoteRemoved: the author, an admin, removed members from the group
	// ("Rosa removed Tom"); the Body is the word followed by the removed
	// members' IDs, separated by spaces (NoteWords reads them), and names
	// this profile when it was the one removed.
	NoteRemoved = "removed"
	// NoteRenewed: the author, an admin, renewed the group's key without
	// removing anyone (to revoke invites, or because someone left):
	// invites made before no longer work.
	NoteRenewed = "renewed"
	// NoteAdmins: the author, the owner, changed the group's admins (a
	// renewal of its key too); the Body is the word followed by each
	// member named admin as "+" and their ID, and each no longer admin as
	// "-" and their ID ("Rosa made Tom an admin").
	NoteAdmins = "admins"
	// NoteNoKey: the author renewed the group's key without giving it to
	// this profile, which can no longer read or write in the group.
	NoteNoKey = "nokey"
	// NoteRevoked: the invite this profile joined with was revoked by the
	// author's renewal of the key before it could read anything new.
	NoteRevoked = "revoked"
	// NoteOwnerUnknown: the author renewed the group's key, and this
	// profile, which joined from an invite that did not name the group's
	// owner (NOOK:G1:), cannot check that the author may: it stops
	// following the group and needs a new invite.
	NoteOwnerUnknown = "ownerunknown"
)

// NoteWords splits the Body of a KindNote into its word and the members
// it names (NoteRemoved), if any.
func NoteWords(body string) (word string, members []string) {
	f := strings.Fields(body)
	if len(f) == 0 {
		return "", nil
	}
	return f[0], f[1:]
}

func (k MessageKind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindGroupInvite:
		return "group invite"
	case KindFile:
		return "file"
	case KindNote:
		return "note"
	}
	return "unknown"
}

// CountsUnread reports whether m counts as unread until read: an incoming
// message that is not a note.
func (m Message) CountsUnread() bool { return !m.Outgoing && m.Kind != KindNote }

// Message is one message of a conversation as the user sees it.
type Message struct {
	ID           MessageID
	Kind         MessageKind
	Conversation ConversationID
	// Seq orders the messages of one conversation as they were stored
	// locally; it is assigned by the store and starts at 1.
	Seq uint64
	// Author is the onion address (56 characters) of whoever wrote it.
	Author string
	// Outgoing is true for messages this profile wrote.
	Outgoing bool
	// Sent is the author's clock when writing; Received is ours on arrival
	// (equal to Sent for outgoing messages).
	Sent     time.Time
	Received time.Time
	Body     string
	// ReplyTo is the message this one quotes, or zero.
	ReplyTo    MessageID
	Status     MessageStatus
	FailReason string // one of the Reason* constants, or ""
	// Disappear is the message's disappearing timer (zero: kept). Its
	// author's conversation setting when it was written.
	Disappear time.Duration
	// ExpiresAt is when the message is deleted: Disappear after it was
	// sent (outgoing) or after it was first read (incoming). Zero while
	// the timer has not started, or when Disappear is zero.
	ExpiresAt time.Time
	// Reactions are the emoji people put on the message, at most one per
	// person, in the order they first reacted (Reaction).
	Reactions []Reaction
	// Edited is when the author last changed the text (their clock; Body
	// is the new text), zero for a message never edited (ApplyEdit).
	Edited time.Time
}

// The reasons the engine gives for a message it gave up on
// (Message.FailReason, MessageStatusChanged.Reason). They are stored with
// the message as they are, in English; app/ui shows each in the person's
// language by matching them (one a later version adds is shown as it is).
const (
	ReasonBlocked  = "not sent: you blocked this contact"
	ReasonDeleted  = "not sent: the contact was deleted"
	ReasonLeft     = "not sent: you left the group"
	ReasonRemoved  = "not sent: you were removed from the group"
	ReasonRefused  = "the server refused the message"
	ReasonFileGone = "The file is no longer available."
)

// ContactState says how far a relationship has gone.
type ContactState uint8

// Contact states.
const (
	// ContactPending: we added them (or sent a request); they have not accepted.
	ContactPending ContactState = iota + 1
	// ContactRequest: they dialled us and asked to become a contact.
	ContactRequest
	// ContactAccepted: both sides accepted; messages flow.
	ContactAccepted
	// ContactBlocked: never talk to them, drop their connections after the handshake.
	ContactBlocked
)

func (s ContactState) String() string {
	switch s {
	case ContactPending:
		return "pending"
	case ContactRequest:
		return "request"
	case ContactAccepted:
		return "accepted"
	case ContactBlocked:
		return "blocked"
	}
	return "unknown"
}

// Contact is someone this profile knows by onion address.
type Contact struct {
	// Address is the contact's onion address (56 characters, no suffix).
	Address string
	// Nickname is the local name the user chose; DisplayName is the name the
	// contact advertises. The UI prefers Nickname.
	Nickname    string
	DisplayName string
	State       ContactState
	// Verified is the "verified" badge: true exactly when Verification is
	// not Unverified (docs/security.md, "Verified contacts").
	Verified bool
	// Verification says how the contact was verified.
	Verification Verification
	// VerifiedName is the name the contact advertised when the badge was
	// given (cleaned with CleanName; empty if they had none). The badge
	// belongs to that name: a verified contact without a nickname is shown
	// under it, and a name they advertise later is only a change
	// (RenamedTo). The store records it when a contact becomes verified
	// and keeps it while they stay verified; callers cannot set it.
	VerifiedName string
	// InviteConfirmed is set on the side that accepted the contact's
	// one-time invite once the contact's Nook proved it redeemed that
	// invite's secret. It does not verify them: Nook cannot tell where an
	// invite came from, so whoever made it can confirm it.
	InviteConfirmed bool
	// VerifyRevoked is set when a badge given by an earlier version of Nook
	// was removed because that version could be fooled into giving it (a
	// forged invite); comparing safety codes verifies the contact again.
	VerifyRevoked bool
	// RequestDelivered is set on a contact we asked (State Pending) once
	// their Nook confirmed that it stored our request: it waits for them
	// to accept. Unset, the request is not delivered yet: it waits here
	// and goes out when both are online. A Nook that does not take
	// requests (its person blocks requests from people they have not
	// added, or blocked us) never confirms, so a request refused that way
	// stays "not delivered", never "delivered"; so does one to a Nook of
	// a version that does not confirm requests.
	RequestDelivered bool
	Archived         bool
	Added            time.Time
	LastActivity     time.Time
	// Disappear is the conversation's disappearing-messages timer (zero:
	// off): every message written while it is set is deleted on both sides
	// that long after it was sent (ours) or first read (theirs).
	// DisappearSet is when it was last changed, by either side; the later
	// change wins when both change it.
	Disappear    time.Duration
	DisappearSet time.Time
}

// Verification says how a contact came to be verified.
type Verification uint8

// Verifications.
const (
	// Unverified: nothing shows that this address belongs to the person
	// the user thinks it does.
	Unverified Verification = iota
	// VerifiedInPerson: they redeemed the one-time secret of an in-person
	// invite that was only ever shown on this profile's screen (never
	// copied or saved), so they read it from that screen.
	VerifiedInPerson
	// VerifiedSafetyCode: the user compared the safety code with them and
	// marked them verified.
	VerifiedSafetyCode
	// VerifiedLegacy: stored as verified by a version of Nook that did not
	// record how. Only the store returns it, and the engine replaces it
	// when it opens the profile.
	VerifiedLegacy
	// VerifiedEarlierVersion: an earlier version of Nook verified them
	// because they redeemed an in-person invite of ours; but those
	// versions showed and copied in-person invites freely and kept their
	// secrets a day, so it is not known that the invite never left our
	// screen. Comparing the safety code makes sure (security review 2,
	// L-A).
	VerifiedEarlierVersion
)

func (v Verification) String() string {
	switch v {
	case Unverified:
		return "unverified"
	case VerifiedInPerson:
		return "verified in person"
	case VerifiedSafetyCode:
		return "verified by safety code"
	case VerifiedLegacy:
		return "verified (earlier version)"
	case VerifiedEarlierVersion:
		return "verified by an earlier version"
	}
	return "unknown"
}

// Name returns the name to show for the contact: the nickname, else, for a
// verified contact, the name the badge was given under (VerifiedName), else
// the advertised display name, else the first characters of the address.
// A verified contact's later display name never shows beside the badge:
// RenamedTo reports it. Characters BadNameChar reports, which a name
// stored by an older version may hold, are left out.
func (c Contact) Name() string {
	switch {
	case CleanName(c.Nickname) != "":
		return CleanName(c.Nickname)
	case c.Verified && CleanName(c.VerifiedName) != "":
		return CleanName(c.VerifiedName)
	case !c.Verified && CleanName(c.DisplayName) != "":
		return CleanName(c.DisplayName)
	case len(c.Address) >= 8:
		return c.Address[:8]
	}
	return c.Address
}

// RenamedTo returns the name a verified contact advertises now when it is
// not the one the badge was given under ("now calls themselves …"), or "".
func (c Contact) RenamedTo() string {
	if !c.Verified {
		return ""
	}
	if n := CleanName(c.DisplayName); n != CleanName(c.VerifiedName) {
		return n
	}
	return ""
}
