package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// Server choices of the New group dialog besides the known servers.

func choiceHost() string { return i18n.T("creategroup.choice_host") }

func choicePaste() string { return i18n.T("creategroup.choice_paste") }

// createGroupDialog creates a group on a server: one already known, one
// from a server invite (text or QR image), or one hosted by this app.
type createGroupDialog struct {
	mv       *mainView
	d        *dialog.CustomDialog
	name     *field
	choice   *widget.RadioGroup
	servers  map[string]string // choice label → server invite
	paste    *field
	pasteBox *fyne.Container
	hostNote *widget.Label
	errLabel *widget.Label
	details  *detailsNote
	busy     *widget.ProgressBarInfinite
	status   *widget.Label
	create   *widget.Button
}

// showCreateGroup opens the New group dialog, once the known servers are
// read.
func (mv *mainView) showCreateGroup() {
	if mv.createGroup != nil {
		return
	}
	run(mv.u, func(_ context.Context, e Engine) (knownServers, error) { return readServers(e), nil },
		func(k knownServers, _ error) {
			if mv.createGroup == nil {
				mv.openCreateGroup(k.servers, k.hosted)
			}
		})
}

// openCreateGroup opens the New group dialog offering the known servers.
func (mv *mainView) openCreateGroup(servers []engine.Server, hosted string) {
	u := mv.u
	cg := &createGroupDialog{mv: mv, servers: map[string]string{}}
	mv.createGroup = cg
	cg.name = newField()
	cg.name.SetPlaceHolder(i18n.T("creategroup.group_name_e_g"))

	var options []string
	for _, s := range servers {
		label := i18n.T("creategroup.server_2", "Address", strings.Fields(widgets.GroupedAddress(string(s.Address)))[0])
		if hosted != "" && s.Invite == hosted {
			label += i18n.T("creategroup.hosted_here")
		}
		cg.servers[label] = s.Invite
		options = append(options, label)
	}
	options = append(options, choicePaste(), choiceHost())
	cg.paste = newMultiLineField()
	cg.paste.SetPlaceHolder(i18n.T("creategroup.paste_the_server_invite"))
	cg.paste.Wrapping = fyne.TextWrapBreak
	cg.paste.SetMinRowsVisible(3)
	chooseImg := widget.NewButton(i18n.T("creategroup.choose_qr_image"), cg.chooseImage)
	cg.pasteBox = container.NewVBox(cg.paste,
		container.NewBorder(nil, nil, nil, chooseImg, muted(i18n.T("creategroup.you_can_also_drop"))))
	cg.hostNote = muted(i18n.T("creategroup.nook_starts_a_group"))
	cg.choice = widget.NewRadioGroup(options, func(string) { cg.choiceChanged() })
	cg.choice.Required = true
	if len(servers) > 0 {
		cg.choice.SetSelected(options[0])
	} else {
		cg.choice.SetSelected(choicePaste())
	}
	cg.errLabel = errorLabel()
	cg.details = newDetailsNote()
	cg.status = muted("")
	cg.status.Hide()
	cg.busy = idleSpinner()
	cg.create = widget.NewButton(i18n.T("creategroup.create_group"), cg.submit)
	cg.create.Importance = widget.HighImportance
	cg.name.OnSubmitted = func(string) { cg.submit() }
	cancel := widget.NewButton(i18n.T("common.cancel"), func() { cg.d.Hide() })

	content := container.NewVBox(
		widget.NewLabel(i18n.T("common.name")),
		cg.name,
		muted(i18n.T("creategroup.everyone_you_invite_sees")),
		widget.NewSeparator(),
		subheading(i18n.T("creategroup.server")),
		muted(i18n.T("creategroup.a_group_s_messages")),
		cg.choice,
		cg.pasteBox,
		cg.hostNote,
		cg.errLabel, cg.details.root, cg.status, cg.busy,
		widget.NewSeparator(),
		container.NewHBox(layoutSpacer(), cancel, cg.create),
	)
	cg.d = dialog.NewCustomWithoutButtons(i18n.T("creategroup.new_group"), content, u.win)
	cg.d.Resize(fyne.NewSize(540, 0))
	u.showDialogOnClosed(cg.d, func() {
		if mv.createGroup == cg {
			mv.createGroup = nil
		}
	})
	cg.choiceChanged()
	u.win.Canvas().Focus(cg.name)
}

// choiceChanged shows what goes with the chosen server.
func (cg *createGroupDialog) choiceChanged() {
	if cg.pasteBox == nil {
		return
	}
	if cg.choice.Selected == choicePaste() {
		cg.pasteBox.Show()
	} else {
		cg.pasteBox.Hide()
	}
	if cg.choice.Selected == choiceHost() {
		cg.hostNote.Show()
	} else {
		cg.hostNote.Hide()
	}
}

func (cg *createGroupDialog) setBusy(b bool, status string) {
	showBusy(b, status, cg.busy, cg.status, cg.create, cg.name, cg.choice, cg.paste)
}

// submit creates the group in the background.
func (cg *createGroupDialog) submit() {
	name := strings.TrimSpace(cg.name.Text)
	if name == "" {
		cg.setError(i18n.T("creategroup.give_the_group_a"), "")
		cg.mv.u.win.Canvas().Focus(cg.name)
		return
	}
	choice := cg.choice.Selected
	serverInvite := cg.servers[choice]
	if choice == choicePaste() {
		serverInvite = strings.TrimSpace(cg.paste.Text)
		if serverInvite == "" {
			cg.setError(i18n.T("creategroup.paste_the_server_s"),
				i18n.T("creategroup.whoever_runs_the_server"))
			return
		}
	}
	cg.setError("", "")
	status := i18n.T("creategroup.creating_the_group")
	if choice == choiceHost() {
		status = i18n.T("creategroup.starting_the_server_and")
	}
	cg.setBusy(true, status)
	mv := cg.mv
	run(mv.u, func(ctx context.Context, e Engine) (model.Conversation, error) {
		text := serverInvite
		if choice == choiceHost() {
			var err error
			if text, err = e.HostServer(ctx); err != nil {
				return model.Conversation{}, err
			}
		}
		g, err := e.CreateGroup(name, text)
		if err != nil {
			return model.Conversation{}, err
		}
		return e.Conversation(g.Conversation())
	}, func(cv model.Conversation, err error) {
		cg.setBusy(false, "")
		if err != nil {
			cg.showError(err)
			return
		}
		cg.d.Hide()
		mv.showConversation(cv)
	})
}

// showError explains why the group was not created.
func (cg *createGroupDialog) showError(err error) {
	if errors.Is(err, engine.ErrInviteKind) {
		cg.setError(i18n.T("creategroup.the_group_was_not"), i18n.T("creategroup.use_the_invite_of"))
	} else {
		cg.setError(plainError(i18n.T("creategroup.the_group_was_not"), err,
			i18n.T("creategroup.check_the_server_invite")), "")
	}
	cg.details.set(err)
}

// qr reads a server invite from a picture of its QR code into the paste
// field.
func (cg *createGroupDialog) qr() qrInput {
	return qrInput{u: cg.mv.u, busy: cg.setBusy, fail: cg.setError,
		found: func(text string) { cg.paste.SetText(text) }}
}

func (cg *createGroupDialog) chooseImage() { cg.mv.u.chooseFile(imageExts, cg.readImageFile) }

// readImageFile reads a server invite from a picture of its QR code.
func (cg *createGroupDialog) readImageFile(path string) {
	cg.choice.SetSelected(choicePaste())
	cg.qr().read(i18n.T("creategroup.looking_for_a_qr", "File", filepath.Base(path)),
		func(context.Context) (string, error) { return engine.ReadInviteFile(path) })
}

// setError shows msg and hint (nothing when msg is empty), without the
// details of an earlier error.
func (cg *createGroupDialog) setError(msg, hint string) {
	setError(cg.errLabel, msg, hint)
	cg.details.set(nil)
}
