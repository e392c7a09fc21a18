package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/widgets"
)

// createScreen is the form that creates a profile: a display name and a
// password (with confirmation and a strength meter), or an explicit choice
// of no password.
type createScreen struct {
	u        *UI
	name     *field
	password *field
	confirm  *field
	meter    *widgets.PasswordStrength
	noPass   *widget.Check
	warning  *widget.Label
	errLabel *widget.Label
	create   *widget.Button
	back     *widget.Button
	busy     *widget.Activity
}

// showCreate shows the create-profile form; back returns to the screen the
// person came from.
func (u *UI) showCreate(back func()) {
	s := &createScreen{u: u}
	u.create = s
	s.name = newField()
	s.name.SetPlaceHolder("For example: Sam")
	s.password = newPasswordField()
	s.password.SetPlaceHolder("Password")
	s.confirm = newPasswordField()
	s.confirm.SetPlaceHolder("Type it again")
	s.meter = widgets.NewPasswordStrength()
	s.password.OnChanged = s.meter.SetPassword
	s.warning = para("Without a password, anyone who can use this computer can open Nook and read your " +
		"conversations. Choose this only if the computer is yours alone and its disk is encrypted.")
	s.warning.Importance = widget.WarningImportance
	s.warning.Hide()
	s.noPass = widget.NewCheck("Don't use a password", s.setNoPassword)
	s.errLabel = errorLabel()
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.create = widget.NewButton("Create profile", s.submit)
	s.create.Importance = widget.HighImportance
	s.back = widget.NewButton("Back", back)
	s.name.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.password.OnSubmitted = func(string) { u.win.Canvas().Focus(s.confirm) }
	s.confirm.OnSubmitted = func(string) { s.submit() }

	form := container.NewVBox(
		heading("Create your profile"),
		muted("Your profile lives only on this computer, encrypted with your password."),
		widget.NewSeparator(),
		subheading("Your name"),
		s.name,
		muted("Contacts see this name. You can change it later."),
		subheading("Password"),
		s.password,
		s.meter,
		s.confirm,
		muted("You need it each time you open Nook. There is no way to recover a forgotten password."),
		s.noPass,
		s.warning,
		s.errLabel,
		container.NewHBox(s.back, widget.NewLabel(""), container.NewCenter(s.busy), layoutSpacer(), s.create),
	)
	u.show(column(480, card(form)))
	u.win.Canvas().Focus(s.name)
}

// setNoPassword switches between a password and none.
func (s *createScreen) setNoPassword(on bool) {
	if on {
		s.password.SetText("")
		s.confirm.SetText("")
		s.password.Disable()
		s.confirm.Disable()
		s.warning.Show()
		s.create.SetText("Create profile without a password")
	} else {
		s.password.Enable()
		s.confirm.Enable()
		s.warning.Hide()
		s.create.SetText("Create profile")
	}
}

// submit checks the form and creates the profile in the background.
func (s *createScreen) submit() {
	name := strings.TrimSpace(s.name.Text)
	pw := s.password.Text
	switch {
	case name == "":
		setError(s.errLabel, "Please enter a name for your contacts to see.", "")
		s.u.win.Canvas().Focus(s.name)
		return
	case engine.CheckDisplayName(name) != nil:
		setError(s.errLabel, "That name is too long or has characters Nook can't send.", "")
		return
	case !s.noPass.Checked && pw == "":
		setError(s.errLabel, "Please choose a password, or tick “Don't use a password”.", "")
		s.u.win.Canvas().Focus(s.password)
		return
	case !s.noPass.Checked && pw != s.confirm.Text:
		setError(s.errLabel, "The two passwords are not the same.", "")
		s.u.win.Canvas().Focus(s.confirm)
		return
	}
	setError(s.errLabel, "", "")
	s.setBusy(true)
	u := s.u
	runOr(u, func(ctx context.Context, e Engine) (opened, error) {
		if _, err := e.CreateProfile(ctx, name, pw); err != nil {
			return opened{}, err
		}
		return openedProfile(e)
	}, func(p opened, err error) {
		s.setBusy(false)
		if err != nil {
			setFailure(s.errLabel, "The profile could not be created.", err)
			return
		}
		u.onUnlocked(p, true)
	}, u.lockDropped)
}

func (s *createScreen) setBusy(b bool) {
	for _, w := range []fyne.Disableable{s.name, s.create, s.back, s.noPass} {
		if b {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if b {
		s.busy.Show()
		s.busy.Start()
	} else {
		s.busy.Stop()
		s.busy.Hide()
	}
}
