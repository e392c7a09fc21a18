package ui

import (
	"context"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// Captions under the invite's QR code.
const (
	captionNormal   = "Anyone you show this code to can send you a contact request."
	captionInPerson = "One-time invite, valid for 15 minutes. Show it only to the person in front of you: " +
		"whoever scans it first is added without a request, and shown to you as verified in person. " +
		"Copying or saving it takes that away. A screenshot or a shared screen hands it over too: " +
		"do not show it on a call."
	captionBlocked = "Contact requests are blocked: whoever adds this code cannot reach you " +
		"until you allow requests again (Settings → Privacy)."
	captionShared = "One-time invite, valid for 15 minutes. It has left this screen, so whoever uses it " +
		"first is added without a request but not shown as verified."
)

// homePanel is the right-hand page when no conversation is open: Tor's
// progress while it connects, and the person's own invite as a QR code and
// as text.
type homePanel struct {
	mv       *mainView
	text     string // the invite shown
	qr       *widgets.QRView
	textView *widget.Label
	inPerson *widget.Check
	errLabel *widget.Label
	// blocked says, while "Block contact requests" is on, that new
	// contacts cannot reach the person with the ordinary invite.
	blocked  fyne.CanvasObject
	progress *widgets.Progress
	torCard  fyne.CanvasObject
	copyBtn  *widgets.CopyButton
	textCard fyne.CanvasObject // hidden for in-person invites: they stay on screen
	root     fyne.CanvasObject
}

func newHomePanel(mv *mainView) *homePanel {
	h := &homePanel{mv: mv}
	h.progress = widgets.NewProgress("Connecting to the Tor network")
	h.torCard = container.NewPadded(h.progress)
	h.qr = widgets.NewQRView(nil, captionNormal, 260)
	h.textView = widget.NewLabel("")
	h.textView.Wrapping = fyne.TextWrapBreak
	h.textView.Selectable = true
	h.textView.TextStyle.Monospace = true
	h.textView.SizeName = theme.SizeNameCaptionText
	h.copyBtn = h.mv.u.copyButton("Copy invite text", func() string { return h.text })
	h.copyBtn.OnTapped = h.copyText
	save := widget.NewButtonWithIcon("Save as PNG…", theme.DocumentSaveIcon(), h.savePNG)
	h.inPerson = widget.NewCheck("In-person invite (one-time, 15 min)", h.setInPerson)
	h.errLabel = errorLabel()
	h.textCard = card(h.textView)

	intro := para("Show this code to someone you trust, or send them the text through a channel you trust. " +
		"When they add it, their request appears in your list.")
	h.blocked = card(para("New contacts cannot reach you: you block contact requests from people you " +
		"have not added (Settings → Privacy). Whoever adds this invite stays “not delivered” on their side. " +
		"An in-person invite, scanned from this screen, still works."))
	h.blocked.Hide()
	content := container.NewVBox(
		h.torCard,
		heading("Your invite"),
		intro,
		h.blocked,
		container.NewCenter(h.qr),
		container.NewCenter(container.NewHBox(h.copyBtn, save)),
		h.inPerson,
		h.errLabel,
		h.textCard,
	)
	h.root = container.NewVScroll(container.New(columnLayout{width: 560}, container.NewPadded(content)))
	return h
}

// refreshInvite shows the invite in its current kind.
func (h *homePanel) refreshInvite() { h.setInPerson(h.inPerson.Checked) }

// showBlocked shows whether new contacts can reach the person (the
// "Block contact requests" setting) and returns the caption of the
// ordinary invite that goes with it.
func (h *homePanel) showBlocked() string {
	if !h.mv.u.prefs.BlockUnknown {
		h.blocked.Hide()
		if !h.inPerson.Checked && h.text != "" {
			h.qr.SetCaption(captionNormal)
		}
		return captionNormal
	}
	h.blocked.Show()
	if !h.inPerson.Checked && h.text != "" {
		h.qr.SetCaption(captionBlocked)
	}
	return captionBlocked
}

// madeInvite is an invite and its QR code.
type madeInvite struct {
	text string
	png  []byte
}

// setInPerson switches between the ordinary invite and a one-time one,
// made in the background.
func (h *homePanel) setInPerson(on bool) {
	caption := h.showBlocked()
	if on {
		caption = captionInPerson
		h.inPerson.Disable()
	}
	run(h.mv.u, func(_ context.Context, e Engine) (madeInvite, error) {
		text, err := e.MyInvite(on)
		if err != nil {
			return madeInvite{}, err
		}
		png, err := engine.InviteQR(text, 512)
		return madeInvite{text, png}, err
	}, func(inv madeInvite, err error) {
		h.inPerson.Enable()
		if h.inPerson.Checked == on {
			h.showInvite(inv, err, caption)
		}
	})
}

func (h *homePanel) showInvite(inv madeInvite, err error, caption string) {
	if err == nil {
		err = h.qr.SetPNG(inv.png)
	}
	if err != nil {
		setFailure(h.errLabel, "Your invite could not be made.", err)
		return
	}
	setError(h.errLabel, "", "")
	h.text = inv.text
	h.qr.SetCaption(caption)
	h.textView.SetText(inv.text)
	// An in-person invite's text is not shown: text selected and copied by
	// hand would leave the screen without the engine knowing (InviteShared).
	if h.inPerson.Checked {
		h.textCard.Hide()
	} else {
		h.textCard.Show()
	}
}

// share runs then once invite text may leave the screen: an in-person
// invite is first recorded as shared, so that whoever uses it is not shown
// as verified (engine.InviteShared; nothing for an ordinary invite). If
// that fails, then is not run.
func (h *homePanel) share(text string, then func()) {
	u := h.mv.u
	runAlways(u, func(_ context.Context, e Engine) (struct{}, error) { return struct{}{}, e.InviteShared(text) },
		func(_ struct{}, err error) {
			if err != nil {
				u.showError("The invite did not leave this screen", err)
				return
			}
			if h.text == text && h.inPerson.Checked {
				h.qr.SetCaption(captionShared)
			}
			then()
		})
}

// invite returns the invite text shown.
func (h *homePanel) invite() string { return h.text }

// copyText copies the invite text once the engine knows that it left the
// screen (share): an in-person invite that was copied no longer verifies.
func (h *homePanel) copyText() {
	text := h.text
	h.share(text, func() {
		if h.text == text { // still the invite that was marked shared
			h.copyBtn.Copy()
		}
	})
}

// savePNG writes the QR code to an image file.
func (h *homePanel) savePNG() {
	u := h.mv.u
	text := h.text
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		h.share(text, func() {
			runAlways(u, func(context.Context, Engine) (struct{}, error) {
				png, err := engine.InviteQR(text, 1024)
				if err == nil {
					err = os.WriteFile(path, png, 0o600)
				}
				return struct{}{}, err
			}, func(_ struct{}, err error) {
				if err != nil {
					u.showError("The picture was not saved", err)
				}
			})
		})
	}, u.win)
	d.SetFileName("nook-invite.png")
	d.Resize(fyne.NewSize(760, 520))
	u.showDialog(d)
}

// setTorStatus shows Tor's progress until it is ready.
func (h *homePanel) setTorStatus(s model.TorStatus) {
	switch s.State {
	case model.TorReady:
		h.torCard.Hide()
		return
	case model.TorFailed, model.TorStopped:
		h.progress.SetTitle("Nook cannot reach the Tor network")
		msg := s.Err
		if msg == "" {
			msg = "Tor stopped."
		}
		hint := s.Hint
		if hint == "" {
			hint = "Check that this computer is online, then restart Nook."
		}
		h.progress.SetError(msg, hint)
	case model.TorRestarting:
		h.progress.SetTitle("Reconnecting to the Tor network")
		h.progress.SetIndeterminate(s.Phase)
	case 0:
		h.progress.SetIndeterminate("Starting Tor…")
	default:
		h.progress.SetTitle("Connecting to the Tor network")
		phase := s.Phase
		if phase == "" {
			phase = "Starting Tor"
		}
		text := phase + " — you can already share your invite."
		if s.Note != "" {
			// What the automatic connection tries, and why.
			text = s.Note + " (" + phase + ")"
		}
		h.progress.SetProgress(float64(s.Percent), text)
	}
	h.torCard.Show()
}
