package engine

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"unicode"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/peer"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/transport"
)

// Unexplained is the message Explain gives for an error it does not know:
// a person is not shown what a program reported, which can name
// packages and internals; a frontend may offer the error's text as a
// detail to copy for whoever helps them.
const Unexplained = "Something went wrong that Nook cannot explain."

// Explain is the one place that turns an error of the engine into what a
// person reads: message, one plain sentence saying what went wrong (never
// a package's prefix such as "groupclient:" or internals such as "invite
// checksum does not match"), and hint, what they can do about it ("" when
// there is nothing to add). It looks through wrapping (errors.Is and
// errors.As), so an error wrapped with context is explained as the error
// it wraps. An error it does not know gets Unexplained and no hint; nil
// gets two empty strings.
//
// A frontend shows the message, under a title of its own saying what did
// not happen ("The message was not sent"), and the hint below it.
func Explain(err error) (message, hint string) {
	if err == nil {
		return "", ""
	}
	// A disk too full for an import or export: its own message says how
	// much space is needed, in words written for the person.
	var se *profile.SpaceError
	if errors.As(err, &se) {
		return sentence(se.Error()), hintDiskFull
	}
	message = Unexplained
	for _, x := range explanations {
		if errors.Is(err, x.err) {
			message, hint = x.message, x.hint
			break
		}
	}
	// Tor's errors carry what to do about them (a missing program:
	// install Nook again).
	if h := tor.Hint(err); h != "" {
		hint = h
	}
	return message, hint
}

// sentence returns s with a capital first letter and a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

const hintDiskFull = "Make room on the disk (empty the trash, delete large files you do not need), then try again."

// explanation is what Explain says about one error.
type explanation struct {
	err           error
	message, hint string
}

// explanations are tried in order: an error that wraps another (an
// invite's invalid address wraps identity's reason) comes before it.
var explanations = []explanation{
	// The engine's own.
	{ErrLocked, "No profile is open.", "Open your profile and try again."},
	{ErrAlreadyUnlocked, "A profile is already open.", "Lock it first to open another one."},
	{ErrClosed, "Nook is shutting down.", ""},
	{ErrNoConversation, "This conversation no longer exists.", ""},
	{ErrNotGroup, "This is not a group.", ""},
	{ErrNoGroupTimer, "Groups have no timer for disappearing messages.", ""},
	{ErrNoMessage, "That message is no longer in the conversation.", "It was deleted, or its disappearing timer ran out."},
	{ErrBadEmoji, "A reaction must be a single emoji.", "Pick one emoji from the list."},
	{ErrEmptyMessage, "The message is empty.", "Write something first."},
	{ErrEmptyPassword, "The new password is empty.", "To open the profile without a password, use Remove password instead."},
	{ErrInviteKind, "This kind of invite cannot be used here.", "Use it where Nook asks for this kind of invite."},
	{ErrOwnInvite, "This is your own invite.", "Give it to the person you want to talk to, and add theirs."},
	{ErrNotOwnInvite, "This is not one of your own invites.", ""},
	{ErrNotHosting, "No group server is running in this app.", ""},
	{ErrNotStarted, "Nook is not connected to the network yet.", "Wait until it is connected, then try again."},
	{ErrDisplayName, "This name is not allowed.", "A name can have at most 64 characters, and no control, text-direction or invisible characters."},
	{ErrTorSettingsNewer, "The network settings were saved by a newer version of Nook.", "Update Nook, or save new settings here."},
	{ErrTorSettingsDamaged, "The saved network settings are damaged.", "Choose the settings again and save them."},
	{ErrNoBridges, "No bridge lines were given.", "Paste the bridge lines you were given, or choose Automatic."},
	{ErrBridgeLine, "A bridge line is not valid.", "Copy bridge lines exactly as you got them, one per line."},
	{ErrNotAFile, "Only ordinary files can be sent.", "Choose a file, not a folder."},

	// Files and their transfers.
	{transfer.ErrNotFound, "This file is no longer here.", ""},
	{transfer.ErrNotOffered, "This file is no longer waiting to be accepted.", ""},
	{transfer.ErrFinished, "This transfer has already ended.", ""},
	{transfer.ErrNotReady, "This file has not arrived completely yet.", "Wait until it has arrived, then save it."},
	{transfer.ErrEmpty, "The file is empty.", "Choose a file with something in it."},
	{transfer.ErrTooLarge, "The file is too large to send.", "The largest file Nook can send is 1 TiB."},
	{transfer.ErrNoSpace, "There is not enough free disk space for this file.", "Free some space; the transfer goes on by itself."},
	{transfer.ErrDamaged, "The stored file is damaged.", "Ask for it to be sent again."},
	{files.ErrNotPicture, "This is not a picture Nook can show.", "Nook shows PNG, JPEG, GIF and WebP pictures."},
	{files.ErrPictureTooLarge, "This picture is too large to show.", "It can still be saved and opened with another program."},
	{files.ErrBadPicture, "This picture is damaged.", ""},

	// Invites and QR codes (the invite package's hints).
	{invite.ErrNotInvite, "This is not a Nook invite.", "A Nook invite starts with \"NOOK:\"."},
	{invite.ErrTooLong, "This text is longer than any Nook invite.", "Copy only the invite."},
	{invite.ErrVersion, "This invite was made by a newer version of Nook.", "Update Nook and try again."},
	{invite.ErrCharacters, "The invite contains a character it cannot contain.", "After the prefix an invite uses only the letters A–Z and the digits 2–7; check for typos."},
	{invite.ErrChecksum, "The invite was mistyped or damaged.", "Check it, or ask for it again."},
	{invite.ErrTruncated, "Part of the invite is missing.", "Copy the whole invite, including its end."},
	{invite.ErrMalformed, "The invite was made by faulty software.", "Ask for a new invite."},
	{invite.ErrAddress, "The address in this invite is not valid.", "Ask for a new invite."},
	{invite.ErrKey, "A key in this invite is not valid.", "Ask for a new invite."},
	{invite.ErrSignature, "The server's signature does not match: this invite was altered.", "Do not use it; ask for a new one in person."},
	{invite.ErrExpired, "This invite has expired.", "Ask for a new one."},
	{invite.ErrSeveral, "This text holds more than one Nook invite.", "Copy only the one you mean to use."},
	{invite.ErrDirection, "The invite contains hidden characters that change the direction of text, which can make it look like something else.", "Ask for the invite again, or copy it from where it was made."},
	{invite.ErrNoQRCode, "No QR code could be read.", "Try a sharper, larger or better-lit picture, or paste the invite as text."},
	{invite.ErrImage, "This file is not an image Nook can read.", "Use a PNG or JPEG image."},
	{invite.ErrImageTooLarge, "This image is too large.", "Crop it to the QR code or use a smaller picture."},
	{invite.ErrQRSize, "The QR code does not fit in the requested size.", ""},
	{invite.ErrNoSecret, "This invite carries no verification secret.", ""},
	{invite.ErrProof, "This contact could not prove that you met.", "The invite was already used, or it is not the one you gave."},
	{invite.ErrTooManySecrets, "Too many invites are waiting to be used.", "Wait for some to expire."},
	{invite.ErrName, "This name is not allowed.", "A name can have at most 64 characters, and no control, text-direction or invisible characters."},

	// Onion addresses as typed.
	{identity.ErrAddressLength, "This is not a Nook address: an address has 56 characters.", "Check that you copied all of it."},
	{identity.ErrAddressEncoding, "This is not a Nook address: an address has only the letters a–z and the digits 2–7.", "Check it for typos."},
	{identity.ErrAddressVersion, "This is not a Nook address.", "Check it for typos, or ask for it again."},
	{identity.ErrAddressChecksum, "The address was mistyped or altered.", "Check it, or ask for it again."},
	{identity.ErrAddressKey, "This is not a Nook address.", "Check it for typos, or ask for it again."},

	// Contacts.
	{peer.ErrSelf, "That is your own address.", "Add the address of the person you want to talk to."},
	{peer.ErrNotContact, "This person is not one of your contacts.", ""},
	{peer.ErrBlocked, "This contact is blocked.", "Unblock them to write to them."},
	{peer.ErrClosed, "The profile is being locked.", ""},

	// Groups.
	{groupclient.ErrUnknownGroup, "You are not in this group.", ""},
	{groupclient.ErrUnknownMessage, "The message you reply to is no longer in the group.", ""},
	{groupclient.ErrNoTokens, "The group's server gave no permission to post.", "Try again later; if it keeps failing, the server may be full or refusing."},
	{groupclient.ErrTooMuchWork, "The group's server asks this computer for too much work before each post.", "The server may be under attack; try again later."},
	{groupclient.ErrRefused, "The group's server refused.", "Try again later."},
	{groupclient.ErrClosed, "The profile is being locked.", ""},
	{groupclient.ErrNotAdmin, "Only the group's owner and admins can remove members.", ""},
	{groupclient.ErrNotMember, "This person is not a member of the group.", "They may have left or been removed already."},
	{groupclient.ErrRemoveOwner, "The group's owner cannot be removed.", "To go yourself, leave the group instead."},
	{groupclient.ErrOwnerUnknown, "Nook does not know this group's owner, so it cannot make an invite to it.", "Ask the owner or an admin for an invite to pass on."},
	{groupclient.ErrTooManyAdmins, "A group can have at most 16 admins besides its owner.", ""},
	{groupclient.ErrCorrupt, "Part of the group's data on this computer is damaged.", ""},
	{groupserver.ErrKeyFile, "The keys of the group server in this app are damaged.", ""},
	{groupserver.ErrState, "The group server in this app is starting or stopping.", "Try again in a moment."},
	{groupserver.ErrConfig, "The group server in this app is not set up correctly.", ""},

	// Profiles, exports and the database.
	{profile.ErrWrongPassword, "The password is wrong.", "Check it and try again."},
	{profile.ErrNoProfile, "This profile no longer exists.", ""},
	{profile.ErrCorruptHeader, "The profile is damaged and cannot be opened.", "If you have an export of it, import that."},
	{profile.ErrNewerFormat, "The profile was saved by a newer version of Nook.", "Update Nook to open it."},
	{profile.ErrNewerSchema, "The profile was saved by a newer version of Nook.", "Update Nook to open it."},
	{profile.ErrMissingDB, "The profile's messages are missing from its folder.", "If you have an export of it, import that."},
	{profile.ErrProfileInUse, "This profile is already open in another Nook.", "Close the other Nook first."},
	{profile.ErrClosed, "The profile is being locked.", ""},
	{profile.ErrNotExport, "This file is not a Nook export.", "Choose the file Export profile wrote."},
	{profile.ErrExportCorrupt, "The export file is damaged or was altered.", "Export the profile again and use the new file."},
	{profile.ErrExportTruncated, "The export file is incomplete.", "Copy the whole file again, or export the profile again."},
	{profile.ErrWeakParams, "The profile's key settings are weaker than Nook allows.", ""},
	{profile.ErrDiskFull, "The disk is full.", hintDiskFull},
	{store.ErrInUse, "This profile is already open in another Nook.", "Close the other Nook first."},
	{store.ErrClosed, "The profile is being locked.", ""},
	{store.ErrCorrupt, "Part of the profile's data is damaged.", ""},
	{store.ErrWrongKey, "The profile's data does not match its key.", ""},
	{store.ErrNotFound, "It no longer exists.", ""},

	// The network.
	{transport.ErrUnreachable, "The other side could not be reached.", "They may be offline; try again later."},
	{transport.ErrAddressInUse, "This profile's address is already online from another Nook.", "Close the other Nook, or the copy of this profile there."},
	{tor.ErrTorNotFound, "Nook's Tor program is missing.", "Install Nook again."},
	{tor.ErrTransportNotFound, "A program Nook needs to get around censorship is missing.", "Install Nook again."},
	{tor.ErrFailed, "Tor stopped working.", "Check the network settings, or restart Nook."},
	{tor.ErrNotStarted, "Nook is not connected to the network yet.", "Wait until it is connected, then try again."},
	{tor.ErrClosed, "Nook is disconnecting from the network.", ""},
	{tor.ErrConfig, "The network settings are not valid.", "Check the extra Tor settings and the bridge lines."},
	{tor.ErrPrivateNetworkFile, "The network settings are not valid.", ""},

	// The system.
	{context.Canceled, "It was cancelled.", ""},
	{context.DeadlineExceeded, "It took too long.", "Try again."},
	{fs.ErrNotExist, "The file or folder does not exist.", "Choose another one."},
	{fs.ErrPermission, "Nook is not allowed to use this file or folder.", "Choose another one, or change its permissions."},
	{fs.ErrExist, "The file already exists.", "Choose another name."},
}
