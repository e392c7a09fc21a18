package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
)

// wrongPassword is all a wrong password says: nothing on disk tells which
// profile a password belongs to, and the screen does not either.
func wrongPassword() string { return i18n.T("unlock.wrong_password") }

// unlockScreen asks for a password and opens the profile it unlocks.
type unlockScreen struct {
	u        *UI
	password *field
	button   *widget.Button
	// open opens a profile without a password (UnlockAny("")); shown
	// when the headers say there is one.
	open     *widget.Button
	status   *widget.Label
	errLabel *widget.Label
	busy     *widget.Activity
	links    *fyne.Container
	form     *fyne.Container
	// pending counts the engine calls under way (setBusy): the form is
	// disabled until all are done.
	pending int
}

// showUnlock shows the unlock screen. With tryEmpty it first tries the
// empty password, which opens a profile created without one.
//
// The screen says plainly when a profile on this computer has no password
// (its header says so, engine.ProfileInfo.Password): it offers Open for it, and
// when no profile has a password it asks for none.
func (u *UI) showUnlock(tryEmpty bool) {
	s := &unlockScreen{u: u}
	u.unlock = s
	s.password = newPasswordField()
	s.password.SetPlaceHolder(i18n.T("common.password"))
	s.password.OnSubmitted = func(string) { s.submit() }
	s.button = widget.NewButton(i18n.T("unlock.unlock"), s.submit)
	s.button.Importance = widget.HighImportance
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance
	s.status.Hide()
	s.errLabel = errorLabel()
	s.errLabel.Alignment = fyne.TextAlignCenter
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.links = container.NewHBox(
		linkButton(i18n.T("unlock.create_another_profile"), func() { u.showCreate(func() { u.showUnlock(false) }) }),
		linkButton(i18n.T("unlock.import_a_profile"), u.showImport),
	)
	s.open = widget.NewButton(i18n.T("common.open"), s.openWithout)
	title := widget.NewLabelWithStyle(i18n.T("unlock.welcome_back"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	s.form = container.NewVBox()
	s.setProfiles(nil)
	content := container.NewVBox(
		u.logo(96),
		title,
		s.form,
		s.errLabel,
		container.NewCenter(container.NewHBox(s.busy, s.status)),
		widget.NewSeparator(),
		container.NewCenter(s.links),
	)
	u.show(column(420, content))
	s.focus()
	// The form depends on the profiles on disk: whether they have a
	// password.
	s.setBusy(true, "")
	run(u, func(_ context.Context, e Engine) ([]engine.ProfileInfo, error) { return e.Profiles() },
		func(infos []engine.ProfileInfo, _ error) {
			s.setProfiles(infos)
			s.setBusy(false, "")
			u.shown("unlock", 0)
			if tryEmpty {
				s.tryEmptyPassword()
			}
		})
}

// setProfiles shows the form that fits the profiles on disk.
func (s *unlockScreen) setProfiles(infos []engine.ProfileInfo) {
	hint := widget.NewLabelWithStyle(i18n.T("unlock.enter_your_password_to"), fyne.TextAlignCenter, fyne.TextStyle{})
	form := container.NewVBox(hint, container.NewBorder(nil, nil, nil, s.button, s.password))
	s.password.Show()
	s.button.Show()
	without, with := countPasswords(infos)
	switch {
	case without > 0 && with == 0:
		// Nothing to type: say so, and open with one button.
		s.password.Hide()
		s.button.Hide()
		s.open.Importance = widget.HighImportance
		text := i18n.T("unlock.this_profile_has_no")
		if without > 1 {
			text = i18n.T("unlock.the_profiles_on_this")
		}
		form = container.NewVBox(
			centredWarning(text),
			container.NewCenter(container.NewGridWrap(fyne.NewSize(200, s.open.MinSize().Height), s.open)),
			centredLine(i18n.T("unlock.to_protect_it_settings"), widget.LowImportance),
		)
	case without > 0:
		s.open.SetText(i18n.T("unlock.open_the_profile_without"))
		form = container.NewVBox(form,
			centredWarning(i18n.T("unlock.another_profile_on_this")),
			container.NewCenter(s.open),
		)
	}
	s.form.Objects = []fyne.CanvasObject{form}
	s.form.Refresh()
}

// countPasswords counts the readable profiles on this computer without a
// password and those with one (or whose state an older Nook did not
// record).
func countPasswords(infos []engine.ProfileInfo) (without, with int) {
	for _, in := range infos {
		switch {
		case in.Err != nil:
		case in.Password == engine.PasswordNone:
			without++
		default:
			with++
		}
	}
	return without, with
}

// centredWarning is text, centred, in the warning colour, broken into
// lines where the text has "\n" (the catalogs put the break where each
// language's sentence breaks; lines rather than wrapping: the screen's
// column lays out at the minimum height, which a wrapping label only knows
// after it).
func centredWarning(text string) *widget.Label {
	return centredLine(text, widget.WarningImportance)
}

// centredLine is one centred line of text of importance imp.
func centredLine(text string, imp widget.Importance) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{})
	l.Importance = imp
	return l
}

// focus puts the keyboard focus in the password field, or on Open when
// there is nothing to type.
func (s *unlockScreen) focus() {
	if s.password.Visible() {
		s.u.win.Canvas().Focus(s.password)
	} else {
		s.u.win.Canvas().Focus(s.open)
	}
}

// openWithout opens the profile without a password.
func (s *unlockScreen) openWithout() {
	if s.open.Disabled() {
		return
	}
	setError(s.errLabel, "", "")
	s.unlockEmpty(func(err error) {
		if errors.Is(err, engine.ErrWrongPassword) {
			s.showError(i18n.T("unlock.no_profile_on_this"))
		} else {
			msg, _ := failure(i18n.T("unlock.nook_could_not_open"), err)
			s.showError(msg)
		}
	})
}

// tryEmptyPassword opens a password-less profile, if there is one, without
// asking. Nothing is shown when there is none.
func (s *unlockScreen) tryEmptyPassword() {
	s.unlockEmpty(func(error) {})
}

// unlockEmpty opens a profile without a password in the background; if
// this screen is still shown then, it moves on, or calls failed with the
// error.
func (s *unlockScreen) unlockEmpty(failed func(error)) {
	s.setBusy(true, i18n.T("unlock.opening"))
	s.unlock("", func(err error) {
		s.setBusy(false, "")
		failed(err)
	})
}

// submit tries the typed password.
func (s *unlockScreen) submit() {
	if s.button.Disabled() {
		return
	}
	pw := s.password.Text
	setError(s.errLabel, "", "")
	s.setBusy(true, i18n.T("unlock.unlocking"))
	u := s.u
	s.unlock(pw, func(err error) {
		s.setBusy(false, "")
		if errors.Is(err, engine.ErrWrongPassword) {
			s.password.SetText("")
			setError(s.errLabel, wrongPassword(), "")
			u.win.Canvas().Focus(s.password)
			return
		}
		setFailure(s.errLabel, i18n.T("unlock.nook_could_not_open"), err)
	})
}

// unlock opens the profile that pw opens, in the background, and shows it
// if this screen is still shown then, or calls failed. When the screen
// moved on meanwhile (the person went to create or import a profile), the
// profile is locked again: what the engine has open is what is shown.
func (s *unlockScreen) unlock(pw string, failed func(error)) {
	u := s.u
	runOr(u, func(ctx context.Context, e Engine) (opened, error) {
		if _, err := e.UnlockAny(ctx, pw); err != nil {
			return opened{}, err
		}
		return openedProfile(e)
	}, func(p opened, err error) {
		if err != nil {
			failed(err)
			return
		}
		s.stopActivity()
		u.onUnlocked(p, false)
	}, func(p opened, err error) {
		s.stopActivity()
		u.lockDropped(p, err)
	})
}

// stopActivity stops the busy indicator of a screen that is being left:
// its animation would go on after the screen is gone, drawing the window
// again at every frame (1 MB of garbage a second at the list,
// docs/performance.md).
func (s *unlockScreen) stopActivity() {
	s.pending = 0
	s.busy.Stop()
	s.busy.Hide()
}

func (s *unlockScreen) showError(msg string) { setError(s.errLabel, msg, "") }

// setBusy disables the form while the engine works: each call with b set
// is ended by one with b false.
func (s *unlockScreen) setBusy(b bool, status string) {
	if b {
		s.pending++
	} else if s.pending > 0 {
		s.pending--
	}
	if !b && s.pending > 0 {
		return
	}
	if b {
		s.password.Disable()
		s.button.Disable()
		s.open.Disable()
		s.busy.Show()
		s.busy.Start()
	} else {
		s.password.Enable()
		s.button.Enable()
		s.open.Enable()
		s.busy.Stop()
		s.busy.Hide()
		s.focus()
	}
	s.status.SetText(status)
	if status == "" {
		s.status.Hide()
	} else {
		s.status.Show()
	}
}
