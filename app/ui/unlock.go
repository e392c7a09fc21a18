package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/profile"
)

// wrongPassword is all a wrong password says: nothing on disk tells which
// profile a password belongs to, and the screen does not either.
const wrongPassword = "That password doesn't open any profile on this computer"

// unlockScreen asks for a password and opens the profile it unlocks.
type unlockScreen struct {
	u        *UI
	password *widget.Entry
	button   *widget.Button
	status   *widget.Label
	errLabel *widget.Label
	busy     *widget.Activity
	links    *fyne.Container
}

// showUnlock shows the unlock screen. With tryEmpty it first tries the
// empty password, which opens a profile created without one.
func (u *UI) showUnlock(tryEmpty bool) {
	s := &unlockScreen{u: u}
	u.unlock = s
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder("Password")
	s.password.OnSubmitted = func(string) { s.submit() }
	s.button = widget.NewButton("Unlock", s.submit)
	s.button.Importance = widget.HighImportance
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance
	s.status.Hide()
	s.errLabel = errorLabel()
	s.errLabel.Alignment = fyne.TextAlignCenter
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.links = container.NewHBox(
		linkButton("Create another profile", func() { u.showCreate(func() { u.showUnlock(false) }) }),
		linkButton("Import a profile…", u.showImport),
	)
	title := widget.NewLabelWithStyle("Welcome back", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	hint := widget.NewLabelWithStyle("Enter your password to open Nook.", fyne.TextAlignCenter, fyne.TextStyle{})
	content := container.NewVBox(
		u.logo(96),
		title,
		hint,
		container.NewBorder(nil, nil, nil, s.button, s.password),
		s.errLabel,
		container.NewCenter(container.NewHBox(s.busy, s.status)),
		widget.NewSeparator(),
		container.NewCenter(s.links),
	)
	u.show(column(420, content))
	u.win.Canvas().Focus(s.password)
	if tryEmpty {
		s.tryEmptyPassword()
	}
}

// tryEmptyPassword opens a password-less profile, if there is one, without
// asking. Nothing is shown when there is none.
func (s *unlockScreen) tryEmptyPassword() {
	s.setBusy(true, "Opening…")
	u := s.u
	u.background(func() {
		_, err := u.eng.UnlockAny(u.ctx(), "")
		u.do(func() {
			if u.unlock != s {
				if err == nil {
					// The screen moved on meanwhile; keep the engine
					// consistent with what is shown.
					_ = u.eng.Lock()
				}
				return
			}
			s.setBusy(false, "")
			if err == nil {
				u.onUnlocked(false)
			}
		})
	})
}

// submit tries the typed password.
func (s *unlockScreen) submit() {
	if s.button.Disabled() {
		return
	}
	pw := s.password.Text
	setError(s.errLabel, "", "")
	s.setBusy(true, "Unlocking…")
	u := s.u
	u.background(func() {
		_, err := u.eng.UnlockAny(u.ctx(), pw)
		u.do(func() {
			if u.unlock != s {
				return
			}
			s.setBusy(false, "")
			switch {
			case err == nil:
				u.onUnlocked(false)
			case errors.Is(err, profile.ErrWrongPassword):
				s.password.SetText("")
				setError(s.errLabel, wrongPassword, "")
				u.win.Canvas().Focus(s.password)
			default:
				s.showError("Nook could not open the profile: " + err.Error())
			}
		})
	})
}

func (s *unlockScreen) showError(msg string) { setError(s.errLabel, msg, "") }

// setBusy disables the form while the engine works.
func (s *unlockScreen) setBusy(b bool, status string) {
	if b {
		s.password.Disable()
		s.button.Disable()
		s.busy.Show()
		s.busy.Start()
	} else {
		s.password.Enable()
		s.button.Enable()
		s.busy.Stop()
		s.busy.Hide()
		s.u.win.Canvas().Focus(s.password)
	}
	s.status.SetText(status)
	if status == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
}
