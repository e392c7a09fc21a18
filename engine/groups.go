package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// Known group servers are kept in this bucket, keyed by the server's
// onion address, holding the signed bundle.
const serversBucket = "servers"

// ErrNotGroup is returned for a conversation that is not a group.
var ErrNotGroup = errors.New("not a group conversation")

// Server is a group server this profile knows.
type Server struct {
	// Address is the server's onion address (56 characters).
	Address string
	// Invite is the server's invite text (its signed bundle).
	Invite string
}

// Groups returns the profile's groups, ordered by name.
//
// Deprecated: use Conversations (the groups are those of KindGroup).
func (e *Engine) Groups() ([]model.Group, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	return fromGroupInfos(op.groups.Groups()), nil
}

// cleanGroup returns g with its name cleaned (model.CleanName): a name
// stored by an older version of Nook may hold characters names no longer
// allow (security review 2, L-D).
func cleanGroup(g groupclient.GroupInfo) groupclient.GroupInfo {
	g.Name = model.CleanName(g.Name)
	return g
}

// CreateGroup creates a group called name on the server whose invite text
// (NOOK:S1:…) is given, and joins it. The server is remembered.
func (e *Engine) CreateGroup(name, serverInvite string) (model.Group, error) {
	op, err := e.current()
	if err != nil {
		return model.Group{}, err
	}
	name = strings.TrimSpace(name)
	if err := invite.CheckName(name); err != nil {
		return model.Group{}, err
	}
	bundle, err := parseServerInvite(serverInvite, e)
	if err != nil {
		return model.Group{}, err
	}
	if err := op.rememberServer(bundle); err != nil {
		return model.Group{}, err
	}
	g, err := op.groups.CreateGroup(name, bundle)
	if err != nil {
		return model.Group{}, err
	}
	// The new conversation reaches every subscriber, not only the caller.
	op.notify.changed(g.Conversation)
	return fromGroupInfo(g), nil
}

// parseServerInvite reads a server invite (or a group invite, whose server
// is then used).
func parseServerInvite(text string, e *Engine) (*invite.Bundle, error) {
	inv, err := invite.ParseAt(text, e.cfg.Now())
	if err != nil {
		return nil, err
	}
	switch inv := inv.(type) {
	case *invite.ServerInvite:
		return inv.Bundle(), nil
	case *invite.GroupInvite:
		return inv.Bundle(), nil
	}
	return nil, fmt.Errorf("%w: a server invite (NOOK:S1:…) is needed, this is a %s invite", ErrInviteKind, inv.Kind())
}

// joinGroup joins the group of an invite (AcceptInvite's group case).
func (op *openProfile) joinGroup(inv *invite.GroupInvite) (groupclient.GroupInfo, error) {
	if err := op.rememberServer(inv.Bundle()); err != nil {
		return groupclient.GroupInfo{}, err
	}
	if !op.joinMu.TryLock() {
		if op.joinWaits != nil {
			op.joinWaits()
		}
		op.joinMu.Lock()
	}
	defer op.joinMu.Unlock()
	if err := op.rejoin(inv); err != nil {
		return groupclient.GroupInfo{}, err
	}
	g, err := op.groups.JoinGroup(inv)
	if err == nil {
		// The group's conversation reaches every subscriber, not only
		// the caller (a group joined again after leaving changes too).
		op.notify.changed(g.Conversation)
	}
	return g, err
}

// rejoin readies the files of the group of inv before the profile
// joins it, unless it is in it already (groupFiles.joining: a group left
// before keeps no file state into the new membership). op.joinMu is held
// through it and the join that follows.
func (op *openProfile) rejoin(inv *invite.GroupInvite) error {
	id := group.DeriveID(inv.Key(), inv.Bundle().SigningKey)
	if gid, ok := inv.GroupID(); ok {
		id = gid
	}
	conv := id.Conversation()
	for _, gi := range op.groups.Groups() {
		if gi.Conversation == conv {
			return nil
		}
	}
	if op.joinChecked != nil {
		op.joinChecked()
	}
	if err := op.gfiles.joining(conv); err != nil {
		return fmt.Errorf("forget the files of the group's earlier membership: %w", err)
	}
	return nil
}

// GroupInvite returns the invite text of a group. It holds the group key:
// whoever has it can read and post.
func (e *Engine) GroupInvite(conv model.ConversationID) (string, error) {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return "", err
	}
	return op.groups.Invite(id)
}

// InviteToGroup sends a group's invite to a contact, as a message of your
// conversation with them: a message of the group-invite kind whose body is
// the invite text, sent as a GroupInvite record (queued until they are
// reachable, then delivered and acknowledged like any message). Their app
// shows it with a button to join.
func (e *Engine) InviteToGroup(to, conv model.ConversationID) (model.Message, error) {
	text, err := e.GroupInvite(conv)
	if err != nil {
		return model.Message{}, err
	}
	op, contact, err := e.contact(to)
	if err != nil {
		return model.Message{}, err
	}
	return op.peers.SendGroupInvite(contact, text)
}

// PostToGroup writes a message to a group; it is queued while the server
// is unreachable, like a message to an offline contact.
//
// Deprecated: use Reply (or SendMessage), the same for a contact and a
// group.
func (e *Engine) PostToGroup(conv model.ConversationID, body string, replyTo model.MessageID) (model.Message, error) {
	if _, _, err := e.groupOf(conv); err != nil {
		return model.Message{}, err
	}
	return e.Reply(conv, body, replyTo)
}

// LeaveGroup leaves a group: nothing more is received from it or posted to
// it, its queued posts are dropped (marked failed), and the other members
// are told with a leave notice, posted like any group message once the
// server is reachable. The connection to the group's server is closed
// when no other group of the profile uses it. With deleteHistory the
// group's messages are deleted from this computer too; without it they
// stay as read-only history (LeftGroups), and a later call with
// deleteHistory deletes them. A model.GroupLeft event follows.
//
// LeaveGroup returns ErrNotGroup for a conversation that is not a group,
// and an error wrapping groupclient.ErrUnknownGroup for a group the
// profile neither belongs to nor kept the history of.
func (e *Engine) LeaveGroup(conv model.ConversationID, deleteHistory bool) error {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return err
	}
	op.gfiles.unserve(id.Conversation())
	if err := op.groups.Leave(id, deleteHistory); err != nil {
		return err
	}
	if deleteHistory {
		// The unread count went with the conversation's summary.
		e.emit(model.UnreadChanged{Conversation: conv})
	}
	return nil
}

// LeftGroups returns the groups the profile left whose messages it kept,
// ordered by name: read-only history.
//
// Deprecated: use Conversations (a left group's conversation has Left set).
func (e *Engine) LeftGroups() ([]model.Group, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	gs, err := op.groups.LeftGroups()
	return fromGroupInfos(gs), err
}

// GroupMembers returns the authors seen in a group. Each says whether it
// is an accepted contact (IsContact) and whether, not being one, it carries
// the name of a contact (nickname or display name), of the profile or of
// another member (NameCollides; names compared ignoring case and runs of
// spaces): a member's name in a group is whatever they chose, so a stranger
// can take a contact's name, and the app marks them.
//
// Deprecated: use Members, which it is.
func (e *Engine) GroupMembers(conv model.ConversationID) ([]model.GroupMember, error) {
	return e.Members(conv)
}

// groupMembers returns a group's members with IsContact and NameCollides
// set (GroupMembers and Members).
func (op *openProfile) groupMembers(id group.ID) ([]groupclient.Member, error) {
	cs, err := op.st.Contacts()
	if err != nil {
		return nil, err
	}
	return op.groupMembersWith(id, cs)
}

// groupMembersWith is groupMembers with the profile's contacts already
// read (cs).
func (op *openProfile) groupMembersWith(id group.ID, cs []model.Contact) ([]groupclient.Member, error) {
	ms, err := op.groups.Members(id)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		// A name stored by an older version may hold characters names
		// no longer allow (security review 2, L-D).
		ms[i].Name = model.CleanName(ms[i].Name)
	}
	contacts := map[string]bool{}
	taken := map[string]int{foldName(op.displayName()): 1}
	for _, c := range cs {
		if c.State == model.ContactAccepted {
			contacts[c.Address] = true
		}
		if c.State != model.ContactBlocked {
			taken[foldName(model.CleanName(c.Nickname))]++
			taken[foldName(model.CleanName(c.DisplayName))]++
		}
	}
	for i := range ms {
		m := &ms[i]
		// A member is a contact when their contact tags say so, or when
		// they sign with that contact's onion key (a membership from
		// before per-group keys).
		if m.Contact == "" && contacts[string(m.Address)] {
			m.Contact = m.Address
		}
		m.IsContact = m.Contact != "" && contacts[string(m.Contact)]
		if !m.IsContact {
			m.Contact = ""
		}
	}
	for _, m := range ms {
		if !m.Self && !m.IsContact {
			taken[foldName(m.Name)]++
		}
	}
	delete(taken, "")
	for i := range ms {
		m := &ms[i]
		if !m.Self && !m.IsContact {
			// Their own name counts once in taken: more is someone else's.
			m.NameCollides = taken[foldName(m.Name)] > 1
		}
	}
	return ms, nil
}

// foldName is the form in which two names are compared: lower case, runs of
// white space as one space, none at the ends.
func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// groupOf returns the unlocked profile and the group of a conversation.
func (e *Engine) groupOf(conv model.ConversationID) (*openProfile, group.ID, error) {
	op, err := e.current()
	if err != nil {
		return nil, group.ID{}, err
	}
	id, ok := group.ParseConversation(conv)
	if !ok {
		return nil, group.ID{}, ErrNotGroup
	}
	return op, id, nil
}

// Servers returns the group servers this profile knows.
func (e *Engine) Servers() ([]Server, error) {
	op, err := e.current()
	if err != nil {
		return nil, err
	}
	var out []Server
	err = op.st.Bucket(serversBucket).Iterate(nil, func(k, v []byte) error {
		b, err := invite.ParseBundle(v)
		if err != nil {
			return nil // skip a damaged entry rather than hide the others
		}
		inv, err := invite.NewServerInvite(b)
		if err != nil {
			return nil
		}
		out = append(out, Server{Address: string(b.Address), Invite: inv.Encode()})
		return nil
	})
	return out, err
}

// AddServer remembers a group server from its invite text.
func (e *Engine) AddServer(serverInvite string) (Server, error) {
	op, err := e.current()
	if err != nil {
		return Server{}, err
	}
	b, err := parseServerInvite(serverInvite, e)
	if err != nil {
		return Server{}, err
	}
	if err := op.rememberServer(b); err != nil {
		return Server{}, err
	}
	inv, err := invite.NewServerInvite(b)
	if err != nil {
		return Server{}, err
	}
	return Server{Address: string(b.Address), Invite: inv.Encode()}, nil
}

// RemoveServer forgets a server, named by its onion address (its groups
// stay until left).
func (e *Engine) RemoveServer(addr string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	return op.st.Bucket(serversBucket).Delete([]byte(addr))
}

func (op *openProfile) rememberServer(b *invite.Bundle) error {
	if err := b.Verify(); err != nil {
		return err
	}
	raw, err := b.MarshalBinary()
	if err != nil {
		return err
	}
	bk := op.st.Bucket(serversBucket)
	if _, err := bk.Get([]byte(b.Address)); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return bk.Put([]byte(b.Address), raw)
}

// RemoveMember removes a member (their address, as Members gives it) from
// a group: the group moves to a new epoch with a fresh key that reaches
// every other member and not them (docs/groups.md, "Governed groups").
// Only the group's owner and admins can remove; the owner cannot be
// removed. A model.GroupRekeyed event follows at once; the others' Nooks
// report it when the rotation reaches them. Errors: ErrNotGroup,
// groupclient.ErrUnknownGroup, ErrNotAdmin, ErrNotMember, ErrRemoveOwner
// (all from package groupclient), each a plain sentence.
func (e *Engine) RemoveMember(conv model.ConversationID, member string) error {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return err
	}
	addr, err := identity.ParseAddress(member)
	if err != nil {
		return groupclient.ErrNotMember
	}
	return op.groups.RemoveMember(id, addr)
}

// SetAdmin names a member (their address, as Members gives it) an admin
// of a group, or no longer one: the group moves to a new epoch whose
// rotation carries the new list (docs/groups.md, "Roles"). Only the owner
// can; admins can remove members but not admins or the owner. Errors:
// ErrNotGroup, and groupclient's ErrUnknownGroup, ErrNotAdmin,
// ErrNotMember, ErrRemoveOwner, ErrTooManyAdmins.
func (e *Engine) SetAdmin(conv model.ConversationID, member string, admin bool) error {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return err
	}
	addr, err := identity.ParseAddress(member)
	if err != nil {
		return groupclient.ErrNotMember
	}
	return op.groups.SetAdmin(id, addr, admin)
}

// RevokeInvites renews a group's key without removing anyone: every invite
// made before stops working, and whoever joins with one is told "This
// invite no longer works" (docs/groups.md, "Invites"). The owner and
// admins can; errors as RemoveMember's.
func (e *Engine) RevokeInvites(conv model.ConversationID) error {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return err
	}
	return op.groups.RevokeInvites(id)
}

// GroupServers returns the servers a group lives on, its own first, and
// what the profile's Nook knows of each (docs/groups.md, "A group on two
// servers"). Errors: ErrNotGroup, groupclient.ErrUnknownGroup.
func (e *Engine) GroupServers(conv model.ConversationID) ([]model.GroupServer, error) {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return nil, err
	}
	for _, g := range op.groups.Groups() {
		if g.ID == id {
			return fromGroupInfo(g).Servers, nil
		}
	}
	return nil, groupclient.ErrUnknownGroup
}

// AddGroupServer makes a group live on one more server, from its invite
// text (NOOK:S1:…, or a group invite of a group on that server); the
// server is remembered. The others learn it from a sealed message, and
// invites made from now on name it. The owner and admins can; errors:
// ErrNotGroup, what parsing the invite returns, and groupclient's
// ErrUnknownGroup, ErrNotAdmin, ErrTooManyServers.
func (e *Engine) AddGroupServer(conv model.ConversationID, serverInvite string) error {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return err
	}
	b, err := parseServerInvite(serverInvite, e)
	if err != nil {
		return err
	}
	if err := op.groups.AddServer(id, b); err != nil {
		return err
	}
	return op.rememberServer(b)
}

// RemoveGroupServer stops a group living on one of its servers, named by
// its onion address (not the group's own: groupclient.ErrFirstServer).
// The owner and admins can; errors as AddGroupServer's, and
// groupclient.ErrUnknownServer.
func (e *Engine) RemoveGroupServer(conv model.ConversationID, addr string) error {
	op, id, err := e.groupOf(conv)
	if err != nil {
		return err
	}
	for _, g := range op.groups.Groups() {
		if g.ID != id {
			continue
		}
		for _, s := range g.Servers {
			if string(s.Address) == addr {
				return op.groups.RemoveServer(id, s.SigningKey)
			}
		}
	}
	return groupclient.ErrUnknownServer
}
