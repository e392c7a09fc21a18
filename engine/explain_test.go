package engine

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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

// shownErrors are the sentinel errors a call of the facade can return to a
// frontend, by name ("" for the engine package): Explain must put each in
// words of its own.
var shownErrors = map[string]error{
	"ErrLocked":                ErrLocked,
	"ErrAlreadyUnlocked":       ErrAlreadyUnlocked,
	"ErrClosed":                ErrClosed,
	"ErrNoConversation":        ErrNoConversation,
	"ErrNotAFile":              ErrNotAFile,
	"transfer.ErrNotFound":     transfer.ErrNotFound,
	"transfer.ErrNotOffered":   transfer.ErrNotOffered,
	"transfer.ErrFinished":     transfer.ErrFinished,
	"transfer.ErrNotReady":     transfer.ErrNotReady,
	"transfer.ErrEmpty":        transfer.ErrEmpty,
	"transfer.ErrTooLarge":     transfer.ErrTooLarge,
	"transfer.ErrNoSpace":      transfer.ErrNoSpace,
	"transfer.ErrDamaged":      transfer.ErrDamaged,
	"files.ErrNotPicture":      files.ErrNotPicture,
	"files.ErrPictureTooLarge": files.ErrPictureTooLarge,
	"files.ErrBadPicture":      files.ErrBadPicture,
	"ErrNotGroup":              ErrNotGroup,
	"ErrNoGroupTimer":          ErrNoGroupTimer,
	"ErrEmptyMessage":          ErrEmptyMessage,
	"ErrEmptyPassword":         ErrEmptyPassword,
	"ErrInviteKind":            ErrInviteKind,
	"ErrOwnInvite":             ErrOwnInvite,
	"ErrNotOwnInvite":          ErrNotOwnInvite,
	"ErrNotHosting":            ErrNotHosting,
	"ErrNotStarted":            ErrNotStarted,
	"ErrNoBridges":             ErrNoBridges,
	"ErrDisplayName":           ErrDisplayName,
	"ErrTorSettingsNewer":      ErrTorSettingsNewer,
	"ErrTorSettingsDamaged":    ErrTorSettingsDamaged,
	"ErrBridgeLine":            ErrBridgeLine,
	"ErrWrongPassword":         ErrWrongPassword,
	"ErrDiskFull":              ErrDiskFull,
	"ErrNoProfile":             ErrNoProfile,
	"ErrImageTooLarge":         ErrImageTooLarge,
	"ErrNoMessage":             ErrNoMessage,
	"ErrBadEmoji":              ErrBadEmoji,
	"ErrNotEditable":           ErrNotEditable,
	"ErrNotDeletable":          ErrNotDeletable,

	"invite.ErrNotInvite":      invite.ErrNotInvite,
	"invite.ErrTooLong":        invite.ErrTooLong,
	"invite.ErrVersion":        invite.ErrVersion,
	"invite.ErrCharacters":     invite.ErrCharacters,
	"invite.ErrChecksum":       invite.ErrChecksum,
	"invite.ErrTruncated":      invite.ErrTruncated,
	"invite.ErrMalformed":      invite.ErrMalformed,
	"invite.ErrAddress":        invite.ErrAddress,
	"invite.ErrKey":            invite.ErrKey,
	"invite.ErrSignature":      invite.ErrSignature,
	"invite.ErrExpired":        invite.ErrExpired,
	"invite.ErrSeveral":        invite.ErrSeveral,
	"invite.ErrDirection":      invite.ErrDirection,
	"invite.ErrNoQRCode":       invite.ErrNoQRCode,
	"invite.ErrImage":          invite.ErrImage,
	"invite.ErrImageTooLarge":  invite.ErrImageTooLarge,
	"invite.ErrQRSize":         invite.ErrQRSize,
	"invite.ErrNoSecret":       invite.ErrNoSecret,
	"invite.ErrProof":          invite.ErrProof,
	"invite.ErrTooManySecrets": invite.ErrTooManySecrets,
	"invite.ErrName":           invite.ErrName,

	"identity.ErrAddressLength":   identity.ErrAddressLength,
	"identity.ErrAddressEncoding": identity.ErrAddressEncoding,
	"identity.ErrAddressVersion":  identity.ErrAddressVersion,
	"identity.ErrAddressChecksum": identity.ErrAddressChecksum,
	"identity.ErrAddressKey":      identity.ErrAddressKey,

	"peer.ErrSelf":         peer.ErrSelf,
	"peer.ErrNotContact":   peer.ErrNotContact,
	"peer.ErrBlocked":      peer.ErrBlocked,
	"peer.ErrEmptyMessage": peer.ErrEmptyMessage,
	"peer.ErrClosed":       peer.ErrClosed,

	"groupclient.ErrUnknownGroup":   groupclient.ErrUnknownGroup,
	"groupclient.ErrUnknownMessage": groupclient.ErrUnknownMessage,
	"groupclient.ErrNoTokens":       groupclient.ErrNoTokens,
	"groupclient.ErrTooMuchWork":    groupclient.ErrTooMuchWork,
	"groupclient.ErrRefused":        groupclient.ErrRefused,
	"groupclient.ErrClosed":         groupclient.ErrClosed,
	"groupclient.ErrCorrupt":        groupclient.ErrCorrupt,
	"groupclient.ErrNotAdmin":       groupclient.ErrNotAdmin,
	"groupclient.ErrNotMember":      groupclient.ErrNotMember,
	"groupclient.ErrRemoveOwner":    groupclient.ErrRemoveOwner,
	"groupclient.ErrOwnerUnknown":   groupclient.ErrOwnerUnknown,
	"groupclient.ErrTooManyAdmins":  groupclient.ErrTooManyAdmins,
	"groupclient.ErrTooManyServers": groupclient.ErrTooManyServers,
	"groupclient.ErrFirstServer":    groupclient.ErrFirstServer,
	"groupclient.ErrUnknownServer":  groupclient.ErrUnknownServer,
	"groupserver.ErrKeyFile":        groupserver.ErrKeyFile,
	"groupserver.ErrState":          groupserver.ErrState,
	"groupserver.ErrConfig":         groupserver.ErrConfig,

	"profile.ErrWrongPassword":   profile.ErrWrongPassword,
	"profile.ErrNoProfile":       profile.ErrNoProfile,
	"profile.ErrCorruptHeader":   profile.ErrCorruptHeader,
	"profile.ErrNewerFormat":     profile.ErrNewerFormat,
	"profile.ErrNewerSchema":     profile.ErrNewerSchema,
	"profile.ErrMissingDB":       profile.ErrMissingDB,
	"profile.ErrProfileInUse":    profile.ErrProfileInUse,
	"profile.ErrClosed":          profile.ErrClosed,
	"profile.ErrNotExport":       profile.ErrNotExport,
	"profile.ErrExportCorrupt":   profile.ErrExportCorrupt,
	"profile.ErrExportTruncated": profile.ErrExportTruncated,
	"profile.ErrWeakParams":      profile.ErrWeakParams,
	"profile.ErrDiskFull":        profile.ErrDiskFull,
	"store.ErrInUse":             store.ErrInUse,
	"store.ErrClosed":            store.ErrClosed,
	"store.ErrCorrupt":           store.ErrCorrupt,
	"store.ErrWrongKey":          store.ErrWrongKey,
	"store.ErrNotFound":          store.ErrNotFound,
	"store.ErrNewerSchema":       store.ErrNewerSchema,
	"store.ErrDiskFull":          store.ErrDiskFull,

	"transport.ErrUnreachable":     transport.ErrUnreachable,
	"transport.ErrAddressInUse":    transport.ErrAddressInUse,
	"tor.ErrTorNotFound":           tor.ErrTorNotFound,
	"tor.ErrTransportNotFound":     tor.ErrTransportNotFound,
	"tor.ErrFailed":                tor.ErrFailed,
	"tor.ErrNotStarted":            tor.ErrNotStarted,
	"tor.ErrClosed":                tor.ErrClosed,
	"tor.ErrConfig":                tor.ErrConfig,
	"tor.ErrPrivateNetworkFile":    tor.ErrPrivateNetworkFile,
	"tor.ErrBridgeLine":            tor.ErrBridgeLine,
	"context.Canceled":             context.Canceled,
	"context.DeadlineExceeded":     context.DeadlineExceeded,
	"fs.ErrNotExist":               fs.ErrNotExist,
	"fs.ErrPermission":             fs.ErrPermission,
	"fs.ErrExist":                  fs.ErrExist,
	"wrapped invite address":       fmt.Errorf("%w: %w", invite.ErrAddress, identity.ErrAddressChecksum),
	"wrapped unlock of no profile": fmt.Errorf("profile 0123: %w", profile.ErrNoProfile),
}

// notShown are the sentinel errors of the packages below the facade that
// no facade call returns to a frontend, each with the reason; the
// completeness test fails for a new sentinel in neither list.
var notShown = map[string]string{
	"store.ErrNotEmpty":            "restoring a backup into a folder that holds a database: ImportProfile always restores into a new folder",
	"store.ErrNotExist":            "opening a missing database: profile.Unlock reports profile.ErrMissingDB instead",
	"store.ErrDuplicate":           "a message stored twice: the peer and group code drop the duplicate, it never leaves the engine",
	"store.ErrInvalid":             "a malformed key or argument: the engine checks conversation IDs first (ErrNoConversation)",
	"store.ErrNotOurs":             "an acknowledgement for another conversation's message: handled inside a session",
	"tor.ErrPublicNetworkInTest":   "only in test binaries: tests must never start Tor on the public network",
	"groupclient.ErrConfig":        "a programming error in the engine's own configuration of the group client",
	"files.ErrProof":               "a chunk that does not match its file's tree: the transfer drops it and asks again, it never leaves the engine",
	"transfer.ErrNoSource":         "a group file's background fetch found no member online to send it: it waits, and its FileChanged carries a sentence of its own",
	"transfer.ErrMismatch":         "a group file whose announcement was inconsistent: the background fetch ends it, shown as failed with the transfer's own sentence",
	"transfer.ErrNotGroupFile":     "a group file's background fetch ends when the file is no longer accepted (cancelled): no facade call returns it",
	"model.ErrBadMessageID":        "parsing a message ID from text: no facade call takes one as text",
	"model.ErrBadEmoji":            "React checks the emoji first and returns ErrBadEmoji",
	"peer.ErrNoMessage":            "React returns ErrNoMessage in its place",
	"peer.ErrNotEditable":          "EditMessage returns ErrNotEditable in its place",
	"groupclient.ErrNotEditable":   "EditMessage returns ErrNotEditable in its place",
	"peer.ErrChangeRefused":        "the facade's methods over changeMessage return an error of their own in its place",
	"groupclient.ErrChangeRefused": "the facade's methods over changeMessage return an error of their own in its place",
	"model.ErrChangeRefused":       "a change's payload refused by its rule: the facade makes the payloads itself, and records carrying one are dropped inside a session",
}

// TestExplain: every error a frontend can get from the facade is put in
// one plain sentence of its own with no package prefix or internals, the
// same when wrapped; a hint, when there is one, is a sentence too.
func TestExplain(t *testing.T) {
	prefix := regexp.MustCompile(`\b(engine|model|identity|store|profile|transport|tor|wire|protocol|handshake|peer|invite|tokens|group|groupclient|groupserver):`)
	for name, err := range shownErrors {
		msg, hint := Explain(err)
		switch {
		case msg == Unexplained:
			t.Errorf("%s (%q) is not explained", name, err)
		case !isSentence(msg):
			t.Errorf("%s: message %q is not a sentence", name, msg)
		case prefix.MatchString(msg) || strings.ContainsAny(msg, "()"):
			t.Errorf("%s: message %q shows internals", name, msg)
		case hint != "" && !isSentence(hint):
			t.Errorf("%s: hint %q is not a sentence", name, hint)
		case hint == msg:
			t.Errorf("%s: the hint repeats the message %q", name, msg)
		}
		for _, wrapped := range []error{
			fmt.Errorf("context: %w", err),
			fmt.Errorf("outer: %w", fmt.Errorf("inner %d: %w", 7, err)),
			errors.Join(errors.New("other"), err),
		} {
			if m, h := Explain(wrapped); m != msg || h != hint {
				t.Errorf("%s wrapped as %q: %q, %q; unwrapped %q, %q", name, wrapped, m, h, msg, hint)
			}
		}
	}
	if m, h := Explain(nil); m != "" || h != "" {
		t.Errorf("Explain(nil) = %q, %q", m, h)
	}
}

// TestExplainUnknown: an error Explain does not know gets a generic
// sentence, never its own text (which may name a package or internals).
func TestExplainUnknown(t *testing.T) {
	for _, err := range []error{
		errors.New("groupclient: no such thing (internal state 3)"),
		fmt.Errorf("open %s: %w", "/x", errors.New("weird")),
	} {
		msg, hint := Explain(err)
		if msg != Unexplained || hint != "" {
			t.Errorf("Explain(%q) = %q, %q", err, msg, hint)
		}
		if !isSentence(msg) {
			t.Errorf("the generic message %q is not a sentence", msg)
		}
	}
}

// TestExplainSpecial: the disk-space error of an import or export is
// shown as its own message (written for people), capitalised, with how to
// make room; Tor's errors carry their own hint.
func TestExplainSpecial(t *testing.T) {
	se := &profile.SpaceError{Op: "import", Dir: "/data", Need: 300 << 20, Free: 100 << 20, Keep: 64 << 20}
	for _, err := range []error{se, fmt.Errorf("import: %w", se)} {
		msg, hint := Explain(err)
		if !strings.HasPrefix(msg, "Not enough free disk space to import the profile") || !isSentence(msg) || hint != hintDiskFull {
			t.Errorf("Explain(%q) = %q, %q", err, msg, hint)
		}
	}
	torErr := fmt.Errorf("start: %w", &tor.Error{Err: tor.ErrTransportNotFound, Hint: "Install Nook again, with its transports."})
	if msg, hint := Explain(torErr); msg == Unexplained || hint != "Install Nook again, with its transports." {
		t.Errorf("Explain(tor error) = %q, %q", msg, hint)
	}
	// A hint from Tor on an error Explain does not otherwise know.
	odd := &tor.Error{Err: errors.New("tor: exit status 1"), Hint: "Check the extra Tor settings."}
	if msg, hint := Explain(odd); msg != Unexplained || hint != "Check the extra Tor settings." {
		t.Errorf("Explain(odd tor error) = %q, %q", msg, hint)
	}
}

// TestExplainComplete finds every exported Err… variable of the packages
// whose errors reach the facade (parsing their sources, so a new one is
// noticed) and requires it to be in shownErrors or, with a reason, in
// notShown.
func TestExplainComplete(t *testing.T) {
	pkgs := []string{".", "identity", "invite", "profile", "peer", "groupclient", "groupserver", "store", "transport", "tor", "model", "files", "files/transfer"}
	fset := token.NewFileSet()
	for _, dir := range pkgs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.VAR {
					continue
				}
				for _, spec := range gd.Specs {
					for _, id := range spec.(*ast.ValueSpec).Names {
						if !strings.HasPrefix(id.Name, "Err") || !id.IsExported() {
							continue
						}
						name := id.Name
						if dir != "." {
							name = filepath.Base(dir) + "." + name
						}
						_, shown := shownErrors[name]
						if reason := notShown[name]; !shown && reason == "" {
							t.Errorf("%s (%s) is neither explained nor listed as never shown", name, fset.Position(id.Pos()))
						}
					}
				}
			}
		}
	}
}

// isSentence reports whether s starts with a capital letter (or a quote)
// and ends with a full stop.
func isSentence(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return (unicode.IsUpper(r) || r == '"') && strings.HasSuffix(s, ".")
}

// TestExplained: every error a frontend can be shown has a key of its own
// (a frontend translates by it), a hint key exactly when it has a hint,
// the same through wrapping, and the keys of the table are distinct; the
// disk-space error and Tor's hints have theirs.
func TestExplained(t *testing.T) {
	seen := map[string]string{}
	for _, x := range Explanations() {
		if other, dup := seen[x.Key]; dup {
			t.Errorf("key %s names both %q and %q", x.Key, other, x.Message)
		}
		seen[x.Key] = x.Message
		if !strings.HasPrefix(x.Key, "explain.") || (x.Hint != "") != (x.HintKey != "") {
			t.Errorf("%+v: bad keys", x)
		}
	}
	for name, err := range shownErrors {
		x := Explained(err)
		if x.Key == UnexplainedKey || seen[x.Key] != x.Message {
			t.Errorf("%s: key %q for %q", name, x.Key, x.Message)
		}
		if w := Explained(fmt.Errorf("outer: %w", err)); w.Key != x.Key || w.HintKey != x.HintKey {
			t.Errorf("%s wrapped: keys %q %q, unwrapped %q %q", name, w.Key, w.HintKey, x.Key, x.HintKey)
		}
	}
	se := &profile.SpaceError{Op: "export", Dir: "/data", Need: 300 << 20, Free: 100 << 20}
	if x := Explained(se); x.Key != "explain.space_export_need" || x.Args["Need"] != int64(300) || x.Args["Free"] != int64(100) ||
		!slices.Contains(SpaceKeys(), x.Key) {
		t.Errorf("Explained(space error) = %+v", x)
	}
	te := &tor.Error{Err: tor.ErrTransportNotFound, Hint: "Install again (snowflake-client).", HintKey: "transport_not_found_hint",
		HintArgs: map[string]any{"Program": "snowflake-client"}}
	if x := Explained(te); x.HintKey != "explain.transport_not_found_hint" || x.Args["Program"] != "snowflake-client" ||
		x.Key != "explain.tor_transport_not_found" {
		t.Errorf("Explained(tor error) = %+v", x)
	}
	if x := Explained(nil); x.Key != "" || x.Message != "" {
		t.Errorf("Explained(nil) = %+v", x)
	}
}
