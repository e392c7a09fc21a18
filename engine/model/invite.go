package model

import "time"

// InviteKind is the kind of thing an invite hands over.
type InviteKind uint8

// Invite kinds. The values are those of the invite format (docs/invites.md).
const (
	// InviteContact: a person, by onion address and name.
	InviteContact InviteKind = iota + 1
	// InviteServer: a group server, by its signed bundle.
	InviteServer
	// InviteGroup: a group: its name, key and server.
	InviteGroup
)

func (k InviteKind) String() string {
	switch k {
	case InviteContact:
		return "contact"
	case InviteServer:
		return "server"
	case InviteGroup:
		return "group"
	}
	return "unknown"
}

// InvitePreview is what an invite says, read without acting on it (the
// engine's ParseInvite): enough to show it before it is accepted.
type InvitePreview struct {
	Kind InviteKind
	// Name is the contact's advertised name or the group's name (cleaned
	// with CleanName; empty for a server, or a contact who gave none).
	Name string
	// Address is the contact's onion address, or that of the server of a
	// server or group invite.
	Address string
	// Expires is when a contact invite stops working (zero: it does not).
	Expires time.Time
}
