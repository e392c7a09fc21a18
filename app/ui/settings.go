package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// settingsDialog edits the profile and its preferences. Preferences are
// stored as soon as they change.
type settingsDialog struct {
	u *UI
	d *dialog.CustomDialog
	s engine.Settings

	tabs *container.AppTabs
	// fileLimit and autoAccept are the settings of received files
	// (files.go).
	fileLimit, autoAccept *widget.Select

	name       *field
	blockUnk   *widget.Check
	notify     *widget.Check
	notifyText *widget.Check
	autoLock   *widget.Select
	// The password state (Privacy tab): a sentence, the actions that fit
	// it, and the note that automatic lock needs a password.
	pwState     *widget.Label
	pwActions   *fyne.Container
	autoLockOff *widget.Label
	themeChoice *widget.RadioGroup
	textSize    *widget.Slider
	network     *networkTab
	servers     *serversTab
	errLabel    *widget.Label
}

// showSettings opens the settings dialog.
func (u *UI) showSettings() {
	if u.main == nil {
		return
	}
	type read struct {
		s      engine.Settings
		tor    engine.TorSettings
		torErr error
	}
	run(u, func(_ context.Context, e Engine) (read, error) {
		s, err := e.Settings()
		if err != nil {
			return read{}, err
		}
		tor, torErr := e.LoadTorSettings()
		return read{s, tor, torErr}, nil
	}, func(r read, err error) {
		if err != nil {
			u.showError("Settings could not be read", err)
			return
		}
		u.openSettings(r.s, r.tor, r.torErr)
	})
}

// openSettings shows the settings dialog with the settings read.
func (u *UI) openSettings(s engine.Settings, tor engine.TorSettings, torErr error) {
	sd := &settingsDialog{u: u, s: s}
	sd.errLabel = errorLabel()
	sd.tabs = container.NewAppTabs(
		container.NewTabItem("Profile", sd.profileTab()),
		container.NewTabItem("Privacy", sd.privacyTab()),
		container.NewTabItem("Appearance", sd.appearanceTab()),
		container.NewTabItem("Network", sd.networkTab(tor, torErr)),
		container.NewTabItem("Group servers", sd.serversTab()),
	)
	sd.tabs.OnSelected = func(ti *container.TabItem) {
		if ti.Text == "Group servers" {
			sd.servers.refresh()
		}
	}
	closeBtn := widget.NewButton("Close", func() { sd.d.Hide() })
	content := container.NewBorder(nil, container.NewVBox(sd.errLabel, container.NewHBox(layoutSpacer(), closeBtn)),
		nil, nil, sd.tabs)
	sd.d = dialog.NewCustomWithoutButtons("Settings", content, u.win)
	// As tall as the window allows, up to what the longest tab needs.
	sd.d.Resize(fyne.NewSize(640, max(min(u.win.Canvas().Size().Height-60, 780), 480)))
	u.settings = sd
	u.showDialogOnClosed(sd.d, func() {
		if u.settings == sd {
			u.settings = nil
		}
	})
}

// save stores the settings in the background, in the order they were
// changed, and applies them.
func (sd *settingsDialog) save() {
	u, s := sd.u, sd.s
	u.prefs = s
	u.armAutoLock()
	runInOrder(u, func(_ context.Context, e Engine) (struct{}, error) { return struct{}{}, e.SetSettings(s) },
		func(_ struct{}, err error) {
			if err != nil {
				setFailure(sd.errLabel, "The setting was not saved.", err)
				return
			}
			setError(sd.errLabel, "", "")
		})
}

// autoLockLabel names an automatic-lock choice.
func autoLockLabel(minutes int) string {
	switch {
	case minutes <= 0:
		return "Never"
	case minutes == 1:
		return "After 1 minute in the background"
	case minutes%60 == 0 && minutes/60 == 1:
		return "After 1 hour in the background"
	}
	return fmt.Sprintf("After %d minutes in the background", minutes)
}

func (sd *settingsDialog) profileTab() fyne.CanvasObject {
	u := sd.u
	sd.name = newField()
	sd.name.SetText(u.main.name)
	saveName := widget.NewButton("Save name", nil)
	saveName.OnTapped = func() {
		name := strings.TrimSpace(sd.name.Text)
		if name == "" || engine.CheckDisplayName(name) != nil {
			setError(sd.errLabel, "Please enter a shorter name without special characters.", "")
			return
		}
		saveName.Disable()
		runErr(u, func(_ context.Context, e Engine) error { return e.SetDisplayName(name) }, func(err error) {
			saveName.Enable()
			if err != nil {
				setFailure(sd.errLabel, "The name was not saved.", err)
				return
			}
			setError(sd.errLabel, "", "")
			u.main.setSelf(name)
			saveName.SetText("Saved")
		})
	}
	sd.name.OnChanged = func(string) { saveName.SetText("Save name") }
	sd.name.OnSubmitted = func(string) { saveName.OnTapped() }
	export := widget.NewButton("Export…", u.showExport)
	imp := widget.NewButton("Import…", u.showImport)
	del := widget.NewButton("Delete this profile…", sd.showDeleteProfile)
	del.Importance = widget.DangerImportance
	return container.NewVScroll(container.NewVBox(
		subheading("Your name"),
		container.NewBorder(nil, nil, nil, saveName, sd.name),
		muted("Contacts see the new name the next time they connect."),
		widget.NewSeparator(),
		subheading("Backup"),
		muted("Export your profile to move it to another computer or to keep a backup. Import adds a profile from such a file."),
		container.NewHBox(export, imp),
		widget.NewSeparator(),
		subheading("Delete"),
		muted("Removes this profile, its contacts and all its messages from this computer."),
		container.NewHBox(del),
	))
}

func (sd *settingsDialog) privacyTab() fyne.CanvasObject {
	sd.blockUnk = widget.NewCheck("Block contact requests from people I haven't added", nil)
	sd.blockUnk.SetChecked(sd.s.BlockUnknown)
	sd.blockUnk.OnChanged = func(b bool) {
		sd.s.BlockUnknown = b
		sd.save()
		if mv := sd.u.main; mv != nil {
			mv.home.showBlocked() // it says whether new contacts can reach the person
		}
	}
	sd.notifyText = widget.NewCheck("Show the sender and the message text in notifications", nil)
	sd.notifyText.SetChecked(sd.s.NotificationText)
	sd.notifyText.OnChanged = func(b bool) { sd.s.NotificationText = b; sd.save() }
	sd.notify = widget.NewCheck("Notify me of new messages and requests", nil)
	sd.notify.SetChecked(sd.s.Notifications)
	sd.notify.OnChanged = func(b bool) {
		sd.s.Notifications = b
		if b {
			sd.notifyText.Enable()
		} else {
			sd.notifyText.Disable()
		}
		sd.save()
	}
	if !sd.s.Notifications {
		sd.notifyText.Disable()
	}
	labels := make([]string, len(engine.AutoLockChoices))
	for i, m := range engine.AutoLockChoices {
		labels[i] = autoLockLabel(m)
	}
	sd.autoLock = widget.NewSelect(labels, nil)
	sd.autoLock.SetSelected(autoLockLabel(sd.s.AutoLockMinutes))
	sd.autoLock.OnChanged = func(v string) {
		for i, l := range labels {
			if l == v {
				sd.s.AutoLockMinutes = engine.AutoLockChoices[i]
			}
		}
		sd.save()
	}
	sd.pwState = para("")
	sd.pwActions = container.NewHBox()
	sd.autoLockOff = para(lockNeedsPw)
	sd.autoLockOff.Importance = widget.WarningImportance
	sd.refreshPassword()
	return container.NewVScroll(container.NewVBox(
		subheading("Password"),
		sd.pwState,
		sd.pwActions,
		widget.NewSeparator(),
		subheading("Lock automatically"),
		sd.autoLock,
		sd.autoLockOff,
		muted("Locks this profile when Nook has been in the background that long, so that someone who picks up "+
			"the computer needs your password to read it. Ctrl+L (⌘L on a Mac) locks it at once."),
		widget.NewSeparator(),
		subheading("Contact requests"),
		sd.blockUnk,
		muted("When on, only people you added yourself can reach you. New invites you give out stop working until you turn it off."),
		widget.NewSeparator(),
		subheading("Notifications"),
		sd.notify,
		sd.notifyText,
		muted("Off by default: notifications can appear on a locked screen or a shared display, where others can read them."),
		widget.NewSeparator(),
		sd.filesSection(),
	))
}

// refreshPassword shows whether the profile has a password, the actions
// that go with it, and turns automatic lock off without one (locking
// would protect nothing).
func (sd *settingsDialog) refreshPassword() {
	u := sd.u
	has, ok := u.hasPassword()
	sd.pwActions.RemoveAll()
	switch {
	case !ok:
		sd.pwState.SetText("Nook could not read whether this profile has a password.")
		sd.pwState.Importance = widget.DangerImportance
	case has:
		sd.pwState.SetText(hasPasswordState)
		sd.pwState.Importance = widget.MediumImportance
		sd.pwActions.Add(widget.NewButton("Change password…", u.showChangePassword))
		sd.pwActions.Add(widget.NewButton("Remove password…", u.showRemovePassword))
	default:
		sd.pwState.SetText(noPasswordState)
		sd.pwState.Importance = widget.WarningImportance
		set := widget.NewButton("Set a password…", u.showSetPassword)
		set.Importance = widget.HighImportance
		sd.pwActions.Add(set)
	}
	sd.pwState.Refresh()
	if ok && !has {
		sd.autoLock.Disable()
		sd.autoLockOff.Show()
	} else {
		sd.autoLock.Enable()
		sd.autoLockOff.Hide()
	}
}

func (sd *settingsDialog) appearanceTab() fyne.CanvasObject {
	options := []string{"System", "Light", "Dark"}
	sd.themeChoice = widget.NewRadioGroup(options, nil)
	sd.themeChoice.Horizontal = true
	sd.themeChoice.Required = true
	sd.themeChoice.SetSelected(variantOf(sd.s.Theme).String())
	sd.themeChoice.OnChanged = func(v string) {
		sd.s.Theme = strings.ToLower(v)
		sd.u.applyTheme(sd.s)
		sd.save()
	}
	scale := sd.s.TextScale
	if scale == 0 {
		scale = 1
	}
	sizeLabel := widget.NewLabel(fmt.Sprintf("%d %%", int(scale*100+0.5)))
	sd.textSize = widget.NewSlider(float64(widgets.MinTextScale), float64(widgets.MaxTextScale))
	sd.textSize.Step = 0.05
	sd.textSize.SetValue(float64(scale))
	sd.textSize.OnChanged = func(v float64) {
		sizeLabel.SetText(fmt.Sprintf("%d %%", int(v*100+0.5)))
	}
	sd.textSize.OnChangeEnded = func(v float64) {
		sd.s.TextScale = float32(v)
		sd.u.applyTheme(sd.s)
		sd.save()
	}
	return container.NewVScroll(container.NewVBox(
		subheading("Theme"),
		sd.themeChoice,
		widget.NewSeparator(),
		subheading("Text size"),
		container.NewBorder(nil, nil, widget.NewLabel("A"), sizeLabel, sd.textSize),
	))
}

func (sd *settingsDialog) networkTab(tor engine.TorSettings, torErr error) fyne.CanvasObject {
	sd.network = newNetworkTab(sd.u, tor, torErr)
	return sd.network.root
}

func (sd *settingsDialog) serversTab() fyne.CanvasObject {
	sd.servers = newServersTab(sd.u)
	return sd.servers.root
}

// torSummary describes Tor's state in a sentence.
func torSummary(s model.TorStatus) string {
	switch s.State {
	case model.TorReady:
		if s.Phase == "Local network" {
			return "Connected to a local test network. Tor is not used: this is for trying Nook out on one computer."
		}
		return "Connected to the Tor network."
	case model.TorFailed, model.TorStopped:
		msg := "Not connected to Tor."
		if s.Err != "" {
			msg += " " + s.Err
		}
		if s.Hint != "" {
			msg += "\n" + s.Hint
		}
		return msg
	case model.TorRestarting:
		return "Tor stopped unexpectedly; Nook is restarting it."
	case 0:
		return "Tor is starting."
	}
	return fmt.Sprintf("Connecting to the Tor network: %d %% (%s).", s.Percent, s.Phase)
}

// showDeleteProfile deletes the profile after a confirmation that cannot
// be given by accident: its password, or, without one, its name typed.
// Export first… opens the export dialog over it.
func (sd *settingsDialog) showDeleteProfile() {
	u := sd.u
	name := u.main.name
	has, ok := u.hasPassword()
	has = has || !ok // unknown: the engine checks the password anyway
	var entry *field
	var ask fyne.CanvasObject
	if has {
		entry = newPasswordField()
		entry.SetPlaceHolder("Your password")
		ask = widget.NewLabel("Type your password to confirm")
	} else {
		entry = newField()
		entry.SetPlaceHolder("Profile name")
		ask = para("This profile has no password. To confirm, type its name, “" + name + "”.")
	}
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	del := newFormButton("Delete for ever", nil)
	del.Importance = widget.DangerImportance
	del.OnTapped = func() {
		switch {
		case has && entry.Text == "":
			setError(errLabel, "Type this profile's password to confirm.", "")
			u.win.Canvas().Focus(entry)
			return
		case !has && strings.TrimSpace(entry.Text) != name:
			setError(errLabel, "Type the profile's name, “"+name+"”, exactly as shown.", "")
			u.win.Canvas().Focus(entry)
			return
		}
		setError(errLabel, "", "")
		pw := ""
		if has {
			pw = entry.Text
		}
		showBusy(true, "Deleting…", spinner, status, del, entry)
		runErr(u, func(_ context.Context, e Engine) error { return e.DeleteProfile(pw) },
			func(err error) {
				showBusy(false, "", spinner, status, del, entry)
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, "That is not this profile's password.", "")
					u.win.Canvas().Focus(entry)
				case err != nil:
					setFailure(errLabel, "The profile was not deleted.", err)
				default:
					u.main = nil
					u.updateTray()
					u.showFirstScreen()
					u.showMessage("Profile deleted",
						"Profile “"+name+"” and all its messages were deleted from this computer.")
				}
			})
	}
	entry.OnSubmitted = func(string) { del.OnTapped() }
	u.showForm("Delete this profile?", 460, del, entry,
		para("This deletes your identity, your contacts and every message from this computer. "+
			"Contacts cannot reach this profile any more. It cannot be undone, unless you have an export."),
		container.NewHBox(widget.NewButton("Export first…", u.showExport)),
		widget.NewSeparator(),
		ask, entry, errLabel, busy,
	)
}
