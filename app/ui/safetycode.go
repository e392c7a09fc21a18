package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

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
	case c.Verification == model.VerifiedEarlierVersion:
		s = "Verified by an earlier version of Nook: " + c.Name() + " used a one-time invite of yours, but that version " +
			"let such invites be copied and kept them for a day, so it may have reached them another way. " +
			"Compare the safety code with them to be sure."
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

// renamedNote says that a verified contact now advertises a name other
// than the one the badge was given under (model.Contact.RenamedTo), or "".
// The badge stays with the verified name; the new one is shown only as
// this change, never beside the badge.
func renamedNote(c model.Contact) string {
	n := c.RenamedTo()
	if n == "" || n == c.Name() {
		return ""
	}
	was := "You verified them when they showed no name"
	if v := model.CleanName(c.VerifiedName); v != "" {
		was = "You verified them as “" + v + "”"
	}
	return c.Name() + " now calls themselves “" + n + "”. " + was +
		"; the badge stays with that. If they are who you think, you can give them a nickname."
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
				u.showError("The safety code could not be shown", err)
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
	action := widget.NewButton("Mark as verified", func() {
		d.Hide()
		cp.mv.act(func(e Engine) error { _, err := e.MarkVerified(addr, true); return err })
	})
	action.Importance = widget.HighImportance
	if c.Verified {
		action.SetText("Remove verification")
		action.OnTapped = func() {
			d.Hide()
			cp.mv.act(func(e Engine) error { _, err := e.MarkVerified(addr, false); return err })
		}
		action.Importance = widget.MediumImportance
	}
	content := container.NewVBox(
		para("Ask "+c.Name()+" to open this view for you in their Nook and compare the digits, "+
			"in person or on a call where you know their voice: all 60 digits, not only the first ones. Not by message: whoever could change "+
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
