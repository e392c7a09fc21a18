package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
)

// The sentences that say which password state a profile is in. Every
// dialog that changes it ends with one of them, so that nobody is left
// guessing whether the profile is protected.

func wrongOldPw() string { return i18n.T("password.wrong_old") }

func notSamePw() string { return i18n.T("password.not_same") }

func typeNewPw() string { return i18n.T("password.type_new") }

func changedPw() string { return i18n.T("password.changed") }

func setPw() string { return i18n.T("password.set") }

func removedPw() string { return i18n.T("password.removed") }

func lockNeedsPw() string { return i18n.T("password.lock_needs_password") }

func hasPasswordState() string { return i18n.T("password.has_password_state") }

func noPasswordState() string { return i18n.T("password.no_password_state") }

// hasPassword reports whether the open profile has a password; ok is
// false when that could not be read (no profile open, header unreadable).
func (u *UI) hasPassword() (has, ok bool) { return u.pw.has, u.pw.known }

// passwordState is whether the open profile has a password (known: it
// could be read), read when it is opened and after each change.
type passwordState struct{ has, known bool }

// readPassword reads whether the open profile has a password.
func readPassword(e Engine) passwordState {
	has, err := e.HasPassword()
	return passwordState{has: has, known: err == nil}
}

// passwordChanged records that the profile now has a password, or not,
// and shows it wherever it is shown.
func (u *UI) passwordChanged(has bool) {
	u.pw = passwordState{has: has, known: true}
	if u.settings != nil {
		u.settings.refreshPassword()
	}
}

// showMessage shows a short message with a Close button.
func (u *UI) showMessage(title, text string) {
	d := dialog.NewCustom(title, i18n.T("common.close"), para(text), u.win)
	d.Resize(fyne.NewSize(420, 0))
	u.showDialog(d)
}

// busyRow returns the spinner and status line of a dialog's running work
// (see showBusy), hidden, and the row that shows them.
func busyRow() (*widget.ProgressBarInfinite, *widget.Label, fyne.CanvasObject) {
	spinner := widget.NewProgressBarInfinite()
	spinner.Hide()
	status := widget.NewLabel("")
	status.Importance = widget.LowImportance
	status.Hide()
	return spinner, status, container.NewVBox(status, spinner)
}

// showChangePassword asks for the current password and a new one. Empty
// new fields are an error: removing the password is its own action.
func (u *UI) showChangePassword() {
	old := newPasswordField()
	pw, confirm, pwFields := newPasswordFields()
	confirm.SetPlaceHolder(i18n.T("password.type_the_new_password"))
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	var d *dialog.CustomDialog
	ok := newFormButton(i18n.T("password.change_password"), nil)
	ok.Importance = widget.HighImportance
	ok.OnTapped = func() {
		switch {
		case pw.Text == "" && confirm.Text == "":
			setError(errLabel, typeNewPw(), "")
			u.win.Canvas().Focus(pw)
			return
		case pw.Text != confirm.Text:
			setError(errLabel, notSamePw(), "")
			u.win.Canvas().Focus(confirm)
			return
		}
		setError(errLabel, "", "")
		showBusy(true, i18n.T("password.changing_the_password"), spinner, status, ok, old, pw, confirm)
		o, n := old.Text, pw.Text
		runErr(u, func(_ context.Context, e Engine) error { return e.ChangePassword(o, n) },
			func(err error) {
				showBusy(false, "", spinner, status, ok, old, pw, confirm)
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, wrongOldPw(), "")
					u.win.Canvas().Focus(old)
				case errors.Is(err, engine.ErrEmptyPassword):
					setError(errLabel, typeNewPw(), "")
				case err != nil:
					setFailure(errLabel, i18n.T("password.the_password_was_not"), err)
				default:
					d.Hide()
					u.passwordChanged(true)
					u.showMessage(i18n.T("password.password_changed"), changedPw())
				}
			})
	}
	d = u.showForm(i18n.T("password.change_password"), 440, ok, old,
		widget.NewLabel(i18n.T("password.current_password")), old,
		widget.NewLabel(i18n.T("password.new_password")), pwFields,
		errLabel, busy,
	)
}

// showSetPassword gives a profile without a password one: there is no
// current password to ask for.
func (u *UI) showSetPassword() {
	pw, confirm, pwFields := newPasswordFields()
	confirm.SetPlaceHolder(i18n.T("common.type_it_again"))
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	var d *dialog.CustomDialog
	ok := newFormButton(i18n.T("password.set_password"), nil)
	ok.Importance = widget.HighImportance
	ok.OnTapped = func() {
		switch {
		case pw.Text == "":
			setError(errLabel, i18n.T("password.type_a_password"), "")
			u.win.Canvas().Focus(pw)
			return
		case pw.Text != confirm.Text:
			setError(errLabel, i18n.T("password.the_two_passwords_are"), "")
			u.win.Canvas().Focus(confirm)
			return
		}
		setError(errLabel, "", "")
		showBusy(true, i18n.T("password.setting_the_password"), spinner, status, ok, pw, confirm)
		n := pw.Text
		runErr(u, func(_ context.Context, e Engine) error { return e.ChangePassword("", n) },
			func(err error) {
				showBusy(false, "", spinner, status, ok, pw, confirm)
				if err != nil {
					setFailure(errLabel, i18n.T("password.the_password_was_not_2"), err)
					return
				}
				d.Hide()
				u.passwordChanged(true)
				u.showMessage(i18n.T("password.password_set"), setPw())
			})
	}
	d = u.showForm(i18n.T("password.set_a_password"), 440, ok, pw,
		para(i18n.T("password.nook_will_ask_for")),
		widget.NewLabel(i18n.T("password.new_password")), pwFields,
		errLabel, busy,
	)
}

// showRemovePassword removes the password after a warning, the current
// password, and a second confirmation.
func (u *UI) showRemovePassword() {
	warning := para(i18n.T("password.without_a_password_anyone"))
	warning.Importance = widget.WarningImportance
	current := newPasswordField()
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	var d *dialog.CustomDialog
	remove := newFormButton(i18n.T("password.remove_password"), nil)
	remove.Importance = widget.DangerImportance
	run := func(pw string) {
		showBusy(true, i18n.T("password.removing_the_password"), spinner, status, remove, current)
		runErr(u, func(_ context.Context, e Engine) error { return e.RemovePassword(pw) },
			func(err error) {
				showBusy(false, "", spinner, status, remove, current)
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, wrongOldPw(), "")
					u.win.Canvas().Focus(current)
				case err != nil:
					setFailure(errLabel, i18n.T("password.the_password_was_not_3"), err)
				default:
					d.Hide()
					u.passwordChanged(false)
					u.showMessage(i18n.T("password.password_removed"), removedPw())
				}
			})
	}
	remove.OnTapped = func() {
		if current.Text == "" {
			setError(errLabel, i18n.T("password.type_the_current_password"), "")
			u.win.Canvas().Focus(current)
			return
		}
		setError(errLabel, "", "")
		pw := current.Text
		var confirm *dialog.CustomDialog
		yes := newFormButton(i18n.T("password.remove_it"), func() {
			confirm.Hide()
			run(pw)
		})
		yes.Importance = widget.DangerImportance
		name := i18n.T("password.this_profile")
		if u.main != nil {
			name = i18n.T("common.quoted", "Text", u.main.name)
		}
		confirm = u.showForm(i18n.T("password.remove_the_password_for"), 480, yes, nil,
			para(i18n.T("password.anyone_using_this_computer", "Name", name)),
		)
	}
	d = u.showForm(i18n.T("password.remove_the_password"), 440, remove, current,
		warning,
		widget.NewLabel(i18n.T("password.current_password")), current,
		errLabel, busy,
	)
}

// lockNow is the Lock button and Ctrl+L. With a password it locks at
// once; without one it first says that locking protects nothing, and
// offers to set a password instead.
func (u *UI) lockNow() {
	if u.main == nil {
		return
	}
	if has, ok := u.hasPassword(); has || !ok {
		u.lock()
		return
	}
	var d *dialog.CustomDialog
	anyway := newFormButton(i18n.T("password.lock_anyway"), func() {
		d.Hide()
		u.lock()
	})
	set := newFormButton(i18n.T("common.set_a_password_more"), func() {
		d.Hide()
		u.showSetPassword()
	})
	set.Importance = widget.HighImportance
	warning := para(i18n.T("password.locking_hides_this_profile"))
	warning.Importance = widget.WarningImportance
	d = u.showFormActions(i18n.T("password.this_profile_has_no"), 460, []*formButton{anyway, set}, nil, warning)
}
