package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/peer"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/protocol"
)

// This file holds what a frontend needs from the engine's subpackages,
// in the engine's or model's own types: the facade takes and returns only
// those (engine/doc.go, "The facade"), so that app/ui imports nothing
// below engine but engine/model.

// Errors of the engine's subpackages that a frontend tells apart. Explain
// turns each into a sentence; these are for the cases where a screen acts
// differently (a wrong password leaves the field for another try).
var (
	// ErrWrongPassword is returned by Unlock, UnlockAny, ChangePassword,
	// RemovePassword, DeleteProfile and ImportProfile when a password
	// does not open the profile or export file.
	ErrWrongPassword = profile.ErrWrongPassword
	// ErrDiskFull is wrapped by the errors of ExportProfile, ImportProfile
	// and every write when the disk is too full (Explain says how much
	// space an import or export needs).
	ErrDiskFull = profile.ErrDiskFull
	// ErrNoProfile is returned by Unlock for a profile ID that names no
	// profile.
	ErrNoProfile = profile.ErrNoProfile
	// ErrImageTooLarge is returned by ReadInviteImage and ReadInviteFile
	// for a picture larger than MaxImageBytes.
	ErrImageTooLarge = invite.ErrImageTooLarge
	// ErrEmptyMessage is returned by SendMessage and Reply for a message
	// of nothing but white space.
	ErrEmptyMessage = peer.ErrEmptyMessage
)

// Limits a frontend checks before it calls the engine.
const (
	// MaxNameLen is the most characters (runes) a display name, a
	// nickname or a group name may have.
	MaxNameLen = protocol.MaxNameRunes
	// MaxImageBytes is the largest picture ReadInviteImage reads.
	MaxImageBytes = invite.MaxImageBytes
	// InviteScheme starts every invite's text ("NOOK:"), in any case.
	InviteScheme = invite.Scheme
	// GroupInvitePrefix starts a group invite's text ("NOOK:G1:").
	GroupInvitePrefix = invite.PrefixGroup
)

// ErrDisplayName is wrapped by the errors of CheckDisplayName, and of
// CreateProfile and SetDisplayName for a name CheckDisplayName refuses.
var ErrDisplayName = errors.New("display name is not allowed")

// CheckDisplayName reports why name cannot be a display name, or nil: at
// most MaxNameLen characters, and none of the characters
// model.BadNameChar reports. Its error wraps ErrDisplayName.
func CheckDisplayName(name string) error {
	if err := protocol.CheckDisplayName(name); err != nil {
		return fmt.Errorf("%w: %w", ErrDisplayName, err)
	}
	return nil
}

// ParseAddress reads an onion address as typed or pasted (with or without
// ".onion", in any case, with spaces around it) and returns the
// conversation ID of a contact at that address, which is the address in
// its canonical form.
func ParseAddress(text string) (model.ConversationID, error) {
	addr, err := identity.ParseAddress(text)
	if err != nil {
		return "", err
	}
	return model.ConversationID(addr), nil
}

// ParseInvite reads invite text (pasted, or read from a QR code) without
// acting on it, and says what it is; AcceptInvite acts on it. The text may
// hold words around the invite. Its errors wrap the invite package's, which
// Explain puts in words.
func ParseInvite(text string) (model.InvitePreview, error) {
	inv, err := invite.Parse(text)
	if err != nil {
		return model.InvitePreview{}, err
	}
	return preview(inv), nil
}

// preview says what a parsed invite is.
func preview(inv invite.Invite) model.InvitePreview {
	switch inv := inv.(type) {
	case *invite.ContactInvite:
		p := model.InvitePreview{Kind: model.InviteContact, Name: model.CleanName(inv.Name()), Address: string(inv.Address())}
		if t, ok := inv.Expires(); ok {
			p.Expires = t
		}
		return p
	case *invite.ServerInvite:
		return model.InvitePreview{Kind: model.InviteServer, Address: string(inv.Bundle().Address)}
	case *invite.GroupInvite:
		return model.InvitePreview{Kind: model.InviteGroup, Name: model.CleanName(inv.Name()), Address: string(inv.Bundle().Address)}
	}
	return model.InvitePreview{}
}

// inviteKind is the model's name of an invite kind.
func inviteKind(k invite.Kind) model.InviteKind { return model.InviteKind(k) }

// fromGroupInfo is a group in the model's terms, its name cleaned.
func fromGroupInfo(g groupclient.GroupInfo) model.Group {
	g = cleanGroup(g)
	out := model.Group{ID: g.ID.String(), Name: g.Name, Server: string(g.Server),
		ServerFingerprint: g.ServerFingerprint, ServerConflict: g.ServerConflict, Left: g.Left,
		Epoch: g.Epoch, Role: g.Role}
	for _, s := range g.Servers {
		out.Servers = append(out.Servers, model.GroupServer{Address: string(s.Address), Fingerprint: s.Fingerprint,
			Connected: s.Connected, UnreachableSince: s.UnreachableSince, CaughtUp: s.CaughtUp, LostHistory: s.LostHistory})
	}
	return out
}

// fromGroupInfos is fromGroupInfo for a list.
func fromGroupInfos(gs []groupclient.GroupInfo) []model.Group {
	out := make([]model.Group, len(gs))
	for i, g := range gs {
		out[i] = fromGroupInfo(g)
	}
	return out
}

// ProfileInfo describes one profile of the installation. Without its
// password only the ID, the creation date and whether it has a password
// are known.
type ProfileInfo struct {
	// ID is the profile's random identifier (32 hex digits).
	ID string
	// Created is when the profile was created, to the second.
	Created time.Time
	// Password tells whether the profile needs a password to open, as its
	// header said when the info was read (HasPassword is always current).
	Password PasswordState
	// Err is set for a profile folder whose header cannot be read; the
	// other fields are then empty. Explain puts it in words.
	Err error
}

// PasswordState tells whether a profile needs a password to open.
type PasswordState uint8

// Password states.
const (
	// PasswordUnknown: an older Nook wrote the profile's header, and it
	// has not been unlocked since.
	PasswordUnknown PasswordState = PasswordState(profile.PasswordUnknown)
	// PasswordSet: opening the profile takes its password.
	PasswordSet PasswordState = PasswordState(profile.PasswordSet)
	// PasswordNone: the profile opens without a password, so anyone using
	// the computer can open it.
	PasswordNone PasswordState = PasswordState(profile.PasswordNone)
)

// profileInfo is a profile's info in the engine's terms.
func profileInfo(in profile.Info) ProfileInfo {
	return ProfileInfo{ID: in.ID, Created: in.Created, Password: PasswordState(in.Password), Err: in.Err}
}

// ServerStats are the counters of the group server hosted in the app
// (HostedServer), since it started.
type ServerStats struct {
	Connections        uint64 // connections accepted and handshaken
	ConnectionsRefused uint64 // closed at accept: too many connections
	ConnectionsIdle    uint64 // closed for not earning their slot
	HandshakeFailures  uint64
	OpenConnections    int64
	Subscriptions      int64  // open now
	SlowSubscribers    uint64 // disconnected for falling behind
	TokenBatches       uint64 // batches of posting tokens issued
	TokensIssued       uint64
	TokenRefusals      uint64 // refused token requests
	Posts              uint64 // sealed messages stored
	PostsRefused       uint64
	BlobsDropped       uint64 // by the cap or retention
	Head               uint64 // highest sequence number
	Oldest             uint64 // lowest sequence number kept
}

// serverStats is a group server's counters in the engine's terms.
func serverStats(s groupserver.Stats) ServerStats {
	return ServerStats{
		Connections: s.Connections, ConnectionsRefused: s.ConnectionsRefused, ConnectionsIdle: s.ConnectionsIdle,
		HandshakeFailures: s.HandshakeFailures, OpenConnections: s.OpenConnections, Subscriptions: s.Subscriptions,
		SlowSubscribers: s.SlowSubscribers, TokenBatches: s.TokenBatches, TokensIssued: s.TokensIssued,
		TokenRefusals: s.TokenRefusals, Posts: s.Posts, PostsRefused: s.PostsRefused, BlobsDropped: s.BlobsDropped,
		Head: s.Head, Oldest: s.Oldest,
	}
}
