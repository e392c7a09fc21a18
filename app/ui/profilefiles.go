package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
)

// exportExt is the file extension of profile exports.
const exportExt = ".nook"

// showImport imports a profile from an export file: the file, the password
// it was exported with, and a new password for this computer. The profile
// is then opened from the unlock screen.
func (u *UI) showImport() {
	u.chooseFile([]string{exportExt}, u.showImportPasswords)
}

func (u *UI) showImportPasswords(path string) {
	exportPw := newPasswordField()
	newPw, confirm, newPwFields := newPasswordFields()
	errLabel := errorLabel()
	busy := widget.NewProgressBarInfinite()
	busy.Hide()
	var d *dialog.CustomDialog
	importBtn := newFormButton("Import", nil)
	importBtn.Importance = widget.HighImportance
	importBtn.OnTapped = func() {
		if newPw.Text == "" && confirm.Text == "" {
			// Two empty fields must not quietly make a profile anyone
			// can open: without a password is a choice made in Settings.
			setError(errLabel, "Choose a password for the imported profile on this computer.", "")
			return
		}
		if newPw.Text != confirm.Text {
			setError(errLabel, "The two new passwords are not the same.", "")
			return
		}
		importBtn.Disable()
		busy.Show()
		ep, np := exportPw.Text, newPw.Text
		run(u, func(_ context.Context, e Engine) (engine.ImportResult, error) { return e.ImportProfile(path, ep, np) },
			func(res engine.ImportResult, err error) {
				busy.Hide()
				importBtn.Enable()
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, "That is not the password this backup was made with.", "")
				case err != nil:
					msg, hint := profileFileError(err, "The backup could not be imported",
						"Check that this is a Nook backup file and that it was copied completely.",
						"Free some space on the disk that holds Nook's data, then try again.")
					setError(errLabel, msg, hint)
				default:
					d.Hide()
					next := "Lock Nook (Ctrl+L) and enter the new password to open the imported profile."
					if u.main == nil {
						u.showUnlock(false)
						setError(u.unlock.errLabel, "", "")
						u.unlock.status.SetText("Profile imported. Enter its new password to open it.")
						u.unlock.status.Show()
						next = "Enter its new password to open it."
					}
					u.showImported(res, next)
				}
			})
	}
	d = u.showForm("Import a profile", 460, importBtn, exportPw,
		muted("File: "+shortPath(path)),
		widget.NewLabel("Password the backup was made with"),
		exportPw,
		widget.NewLabel("New password for this computer"),
		newPwFields,
		errLabel, busy,
	)
}

// showImported tells the person, after an import, that the profile must
// run on one computer only (engine.ImportResult.Warning), then what to do
// next.
func (u *UI) showImported(res engine.ImportResult, next string) {
	warning := res.Warning
	if res.SameAsOpen {
		warning = "This is a copy of the profile that is open now. " + warning
	}
	d := dialog.NewCustom("Profile imported", "OK", container.NewVBox(para(warning), para(next)), u.win)
	d.Resize(fyne.NewSize(460, 0))
	u.showDialog(d)
}

// showExport writes the open profile to a backup file encrypted under a
// password chosen for it.
func (u *UI) showExport() {
	pw, confirm, pwFields := newPasswordFields()
	errLabel := errorLabel()
	var d *dialog.CustomDialog
	next := newFormButton("Choose where to save…", nil)
	next.Importance = widget.HighImportance
	next.OnTapped = func() {
		switch {
		case pw.Text == "":
			setError(errLabel, "Choose a password for the backup.", "")
			return
		case pw.Text != confirm.Text:
			setError(errLabel, "The two passwords are not the same.", "")
			return
		}
		password := pw.Text
		d.Hide()
		save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				// Cancelled (or the chooser failed): back to the form,
				// with the passwords as they were typed.
				u.showDialog(d)
				return
			}
			path := w.URI().Path()
			w.Close()
			runErr(u, func(_ context.Context, e Engine) error { return e.ExportProfile(path, password) },
				func(err error) {
					if err != nil {
						msg, hint := profileFileError(err, "The backup could not be written", "",
							"Free some disk space, or save the backup on another disk, then try again.")
						if hint != "" {
							msg += "\n" + hint
						}
						dialog.ShowError(errors.New(msg), u.win)
						return
					}
					dialog.ShowInformation("Backup saved",
						"Your profile was saved to "+shortPath(path)+".\nKeep the file and its password apart.", u.win)
				})
		}, u.win)
		save.SetFileName("nook-profile" + exportExt)
		save.Resize(fyne.NewSize(760, 520))
		u.showDialog(save)
	}
	d = u.showForm("Export your profile", 460, next, pw,
		para("The backup holds your identity, contacts and messages, encrypted with the password you choose here. "+
			"Anyone with the file and the password can become you."),
		widget.NewLabel("Password for the backup"),
		pwFields, errLabel,
	)
}

// profileFileError returns the message and the hint that the import or
// export dialog shows for err, an error of ImportProfile or ExportProfile.
// When the disk is too full (engine.ErrDiskFull) the message is
// engine.Explain's alone (for an import or export that needs more space,
// how much), and the hint is fullHint, which says how to make room;
// otherwise the message is failed followed by Explain's message, and the
// hint Explain's, or otherHint when it has none.
func profileFileError(err error, failed, otherHint, fullHint string) (msg, hint string) {
	msg, hint = engine.Explain(err)
	if errors.Is(err, engine.ErrDiskFull) {
		return msg, fullHint
	}
	if hint == "" {
		hint = otherHint
	}
	return failed + ". " + msg, hint
}

// shortPath keeps the end of a long path.
func shortPath(p string) string {
	if len(p) <= 48 {
		return p
	}
	i := strings.LastIndexByte(p[:len(p)-40], '/')
	if i < 0 {
		i = len(p) - 44
	}
	return "…" + p[i:]
}
