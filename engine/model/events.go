package model

// Event is something that happened in the engine that a frontend may show.
// The engine delivers events in the order they happened on one stream; a
// frontend switches on the concrete type:
//
//	switch ev := ev.(type) {
//	case model.MessageAdded: ...
//	}
//
// Events carry copies: a frontend may keep them.
type Event interface{ isEvent() }

// MessageAdded reports a message newly stored in a conversation: one that
// arrived, or one the user wrote (with Status Queued).
type MessageAdded struct{ Message Message }

// MessageStatusChanged reports that an outgoing message moved on (sent,
// delivered, failed).
type MessageStatusChanged struct {
	ID           MessageID
	Conversation ConversationID
	Status       MessageStatus
	Reason       string // set when Status is StatusFailed
}

// MessageChanged reports a stored message whose content changed, with
// the whole message as it is now: so far, its reactions (someone put an
// emoji on it, changed or removed theirs). It changes no unread count
// and is no cause for a notification.
type MessageChanged struct{ Message Message }

// ContactChanged reports a contact added or changed: a new contact request,
// an acceptance, a block, a new nickname or advertised name.
type ContactChanged struct{ Contact Contact }

// ContactRemoved reports a contact deleted (or a request rejected).
type ContactRemoved struct{ Address string }

// UnreadChanged reports a conversation's new count of unread incoming
// messages (0 after it was read).
type UnreadChanged struct {
	Conversation ConversationID
	Unread       int
}

// Presence says whether a contact can be reached right now.
type Presence uint8

// Presence values.
const (
	Offline    Presence = iota // no session, not trying right now
	Connecting                 // dialling
	Online                     // an authenticated session is up
)

func (p Presence) String() string {
	switch p {
	case Connecting:
		return "connecting"
	case Online:
		return "online"
	}
	return "offline"
}

// PresenceChanged reports that a contact came online, went offline, or is
// being dialled.
type PresenceChanged struct {
	Address  string
	Presence Presence
}

// PeerProblem reports a peer that broke the protocol (malformed or
// oversized data, a flood). The engine dropped the connection and goes on
// serving everyone else. Reason is for people and never holds message text
// or keys.
type PeerProblem struct {
	Address string // empty when the peer had not yet proved who it is
	Reason  string
}

// TorState is a phase of the engine's Tor process.
type TorState uint8

// Tor states.
const (
	TorStarting TorState = iota + 1
	TorBootstrapping
	TorReady
	TorRestarting
	TorFailed
	TorStopped
)

func (s TorState) String() string {
	switch s {
	case TorStarting:
		return "starting"
	case TorBootstrapping:
		return "bootstrapping"
	case TorReady:
		return "ready"
	case TorRestarting:
		return "restarting"
	case TorFailed:
		return "failed"
	case TorStopped:
		return "stopped"
	}
	return "unknown"
}

// TorStatus reports Tor's progress: Percent 0–100 with Tor's own phase text
// while bootstrapping, then Ready; Restarting after Tor died; Failed with a
// reason and a hint for the user.
type TorStatus struct {
	State   TorState
	Percent int
	Phase   string
	// PhaseTag names Phase for a frontend that translates it: tor's
	// bootstrap tag ("conn_done", "loading_descriptors"), or the engine's
	// own "starting", "restarting", "failed", "local" (the loopback
	// network); "" when there is none.
	PhaseTag string
	Err      string
	Hint     string
	// Way is how Tor is being reached, in words ("the built-in obfs4
	// bridges"); "" before anything was chosen.
	Way string
	// Note says, in plain sentences, what the automatic connection tries
	// and why ("No progress with a direct connection for 40 seconds, …
	// Trying the built-in snowflake bridges…"); "" otherwise. Notes are
	// its sentences, named for a frontend that translates them
	// ("connect.*", and "explain.*" for why a way could not be used).
	Note  string
	Notes []Text
	// ErrText and HintText are Err and Hint named for a frontend that
	// translates them (engine.Explained's keys, "explain.*"; ErrText.Key
	// is "connect.tor_could_not_start" for an error Explain does not know).
	ErrText, HintText Text
}

func (MessageAdded) isEvent()         {}
func (MessageStatusChanged) isEvent() {}
func (MessageChanged) isEvent()       {}
func (ContactChanged) isEvent()       {}
func (ContactRemoved) isEvent()       {}
func (PresenceChanged) isEvent()      {}
func (UnreadChanged) isEvent()        {}
func (PeerProblem) isEvent()          {}
func (TorStatus) isEvent()            {}

// GroupSync reports a group server catch-up: Done of Total blobs received
// since the client's cursor (Total is 0 while unknown). CaughtUp is set once
// the server said the stored blobs are all sent; live blobs follow.
type GroupSync struct {
	// Server is the onion address of the group server.
	Server   string
	Done     int
	Total    int
	CaughtUp bool
}

// GroupServerReached reports that the client's subscription to a group
// server came up (Reachable) or was lost: what the group's servers show
// (groupclient.ServerState).
type GroupServerReached struct {
	// Server is the onion address of the group server.
	Server    string
	Reachable bool
}

// GroupServersChanged reports that the list of servers a group lives on
// changed (an admin added or removed one): model.Group.Servers.
type GroupServersChanged struct {
	Conversation ConversationID
}

// GroupWarning reports something a group server did that it should not
// have (dropped, reordered or injected messages) or a member's misbehaviour.
// Conversation is the group concerned, or empty when the server's whole
// stream is concerned (Server says which). Author, when set, is the member
// whose messages are concerned. Reason is for people and never holds
// message text or keys: Why's English. Why names it for a frontend that
// translates it (Why.Key, "groupwarning.*", is "" for the kinds a frontend
// words itself: "old key", "concurrent rotation", "not given the key",
// "invite revoked", "owner unknown").
type GroupWarning struct {
	Conversation ConversationID
	Server       string
	Author       string
	Kind         string
	Reason       string
	Why          Text
}

// NewGroupWarning is a GroupWarning whose Reason is why's English.
func NewGroupWarning(conv ConversationID, server, author, kind string, why Text) GroupWarning {
	return GroupWarning{Conversation: conv, Server: server, Author: author, Kind: kind, Reason: why.English, Why: why}
}

func (GroupSync) isEvent()           {}
func (GroupServerReached) isEvent()  {}
func (GroupServersChanged) isEvent() {}
func (GroupWarning) isEvent()        {}

// GroupLeft reports that this profile left a group: nothing more is sent
// to it or received from it. HistoryDeleted says whether its messages were
// deleted too (the conversation is gone) or kept as read-only history. A
// group left earlier whose history is deleted later is reported again,
// with HistoryDeleted set.
type GroupLeft struct {
	Conversation   ConversationID
	HistoryDeleted bool
}

// GroupMemberLeft reports that a member of a group announced that they
// left it. Author is their onion address, Name the display name their
// notice carried (possibly empty).
type GroupMemberLeft struct {
	Conversation ConversationID
	Author       string
	Name         string
}

// GroupRekeyed reports that a group moved to a new epoch with a fresh key
// (docs/groups.md, "Governed groups"): By (an admin's address, Name the
// display name their rotation carried) removed the members in Removed
// (addresses; this profile's own address when it was removed, and then
// GroupLeft follows), or renewed the key because someone left or to
// revoke invites (Reason: "removal", "left" or "renewal").
type GroupRekeyed struct {
	Conversation ConversationID
	Epoch        uint32
	By           string
	Name         string
	Removed      []string
	Reason       string
}

// GroupMemberKnown reports that a member of a group told which contact
// they are (their contact tags arrived, docs/groups.md "Per-group
// identities"): a frontend reads the members again (engine Members), in
// which the member may now be a contact.
type GroupMemberKnown struct {
	Conversation ConversationID
	Author       string
}

func (GroupLeft) isEvent()        {}
func (GroupMemberLeft) isEvent()  {}
func (GroupRekeyed) isEvent()     {}
func (GroupMemberKnown) isEvent() {}

// MessagesDeleted reports messages the person deleted from this computer
// (engine DeleteMessage, ClearConversation). All is set when the whole
// conversation was cleared. A frontend removes them from view.
type MessagesDeleted struct {
	Conversation ConversationID
	IDs          []MessageID
	All          bool
}

func (MessagesDeleted) isEvent() {}
