package model

import "time"

// ConversationKind says whom a conversation is with.
type ConversationKind uint8

// Conversation kinds.
const (
	// KindContact: a one-to-one conversation; Conversation.Contact is set
	// and the ID is the contact's onion address.
	KindContact ConversationKind = iota + 1
	// KindGroup: a group's conversation; Conversation.Group is set and the
	// ID is "g:" and the group ID.
	KindGroup
)

func (k ConversationKind) String() string {
	switch k {
	case KindContact:
		return "contact"
	case KindGroup:
		return "group"
	}
	return "unknown"
}

// Group is a group this profile belongs to, or left and kept the history
// of.
type Group struct {
	// ID is the group's ID in hexadecimal (the conversation ID without its
	// "g:").
	ID   string
	Name string
	// Server is the onion address of the group's server.
	Server string
	// ServerFingerprint is a short fingerprint of the server's bundle:
	// members who compare it know that the server handed them all the
	// same address and token key.
	ServerFingerprint string
	// ServerConflict is set when another group of the profile on a server
	// with the same signing key has another onion address or token key
	// (a GroupWarning "server bundles differ" said so).
	ServerConflict bool
	// Left is set for a group the profile left whose messages it kept:
	// read-only history, nothing is sent or received.
	Left bool
	// Epoch counts the renewals of the group's key this profile took part
	// in (0 for none); Role is the profile's role in the group: the owner
	// and admins can remove members, the owner names admins.
	Epoch uint32
	Role  GroupRole
	// Servers are the servers the group lives on, its own (Server) first,
	// with what the profile's Nook knows of each.
	Servers []GroupServer
}

// GroupServer is one of the servers a group lives on, as the profile's
// Nook last saw it.
type GroupServer struct {
	// Address is the server's onion address; Fingerprint a short
	// fingerprint of its bundle.
	Address, Fingerprint string
	// Connected is set while the Nook follows it.
	Connected bool
	// UnreachableSince is when it stopped answering, zero while it
	// answers (or before the Nook first tried).
	UnreachableSince time.Time
	// CaughtUp is when the Nook last read everything it held, zero if not
	// since the profile was opened.
	CaughtUp time.Time
	// LostHistory is when it last said it no longer held messages it had
	// (restarted empty), zero if not since the profile was opened.
	LostHistory time.Time
}

// Conversation returns the group's conversation ID: "g:" and its ID.
func (g Group) Conversation() ConversationID { return ConversationID("g:" + g.ID) }

// GroupMember is an author seen in a group.
type GroupMember struct {
	// Address identifies the member in the group: the address form of
	// the key they sign the group's messages with, an opaque ID that
	// RemoveMember and SetAdmin take. Since per-group identities it is
	// not an onion address anyone can reach (docs/groups.md,
	// "Per-group identities"); a member who joined before signs with
	// their onion key, and it is theirs.
	Address string
	// Name is the display name the member last carried, or empty.
	Name string
	// Messages is how many of their messages were seen (join and leave
	// notices not counted).
	Messages uint64
	// Left is set when their last message was a notice that they left.
	Left bool
	// IsContact: the member is an accepted contact (show the contact's own
	// name). NameCollides: the member is not a contact and carries a name
	// that a contact, the profile itself or another member also goes by:
	// someone may be passing as them.
	IsContact    bool
	NameCollides bool
	// Self is set for the profile itself.
	Self bool
	// Contact is the onion address (the conversation ID) of the contact
	// this member is, set with IsContact: their contact tags, which only
	// that contact can check, say so.
	Contact string
	// Role is the member's role in the group's current epoch.
	Role GroupRole
	// Removed is set when an admin removed the member from the group.
	Removed bool
}

// GroupRole is a member's role in a group (docs/groups.md, "Roles").
type GroupRole uint8

// Roles. The owner created the group; admins were named by the owner.
// Both can remove members.
const (
	RoleMember GroupRole = iota
	RoleAdmin
	RoleOwner
)

// String returns "member", "admin" or "owner".
func (r GroupRole) String() string {
	switch r {
	case RoleAdmin:
		return "admin"
	case RoleOwner:
		return "owner"
	}
	return "member"
}

// Conversation is one conversation as a list shows it, the same for a
// contact and a group: who it is with, its latest message and what is
// unread. The engine's conversation methods take its ID whatever its Kind.
type Conversation struct {
	ID   ConversationID
	Kind ConversationKind
	// Title is the name to show: the contact's Name(), or the group's name.
	Title string
	// Contact is set for KindContact, Group for KindGroup.
	Contact *Contact
	Group   *Group
	// Last is the latest message (zero ID: none yet); Messages how many
	// the conversation holds; LastActivity the latest message's arrival,
	// or the contact's last change when later (a request, an acceptance).
	Last         Message
	Messages     uint64
	LastActivity time.Time
	// LastAuthor is, in a group, the member who wrote Last when someone
	// else did (as Members describes them: the name they carry, whether
	// they are a contact, whether their name collides), so that a list
	// names them with no query per conversation; zero otherwise.
	LastAuthor GroupMember
	// Unread counts the incoming messages not yet read.
	Unread int
	// Presence is the contact's: Offline for a group, and for a contact
	// not accepted (a request either way, or blocked), whose Nook may
	// answer and close at once without taking anything.
	Presence Presence
	// Disappear is the disappearing-messages timer; groups have none
	// (docs/groups.md).
	Disappear time.Duration
	// Archived conversations are listed apart; Left is set for a group
	// that was left (read-only history).
	Archived bool
	Left     bool
}

// Snapshot is the first event of every subscription, and is sent again
// when a profile is unlocked or locked: the whole current state, from
// which a frontend builds its lists without asking for anything per item.
// Unlocked is false (and Conversations empty) while no profile is
// unlocked. Conversations are ordered as a list shows them: the most
// recently active first.
//
// Events that follow a snapshot may repeat a change the snapshot already
// shows; each carries the whole new state of what it names, so applying it
// again is harmless.
type Snapshot struct {
	Unlocked      bool
	Conversations []Conversation
	Tor           TorStatus
}

// ConversationChanged reports a conversation's new state: added, a
// message stored or its status changed, read, archived, renamed, its
// contact's presence or its timer changed, a group left with its history
// kept.
type ConversationChanged struct{ Conversation Conversation }

// ConversationRemoved reports a conversation gone from the list: a
// contact deleted, a request rejected, a group left with its history
// deleted.
type ConversationRemoved struct{ ID ConversationID }

func (Snapshot) isEvent()            {}
func (ConversationChanged) isEvent() {}
func (ConversationRemoved) isEvent() {}
