package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/protocol"
)

// ErrEmptyPassword is returned by ChangePassword for an empty new
// password: removing the password is its own call, RemovePassword, so
// that two empty fields cannot take a profile's protection away.
var ErrEmptyPassword = errors.New("the new password is empty")

// profilesDir is where the profiles live.
func (e *Engine) profilesDir() string { return filepath.Join(e.cfg.DataDir, "profiles") }

// Profiles lists the profiles of this installation. Without a password
// only an ID, a creation date and whether the profile has a password
// (Info.Password; unknown for a profile an older Nook wrote, until it is
// unlocked) are known; names appear after Unlock.
func (e *Engine) Profiles() ([]ProfileInfo, error) {
	infos, err := profile.List(e.profilesDir())
	out := make([]ProfileInfo, len(infos))
	for i, in := range infos {
		out[i] = profileInfo(in)
	}
	return out, err
}

// CreateProfile creates a profile with a fresh identity and unlocks it. An
// empty password is allowed (the app explains what it means): such a
// profile is unlocked by UnlockAny("") at start.
//
// CreateProfile, Unlock and UnlockAny spend most of their time deriving
// the key, which cannot be interrupted; when ctx is done by the time it is
// derived (for UnlockAny: before each try), they stop, leave the profile
// locked and return ctx's error.
func (e *Engine) CreateProfile(ctx context.Context, displayName, password string) (ProfileInfo, error) {
	if err := e.checkCanUnlock(); err != nil {
		return ProfileInfo{}, err
	}
	if err := protocol.CheckDisplayName(displayName); err != nil {
		return ProfileInfo{}, fmt.Errorf("display name: %w", err)
	}
	p, err := profile.Create(e.profilesDir(), displayName, password, e.cfg.Profile)
	if err != nil {
		return ProfileInfo{}, err
	}
	return e.activate(ctx, p)
}

// Unlock unlocks the profile with the given ID. A wrong password returns
// ErrWrongPassword and changes nothing.
func (e *Engine) Unlock(ctx context.Context, id, password string) (ProfileInfo, error) {
	if err := e.checkCanUnlock(); err != nil {
		return ProfileInfo{}, err
	}
	infos, err := profile.List(e.profilesDir())
	if err != nil {
		return ProfileInfo{}, err
	}
	for _, in := range infos {
		if in.ID == id && in.Err == nil {
			p, err := profile.Unlock(in.Dir, password, e.cfg.Profile)
			if err != nil {
				return ProfileInfo{}, err
			}
			return e.activate(ctx, p)
		}
	}
	return ProfileInfo{}, fmt.Errorf("profile %s: %w", id, profile.ErrNoProfile)
}

// UnlockAny unlocks the first profile that password opens. Nothing on disk
// says which profile a password belongs to, so a person types only the
// password; with several profiles this costs one key derivation for each
// that the password could open (the header's flag rules out the empty
// password for a profile with one, and any other for a profile without).
// It returns ErrWrongPassword when the password opens none.
func (e *Engine) UnlockAny(ctx context.Context, password string) (ProfileInfo, error) {
	if err := e.checkCanUnlock(); err != nil {
		return ProfileInfo{}, err
	}
	infos, err := profile.List(e.profilesDir())
	if err != nil {
		return ProfileInfo{}, err
	}
	var errs []error
	for _, in := range infos {
		if in.Err != nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return ProfileInfo{}, err // each try costs a key derivation
		}
		p, err := profile.Unlock(in.Dir, password, e.cfg.Profile)
		if errors.Is(err, profile.ErrWrongPassword) {
			continue
		}
		if err != nil {
			// A damaged or busy profile must not hide the others.
			errs = append(errs, err)
			continue
		}
		return e.activate(ctx, p)
	}
	if len(errs) > 0 {
		return ProfileInfo{}, errs[0]
	}
	return ProfileInfo{}, profile.ErrWrongPassword
}

// checkCanUnlock refuses when the engine is closed or a profile is open.
func (e *Engine) checkCanUnlock() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.closed:
		return ErrClosed
	case e.open != nil:
		return ErrAlreadyUnlocked
	}
	return nil
}

// activate starts the runtime of an unlocked profile and makes it current,
// unless ctx was cancelled while the key was derived (the profile is
// closed again and ctx's error returned).
func (e *Engine) activate(ctx context.Context, p *profile.Profile) (ProfileInfo, error) {
	if err := ctx.Err(); err != nil {
		p.Close()
		return ProfileInfo{}, err
	}
	op, err := e.start(p)
	if err != nil {
		p.Close()
		return ProfileInfo{}, err
	}
	e.mu.Lock()
	if e.closed || e.open != nil {
		e.mu.Unlock()
		op.close()
		if e.closed {
			return ProfileInfo{}, ErrClosed
		}
		return ProfileInfo{}, ErrAlreadyUnlocked
	}
	e.open = op
	e.mu.Unlock()
	if e.bus.subscribed() {
		e.emit(e.snapshot())
	}
	return profileInfo(p.Info()), nil
}

// Lock stops talking to contacts and locks the open profile.
func (e *Engine) Lock() error {
	e.mu.Lock()
	op := e.open
	e.open = nil
	e.mu.Unlock()
	if op == nil {
		return nil
	}
	err := op.close()
	// After the runtime stopped: no change of a conversation follows it.
	e.emit(model.Snapshot{Tor: e.TorStatus()})
	return err
}

// ChangePassword changes the open profile's password and its master key:
// the database is re-encrypted under a new key (profile.ChangePassword), so
// an old copy of the header and the old password open nothing. The profile
// stays open; operations wait while the database is copied. A crash at any
// moment leaves a profile that opens with one of the two passwords.
// An empty newPassword is refused with ErrEmptyPassword: RemovePassword
// removes a password, and oldPassword "" sets one on a profile without.
func (e *Engine) ChangePassword(oldPassword, newPassword string) error {
	if newPassword == "" {
		return ErrEmptyPassword
	}
	op, err := e.current()
	if err != nil {
		return err
	}
	return op.prof.ChangePassword(oldPassword, newPassword)
}

// RemovePassword removes the open profile's password after checking
// currentPassword (profile.ErrWrongPassword if it is not the password):
// from then on anyone using this computer can open the profile.
func (e *Engine) RemovePassword(currentPassword string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	return op.prof.ChangePassword(currentPassword, "")
}

// HasPassword reports whether the open profile needs a password to open.
// Without one, locking it protects nothing: anyone using this computer can
// open it again.
func (e *Engine) HasPassword() (bool, error) {
	op, err := e.current()
	if err != nil {
		return false, err
	}
	return op.prof.HasPassword()
}

// DeleteProfile deletes the open profile after checking its password: its
// folder, keys and messages are removed from this computer.
func (e *Engine) DeleteProfile(password string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if err := op.prof.CheckPassword(password); err != nil {
		return err
	}
	e.mu.Lock()
	if e.open == op {
		e.open = nil
	}
	e.mu.Unlock()
	err = op.stop()
	// After the runtime stopped: no change of a conversation follows it.
	e.emit(model.Snapshot{Tor: e.TorStatus()})
	if err != nil {
		return err
	}
	return op.prof.Delete(password)
}

// ExportProfile writes the open profile to one file encrypted under
// exportPassword, for a backup or a move to another computer. When the
// disk is too full it returns a *profile.SpaceError (profile.ErrDiskFull)
// whose message can be shown as it is, and leaves no file; on the
// profile's own disk it keeps store.DefaultMinFree free for the profile.
func (e *Engine) ExportProfile(path, exportPassword string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	return op.prof.ExportFile(path, exportPassword)
}

// ImportResult is what ImportProfile made: the new profile's info, and
// what to tell the person before they open it.
type ImportResult struct {
	ProfileInfo
	// Warning is a sentence to show after every import: an export is a
	// copy, and the profile it was made from may still be running
	// elsewhere. Two running copies share one onion address (each receives
	// only part of what contacts send) and reuse group sequence numbers,
	// which other members' Nooks report as conflicting messages in the
	// person's name (equivocation).
	Warning string
	// SameAsOpen is set when the imported profile is the one open in this
	// engine now (same identity): a second copy on this very computer.
	SameAsOpen bool
}

// ImportWarning is ImportResult.Warning.
const ImportWarning = "Use this profile on one computer only. If the copy it was exported from may still be in use, " +
	"stop using it there (or delete it) before you open this one: two copies running at once share one address, " +
	"so each receives only part of your messages, and in groups they reuse message numbers, so the other members " +
	"see conflicting messages in your name."

// ImportProfile imports a profile exported by ExportProfile as a new
// profile protected by newPassword, and returns its info with a warning
// to show (ImportResult); unlock it to use it. When the disk of the data
// folder has too little free space for it, before or while it imports, it
// returns a *profile.SpaceError (profile.ErrDiskFull) whose message can be
// shown as it is, and leaves nothing behind.
func (e *Engine) ImportProfile(path, exportPassword, newPassword string) (ImportResult, error) {
	p, err := profile.ImportFile(e.profilesDir(), path, exportPassword, newPassword, e.cfg.Profile)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{ProfileInfo: profileInfo(p.Info()), Warning: ImportWarning}
	if op, err := e.current(); err == nil && op.id.Address() == p.Identity().Address() {
		res.SameAsOpen = true
	}
	return res, p.Close()
}
