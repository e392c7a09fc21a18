package ui

import (
	"context"
	"errors"
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

// settingsDialog edits the profile and its preferences. Preferences are
// stored as soon as they change.
type settingsDialog struct {
	u *UI
	d *dialog.CustomDialog
	s engine.Settings

	tabs *container.AppTabs
	// fileLimit and autoAccept are the settings of received files, and
	// serveFetched whether files received in groups are served to the
	// other members (files.go).
	fileLimit, autoAccept *widget.Select
	serveFetched          *widget.Check

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
			u.showError(i18n.T("settings.settings_could_not_be"), err)
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
		container.NewTabItem(i18n.T("settings.profile"), sd.profileTab()),
		container.NewTabItem(i18n.T("settings.privacy"), sd.privacyTab()),
		container.NewTabItem(i18n.T("settings.appearance"), sd.appearanceTab()),
		container.NewTabItem(i18n.T("settings.network"), sd.networkTab(tor, torErr)),
		container.NewTabItem(i18n.T("settings.group_servers"), sd.serversTab()),
	)
	sd.tabs.OnSelected = func(ti *container.TabItem) {
		if ti.Text == "Group servers" {
			sd.servers.refresh()
		}
	}
	closeBtn := widget.NewButton(i18n.T("common.close"), func() { sd.d.Hide() })
	content := container.NewBorder(nil, container.NewVBox(sd.errLabel, container.NewHBox(layoutSpacer(), closeBtn)),
		nil, nil, sd.tabs)
	sd.d = dialog.NewCustomWithoutButtons(i18n.T("settings.settings"), content, u.win)
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
				setFailure(sd.errLabel, i18n.T("settings.the_setting_was_not"), err)
				return
			}
			setError(sd.errLabel, "", "")
		})
}

// autoLockLabel names an automatic-lock choice.
func autoLockLabel(minutes int) string {
	switch {
	case minutes <= 0:
		return i18n.T("settings.never")
	case minutes%60 == 0:
		return i18n.N("settings.auto_lock_hours", minutes/60)
	}
	return i18n.N("settings.auto_lock_minutes", minutes)
}

func (sd *settingsDialog) profileTab() fyne.CanvasObject {
	u := sd.u
	sd.name = newField()
	sd.name.SetText(u.main.name)
	saveName := widget.NewButton(i18n.T("settings.save_name"), nil)
	saveName.OnTapped = func() {
		name := strings.TrimSpace(sd.name.Text)
		if name == "" || engine.CheckDisplayName(name) != nil {
			setError(sd.errLabel, i18n.T("settings.please_enter_a_shorter"), "")
			return
		}
		saveName.Disable()
		runErr(u, func(_ context.Context, e Engine) error { return e.SetDisplayName(name) }, func(err error) {
			saveName.Enable()
			if err != nil {
				setFailure(sd.errLabel, i18n.T("settings.the_name_was_not"), err)
				return
			}
			setError(sd.errLabel, "", "")
			u.main.setSelf(name)
			saveName.SetText(i18n.T("settings.saved"))
		})
	}
	sd.name.OnChanged = func(string) { saveName.SetText(i18n.T("settings.save_name")) }
	sd.name.OnSubmitted = func(string) { saveName.OnTapped() }
	export := widget.NewButton(i18n.T("settings.export"), u.showExport)
	imp := widget.NewButton(i18n.T("settings.import"), u.showImport)
	del := widget.NewButton(i18n.T("settings.delete_this_profile"), sd.showDeleteProfile)
	del.Importance = widget.DangerImportance
	return container.NewVScroll(container.NewVBox(
		subheading(i18n.T("common.your_name")),
		container.NewBorder(nil, nil, nil, saveName, sd.name),
		muted(i18n.T("settings.contacts_see_the_new")),
		widget.NewSeparator(),
		subheading(i18n.T("settings.backup")),
		muted(i18n.T("settings.export_your_profile_to")),
		container.NewHBox(export, imp),
		widget.NewSeparator(),
		subheading(i18n.T("common.delete")),
		muted(i18n.T("settings.removes_this_profile_its")),
		container.NewHBox(del),
	))
}

func (sd *settingsDialog) privacyTab() fyne.CanvasObject {
	sd.blockUnk = widget.NewCheck(i18n.T("settings.block_contact_requests_from"), nil)
	sd.blockUnk.SetChecked(sd.s.BlockUnknown)
	sd.blockUnk.OnChanged = func(b bool) {
		sd.s.BlockUnknown = b
		sd.save()
		if mv := sd.u.main; mv != nil {
			mv.home.showBlocked() // it says whether new contacts can reach the person
		}
	}
	sd.notifyText = widget.NewCheck(i18n.T("settings.show_the_sender_and"), nil)
	sd.notifyText.SetChecked(sd.s.NotificationText)
	sd.notifyText.OnChanged = func(b bool) { sd.s.NotificationText = b; sd.save() }
	sd.notify = widget.NewCheck(i18n.T("settings.notify_me_of_new"), nil)
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
	sd.autoLockOff = para(lockNeedsPw())
	sd.autoLockOff.Importance = widget.WarningImportance
	sd.refreshPassword()
	return container.NewVScroll(container.NewVBox(
		subheading(i18n.T("common.password")),
		sd.pwState,
		sd.pwActions,
		widget.NewSeparator(),
		subheading(i18n.T("settings.lock_automatically")),
		sd.autoLock,
		sd.autoLockOff,
		muted(i18n.T("settings.locks_this_profile_when")),
		widget.NewSeparator(),
		subheading(i18n.T("settings.contact_requests")),
		sd.blockUnk,
		muted(i18n.T("settings.when_on_only_people")),
		widget.NewSeparator(),
		subheading(i18n.T("settings.notifications")),
		sd.notify,
		sd.notifyText,
		muted(i18n.T("settings.off_by_default_notifications")),
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
		sd.pwState.SetText(i18n.T("settings.nook_could_not_read"))
		sd.pwState.Importance = widget.DangerImportance
	case has:
		sd.pwState.SetText(hasPasswordState())
		sd.pwState.Importance = widget.MediumImportance
		sd.pwActions.Add(widget.NewButton(i18n.T("settings.change_password"), u.showChangePassword))
		sd.pwActions.Add(widget.NewButton(i18n.T("settings.remove_password"), u.showRemovePassword))
	default:
		sd.pwState.SetText(noPasswordState())
		sd.pwState.Importance = widget.WarningImportance
		set := widget.NewButton(i18n.T("common.set_a_password_more"), u.showSetPassword)
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
	// The labels are translated; the setting stores the variant's
	// English name ("system", "light", "dark").
	variants := []widgets.Variant{widgets.VariantSystem, widgets.VariantLight, widgets.VariantDark}
	stored := map[widgets.Variant]string{widgets.VariantSystem: "system", widgets.VariantLight: "light", widgets.VariantDark: "dark"}
	options := make([]string, len(variants))
	for i, v := range variants {
		options[i] = v.String()
	}
	sd.themeChoice = widget.NewRadioGroup(options, nil)
	sd.themeChoice.Horizontal = true
	sd.themeChoice.Required = true
	sd.themeChoice.SetSelected(variantOf(sd.s.Theme).String())
	sd.themeChoice.OnChanged = func(label string) {
		for _, v := range variants {
			if v.String() == label {
				sd.s.Theme = stored[v]
			}
		}
		sd.u.applyTheme(sd.s)
		sd.save()
	}
	scale := sd.s.TextScale
	if scale == 0 {
		scale = 1
	}
	sizeLabel := widget.NewLabel(i18n.T("settings.text_size_percent", "Percent", int(scale*100+0.5)))
	sd.textSize = widget.NewSlider(float64(widgets.MinTextScale), float64(widgets.MaxTextScale))
	sd.textSize.Step = 0.05
	sd.textSize.SetValue(float64(scale))
	sd.textSize.OnChanged = func(v float64) {
		sizeLabel.SetText(i18n.T("settings.text_size_percent", "Percent", int(v*100+0.5)))
	}
	sd.textSize.OnChangeEnded = func(v float64) {
		sd.s.TextScale = float32(v)
		sd.u.applyTheme(sd.s)
		sd.save()
	}
	return container.NewVScroll(container.NewVBox(
		subheading(i18n.T("settings.language")),
		sd.u.languageChoice(),
		widget.NewSeparator(),
		subheading(i18n.T("settings.theme")),
		sd.themeChoice,
		widget.NewSeparator(),
		subheading(i18n.T("settings.text_size")),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("settings.a")), sizeLabel, sd.textSize),
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
		if s.PhaseTag == "local" {
			return i18n.T("settings.connected_to_a_local")
		}
		return i18n.T("settings.connected_to_the_tor")
	case model.TorFailed, model.TorStopped:
		msg := i18n.T("settings.not_connected_to_tor")
		if s.Err != "" {
			msg += " " + s.Err
		}
		if s.Hint != "" {
			msg += "\n" + s.Hint
		}
		return msg
	case model.TorRestarting:
		return i18n.T("settings.tor_stopped_unexpectedly_nook")
	case 0:
		return i18n.T("settings.tor_is_starting")
	}
	return i18n.T("settings.connecting_percent", "Percent", s.Percent, "Phase", torPhase(s))
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
		entry.SetPlaceHolder(i18n.T("settings.your_password"))
		ask = widget.NewLabel(i18n.T("settings.type_your_password_to"))
	} else {
		entry = newField()
		entry.SetPlaceHolder(i18n.T("settings.profile_name"))
		ask = para(i18n.T("settings.this_profile_has_no", "Name", name))
	}
	errLabel := errorLabel()
	spinner, status, busy := busyRow()
	del := newFormButton(i18n.T("settings.delete_for_ever"), nil)
	del.Importance = widget.DangerImportance
	del.OnTapped = func() {
		switch {
		case has && entry.Text == "":
			setError(errLabel, i18n.T("settings.type_this_profile_s"), "")
			u.win.Canvas().Focus(entry)
			return
		case !has && strings.TrimSpace(entry.Text) != name:
			setError(errLabel, i18n.T("settings.type_the_profile_s", "Name", name), "")
			u.win.Canvas().Focus(entry)
			return
		}
		setError(errLabel, "", "")
		pw := ""
		if has {
			pw = entry.Text
		}
		showBusy(true, i18n.T("settings.deleting"), spinner, status, del, entry)
		runErr(u, func(_ context.Context, e Engine) error { return e.DeleteProfile(pw) },
			func(err error) {
				showBusy(false, "", spinner, status, del, entry)
				switch {
				case errors.Is(err, engine.ErrWrongPassword):
					setError(errLabel, i18n.T("settings.that_is_not_this"), "")
					u.win.Canvas().Focus(entry)
				case err != nil:
					setFailure(errLabel, i18n.T("settings.the_profile_was_not"), err)
				default:
					u.main = nil
					u.updateTray()
					u.showFirstScreen()
					u.showMessage(i18n.T("settings.profile_deleted"),
						i18n.T("settings.profile_and_all_its", "Name", name))
				}
			})
	}
	entry.OnSubmitted = func(string) { del.OnTapped() }
	u.showForm(i18n.T("settings.delete_this_profile_2"), 460, del, entry,
		para(i18n.T("settings.this_deletes_your_identity")),
		container.NewHBox(widget.NewButton(i18n.T("settings.export_first"), u.showExport)),
		widget.NewSeparator(),
		ask, entry, errLabel, busy,
	)
}
