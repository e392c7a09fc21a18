package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
)

// PrefLanguage is the key of the chosen language in the app's preferences
// (Fyne's, beside the window's size: not a profile's settings, so the
// unlock screen already speaks it): a catalog's tag ("de", "pt-BR"), or
// "" or absent for the system's language.
const PrefLanguage = "language"

func init() {
	// The state's sentences go through the same layer.
	state.T, state.N = i18n.T, i18n.N
}

// applyLanguage makes the layer speak the language of the preferences.
func (u *UI) applyLanguage() {
	i18n.SetLanguage(u.app.Preferences().String(PrefLanguage))
}

// languageChoice is Settings → Appearance → Language: "System default"
// first (naming the system's language), then every language Nook speaks,
// each in its own name. A new choice is stored at once and takes effect
// when Nook restarts, which it offers to do (restartForLanguage).
func (u *UI) languageChoice() fyne.CanvasObject {
	prefs := u.app.Preferences()
	langs := i18n.Languages()
	system := i18n.T("settings.language_system", "Language", i18n.SelfName(i18n.System()))
	options := []string{system}
	selected := system
	for _, l := range langs {
		options = append(options, l.Name)
		if l.Tag == prefs.String(PrefLanguage) {
			selected = l.Name
		}
	}
	note := muted("")
	note.Hide()
	sel := widget.NewSelect(options, nil)
	sel.SetSelected(selected)
	sel.OnChanged = func(name string) {
		tag := ""
		for _, l := range langs {
			if l.Name == name {
				tag = l.Tag
			}
		}
		if tag == prefs.String(PrefLanguage) {
			return
		}
		prefs.SetString(PrefLanguage, tag)
		if i18n.Match(tag) == i18n.Language() || tag == "" && i18n.System() == i18n.Language() {
			note.Hide()
			return
		}
		// Said in the language chosen: the person chose it to read it.
		note.SetText(i18n.TIn(tag, "settings.language_next_start"))
		note.Show()
		u.restartForLanguage(tag)
	}
	return container.NewVBox(sel, note)
}

// restartForLanguage offers to restart Nook in the language of tag: the
// screens are built with their words, so a new language needs them built
// again, which a restart does for every screen at once. The profile is
// locked by it. Without Options.Restart (tests, demos) the language
// changes at the next start.
func (u *UI) restartForLanguage(tag string) {
	if u.opts.Restart == nil {
		return
	}
	var d *dialog.CustomDialog
	later := newFormButton(i18n.TIn(tag, "settings.restart_later"), func() { d.Hide() })
	restart := newFormButton(i18n.TIn(tag, "settings.restart_now"), func() {
		d.Hide()
		u.opts.Restart()
	})
	restart.Importance = widget.HighImportance
	d = dialog.NewCustomWithoutButtons(i18n.TIn(tag, "settings.restart_title"), container.NewVBox(
		para(i18n.TIn(tag, "settings.restart_text")),
		container.NewHBox(layoutSpacer(), later, restart)), u.win)
	d.Resize(fyne.NewSize(420, 0))
	u.showDialog(d)
}
