package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
)

// The sentences that say which password state a profile is in. Every
// dialog that changes it ends with one of them, so that nobody is left
// guessing whether the profile is protected.
const (
	noPasswordState  = "Password: none — anyone using this computer can open this profile."
	hasPasswordState = "Password: set — Nook asks for it each time it opens this profile."
	lockNeedsPw      = "Locking protects nothing while this profile has no password: anyone using this " +
		"computer can open it again with one click. Set a password to make locking count."
	removedPw  = "This profile now has no password — anyone using this computer can open it."
	setPw      = "This profile now has a password — you will need it the next time you open Nook."
	changedPw  = "Password changed — you will need the new password the next time you open Nook."
	typeNewPw  = "Type a new password, or use Remove password… to open this profile without one."
	notSamePw  = "The two new passwords are not the same."
	wrongOldPw = "The current password is not right."
)

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
	d := dialog.NewCustom(title, "Close", para(text), u.win)
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
	confirm.SetPlaceHolder("Type the new password again")
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	var d *dialog.CustomDialog
	ok := newFormButton("Change password", nil)
	ok.Importance = widget.HighImportance
	ok.OnTapped = func() {
		switch {
		case pw.Text == "" && confirm.Text == "":
			setError(errLabel, typeNewPw, "")
			u.win.Canvas().Focus(pw)
			return
		case pw.Text != confirm.Text:
			setError(errLabel, notSamePw, "")
			u.win.Canvas().Focus(confirm)
			return
		}
		setError(errLabel, "", "")
		showBusy(true, "Changing the password…", spinner, status, ok, old, pw, confirm)
		o, n := old.Text, pw.Text
		runErr(u, func(_ context.Context, e Engine) error { return e.ChangePassword(o, n) },
			func(err error) {
				showBusy(false, "", spinner, status, ok, old, pw, confirm)
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, wrongOldPw, "")
					u.win.Canvas().Focus(old)
				case errors.Is(err, engine.ErrEmptyPassword):
					setError(errLabel, typeNewPw, "")
				case err != nil:
					setFailure(errLabel, "The password was not changed.", err)
				default:
					d.Hide()
					u.passwordChanged(true)
					u.showMessage("Password changed", changedPw)
				}
			})
	}
	d = u.showForm("Change password", 440, ok, old,
		widget.NewLabel("Current password"), old,
		widget.NewLabel("New password"), pwFields,
		errLabel, busy,
	)
}

// showSetPassword gives a profile without a password one: there is no
// current password to ask for.
func (u *UI) showSetPassword() {
	pw, confirm, pwFields := newPasswordFields()
	confirm.SetPlaceHolder("Type it again")
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	var d *dialog.CustomDialog
	ok := newFormButton("Set password", nil)
	ok.Importance = widget.HighImportance
	ok.OnTapped = func() {
		switch {
		case pw.Text == "":
			setError(errLabel, "Type a password.", "")
			u.win.Canvas().Focus(pw)
			return
		case pw.Text != confirm.Text:
			setError(errLabel, "The two passwords are not the same.", "")
			u.win.Canvas().Focus(confirm)
			return
		}
		setError(errLabel, "", "")
		showBusy(true, "Setting the password…", spinner, status, ok, pw, confirm)
		n := pw.Text
		runErr(u, func(_ context.Context, e Engine) error { return e.ChangePassword("", n) },
			func(err error) {
				showBusy(false, "", spinner, status, ok, pw, confirm)
				if err != nil {
					setFailure(errLabel, "The password was not set.", err)
					return
				}
				d.Hide()
				u.passwordChanged(true)
				u.showMessage("Password set", setPw)
			})
	}
	d = u.showForm("Set a password", 440, ok, pw,
		para("Nook will ask for it each time it opens this profile, and locking will keep others out. "+
			"There is no way to recover a forgotten password."),
		widget.NewLabel("New password"), pwFields,
		errLabel, busy,
	)
}

// showRemovePassword removes the password after a warning, the current
// password, and a second confirmation.
func (u *UI) showRemovePassword() {
	warning := para("Without a password, anyone using this computer can open this profile and read all its " +
		"conversations, and locking it protects nothing.")
	warning.Importance = widget.WarningImportance
	current := newPasswordField()
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	var d *dialog.CustomDialog
	remove := newFormButton("Remove password", nil)
	remove.Importance = widget.DangerImportance
	run := func(pw string) {
		showBusy(true, "Removing the password…", spinner, status, remove, current)
		runErr(u, func(_ context.Context, e Engine) error { return e.RemovePassword(pw) },
			func(err error) {
				showBusy(false, "", spinner, status, remove, current)
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, wrongOldPw, "")
					u.win.Canvas().Focus(current)
				case err != nil:
					setFailure(errLabel, "The password was not removed.", err)
				default:
					d.Hide()
					u.passwordChanged(false)
					u.showMessage("Password removed", removedPw)
				}
			})
	}
	remove.OnTapped = func() {
		if current.Text == "" {
			setError(errLabel, "Type the current password.", "")
			u.win.Canvas().Focus(current)
			return
		}
		setError(errLabel, "", "")
		pw := current.Text
		var confirm *dialog.CustomDialog
		yes := newFormButton("Remove it", func() {
			confirm.Hide()
			run(pw)
		})
		yes.Importance = widget.DangerImportance
		name := "this profile"
		if u.main != nil {
			name = "“" + u.main.name + "”"
		}
		confirm = u.showForm("Remove the password for good?", 480, yes, nil,
			para("Anyone using this computer will be able to open "+name+" and read every conversation in it, "+
				"without typing anything."),
		)
	}
	d = u.showForm("Remove the password?", 440, remove, current,
		warning,
		widget.NewLabel("Current password"), current,
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
	anyway := newFormButton("Lock anyway", func() {
		d.Hide()
		u.lock()
	})
	set := newFormButton("Set a password…", func() {
		d.Hide()
		u.showSetPassword()
	})
	set.Importance = widget.HighImportance
	warning := para("Locking hides this profile from the screen, but anyone using this computer can open it " +
		"again with one click: it has no password.")
	warning.Importance = widget.WarningImportance
	d = u.showFormActions("This profile has no password", 460, []*formButton{anyway, set}, nil, warning)
}
