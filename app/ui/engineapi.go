package ui

import (
	"context"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
)

// Engine is what the UI asks of the engine: the methods of
// *engine.Engine it calls, and nothing else. The UI calls them only
// through run and its variants (run.go), never on the Fyne goroutine; the
// tests wrap the real engine in a checker that fails when one is.
type Engine interface {
	Subscribe() (<-chan model.Event, func())

	// Profiles.
	Profiles() ([]profile.Info, error)
	CreateProfile(ctx context.Context, displayName, password string) (profile.Info, error)
	UnlockAny(ctx context.Context, password string) (profile.Info, error)
	Lock() error
	Self() (identity.Address, string, error)
	HasPassword() (bool, error)
	ChangePassword(oldPassword, newPassword string) error
	RemovePassword(currentPassword string) error
	DeleteProfile(password string) error
	ExportProfile(path, exportPassword string) error
	ImportProfile(path, exportPassword, newPassword string) (engine.ImportResult, error)
	Settings() (engine.Settings, error)
	SetSettings(s engine.Settings) error
	SetDisplayName(name string) error

	// Conversations, the same for a contact and a group.
	Conversation(id model.ConversationID) (model.Conversation, error)
	History(id model.ConversationID, before uint64, n int) ([]model.Message, error)
	Message(conv model.ConversationID, id model.MessageID) (model.Message, error)
	SendMessage(id model.ConversationID, body string) (model.Message, error)
	Reply(id model.ConversationID, body string, replyTo model.MessageID) (model.Message, error)
	MarkRead(conv model.ConversationID) error
	Archive(id model.ConversationID, archived bool) (model.Conversation, error)
	SetConversationTimer(id model.ConversationID, timer time.Duration) (model.Conversation, error)
	Members(id model.ConversationID) ([]model.GroupMember, error)

	// Contacts.
	AddContact(address, nickname string) (model.Contact, error)
	AcceptContact(addr identity.Address) (model.Contact, error)
	RejectContact(addr identity.Address) error
	BlockContact(addr identity.Address) (model.Contact, error)
	UnblockContact(addr identity.Address) (model.Contact, error)
	DeleteContact(addr identity.Address, deleteHistory bool) error
	RenameContact(addr identity.Address, nickname string) (model.Contact, error)
	SafetyCode(contact identity.Address) (string, error)
	MarkVerified(contact identity.Address, verified bool) (model.Contact, error)

	// Invites.
	MyInvite(inPerson bool) (string, error)
	InviteShared(text string) error
	AcceptInvite(text string) (engine.InviteResult, error)

	// Groups and their servers.
	CreateGroup(name, serverInvite string) (groupclient.GroupInfo, error)
	GroupInvite(conv model.ConversationID) (string, error)
	InviteToGroup(contact identity.Address, conv model.ConversationID) (model.Message, error)
	LeaveGroup(conv model.ConversationID, deleteHistory bool) error
	Servers() ([]engine.Server, error)
	AddServer(serverInvite string) (engine.Server, error)
	RemoveServer(addr identity.Address) error
	HostServer(ctx context.Context) (string, error)
	HostedServer() (string, groupserver.Stats, error)
	StopServer() error

	// Tor.
	LoadTorSettings() (engine.TorSettings, error)
	SetTorSettings(ctx context.Context, s engine.TorSettings) error
	RestartTor(ctx context.Context) error
}

var _ Engine = (*engine.Engine)(nil)
