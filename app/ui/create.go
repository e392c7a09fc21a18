package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
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
	s.name.SetPlaceHolder(i18n.T("create.for_example_sam"))
	s.password = newPasswordField()
	s.password.SetPlaceHolder(i18n.T("common.password"))
	s.confirm = newPasswordField()
	s.confirm.SetPlaceHolder(i18n.T("common.type_it_again"))
	s.meter = widgets.NewPasswordStrength()
	s.password.OnChanged = s.meter.SetPassword
	s.warning = para(i18n.T("create.without_a_password_anyone"))
	s.warning.Importance = widget.WarningImportance
	s.warning.Hide()
	s.noPass = widget.NewCheck(i18n.T("create.don_t_use_a"), s.setNoPassword)
	s.errLabel = errorLabel()
	s.busy = widget.NewActivity()
	s.busy.Hide()
	s.create = widget.NewButton(i18n.T("create.create_profile"), s.submit)
	s.create.Importance = widget.HighImportance
	s.back = widget.NewButton(i18n.T("create.back"), back)
	s.name.OnSubmitted = func(string) { u.win.Canvas().Focus(s.password) }
	s.password.OnSubmitted = func(string) { u.win.Canvas().Focus(s.confirm) }
	s.confirm.OnSubmitted = func(string) { s.submit() }

	form := container.NewVBox(
		heading(i18n.T("common.create_your_profile")),
		muted(i18n.T("create.your_profile_lives_only")),
		widget.NewSeparator(),
		subheading(i18n.T("common.your_name")),
		s.name,
		muted(i18n.T("create.contacts_see_this_name")),
		subheading(i18n.T("common.password")),
		s.password,
		s.meter,
		s.confirm,
		muted(i18n.T("create.you_need_it_each")),
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
		s.create.SetText(i18n.T("create.create_profile_without_a"))
	} else {
		s.password.Enable()
		s.confirm.Enable()
		s.warning.Hide()
		s.create.SetText(i18n.T("create.create_profile"))
	}
}

// submit checks the form and creates the profile in the background.
func (s *createScreen) submit() {
	name := strings.TrimSpace(s.name.Text)
	pw := s.password.Text
	switch {
	case name == "":
		setError(s.errLabel, i18n.T("create.please_enter_a_name"), "")
		s.u.win.Canvas().Focus(s.name)
		return
	case engine.CheckDisplayName(name) != nil:
		setError(s.errLabel, i18n.T("create.that_name_is_too"), "")
		return
	case !s.noPass.Checked && pw == "":
		setError(s.errLabel, i18n.T("create.please_choose_a_password"), "")
		s.u.win.Canvas().Focus(s.password)
		return
	case !s.noPass.Checked && pw != s.confirm.Text:
		setError(s.errLabel, i18n.T("create.the_two_passwords_are"), "")
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
			setFailure(s.errLabel, i18n.T("create.the_profile_could_not"), err)
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
