package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// imageExts are the picture files an invite is read from.
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// addContactDialog adds a contact from an invite (pasted text, a picture
// from the clipboard, a file or a drop) or by onion address.
type addContactDialog struct {
	mv       *mainView
	d        *dialog.CustomDialog
	text     *field
	onion    *field
	nickname *field
	errLabel *widget.Label
	details  *detailsNote // the error's technical text, on request
	status   *widget.Label
	busy     *widget.ProgressBarInfinite
	buttons  []fyne.Disableable
}

// showAddContact opens the Add contact dialog (or brings back the open one).
func (mv *mainView) showAddContact() {
	if mv.add != nil {
		return
	}
	u := mv.u
	a := &addContactDialog{mv: mv}
	mv.add = a
	a.text = newMultiLineField()
	a.text.SetPlaceHolder(i18n.T("addcontact.paste_their_invite_here"))
	a.text.Wrapping = fyne.TextWrapBreak
	a.text.SetMinRowsVisible(3)
	a.text.OnChanged = func(s string) {
		if strings.Contains(s, "\n") && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), engine.InviteScheme) {
			a.accept(strings.TrimSpace(s)) // pasted with a trailing newline
		}
	}
	addInvite := widget.NewButton(i18n.T("addcontact.add_from_invite"), func() { a.accept(a.text.Text) })
	addInvite.Importance = widget.HighImportance
	pasteImg := widget.NewButton(i18n.T("addcontact.paste_image"), a.pasteImage)
	chooseImg := widget.NewButton(i18n.T("addcontact.choose_image"), a.chooseImage)
	a.onion = newField()
	a.onion.SetPlaceHolder(i18n.T("addcontact.56_letters_and_digits"))
	a.nickname = newField()
	a.nickname.SetPlaceHolder(i18n.T("addcontact.name_to_show_optional"))
	byAddr := widget.NewButton(i18n.T("addcontact.send_contact_request"), a.addByAddress)
	a.onion.OnSubmitted = func(string) { a.addByAddress() }
	a.nickname.OnSubmitted = func(string) { a.addByAddress() }
	a.errLabel = errorLabel()
	a.details = newDetailsNote()
	a.status = muted("")
	a.status.Hide()
	a.busy = idleSpinner()
	a.buttons = []fyne.Disableable{addInvite, pasteImg, chooseImg, byAddr, a.text, a.onion, a.nickname}
	closeBtn := widget.NewButton(i18n.T("common.close"), func() { a.d.Hide() })

	content := container.NewVBox(
		subheading(i18n.T("addcontact.from_an_invite")),
		a.text,
		container.NewHBox(addInvite, layoutSpacer(), pasteImg, chooseImg),
		muted(i18n.T("addcontact.you_can_also_drop")),
		widget.NewSeparator(),
		subheading(i18n.T("addcontact.by_onion_address")),
		a.onion,
		a.nickname,
		container.NewHBox(layoutSpacer(), byAddr),
		a.errLabel, a.details.root, a.status, a.busy,
		widget.NewSeparator(),
		container.NewHBox(layoutSpacer(), closeBtn),
	)
	a.d = dialog.NewCustomWithoutButtons(i18n.T("common.add_a_contact"), content, u.win)
	a.d.Resize(fyne.NewSize(520, 0))
	u.showDialogOnClosed(a.d, func() {
		if mv.add == a {
			mv.add = nil
		}
	})
	u.win.Canvas().Focus(a.text)
}

// addContactFromFile opens the dialog and reads an invite from a picture
// file (a drop on the window).
func (mv *mainView) addContactFromFile(path string) {
	mv.showAddContact()
	if mv.add != nil {
		mv.add.readImageFile(path)
	}
}

func (a *addContactDialog) setBusy(b bool, status string) {
	showBusy(b, status, a.busy, a.status, a.buttons...)
}

// accept acts on invite text in the background.
func (a *addContactDialog) accept(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		a.setError(i18n.T("addcontact.paste_their_invite_first"), "")
		return
	}
	a.setError("", "")
	a.setBusy(true, i18n.T("addcontact.adding_the_contact"))
	type accepted struct {
		res engine.InviteResult
		cv  model.Conversation // of a contact or a group
	}
	run(a.mv.u, func(_ context.Context, e Engine) (accepted, error) {
		res, err := e.AcceptInvite(text)
		if err != nil {
			return accepted{}, err
		}
		var cv model.Conversation
		switch res.Kind {
		case model.InviteContact:
			cv, err = e.Conversation(model.ConversationID(res.Contact.Address))
		case model.InviteGroup:
			cv, err = e.Conversation(res.Group.Conversation())
		}
		return accepted{res, cv}, err
	}, func(acc accepted, err error) {
		if err == nil && acc.res.Kind != model.InviteContact {
			a.doneOther(acc.res, acc.cv)
			return
		}
		a.done(acc.cv, err)
	})
}

// done shows the result of adding a contact: the new conversation, or the
// error with what to do about it.
func (a *addContactDialog) done(cv model.Conversation, err error) {
	a.setBusy(false, "")
	if err != nil {
		a.setError(plainError(i18n.T("addcontact.this_invite_could_not"), err,
			i18n.T("addcontact.ask_them_to_send")), "")
		a.details.set(err)
		return
	}
	a.d.Hide()
	a.mv.showConversation(cv)
}

// doneOther acts on a group or server invite pasted here: a group opens;
// a server is remembered for new groups.
func (a *addContactDialog) doneOther(res engine.InviteResult, cv model.Conversation) {
	a.setBusy(false, "")
	mv := a.mv
	a.d.Hide()
	switch res.Kind {
	case model.InviteGroup:
		mv.showConversation(cv)
	case model.InviteServer:
		d := dialog.NewCustom(i18n.T("addcontact.server_added"), i18n.T("common.close"), para(
			i18n.T("addcontact.nook_now_knows_this")), mv.u.win)
		d.Resize(fyne.NewSize(420, 0))
		mv.u.showDialog(d)
	}
}

// addByAddress sends a contact request to a typed onion address.
func (a *addContactDialog) addByAddress() {
	addr := strings.TrimSpace(a.onion.Text)
	if _, err := engine.ParseAddress(addr); err != nil {
		a.setError(i18n.T("addcontact.that_is_not_an"),
			i18n.T("addcontact.an_address_is_56"))
		return
	}
	nick := a.nickname.Text
	a.setError("", "")
	a.setBusy(true, i18n.T("addcontact.sending_the_request"))
	run(a.mv.u, func(_ context.Context, e Engine) (model.Conversation, error) {
		c, err := e.AddContact(addr, nick)
		if err != nil {
			return model.Conversation{}, err
		}
		return e.Conversation(model.ConversationID(c.Address))
	}, func(cv model.Conversation, err error) { a.done(cv, err) })
}

// qr reads an invite from a picture of its QR code and accepts it.
func (a *addContactDialog) qr() qrInput {
	return qrInput{u: a.mv.u, busy: a.setBusy, fail: a.setError,
		found: func(text string) {
			a.text.SetText(text)
			a.accept(text)
		}}
}

func (a *addContactDialog) pasteImage() { a.qr().pasteImage() }

func (a *addContactDialog) chooseImage() { a.qr().chooseImage() }

// readImageFile finds the invite in a picture and accepts it.
func (a *addContactDialog) readImageFile(path string) { a.qr().readFile(path) }

// setError shows msg and hint (nothing when msg is empty), without the
// details of an earlier error.
func (a *addContactDialog) setError(msg, hint string) {
	setError(a.errLabel, msg, hint)
	a.details.set(nil)
}
