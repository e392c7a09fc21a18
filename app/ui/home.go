package ui

import (
	"context"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// Captions under the invite's QR code.

func captionShared() string { return i18n.T("home.caption_shared") }

func captionBlocked() string { return i18n.T("home.caption_blocked") }

func captionInPerson() string { return i18n.T("home.caption_in_person") }

func captionNormal() string { return i18n.T("home.caption_normal") }

// homePanel is the right-hand page when no conversation is open: Tor's
// progress while it connects, and the person's own invite as a QR code and
// as text.
type homePanel struct {
	mv   *mainView
	text string // the invite shown
	qr   *widgets.QRView
	// textView shows the invite's text in the monospace font; not
	// selectable (copying goes through the Copy button, which records an
	// in-person invite as shared), and drawn with the monospace font
	// alone, which spares the list the monospace style's fonts (about
	// 7 MB, docs/performance.md).
	textView *widgets.CodeText
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
	h.progress = widgets.NewProgress(i18n.T("home.connecting_to_the_tor"))
	h.torCard = container.NewPadded(h.progress)
	h.qr = widgets.NewQRView(nil, captionNormal(), 260)
	h.textView = widgets.NewCodeText("")
	h.textView.SizeName = theme.SizeNameCaptionText
	h.copyBtn = h.mv.u.copyButton(i18n.T("common.copy_invite_text"), func() string { return h.text })
	h.copyBtn.OnTapped = h.copyText
	save := widget.NewButtonWithIcon(i18n.T("home.save_as_png"), theme.DocumentSaveIcon(), h.savePNG)
	h.inPerson = widget.NewCheck(i18n.T("home.in_person_invite_one"), h.setInPerson)
	h.errLabel = errorLabel()
	h.textCard = card(h.textView)

	intro := para(i18n.T("home.show_this_code_to"))
	h.blocked = card(para(i18n.T("home.new_contacts_cannot_reach")))
	h.blocked.Hide()
	content := container.NewVBox(
		h.torCard,
		heading(i18n.T("home.your_invite")),
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
			h.qr.SetCaption(captionNormal())
		}
		return captionNormal()
	}
	h.blocked.Show()
	if !h.inPerson.Checked && h.text != "" {
		h.qr.SetCaption(captionBlocked())
	}
	return captionBlocked()
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
		caption = captionInPerson()
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
		setFailure(h.errLabel, i18n.T("home.your_invite_could_not"), err)
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
				u.showError(i18n.T("home.the_invite_did_not"), err)
				return
			}
			if h.text == text && h.inPerson.Checked {
				h.qr.SetCaption(captionShared())
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
					u.showError(i18n.T("home.the_picture_was_not"), err)
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
		// The bar itself is hidden too: hiding the card alone left its
		// indeterminate animation running, and the window drawn again
		// at every frame while Tor was ready (about 1 MB of garbage a
		// second, docs/performance.md).
		h.progress.Hide()
		h.torCard.Hide()
		return
	case model.TorFailed, model.TorStopped:
		h.progress.SetTitle(i18n.T("home.nook_cannot_reach_the"))
		msg, hint := torFailure(s)
		if msg == "" {
			msg = i18n.T("home.tor_stopped")
		}
		if hint == "" {
			hint = i18n.T("home.check_that_this_computer")
		}
		h.progress.SetError(msg, hint)
	case model.TorRestarting:
		h.progress.SetTitle(i18n.T("home.reconnecting_to_the_tor"))
		h.progress.SetIndeterminate(torPhase(s))
	case 0:
		h.progress.SetIndeterminate(i18n.T("common.starting_tor_more"))
	default:
		h.progress.SetTitle(i18n.T("home.connecting_to_the_tor"))
		phase := torPhase(s)
		if phase == "" {
			phase = i18n.T("home.starting_tor_2")
		}
		text := i18n.T("home.you_can_already_share", "Phase", phase)
		if note := connectNote(s); note != "" {
			// What the automatic connection tries, and why.
			text = i18n.T("home.note_and_phase", "Note", note, "Phase", phase)
		}
		h.progress.SetProgress(float64(s.Percent), text)
	}
	h.progress.Show()
	h.torCard.Show()
}
