package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
)

// This file holds the safety-code view: the one way to mark a contact
// verified by hand (docs/security.md, "Verified contacts"). Its words claim
// only what comparing the code shows: that the two Nooks talk to each
// other with nobody in between, not who the person is.

// verificationText says, in a sentence or two, what the contact's badge
// (or its absence) means.
func verificationText(c model.Contact) string {
	var s string
	switch {
	case c.Verification == model.VerifiedInPerson:
		s = i18n.T("safetycode.verified_in_person_used", "Name", c.Name())
	case c.Verification == model.VerifiedEarlierVersion:
		s = i18n.T("safetycode.verified_by_an_earlier", "Name", c.Name())
	case c.Verified:
		s = i18n.T("safetycode.verified_you_compared_the", "Name", c.Name())
	case c.VerifyRevoked && c.InviteConfirmed:
		s = i18n.T("safetycode.no_longer_shown_as_confirmed", "Name", c.Name())
	case c.VerifyRevoked:
		s = i18n.T("safetycode.no_longer_shown_as", "Name", c.Name())
	case c.InviteConfirmed:
		s = i18n.T("safetycode.not_verified_to_be_confirmed", "Name", c.Name())
	default:
		s = i18n.T("safetycode.not_verified_to_be", "Name", c.Name())
	}
	return s
}

// renamedNote says that a verified contact now advertises a name other
// than the one the badge was given under (model.Contact.RenamedTo), or "".
// The badge stays with the verified name; the new one is shown only as
// this change, never beside the badge.
func renamedNote(c model.Contact) string {
	n := c.RenamedTo()
	if n == "" || n == c.Name() {
		return ""
	}
	was := i18n.T("safetycode.you_verified_them_when")
	if v := model.CleanName(c.VerifiedName); v != "" {
		was = i18n.T("safetycode.you_verified_them_as", "Name", v)
	}
	return i18n.T("safetycode.now_calls_themselves_the", "Name", c.Name(), "NewName", n, "Was", was)
}

// safetyCodeLines splits a safety code (two fingerprints of six groups)
// into four lines of three groups, to read aloud a line at a time; the
// first two lines are one person's fingerprint, the last two the other's.
func safetyCodeLines(code string) string {
	g := strings.Fields(code)
	if len(g) != 12 {
		return code
	}
	lines := make([]string, 0, 4)
	for i := 0; i < len(g); i += 3 {
		lines = append(lines, strings.Join(g[i:i+3], "  "))
	}
	return strings.Join(lines, "\n")
}

// showSafetyCode opens the safety code of this conversation's contact,
// with Mark as verified (or Remove verification).
func (cp *chatPane) showSafetyCode() {
	u := cp.mv.u
	addr := model.ConversationID(cp.contact().Address)
	run(u, func(_ context.Context, e Engine) (string, error) { return e.SafetyCode(addr) },
		func(code string, err error) {
			if err != nil {
				u.showError(i18n.T("safetycode.the_safety_code_could"), err)
				return
			}
			cp.showSafetyDigits(code)
		})
}

// showSafetyDigits shows the safety code read.
func (cp *chatPane) showSafetyDigits(code string) {
	u := cp.mv.u
	c := cp.contact()
	addr := model.ConversationID(c.Address)
	digits := widget.NewLabelWithStyle(safetyCodeLines(code), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	var d dialog.Dialog
	action := widget.NewButton(i18n.T("safetycode.mark_as_verified"), func() {
		d.Hide()
		cp.mv.act(func(e Engine) error { _, err := e.MarkVerified(addr, true); return err })
	})
	action.Importance = widget.HighImportance
	if c.Verified {
		action.SetText(i18n.T("safetycode.remove_verification"))
		action.OnTapped = func() {
			d.Hide()
			cp.mv.act(func(e Engine) error { _, err := e.MarkVerified(addr, false); return err })
		}
		action.Importance = widget.MediumImportance
	}
	content := container.NewVBox(
		para(i18n.T("safetycode.ask_to_open_this", "Name", c.Name())),
		card(digits),
		para(i18n.T("safetycode.the_same_digits_on")),
		para(verificationText(c)),
		container.NewCenter(action),
	)
	d = dialog.NewCustom(i18n.T("safetycode.safety_code_with", "Name", c.Name()), i18n.T("common.close"), content, u.win)
	d.Resize(fyne.NewSize(480, 0))
	u.showDialog(d)
}
