package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/widgets"
)

// settingsDialog edits the profile and its preferences. Preferences are
// stored as soon as they change.
type settingsDialog struct {
	u *UI
	d *dialog.CustomDialog
	s engine.Settings

	tabs *container.AppTabs

	name        *widget.Entry
	blockUnk    *widget.Check
	notify      *widget.Check
	notifyText  *widget.Check
	autoLock    *widget.Select
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
	s, err := u.eng.Settings()
	if err != nil {
		u.showError("Settings could not be read", err)
		return
	}
	sd := &settingsDialog{u: u, s: s}
	sd.errLabel = errorLabel()
	sd.tabs = container.NewAppTabs(
		container.NewTabItem("Profile", sd.profileTab()),
		container.NewTabItem("Privacy", sd.privacyTab()),
		container.NewTabItem("Appearance", sd.appearanceTab()),
		container.NewTabItem("Network", sd.networkTab()),
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

// save stores the settings and applies them.
func (sd *settingsDialog) save() {
	if err := sd.u.eng.SetSettings(sd.s); err != nil {
		setError(sd.errLabel, "The setting was not saved: "+err.Error(), "")
		return
	}
	setError(sd.errLabel, "", "")
	sd.u.armAutoLock()
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
	sd.name = widget.NewEntry()
	sd.name.SetText(u.main.name)
	saveName := widget.NewButton("Save name", nil)
	saveName.OnTapped = func() {
		name := strings.TrimSpace(sd.name.Text)
		if name == "" || protocol.CheckDisplayName(name) != nil {
			setError(sd.errLabel, "Please enter a shorter name without special characters.", "")
			return
		}
		if err := u.eng.SetDisplayName(name); err != nil {
			setError(sd.errLabel, "The name was not saved: "+err.Error(), "")
			return
		}
		setError(sd.errLabel, "", "")
		u.main.setSelf(name)
		saveName.SetText("Saved")
	}
	sd.name.OnChanged = func(string) { saveName.SetText("Save name") }
	sd.name.OnSubmitted = func(string) { saveName.OnTapped() }
	changePw := widget.NewButton("Change password…", sd.showChangePassword)
	export := widget.NewButton("Export…", u.showExport)
	imp := widget.NewButton("Import…", u.showImport)
	del := widget.NewButton("Delete this profile…", sd.showDeleteProfile)
	del.Importance = widget.DangerImportance
	return container.NewVScroll(container.NewVBox(
		subheading("Your name"),
		container.NewBorder(nil, nil, nil, saveName, sd.name),
		muted("Contacts see the new name the next time they connect."),
		widget.NewSeparator(),
		subheading("Password"),
		container.NewHBox(changePw),
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
	sd.blockUnk.OnChanged = func(b bool) { sd.s.BlockUnknown = b; sd.save() }
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
	return container.NewVScroll(container.NewVBox(
		subheading("Lock automatically"),
		sd.autoLock,
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
	))
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

func (sd *settingsDialog) networkTab() fyne.CanvasObject {
	sd.network = newNetworkTab(sd.u)
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

func (sd *settingsDialog) showChangePassword() {
	u := sd.u
	old := widget.NewPasswordEntry()
	pw, confirm, pwFields := newPasswordFields()
	errLabel := errorLabel()
	var d *dialog.CustomDialog
	ok := widget.NewButton("Change password", nil)
	ok.Importance = widget.HighImportance
	ok.OnTapped = func() {
		if pw.Text != confirm.Text {
			setError(errLabel, "The two new passwords are not the same.", "")
			return
		}
		ok.Disable()
		o, n := old.Text, pw.Text
		u.background(func() {
			err := u.eng.ChangePassword(o, n)
			u.do(func() {
				ok.Enable()
				switch {
				case errors.Is(err, profile.ErrWrongPassword):
					setError(errLabel, "The current password is not right.", "")
				case err != nil:
					setError(errLabel, "The password was not changed: "+err.Error(), "")
				default:
					d.Hide()
					dialog.ShowInformation("Password changed", "Use the new password the next time you open Nook.", u.win)
				}
			})
		})
	}
	d = u.showForm("Change password", 440, ok, old,
		widget.NewLabel("Current password"), old,
		widget.NewLabel("New password"), pwFields,
		muted("Leave the new password empty to remove it: then anyone using this computer can open this profile."),
		errLabel,
	)
}

func (sd *settingsDialog) showDeleteProfile() {
	u := sd.u
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder("Your password")
	errLabel := errorLabel()
	del := widget.NewButton("Delete for ever", nil)
	del.Importance = widget.DangerImportance
	del.OnTapped = func() {
		del.Disable()
		p := pw.Text
		u.background(func() {
			err := u.eng.DeleteProfile(p)
			u.do(func() {
				del.Enable()
				switch {
				case errors.Is(err, profile.ErrWrongPassword):
					setError(errLabel, "That is not this profile's password.", "")
				case err != nil:
					setError(errLabel, "The profile was not deleted: "+err.Error(), "")
				default:
					u.main = nil
					u.updateTray()
					u.showFirstScreen()
				}
			})
		})
	}
	u.showForm("Delete this profile?", 440, del, pw,
		para("This deletes your identity, your contacts and every message from this computer. "+
			"Contacts cannot reach this profile any more. It cannot be undone, unless you have an export."),
		widget.NewLabel("Type your password to confirm"),
		pw, errLabel,
	)
}
