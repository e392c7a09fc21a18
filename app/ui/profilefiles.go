package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
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
	importBtn := newFormButton(i18n.T("profilefiles.import"), nil)
	importBtn.Importance = widget.HighImportance
	importBtn.OnTapped = func() {
		if newPw.Text == "" && confirm.Text == "" {
			// Two empty fields must not quietly make a profile anyone
			// can open: without a password is a choice made in Settings.
			setError(errLabel, i18n.T("profilefiles.choose_a_password_for"), "")
			return
		}
		if newPw.Text != confirm.Text {
			setError(errLabel, i18n.T("profilefiles.the_two_new_passwords"), "")
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
					setError(errLabel, i18n.T("profilefiles.that_is_not_the"), "")
				case err != nil:
					msg, hint := profileFileError(err, i18n.T("profilefiles.the_backup_could_not"),
						i18n.T("profilefiles.check_that_this_is"),
						i18n.T("profilefiles.free_some_space_on"))
					setError(errLabel, msg, hint)
				default:
					d.Hide()
					next := i18n.T("profilefiles.lock_nook_ctrl_l")
					if u.main == nil {
						u.showUnlock(false)
						setError(u.unlock.errLabel, "", "")
						u.unlock.status.SetText(i18n.T("profilefiles.profile_imported_enter_its"))
						u.unlock.status.Show()
						next = i18n.T("profilefiles.enter_its_new_password")
					}
					u.showImported(res, next)
				}
			})
	}
	d = u.showForm(i18n.T("profilefiles.import_a_profile"), 460, importBtn, exportPw,
		muted(i18n.T("profilefiles.file", "ShortPath", shortPath(path))),
		widget.NewLabel(i18n.T("profilefiles.password_the_backup_was")),
		exportPw,
		widget.NewLabel(i18n.T("profilefiles.new_password_for_this")),
		newPwFields,
		errLabel, busy,
	)
}

// showImported tells the person, after an import, that the profile must
// run on one computer only (engine.ImportResult.Warning, in the person's
// language: profilefiles.use_this_profile_on is engine.ImportWarning),
// then what to do next.
func (u *UI) showImported(res engine.ImportResult, next string) {
	warning := i18n.T("profilefiles.use_this_profile_on")
	if res.SameAsOpen {
		warning = i18n.T("profilefiles.this_is_a_copy")
	}
	d := dialog.NewCustom(i18n.T("profilefiles.profile_imported"), i18n.T("profilefiles.ok"), container.NewVBox(para(warning), para(next)), u.win)
	d.Resize(fyne.NewSize(460, 0))
	u.showDialog(d)
}

// showExport writes the open profile to a backup file encrypted under a
// password chosen for it.
func (u *UI) showExport() {
	pw, confirm, pwFields := newPasswordFields()
	errLabel := errorLabel()
	var d *dialog.CustomDialog
	next := newFormButton(i18n.T("profilefiles.choose_where_to_save"), nil)
	next.Importance = widget.HighImportance
	next.OnTapped = func() {
		switch {
		case pw.Text == "":
			setError(errLabel, i18n.T("profilefiles.choose_a_password_for_2"), "")
			return
		case pw.Text != confirm.Text:
			setError(errLabel, i18n.T("profilefiles.the_two_passwords_are"), "")
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
						msg, hint := profileFileError(err, i18n.T("profilefiles.the_backup_could_not_2"), "",
							i18n.T("profilefiles.free_some_disk_space"))
						if hint != "" {
							msg += "\n" + hint
						}
						dialog.ShowError(errors.New(msg), u.win)
						return
					}
					dialog.ShowInformation(i18n.T("profilefiles.backup_saved"),
						i18n.T("profilefiles.your_profile_was_saved", "ShortPath", shortPath(path)), u.win)
				})
		}, u.win)
		save.SetFileName("nook-profile" + exportExt)
		save.Resize(fyne.NewSize(760, 520))
		u.showDialog(save)
	}
	d = u.showForm(i18n.T("profilefiles.export_your_profile"), 460, next, pw,
		para(i18n.T("profilefiles.the_backup_holds_your")),
		widget.NewLabel(i18n.T("profilefiles.password_for_the_backup")),
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
	msg, hint = explain(err)
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
