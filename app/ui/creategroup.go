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

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// Server choices of the New group dialog besides the known servers.
const (
	choicePaste = "Use a server invite (paste it or choose a QR image)"
	choiceHost  = "Host a server on this computer"
)

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
	cg.name.SetPlaceHolder("Group name, e.g. Newsroom")

	var options []string
	for _, s := range servers {
		label := "Server " + strings.Fields(widgets.GroupedAddress(string(s.Address)))[0] + "…"
		if hosted != "" && s.Invite == hosted {
			label += " (hosted here)"
		}
		cg.servers[label] = s.Invite
		options = append(options, label)
	}
	options = append(options, choicePaste, choiceHost)
	cg.paste = newMultiLineField()
	cg.paste.SetPlaceHolder("Paste the server invite here (it starts with NOOK:S1:)")
	cg.paste.Wrapping = fyne.TextWrapBreak
	cg.paste.SetMinRowsVisible(3)
	chooseImg := widget.NewButton("Choose QR image…", cg.chooseImage)
	cg.pasteBox = container.NewVBox(cg.paste,
		container.NewBorder(nil, nil, nil, chooseImg, muted("You can also drop a picture of its QR code onto the window.")))
	cg.hostNote = muted("Nook starts a group server inside this app, reachable as an onion service. " +
		"Members can exchange messages only while this computer is on and Nook is running. " +
		"The server stores messages encrypted and cannot read them.")
	cg.choice = widget.NewRadioGroup(options, func(string) { cg.choiceChanged() })
	cg.choice.Required = true
	if len(servers) > 0 {
		cg.choice.SetSelected(options[0])
	} else {
		cg.choice.SetSelected(choicePaste)
	}
	cg.errLabel = errorLabel()
	cg.details = newDetailsNote()
	cg.status = muted("")
	cg.status.Hide()
	cg.busy = idleSpinner()
	cg.create = widget.NewButton("Create group", cg.submit)
	cg.create.Importance = widget.HighImportance
	cg.name.OnSubmitted = func(string) { cg.submit() }
	cancel := widget.NewButton("Cancel", func() { cg.d.Hide() })

	content := container.NewVBox(
		widget.NewLabel("Name"),
		cg.name,
		muted("Everyone you invite sees this name."),
		widget.NewSeparator(),
		subheading("Server"),
		muted("A group's messages travel through a group server. It keeps them end-to-end encrypted: "+
			"it cannot read them."),
		cg.choice,
		cg.pasteBox,
		cg.hostNote,
		cg.errLabel, cg.details.root, cg.status, cg.busy,
		widget.NewSeparator(),
		container.NewHBox(layoutSpacer(), cancel, cg.create),
	)
	cg.d = dialog.NewCustomWithoutButtons("New group", content, u.win)
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
	if cg.choice.Selected == choicePaste {
		cg.pasteBox.Show()
	} else {
		cg.pasteBox.Hide()
	}
	if cg.choice.Selected == choiceHost {
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
		cg.setError("Give the group a name first.", "")
		cg.mv.u.win.Canvas().Focus(cg.name)
		return
	}
	choice := cg.choice.Selected
	serverInvite := cg.servers[choice]
	if choice == choicePaste {
		serverInvite = strings.TrimSpace(cg.paste.Text)
		if serverInvite == "" {
			cg.setError("Paste the server's invite first, or choose a picture of its QR code.",
				"Whoever runs the server can give you its invite. You can also host a server on this computer.")
			return
		}
	}
	cg.setError("", "")
	status := "Creating the group…"
	if choice == choiceHost {
		status = "Starting the server and creating the group…"
	}
	cg.setBusy(true, status)
	mv := cg.mv
	run(mv.u, func(ctx context.Context, e Engine) (model.Conversation, error) {
		text := serverInvite
		if choice == choiceHost {
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
		cg.setError("The group was not created.", "Use the invite of a group server (NOOK:S1:…). A contact's invite does not work here.")
	} else {
		cg.setError(plainError("The group was not created.", err,
			"Check the server invite, or choose another server."), "")
	}
	cg.details.set(err)
}

func (cg *createGroupDialog) chooseImage() {
	cg.mv.u.chooseFile(imageExts, cg.readImageFile)
}

// readImageFile reads a server invite from a picture of its QR code.
func (cg *createGroupDialog) readImageFile(path string) {
	cg.setError("", "")
	cg.choice.SetSelected(choicePaste)
	cg.setBusy(true, "Looking for a QR code in "+filepath.Base(path)+"…")
	run(cg.mv.u, func(context.Context, Engine) (string, error) { return engine.ReadInviteFile(path) },
		func(text string, err error) {
			cg.setBusy(false, "")
			if err != nil {
				cg.setError(pictureError(err))
				return
			}
			cg.paste.SetText(text)
		})
}

// setError shows msg and hint (nothing when msg is empty), without the
// details of an earlier error.
func (cg *createGroupDialog) setError(msg, hint string) {
	setError(cg.errLabel, msg, hint)
	cg.details.set(nil)
}
