package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/identity"
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
		s = "Verified in person: " + c.Name() + " used a one-time invite that was only ever shown on your screen, so they read it there."
	case c.Verified:
		s = "Verified: you compared the safety code with " + c.Name() + " and marked them verified."
	case c.VerifyRevoked:
		s = "No longer shown as verified. An earlier version of Nook marked " + c.Name() +
			" verified because you used their one-time invite, but a forged invite could do the same. " +
			"Compare the safety code with them to verify them again."
	default:
		s = "Not verified. To be sure this is " + c.Name() + ", compare the safety code with them (in the conversation's menu)."
	}
	if c.InviteConfirmed && !c.Verified {
		s += " Their Nook confirmed the one-time invite you used; that alone does not show who made the invite."
	}
	return s
}

// safetyCodeLines splits a safety code into two lines of three groups, to
// read aloud a line at a time.
func safetyCodeLines(code string) string {
	g := strings.Fields(code)
	if len(g) != 6 {
		return code
	}
	return strings.Join(g[:3], "  ") + "\n" + strings.Join(g[3:], "  ")
}

// showSafetyCode opens the safety code of this conversation's contact,
// with Mark as verified (or Remove verification).
func (cp *chatPane) showSafetyCode() {
	u := cp.mv.u
	c := cp.contact
	addr := identity.Address(c.Address)
	code, err := u.eng.SafetyCode(addr)
	if err != nil {
		u.showError("The safety code could not be shown", err)
		return
	}
	digits := widget.NewLabelWithStyle(safetyCodeLines(code), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	var d dialog.Dialog
	action := widget.NewButton("Mark as verified", func() {
		d.Hide()
		cp.mv.contactAction(func() (model.Contact, error) { return u.eng.MarkVerified(addr, true) })
	})
	action.Importance = widget.HighImportance
	if c.Verified {
		action.SetText("Remove verification")
		action.OnTapped = func() {
			d.Hide()
			cp.mv.contactAction(func() (model.Contact, error) { return u.eng.MarkVerified(addr, false) })
		}
		action.Importance = widget.MediumImportance
	}
	content := container.NewVBox(
		para("Ask "+c.Name()+" to open this view for you in their Nook and compare the digits, "+
			"in person or on a call where you know their voice. Not by message: whoever could change "+
			"a message could change the digits in it."),
		card(digits),
		para("The same digits on both screens mean that your Nook and theirs talk to each other with nobody in between. "+
			"If they differ, do not mark them verified: you are not talking to the Nook you think."),
		para(verificationText(c)),
		container.NewCenter(action),
	)
	d = dialog.NewCustom("Safety code with "+c.Name(), "Close", content, u.win)
	d.Resize(fyne.NewSize(480, 0))
	u.showDialog(d)
}
