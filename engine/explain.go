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
// not happen ("The message was not sent"), and the hint below it. The
// sentences are English; a frontend that speaks other languages uses
// Explained, whose keys name them in its catalogs.
func Explain(err error) (message, hint string) {
	x := Explained(err)
	return x.Message, x.Hint
}

// Explanation is what Explained says about an error: the English
// sentences of Explain, and the stable keys a frontend translates them by
// (its catalogs hold the same English under those keys, which a test of
// the app checks).
type Explanation struct {
	// Key names Message ("explain.invite_checksum"); HintKey names Hint,
	// "" when there is no hint. Args fill the placeholders of a message
	// that names numbers or folders ({{.Dir}}, {{.Need}}, {{.Free}}) or of
	// a hint that names a program ({{.Program}}).
	Key, HintKey  string
	Message, Hint string
	Args          map[string]any
}

// UnexplainedKey is the key of Unexplained.
const UnexplainedKey = "explain.unexplained"

// Explained is Explain with the keys of its sentences. nil gives the zero
// Explanation.
func Explained(err error) Explanation {
	if err == nil {
		return Explanation{}
	}
	// A disk too full for an import or export: its own message says how
	// much space is needed, in words written for the person.
	var se *profile.SpaceError
	if errors.As(err, &se) {
		return Explanation{Key: spaceKey(se), HintKey: "explain.disk_full_hint",
			Message: sentence(se.Error()), Hint: hintDiskFull,
			Args: map[string]any{"Dir": se.Dir, "Need": (se.Need + 1<<20 - 1) >> 20, "Free": se.Free >> 20, "Keep": se.Keep >> 20}}
	}
	x := Explanation{Key: UnexplainedKey, Message: Unexplained}
	for _, e := range explanations {
		if errors.Is(err, e.err) {
			x = e.explanation()
			break
		}
	}
	// Tor's errors carry what to do about them (a missing program:
	// install Nook again).
	var te *tor.Error
	if errors.As(err, &te) && te.Hint != "" {
		x.Hint, x.HintKey = te.Hint, ""
		if te.HintKey != "" {
			x.HintKey = "explain." + te.HintKey
			if x.Args == nil {
				x.Args = map[string]any{}
			}
			for k, v := range te.HintArgs {
				x.Args[k] = v
			}
		}
	}
	return x
}

// explanation is e as an Explanation.
func (e explanation) explanation() Explanation {
	x := Explanation{Key: "explain." + e.key, Message: e.message, Hint: e.hint}
	if e.hint != "" {
		x.HintKey = x.Key + "_hint"
	}
	return x
}

// spaceKey is the key of a SpaceError's message: one per operation and
// per case of SpaceError.Error.
func spaceKey(se *profile.SpaceError) string {
	k := "explain.space_" + se.Op
	switch {
	case se.Need > se.Free:
		return k + "_need"
	case se.Keep > 0:
		return k + "_keep"
	}
	return k + "_full"
}

// Explanations are every Explanation Explained can give whose sentences
// are fixed (all but a SpaceError's and Tor's hints, whose keys are listed
// by SpaceKeys and tor.HintKeys): what the app's catalogs must hold.
func Explanations() []Explanation {
	out := []Explanation{{Key: UnexplainedKey, Message: Unexplained}}
	for _, e := range explanations {
		out = append(out, e.explanation())
	}
	return out
}

// SpaceKeys are the keys of a SpaceError's messages, and of its hint.
func SpaceKeys() []string {
	var keys []string
	for _, op := range []string{"import", "export"} {
		for _, c := range []string{"need", "keep", "full"} {
			keys = append(keys, "explain.space_"+op+"_"+c)
		}
	}
	return append(keys, "explain.disk_full_hint")
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
	err error
	// key names the message in the app's catalogs ("explain."+key; its
	// hint "explain."+key+"_hint"): stable, never changed once given.
	key           string
	message, hint string
}

// explanations are tried in order: an error that wraps another (an
// invite's invalid address wraps identity's reason) comes before it.
var explanations = []explanation{
	// The engine's own.
	{ErrLocked, "locked", "No profile is open.", "Open your profile and try again."},
	{ErrAlreadyUnlocked, "already_unlocked", "A profile is already open.", "Lock it first to open another one."},
	{ErrClosed, "closed", "Nook is shutting down.", ""},
	{ErrNoConversation, "no_conversation", "This conversation no longer exists.", ""},
	{ErrNotGroup, "not_group", "This is not a group.", ""},
	{ErrNoGroupTimer, "no_group_timer", "Groups have no timer for disappearing messages.", ""},
	{ErrNoMessage, "no_message", "That message is no longer in the conversation.", "It was deleted, or its disappearing timer ran out."},
	{ErrBadEmoji, "bad_emoji", "A reaction must be a single emoji.", "Pick one emoji from the list."},
	{ErrNotEditable, "not_editable", "Only your own messages can be edited, and only within a day of sending them.", "Send a new message instead."},
	{ErrNotDeletable, "not_deletable", "Only your own messages can be deleted for everyone, and only within a day of sending them.", "You can still delete it for yourself."},
	{ErrEmptyMessage, "empty_message", "The message is empty.", "Write something first."},
	{ErrEmptyPassword, "empty_password", "The new password is empty.", "To open the profile without a password, use Remove password instead."},
	{ErrInviteKind, "invite_kind", "This kind of invite cannot be used here.", "Use it where Nook asks for this kind of invite."},
	{ErrOwnInvite, "own_invite", "This is your own invite.", "Give it to the person you want to talk to, and add theirs."},
	{ErrNotOwnInvite, "not_own_invite", "This is not one of your own invites.", ""},
	{ErrNotHosting, "not_hosting", "No group server is running in this app.", ""},
	{ErrNotStarted, "not_started", "Nook is not connected to the network yet.", "Wait until it is connected, then try again."},
	{ErrDisplayName, "display_name", "This name is not allowed.", "A name can have at most 64 characters, and no control, text-direction or invisible characters."},
	{ErrTorSettingsNewer, "tor_settings_newer", "The network settings were saved by a newer version of Nook.", "Update Nook, or save new settings here."},
	{ErrTorSettingsDamaged, "tor_settings_damaged", "The saved network settings are damaged.", "Choose the settings again and save them."},
	{ErrNoBridges, "no_bridges", "No bridge lines were given.", "Paste the bridge lines you were given, or choose Automatic."},
	{ErrBridgeLine, "bridge_line", "A bridge line is not valid.", "Copy bridge lines exactly as you got them, one per line."},
	{ErrNotAFile, "not_a_file", "Only ordinary files can be sent.", "Choose a file, not a folder."},

	// Files and their transfers.
	{transfer.ErrNotFound, "transfer_not_found", "This file is no longer here.", ""},
	{transfer.ErrNotOffered, "transfer_not_offered", "This file is no longer waiting to be accepted.", ""},
	{transfer.ErrFinished, "transfer_finished", "This transfer has already ended.", ""},
	{transfer.ErrNotReady, "transfer_not_ready", "This file has not arrived completely yet.", "Wait until it has arrived, then save it."},
	{transfer.ErrEmpty, "transfer_empty", "The file is empty.", "Choose a file with something in it."},
	{transfer.ErrTooLarge, "transfer_too_large", "The file is too large to send.", "The largest file Nook can send is 1 TiB."},
	{transfer.ErrNoSpace, "transfer_no_space", "There is not enough free disk space for this file.", "Free some space; the transfer goes on by itself."},
	{transfer.ErrDamaged, "transfer_damaged", "The stored file is damaged.", "Ask for it to be sent again."},
	{files.ErrNotPicture, "files_not_picture", "This is not a picture Nook can show.", "Nook shows PNG, JPEG, GIF and WebP pictures."},
	{files.ErrPictureTooLarge, "files_picture_too_large", "This picture is too large to show.", "It can still be saved and opened with another program."},
	{files.ErrBadPicture, "files_bad_picture", "This picture is damaged.", ""},

	// Invites and QR codes (the invite package's hints).
	{invite.ErrNotInvite, "invite_not_invite", "This is not a Nook invite.", "A Nook invite starts with \"NOOK:\"."},
	{invite.ErrTooLong, "invite_too_long", "This text is longer than any Nook invite.", "Copy only the invite."},
	{invite.ErrVersion, "invite_version", "This invite was made by a newer version of Nook.", "Update Nook and try again."},
	{invite.ErrCharacters, "invite_characters", "The invite contains a character it cannot contain.", "After the prefix an invite uses only the letters A–Z and the digits 2–7; check for typos."},
	{invite.ErrChecksum, "invite_checksum", "The invite was mistyped or damaged.", "Check it, or ask for it again."},
	{invite.ErrTruncated, "invite_truncated", "Part of the invite is missing.", "Copy the whole invite, including its end."},
	{invite.ErrMalformed, "invite_malformed", "The invite was made by faulty software.", "Ask for a new invite."},
	{invite.ErrAddress, "invite_address", "The address in this invite is not valid.", "Ask for a new invite."},
	{invite.ErrKey, "invite_key", "A key in this invite is not valid.", "Ask for a new invite."},
	{invite.ErrSignature, "invite_signature", "The server's signature does not match: this invite was altered.", "Do not use it; ask for a new one in person."},
	{invite.ErrExpired, "invite_expired", "This invite has expired.", "Ask for a new one."},
	{invite.ErrSeveral, "invite_several", "This text holds more than one Nook invite.", "Copy only the one you mean to use."},
	{invite.ErrDirection, "invite_direction", "The invite contains hidden characters that change the direction of text, which can make it look like something else.", "Ask for the invite again, or copy it from where it was made."},
	{invite.ErrNoQRCode, "invite_no_q_r_code", "No QR code could be read.", "Try a sharper, larger or better-lit picture, or paste the invite as text."},
	{invite.ErrImage, "invite_image", "This file is not an image Nook can read.", "Use a PNG or JPEG image."},
	{invite.ErrImageTooLarge, "invite_image_too_large", "This image is too large.", "Crop it to the QR code or use a smaller picture."},
	{invite.ErrQRSize, "invite_q_r_size", "The QR code does not fit in the requested size.", ""},
	{invite.ErrNoSecret, "invite_no_secret", "This invite carries no verification secret.", ""},
	{invite.ErrProof, "invite_proof", "This contact could not prove that you met.", "The invite was already used, or it is not the one you gave."},
	{invite.ErrTooManySecrets, "invite_too_many_secrets", "Too many invites are waiting to be used.", "Wait for some to expire."},
	{invite.ErrName, "invite_name", "This name is not allowed.", "A name can have at most 64 characters, and no control, text-direction or invisible characters."},

	// Onion addresses as typed.
	{identity.ErrAddressLength, "identity_address_length", "This is not a Nook address: an address has 56 characters.", "Check that you copied all of it."},
	{identity.ErrAddressEncoding, "identity_address_encoding", "This is not a Nook address: an address has only the letters a–z and the digits 2–7.", "Check it for typos."},
	{identity.ErrAddressVersion, "identity_address_version", "This is not a Nook address.", "Check it for typos, or ask for it again."},
	{identity.ErrAddressChecksum, "identity_address_checksum", "The address was mistyped or altered.", "Check it, or ask for it again."},
	{identity.ErrAddressKey, "identity_address_key", "This is not a Nook address.", "Check it for typos, or ask for it again."},

	// Contacts.
	{peer.ErrSelf, "peer_self", "That is your own address.", "Add the address of the person you want to talk to."},
	{peer.ErrNotContact, "peer_not_contact", "This person is not one of your contacts.", ""},
	{peer.ErrBlocked, "peer_blocked", "This contact is blocked.", "Unblock them to write to them."},
	{peer.ErrClosed, "peer_closed", "The profile is being locked.", ""},

	// Groups.
	{groupclient.ErrUnknownGroup, "groupclient_unknown_group", "You are not in this group.", ""},
	{groupclient.ErrUnknownMessage, "groupclient_unknown_message", "The message you reply to is no longer in the group.", ""},
	{groupclient.ErrNoTokens, "groupclient_no_tokens", "The group's server gave no permission to post.", "Try again later; if it keeps failing, the server may be full or refusing."},
	{groupclient.ErrTooMuchWork, "groupclient_too_much_work", "The group's server asks this computer for too much work before each post.", "The server may be under attack; try again later."},
	{groupclient.ErrRefused, "groupclient_refused", "The group's server refused.", "Try again later."},
	{groupclient.ErrClosed, "groupclient_closed", "The profile is being locked.", ""},
	{groupclient.ErrNotAdmin, "groupclient_not_admin", "Only the group's owner and admins can do this.", ""},
	{groupclient.ErrNotMember, "groupclient_not_member", "This person is not a member of the group.", "They may have left or been removed already."},
	{groupclient.ErrRemoveOwner, "groupclient_remove_owner", "The group's owner cannot be removed.", "To go yourself, leave the group instead."},
	{groupclient.ErrOwnerUnknown, "groupclient_owner_unknown", "Nook does not know this group's owner, so it cannot make an invite to it.", "Ask the owner or an admin for an invite to pass on."},
	{groupclient.ErrTooManyAdmins, "groupclient_too_many_admins", "A group can have at most 16 admins besides its owner.", ""},
	{groupclient.ErrTooManyServers, "groupclient_too_many_servers", "A group lives on at most three servers.", ""},
	{groupclient.ErrFirstServer, "groupclient_first_server", "A group cannot leave the server it was created on.", ""},
	{groupclient.ErrUnknownServer, "groupclient_unknown_server", "The group does not live on this server.", ""},
	{groupclient.ErrCorrupt, "groupclient_corrupt", "Part of the group's data on this computer is damaged.", ""},
	{groupserver.ErrKeyFile, "groupserver_key_file", "The keys of the group server in this app are damaged.", ""},
	{groupserver.ErrState, "groupserver_state", "The group server in this app is starting or stopping.", "Try again in a moment."},
	{groupserver.ErrConfig, "groupserver_config", "The group server in this app is not set up correctly.", ""},

	// Profiles, exports and the database.
	{profile.ErrWrongPassword, "profile_wrong_password", "The password is wrong.", "Check it and try again."},
	{profile.ErrNoProfile, "profile_no_profile", "This profile no longer exists.", ""},
	{profile.ErrCorruptHeader, "profile_corrupt_header", "The profile is damaged and cannot be opened.", "If you have an export of it, import that."},
	{profile.ErrNewerFormat, "profile_newer_format", "The profile was saved by a newer version of Nook.", "Update Nook to open it."},
	{profile.ErrNewerSchema, "profile_newer_schema", "The profile was saved by a newer version of Nook.", "Update Nook to open it."},
	{profile.ErrMissingDB, "profile_missing_d_b", "The profile's messages are missing from its folder.", "If you have an export of it, import that."},
	{profile.ErrProfileInUse, "profile_profile_in_use", "This profile is already open in another Nook.", "Close the other Nook first."},
	{profile.ErrClosed, "profile_closed", "The profile is being locked.", ""},
	{profile.ErrNotExport, "profile_not_export", "This file is not a Nook export.", "Choose the file Export profile wrote."},
	{profile.ErrExportCorrupt, "profile_export_corrupt", "The export file is damaged or was altered.", "Export the profile again and use the new file."},
	{profile.ErrExportTruncated, "profile_export_truncated", "The export file is incomplete.", "Copy the whole file again, or export the profile again."},
	{profile.ErrWeakParams, "profile_weak_params", "The profile's key settings are weaker than Nook allows.", ""},
	{profile.ErrDiskFull, "profile_disk_full", "The disk is full.", hintDiskFull},
	{store.ErrInUse, "store_in_use", "This profile is already open in another Nook.", "Close the other Nook first."},
	{store.ErrClosed, "store_closed", "The profile is being locked.", ""},
	{store.ErrCorrupt, "store_corrupt", "Part of the profile's data is damaged.", ""},
	{store.ErrWrongKey, "store_wrong_key", "The profile's data does not match its key.", ""},
	{store.ErrNotFound, "store_not_found", "It no longer exists.", ""},

	// The network.
	{transport.ErrUnreachable, "transport_unreachable", "The other side could not be reached.", "They may be offline; try again later."},
	{transport.ErrAddressInUse, "transport_address_in_use", "This profile's address is already online from another Nook.", "Close the other Nook, or the copy of this profile there."},
	{tor.ErrTorNotFound, "tor_tor_not_found", "Nook's Tor program is missing.", "Install Nook again."},
	{tor.ErrTransportNotFound, "tor_transport_not_found", "A program Nook needs to get around censorship is missing.", "Install Nook again."},
	{tor.ErrFailed, "tor_failed", "Tor stopped working.", "Check the network settings, or restart Nook."},
	{tor.ErrNotStarted, "tor_not_started", "Nook is not connected to the network yet.", "Wait until it is connected, then try again."},
	{tor.ErrClosed, "tor_closed", "Nook is disconnecting from the network.", ""},
	{tor.ErrConfig, "tor_config", "The network settings are not valid.", "Check the extra Tor settings and the bridge lines."},
	{tor.ErrPrivateNetworkFile, "tor_private_network_file", "The network settings are not valid.", ""},

	// The system.
	{context.Canceled, "context_canceled", "It was cancelled.", ""},
	{context.DeadlineExceeded, "context_deadline_exceeded", "It took too long.", "Try again."},
	{fs.ErrNotExist, "fs_not_exist", "The file or folder does not exist.", "Choose another one."},
	{fs.ErrPermission, "fs_permission", "Nook is not allowed to use this file or folder.", "Choose another one, or change its permissions."},
	{fs.ErrExist, "fs_exist", "The file already exists.", "Choose another name."},
}
