package ui

import (
	"context"
	"image"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// Engine is what the UI asks of the engine: the methods of
// *engine.Engine it calls, and nothing else. The UI calls them only
// through run and its variants (run.go), never on the Fyne goroutine; the
// tests wrap the real engine in a checker that fails when one is.
type Engine interface {
	Subscribe() (<-chan model.Event, func())

	// Profiles.
	Profiles() ([]engine.ProfileInfo, error)
	CreateProfile(ctx context.Context, displayName, password string) (engine.ProfileInfo, error)
	UnlockAny(ctx context.Context, password string) (engine.ProfileInfo, error)
	Lock() error
	Self() (string, string, error)
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
	React(conv model.ConversationID, msg model.MessageID, emoji string) error
	EditMessage(conv model.ConversationID, msg model.MessageID, text string) error
	DeleteForEveryone(conv model.ConversationID, msg model.MessageID) error
	Archive(id model.ConversationID, archived bool) (model.Conversation, error)
	SetConversationTimer(id model.ConversationID, timer time.Duration) (model.Conversation, error)
	Members(id model.ConversationID) ([]model.GroupMember, error)
	DeleteMessage(conv model.ConversationID, id model.MessageID) (model.Conversation, error)
	ClearConversation(conv model.ConversationID) (model.Conversation, error)

	// Files of one-to-one conversations (docs/files.md).
	SendFile(conv model.ConversationID, path string, opts engine.SendFileOptions) (model.Message, error)
	File(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error)
	Files(conv model.ConversationID) ([]model.FileTransfer, error)
	AcceptFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error)
	DeclineFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error)
	CancelFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error)
	SaveFile(conv model.ConversationID, id model.MessageID, dir string) (string, error)
	FileThumbnail(conv model.ConversationID, id model.MessageID) (*image.RGBA, error)

	// Contacts.
	AddContact(address, nickname string) (model.Contact, error)
	AcceptContact(id model.ConversationID) (model.Contact, error)
	RejectContact(id model.ConversationID) error
	BlockContact(id model.ConversationID) (model.Contact, error)
	UnblockContact(id model.ConversationID) (model.Contact, error)
	DeleteContact(id model.ConversationID, deleteHistory bool) error
	RenameContact(id model.ConversationID, nickname string) (model.Contact, error)
	SafetyCode(id model.ConversationID) (string, error)
	MarkVerified(id model.ConversationID, verified bool) (model.Contact, error)

	// Invites.
	MyInvite(inPerson bool) (string, error)
	InviteShared(text string) error
	AcceptInvite(text string) (engine.InviteResult, error)

	// Groups and their servers.
	CreateGroup(name, serverInvite string) (model.Group, error)
	GroupInvite(conv model.ConversationID) (string, error)
	InviteToGroup(to, conv model.ConversationID) (model.Message, error)
	LeaveGroup(conv model.ConversationID, deleteHistory bool) error
	RemoveMember(conv model.ConversationID, member string) error
	SetAdmin(conv model.ConversationID, member string, admin bool) error
	RevokeInvites(conv model.ConversationID) error
	GroupServers(conv model.ConversationID) ([]model.GroupServer, error)
	AddGroupServer(conv model.ConversationID, serverInvite string) error
	RemoveGroupServer(conv model.ConversationID, addr string) error
	Servers() ([]engine.Server, error)
	AddServer(serverInvite string) (engine.Server, error)
	RemoveServer(addr string) error
	HostServer(ctx context.Context) (string, error)
	HostedServer() (string, engine.ServerStats, error)
	StopServer() error

	// Tor.
	LoadTorSettings() (engine.TorSettings, error)
	SetTorSettings(ctx context.Context, s engine.TorSettings) error
	RestartTor(ctx context.Context) error
}

var _ Engine = (*engine.Engine)(nil)
