package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
)

// profilesDir is where the profiles live.
func (e *Engine) profilesDir() string { return filepath.Join(e.cfg.DataDir, "profiles") }

// Profiles lists the profiles of this installation. Without a password
// only an ID and a creation date are known; names appear after Unlock.
func (e *Engine) Profiles() ([]profile.Info, error) {
	return profile.List(e.profilesDir())
}

// CreateProfile creates a profile with a fresh identity and unlocks it. An
// empty password is allowed (the app explains what it means): such a
// profile is unlocked by UnlockAny("") at start.
//
// CreateProfile, Unlock and UnlockAny spend most of their time deriving
// the key, which cannot be interrupted; when ctx is done by the time it is
// derived (for UnlockAny: before each try), they stop, leave the profile
// locked and return ctx's error.
func (e *Engine) CreateProfile(ctx context.Context, displayName, password string) (profile.Info, error) {
	if err := e.checkCanUnlock(); err != nil {
		return profile.Info{}, err
	}
	p, err := profile.Create(e.profilesDir(), displayName, password, e.cfg.Profile)
	if err != nil {
		return profile.Info{}, err
	}
	return e.activate(ctx, p)
}

// Unlock unlocks the profile with the given ID. A wrong password returns
// profile.ErrWrongPassword and changes nothing.
func (e *Engine) Unlock(ctx context.Context, id, password string) (profile.Info, error) {
	if err := e.checkCanUnlock(); err != nil {
		return profile.Info{}, err
	}
	infos, err := e.Profiles()
	if err != nil {
		return profile.Info{}, err
	}
	for _, in := range infos {
		if in.ID == id && in.Err == nil {
			p, err := profile.Unlock(in.Dir, password, e.cfg.Profile)
			if err != nil {
				return profile.Info{}, err
			}
			return e.activate(ctx, p)
		}
	}
	return profile.Info{}, fmt.Errorf("profile %s: %w", id, profile.ErrNoProfile)
}

// UnlockAny unlocks the first profile that password opens. Nothing on disk
// says which profile a password belongs to, so a person types only the
// password; with several profiles this costs one key derivation each.
// It returns profile.ErrWrongPassword when the password opens none.
func (e *Engine) UnlockAny(ctx context.Context, password string) (profile.Info, error) {
	if err := e.checkCanUnlock(); err != nil {
		return profile.Info{}, err
	}
	infos, err := e.Profiles()
	if err != nil {
		return profile.Info{}, err
	}
	var errs []error
	for _, in := range infos {
		if in.Err != nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return profile.Info{}, err // each try costs a key derivation
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
		return profile.Info{}, errs[0]
	}
	return profile.Info{}, profile.ErrWrongPassword
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
func (e *Engine) activate(ctx context.Context, p *profile.Profile) (profile.Info, error) {
	if err := ctx.Err(); err != nil {
		p.Close()
		return profile.Info{}, err
	}
	op, err := e.start(p)
	if err != nil {
		p.Close()
		return profile.Info{}, err
	}
	e.mu.Lock()
	if e.closed || e.open != nil {
		e.mu.Unlock()
		op.close()
		if e.closed {
			return profile.Info{}, ErrClosed
		}
		return profile.Info{}, ErrAlreadyUnlocked
	}
	e.open = op
	e.mu.Unlock()
	if e.bus.subscribed() {
		e.emit(e.snapshot())
	}
	return p.Info(), nil
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

// ChangePassword changes the open profile's password. Only the wrapped key
// in the profile's header is rewritten (atomically): no data is at risk.
func (e *Engine) ChangePassword(oldPassword, newPassword string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	return op.prof.ChangePassword(oldPassword, newPassword)
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

// ImportProfile imports a profile exported by ExportProfile as a new
// profile protected by newPassword, and returns its info; unlock it to use
// it. When the disk of the data folder has too little free space for it,
// before or while it imports, it returns a *profile.SpaceError
// (profile.ErrDiskFull) whose message can be shown as it is, and leaves
// nothing behind.
func (e *Engine) ImportProfile(path, exportPassword, newPassword string) (profile.Info, error) {
	p, err := profile.ImportFile(e.profilesDir(), path, exportPassword, newPassword, e.cfg.Profile)
	if err != nil {
		return profile.Info{}, err
	}
	info := p.Info()
	return info, p.Close()
}
