package ui

import (
	"encoding/json"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
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

// applyLanguage makes the layer speak the language of the preferences,
// and Fyne's own few words (fyneWords) with it.
func (u *UI) applyLanguage() {
	i18n.SetLanguage(u.app.Preferences().String(PrefLanguage))
	applyFyneWords()
}

// fyneWords are the words Fyne draws itself (a text field's right-click
// menu, the file chooser, its plain dialogs), by Fyne's message IDs, with
// their keys in Nook's catalogs.
var fyneWords = map[string]string{
	"Cut":               "fyne.cut",
	"Copy":              "fyne.copy",
	"Paste":             "fyne.paste",
	"Select all":        "fyne.select_all",
	"Undo":              "fyne.undo",
	"Redo":              "fyne.redo",
	"Cancel":            "fyne.cancel",
	"OK":                "fyne.ok",
	"Yes":               "fyne.yes",
	"No":                "fyne.no",
	"Open":              "fyne.open",
	"Save":              "fyne.save",
	"Create Folder":     "fyne.create_folder",
	"New Folder":        "fyne.new_folder",
	"Enter filename":    "fyne.enter_filename",
	"Show Hidden Files": "fyne.show_hidden_files",
	"Favourites":        "fyne.favourites",
	"File":              "fyne.file",
	"Folder":            "fyne.folder",
	"Error":             "fyne.error",
	"Confirm":           "fyne.confirm",
	"Quit":              "fyne.quit",
	"Advanced":          "fyne.advanced",
	"file.name":         "fyne.file_name",
	"file.parent":       "fyne.file_parent",
}

// torPhase is s's phase in the language in use: tor's bootstrap phases
// and the engine's own have keys (torPhases); another (a phase a later tor
// adds) is said generically, never in tor's English.
func torPhase(s model.TorStatus) string {
	if key, ok := torPhases[s.PhaseTag]; ok {
		return i18n.T(key)
	}
	if s.Phase == "" && s.PhaseTag == "" {
		return ""
	}
	// A phase a later tor adds: tor's English is not shown.
	return i18n.T("tor.phase_other")
}

// torPhases are the keys of model.TorStatus's phases, by PhaseTag.
var torPhases = map[string]string{
	"starting":               "tor.phase_starting",
	"restarting":             "tor.phase_restarting",
	"failed":                 "tor.phase_failed",
	"local":                  "tor.phase_local",
	"conn_pt":                "tor.phase_conn_pt",
	"conn_done_pt":           "tor.phase_conn_done_pt",
	"conn_proxy":             "tor.phase_conn_proxy",
	"conn_done_proxy":        "tor.phase_conn_done_proxy",
	"conn":                   "tor.phase_conn",
	"conn_done":              "tor.phase_conn_done",
	"handshake":              "tor.phase_handshake",
	"handshake_done":         "tor.phase_handshake_done",
	"onehop_create":          "tor.phase_onehop_create",
	"requesting_status":      "tor.phase_requesting_status",
	"loading_status":         "tor.phase_loading_status",
	"loading_keys":           "tor.phase_loading_keys",
	"requesting_descriptors": "tor.phase_requesting_descriptors",
	"loading_descriptors":    "tor.phase_loading_descriptors",
	"enough_dirinfo":         "tor.phase_enough_dirinfo",
	"ap_conn_pt":             "tor.phase_ap_conn_pt",
	"ap_conn_done_pt":        "tor.phase_ap_conn_done_pt",
	"ap_conn_proxy":          "tor.phase_ap_conn_proxy",
	"ap_conn_done_proxy":     "tor.phase_ap_conn_done_proxy",
	"ap_conn":                "tor.phase_ap_conn",
	"ap_conn_done":           "tor.phase_ap_conn_done",
	"ap_handshake":           "tor.phase_ap_handshake",
	"ap_handshake_done":      "tor.phase_ap_handshake_done",
	"circuit_create":         "tor.phase_circuit_create",
	"done":                   "tor.phase_done",
}

// applyFyneWords gives Fyne's lang package Nook's words for its own: Fyne
// 2.7 chooses its language from the system's locale only, so they are
// added under that locale, in the language Nook speaks.
func applyFyneWords() {
	words := make(map[string]string, len(fyneWords))
	for id, key := range fyneWords {
		words[id] = i18n.T(key)
	}
	b, err := json.Marshal(words)
	if err == nil {
		err = lang.AddTranslationsForLocale(b, lang.SystemLocale())
	}
	if err != nil {
		fyne.LogError("Fyne's own words stay in the system's language", err)
	}
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
