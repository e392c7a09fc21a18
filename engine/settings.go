package engine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/nookchat/nook/engine/store"
)

// Settings are a profile's preferences. They live in the profile's
// encrypted database.
type Settings struct {
	// BlockUnknown closes connections from anyone who is not a contact,
	// right after the handshake: no contact requests arrive, and their
	// senders' Nooks keep showing them not delivered. An in-person invite
	// shown on this screen still works (docs/security.md, "Requests and
	// blocking").
	BlockUnknown bool `json:"block_unknown"`
	// Notifications shows a desktop notification for new messages and
	// requests.
	Notifications bool `json:"notifications"`
	// NotificationText includes the sender's name and the message text in
	// notifications; off by default, since notifications can be seen on a
	// locked screen or a shared display.
	NotificationText bool `json:"notification_text"`
	// Theme is "system", "light" or "dark".
	Theme string `json:"theme"`
	// TextScale scales every text size (1 is normal).
	TextScale float32 `json:"text_scale"`
	// AutoLockMinutes locks the profile after Nook has been in the
	// background (its window not focused) this many minutes; 0: never. One
	// of AutoLockChoices.
	AutoLockMinutes int `json:"auto_lock_minutes"`
	// FileLimitMiB is the largest file accepted from a contact, in MiB; a
	// larger offer is refused and the contact told the limit. 0: the
	// default, 2048 (2 GiB).
	FileLimitMiB int `json:"file_limit_mib"`
	// AutoAcceptPicturesKiB accepts, without asking, a picture (as its
	// sender's Nook named its type) of at most this many KiB from a
	// verified contact; 0: never. Others are always asked about. The
	// default is 2048 (2 MiB).
	AutoAcceptPicturesKiB int `json:"auto_accept_pictures_kib"`
	// ServeFetchedFiles serves the files this profile fetched in a group
	// to the other members who ask for them, and tells the group it
	// holds them (a holder note); on by default. Off, it posts no holder
	// note and its file services answer no fetch of a file it did not
	// share itself: the files it shared are still served, since no one
	// else may have them yet and the announcement already says it has
	// them (docs/files.md §8, "Serving what one fetched"). Settings
	// stored before it existed read as on.
	ServeFetchedFiles bool `json:"serve_fetched_files"`
}

// AutoLockChoices are the allowed AutoLockMinutes values.
var AutoLockChoices = []int{0, 1, 5, 15, 60}

// DefaultSettings are the settings of a new profile.
func DefaultSettings() Settings {
	return Settings{Notifications: true, Theme: "system", TextScale: 1, AutoAcceptPicturesKiB: 2048, ServeFetchedFiles: true}
}

const settingsKey = "settings"

// Settings returns the unlocked profile's settings.
func (e *Engine) Settings() (Settings, error) {
	op, err := e.current()
	if err != nil {
		return Settings{}, err
	}
	return op.settings(), nil
}

// SetSettings stores the unlocked profile's settings; they take effect at
// once. Calls at the same time run one after the other.
func (e *Engine) SetSettings(s Settings) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	switch s.Theme {
	case "system", "light", "dark":
	default:
		return fmt.Errorf("unknown theme %q", s.Theme)
	}
	if s.TextScale < 0.5 || s.TextScale > 2 {
		return fmt.Errorf("text scale %.2f is out of range (0.5 to 2)", s.TextScale)
	}
	if !slices.Contains(AutoLockChoices, s.AutoLockMinutes) {
		return fmt.Errorf("automatic lock after %d minutes is not one of the choices", s.AutoLockMinutes)
	}
	if s.FileLimitMiB < 0 || s.FileLimitMiB > 1<<20 {
		return fmt.Errorf("file size limit %d MiB is out of range (0 to 1048576)", s.FileLimitMiB)
	}
	if s.AutoAcceptPicturesKiB < 0 || s.AutoAcceptPicturesKiB > 1<<20 {
		return fmt.Errorf("automatic acceptance up to %d KiB is out of range (0 to 1048576)", s.AutoAcceptPicturesKiB)
	}
	// One call at a time stores and applies, so that the setting applied
	// last is the one stored last.
	if !op.setMu.TryLock() {
		if op.settingsWait != nil {
			op.settingsWait()
		}
		op.setMu.Lock()
	}
	defer op.setMu.Unlock()
	if err := op.st.PutSettingJSON(settingsKey, s); err != nil {
		return err
	}
	op.mu.Lock()
	was := op.prefs.ServeFetchedFiles
	op.prefs = s
	op.mu.Unlock()
	if op.settingsStored != nil {
		op.settingsStored()
	}
	if was != s.ServeFetchedFiles {
		op.gfiles.servingChanged(s.ServeFetchedFiles)
	}
	return nil
}

// SetDisplayName changes the name this profile advertises to contacts;
// contacts learn it on their next connection.
func (e *Engine) SetDisplayName(name string) error {
	op, err := e.current()
	if err != nil {
		return err
	}
	if err := CheckDisplayName(name); err != nil {
		return err
	}
	return op.prof.SetDisplayName(name)
}

// loadSettings reads the stored settings, or the defaults.
func loadSettings(st *store.Store) (Settings, error) {
	s := DefaultSettings()
	err := st.SettingJSON(settingsKey, &s)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultSettings(), nil
	}
	return s, err
}
