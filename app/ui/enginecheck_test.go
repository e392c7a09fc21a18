package ui

// Code in this file wraps the engine for the tests; its methods follow the
// Engine interface (engineapi.go) one for one.

import (
	"context"
	"image"
	"sync"
	"time"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// checkedEngine is the real engine as the UI sees it in the tests: every
// method first checks that it is not called on the UI goroutine (in
// tests, the goroutine that taps and drains Options.Do) and reports it if
// it is. It implements Engine with a method of its own for each of
// Engine's, so that none goes unchecked.
type checkedEngine struct {
	e *engine.Engine
	// ui is the UI goroutine's ID; report is told each method called on it.
	ui     uint64
	report func(method string)
	// calls counts the calls of each method.
	mu    sync.Mutex
	calls map[string]int
}

var _ Engine = (*checkedEngine)(nil)

func (c *checkedEngine) check(method string) {
	if goroutineID() == c.ui {
		c.report(method)
	}
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[method]++
	c.mu.Unlock()
}

// counted returns the calls counted so far and starts counting anew.
func (c *checkedEngine) counted() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls
	c.calls = nil
	return calls
}

func (c *checkedEngine) Subscribe() (<-chan model.Event, func()) {
	c.check("Subscribe")
	return c.e.Subscribe()
}

func (c *checkedEngine) Profiles() ([]engine.ProfileInfo, error) {
	c.check("Profiles")
	return c.e.Profiles()
}

func (c *checkedEngine) CreateProfile(ctx context.Context, displayName string, password string) (engine.ProfileInfo, error) {
	c.check("CreateProfile")
	return c.e.CreateProfile(ctx, displayName, password)
}

func (c *checkedEngine) UnlockAny(ctx context.Context, password string) (engine.ProfileInfo, error) {
	c.check("UnlockAny")
	return c.e.UnlockAny(ctx, password)
}

func (c *checkedEngine) Lock() error {
	c.check("Lock")
	return c.e.Lock()
}

func (c *checkedEngine) Self() (string, string, error) {
	c.check("Self")
	return c.e.Self()
}

func (c *checkedEngine) HasPassword() (bool, error) {
	c.check("HasPassword")
	return c.e.HasPassword()
}

func (c *checkedEngine) ChangePassword(oldPassword string, newPassword string) error {
	c.check("ChangePassword")
	return c.e.ChangePassword(oldPassword, newPassword)
}

func (c *checkedEngine) RemovePassword(currentPassword string) error {
	c.check("RemovePassword")
	return c.e.RemovePassword(currentPassword)
}

func (c *checkedEngine) DeleteProfile(password string) error {
	c.check("DeleteProfile")
	return c.e.DeleteProfile(password)
}

func (c *checkedEngine) ExportProfile(path string, exportPassword string) error {
	c.check("ExportProfile")
	return c.e.ExportProfile(path, exportPassword)
}

func (c *checkedEngine) ImportProfile(path string, exportPassword string, newPassword string) (engine.ImportResult, error) {
	c.check("ImportProfile")
	return c.e.ImportProfile(path, exportPassword, newPassword)
}

func (c *checkedEngine) Settings() (engine.Settings, error) {
	c.check("Settings")
	return c.e.Settings()
}

func (c *checkedEngine) SetSettings(s engine.Settings) error {
	c.check("SetSettings")
	return c.e.SetSettings(s)
}

func (c *checkedEngine) SetDisplayName(name string) error {
	c.check("SetDisplayName")
	return c.e.SetDisplayName(name)
}

func (c *checkedEngine) Conversation(id model.ConversationID) (model.Conversation, error) {
	c.check("Conversation")
	return c.e.Conversation(id)
}

func (c *checkedEngine) History(id model.ConversationID, before uint64, n int) ([]model.Message, error) {
	c.check("History")
	return c.e.History(id, before, n)
}

func (c *checkedEngine) Message(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	c.check("Message")
	return c.e.Message(conv, id)
}

func (c *checkedEngine) SendMessage(id model.ConversationID, body string) (model.Message, error) {
	c.check("SendMessage")
	return c.e.SendMessage(id, body)
}

func (c *checkedEngine) React(conv model.ConversationID, msg model.MessageID, emoji string) error {
	c.check("React")
	return c.e.React(conv, msg, emoji)
}

func (c *checkedEngine) DeleteForEveryone(conv model.ConversationID, msg model.MessageID) error {
	c.check("DeleteForEveryone")
	return c.e.DeleteForEveryone(conv, msg)
}

func (c *checkedEngine) EditMessage(conv model.ConversationID, msg model.MessageID, text string) error {
	c.check("EditMessage")
	return c.e.EditMessage(conv, msg, text)
}

func (c *checkedEngine) Reply(id model.ConversationID, body string, replyTo model.MessageID) (model.Message, error) {
	c.check("Reply")
	return c.e.Reply(id, body, replyTo)
}

func (c *checkedEngine) MarkRead(conv model.ConversationID) error {
	c.check("MarkRead")
	return c.e.MarkRead(conv)
}

func (c *checkedEngine) Archive(id model.ConversationID, archived bool) (model.Conversation, error) {
	c.check("Archive")
	return c.e.Archive(id, archived)
}

func (c *checkedEngine) SetConversationTimer(id model.ConversationID, timer time.Duration) (model.Conversation, error) {
	c.check("SetConversationTimer")
	return c.e.SetConversationTimer(id, timer)
}

func (c *checkedEngine) Members(id model.ConversationID) ([]model.GroupMember, error) {
	c.check("Members")
	return c.e.Members(id)
}

func (c *checkedEngine) DeleteMessage(conv model.ConversationID, id model.MessageID) (model.Conversation, error) {
	c.check("DeleteMessage")
	return c.e.DeleteMessage(conv, id)
}

func (c *checkedEngine) ClearConversation(conv model.ConversationID) (model.Conversation, error) {
	c.check("ClearConversation")
	return c.e.ClearConversation(conv)
}

func (c *checkedEngine) AddContact(address string, nickname string) (model.Contact, error) {
	c.check("AddContact")
	return c.e.AddContact(address, nickname)
}

func (c *checkedEngine) AcceptContact(id model.ConversationID) (model.Contact, error) {
	c.check("AcceptContact")
	return c.e.AcceptContact(id)
}

func (c *checkedEngine) RejectContact(id model.ConversationID) error {
	c.check("RejectContact")
	return c.e.RejectContact(id)
}

func (c *checkedEngine) BlockContact(id model.ConversationID) (model.Contact, error) {
	c.check("BlockContact")
	return c.e.BlockContact(id)
}

func (c *checkedEngine) UnblockContact(id model.ConversationID) (model.Contact, error) {
	c.check("UnblockContact")
	return c.e.UnblockContact(id)
}

func (c *checkedEngine) DeleteContact(id model.ConversationID, deleteHistory bool) error {
	c.check("DeleteContact")
	return c.e.DeleteContact(id, deleteHistory)
}

func (c *checkedEngine) RenameContact(id model.ConversationID, nickname string) (model.Contact, error) {
	c.check("RenameContact")
	return c.e.RenameContact(id, nickname)
}

func (c *checkedEngine) SafetyCode(id model.ConversationID) (string, error) {
	c.check("SafetyCode")
	return c.e.SafetyCode(id)
}

func (c *checkedEngine) MarkVerified(id model.ConversationID, verified bool) (model.Contact, error) {
	c.check("MarkVerified")
	return c.e.MarkVerified(id, verified)
}

func (c *checkedEngine) MyInvite(inPerson bool) (string, error) {
	c.check("MyInvite")
	return c.e.MyInvite(inPerson)
}

func (c *checkedEngine) InviteShared(text string) error {
	c.check("InviteShared")
	return c.e.InviteShared(text)
}

func (c *checkedEngine) AcceptInvite(text string) (engine.InviteResult, error) {
	c.check("AcceptInvite")
	return c.e.AcceptInvite(text)
}

func (c *checkedEngine) CreateGroup(name string, serverInvite string) (model.Group, error) {
	c.check("CreateGroup")
	return c.e.CreateGroup(name, serverInvite)
}

func (c *checkedEngine) GroupInvite(conv model.ConversationID) (string, error) {
	c.check("GroupInvite")
	return c.e.GroupInvite(conv)
}

func (c *checkedEngine) InviteToGroup(to model.ConversationID, conv model.ConversationID) (model.Message, error) {
	c.check("InviteToGroup")
	return c.e.InviteToGroup(to, conv)
}

func (c *checkedEngine) RemoveMember(conv model.ConversationID, member string) error {
	c.check("RemoveMember")
	return c.e.RemoveMember(conv, member)
}

func (c *checkedEngine) SetAdmin(conv model.ConversationID, member string, admin bool) error {
	c.check("SetAdmin")
	return c.e.SetAdmin(conv, member, admin)
}

func (c *checkedEngine) RevokeInvites(conv model.ConversationID) error {
	c.check("RevokeInvites")
	return c.e.RevokeInvites(conv)
}

func (c *checkedEngine) LeaveGroup(conv model.ConversationID, deleteHistory bool) error {
	c.check("LeaveGroup")
	return c.e.LeaveGroup(conv, deleteHistory)
}

func (c *checkedEngine) GroupServers(conv model.ConversationID) ([]model.GroupServer, error) {
	c.check("GroupServers")
	return c.e.GroupServers(conv)
}

func (c *checkedEngine) AddGroupServer(conv model.ConversationID, serverInvite string) error {
	c.check("AddGroupServer")
	return c.e.AddGroupServer(conv, serverInvite)
}

func (c *checkedEngine) RemoveGroupServer(conv model.ConversationID, addr string) error {
	c.check("RemoveGroupServer")
	return c.e.RemoveGroupServer(conv, addr)
}

func (c *checkedEngine) Servers() ([]engine.Server, error) {
	c.check("Servers")
	return c.e.Servers()
}

func (c *checkedEngine) AddServer(serverInvite string) (engine.Server, error) {
	c.check("AddServer")
	return c.e.AddServer(serverInvite)
}

func (c *checkedEngine) RemoveServer(addr string) error {
	c.check("RemoveServer")
	return c.e.RemoveServer(addr)
}

func (c *checkedEngine) HostServer(ctx context.Context) (string, error) {
	c.check("HostServer")
	return c.e.HostServer(ctx)
}

func (c *checkedEngine) HostedServer() (string, engine.ServerStats, error) {
	c.check("HostedServer")
	return c.e.HostedServer()
}

func (c *checkedEngine) StopServer() error {
	c.check("StopServer")
	return c.e.StopServer()
}

func (c *checkedEngine) LoadTorSettings() (engine.TorSettings, error) {
	c.check("LoadTorSettings")
	return c.e.LoadTorSettings()
}

func (c *checkedEngine) SetTorSettings(ctx context.Context, s engine.TorSettings) error {
	c.check("SetTorSettings")
	return c.e.SetTorSettings(ctx, s)
}

func (c *checkedEngine) RestartTor(ctx context.Context) error {
	c.check("RestartTor")
	return c.e.RestartTor(ctx)
}

func (c *checkedEngine) SendFile(conv model.ConversationID, path string, opts engine.SendFileOptions) (model.Message, error) {
	c.check("SendFile")
	return c.e.SendFile(conv, path, opts)
}

func (c *checkedEngine) File(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	c.check("File")
	return c.e.File(conv, id)
}

func (c *checkedEngine) Files(conv model.ConversationID) ([]model.FileTransfer, error) {
	c.check("Files")
	return c.e.Files(conv)
}

func (c *checkedEngine) AcceptFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	c.check("AcceptFile")
	return c.e.AcceptFile(conv, id)
}

func (c *checkedEngine) DeclineFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	c.check("DeclineFile")
	return c.e.DeclineFile(conv, id)
}

func (c *checkedEngine) CancelFile(conv model.ConversationID, id model.MessageID) (model.FileTransfer, error) {
	c.check("CancelFile")
	return c.e.CancelFile(conv, id)
}

func (c *checkedEngine) SaveFile(conv model.ConversationID, id model.MessageID, dir string) (string, error) {
	c.check("SaveFile")
	return c.e.SaveFile(conv, id, dir)
}

func (c *checkedEngine) FileThumbnail(conv model.ConversationID, id model.MessageID) (*image.RGBA, error) {
	c.check("FileThumbnail")
	return c.e.FileThumbnail(conv, id)
}
