package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// testGerman adds a catalog "de" whose every text is the English one
// marked «de», and returns what key says in it.
func testGerman(t *testing.T) func(key string) string {
	t.Helper()
	en, err := i18n.Embedded(i18n.Source)
	if err != nil {
		t.Fatal(err)
	}
	de := i18n.Catalog{}
	for k, m := range en {
		d := i18n.Message{}
		for _, f := range m.Forms() {
			d[f] = "«de» " + m[f]
		}
		de[k] = d
	}
	if err := i18n.AddCatalog("de", de.Encode()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	return func(key string) string { return i18n.TIn("de", key) }
}

// TestChooseLanguage: Settings → Appearance → Language lists "System
// default" first and each language in its own name; choosing one stores
// it in the app's preferences (not the profile's), offers the restart in
// the language chosen and restarts; the next start shows the unlock
// screen in that language.
func TestChooseLanguage(t *testing.T) {
	de := testGerman(t)
	test.NewTempApp(t)
	dir := t.TempDir()
	net := newNet()
	eng := newEngine(t, dir, loopback.New(net))
	h := newHarness(t, eng)
	if i18n.Language() != i18n.Source {
		t.Fatalf("with no preference (system %q) the language is %q", i18n.System(), i18n.Language())
	}
	h.createProfile("Alice", "alice password")
	restarts := 0
	h.ui.opts.Restart = func() { restarts++ }

	sd := h.openSettings()
	for i, it := range sd.tabs.Items {
		if it.Text == i18n.T("settings.appearance") {
			sd.tabs.SelectIndex(i)
		}
	}
	h.settle()
	sel := h.languageSelect()
	if sel == nil {
		t.Fatal("no language choice in Settings → Appearance")
	}
	if want := i18n.T("settings.language_system", "Language", i18n.SelfName(i18n.System())); len(sel.Options) < 3 ||
		sel.Options[0] != want || sel.Selected != want {
		t.Fatalf("the choices are %q (selected %q), want %q first and selected", sel.Options, sel.Selected, want)
	}
	for _, name := range []string{"Deutsch", "English"} {
		if !strings.Contains(strings.Join(sel.Options, "|"), name) {
			t.Errorf("%q is not among the choices %q", name, sel.Options)
		}
	}
	sel.SetSelected("Deutsch")
	h.settle()
	if got := fyne.CurrentApp().Preferences().String(PrefLanguage); got != "de" {
		t.Fatalf("the preference is %q after choosing Deutsch", got)
	}
	if !h.hasText(de("settings.restart_text")) || !h.hasText(de("settings.language_next_start")) {
		t.Fatal("the restart is not offered in the language chosen")
	}
	h.tap(de("settings.restart_now"))
	if restarts != 1 {
		t.Fatalf("Restart now restarted %d times", restarts)
	}

	// The restart: a new UI over the same data folder.
	h.ui.Close()
	eng.Close()
	h2 := newHarness(t, newEngine(t, dir, loopback.New(net)))
	h2.waitFor("the unlock screen", func() bool { return h2.ui.unlock != nil })
	h2.settle()
	if i18n.Language() != "de" || !h2.hasText(de("unlock.welcome_back")) {
		t.Fatalf("after the restart the language is %q and the unlock screen does not say %q", i18n.Language(), de("unlock.welcome_back"))
	}
	// Back to the system's language.
	fyne.CurrentApp().Preferences().SetString(PrefLanguage, "")
	h2.ui.applyLanguage()
	if i18n.Language() != i18n.System() {
		t.Errorf("System default chose %q, the system's is %q", i18n.Language(), i18n.System())
	}
}

// languageSelect finds the language choice on screen, or nil.
func (h *harness) languageSelect() *widget.Select {
	c := h.win.Canvas()
	var found *widget.Select
	for _, r := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		walk(r, func(o fyne.CanvasObject) bool {
			if s, ok := o.(*widget.Select); ok {
				found = s
			}
			return found != nil
		})
	}
	return found
}

// TestFyneWords: the words Fyne draws itself (a text field's right-click
// menu, the file chooser) follow Nook's language, not only the system's.
func TestFyneWords(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Preferences().SetString(PrefLanguage, i18n.Pseudo)
	t.Cleanup(func() {
		i18n.SetLanguage(i18n.Source)
		applyFyneWords()
	})
	newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	for id, key := range fyneWords {
		if got := lang.L(id); got != i18n.T(key) || !strings.HasPrefix(got, i18n.PseudoMark) {
			t.Errorf("Fyne's %q is %q in the pseudo-locale", id, got)
		}
	}
	i18n.SetLanguage(i18n.Source)
	applyFyneWords()
	if got := lang.L("Paste"); got != "Paste" {
		t.Errorf("back in English, Fyne's Paste is %q", got)
	}
}

// TestTorPhases: Tor's bootstrap phases and the engine's own are shown in
// the language in use; a phase Nook has no key for is said generically,
// not in tor's English.
func TestTorPhases(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	i18n.SetLanguage(i18n.Source)
	for tag, key := range torPhases {
		if got := torPhase(model.TorStatus{PhaseTag: tag, Phase: "tor's words"}); got != i18n.T(key) || got == "tor's words" {
			t.Errorf("phase %s: %q", tag, got)
		}
	}
	i18n.SetLanguage(i18n.Pseudo)
	if got := torPhase(model.TorStatus{PhaseTag: "loading_descriptors", Phase: "Loading relay descriptors"}); !strings.HasPrefix(got, i18n.PseudoMark) {
		t.Errorf("a known phase in the pseudo-locale: %q", got)
	}
	if got := torPhase(model.TorStatus{PhaseTag: "new_in_tor_0_5", Phase: "Doing something new"}); got != i18n.T("tor.phase_other") || !strings.HasPrefix(got, i18n.PseudoMark) {
		t.Errorf("an unknown phase: %q", got)
	}
}
