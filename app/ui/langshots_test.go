package ui

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
	"github.com/nookchat/nook/widgets"
)

// TestLanguageScreenshots writes the main window (a conversation, the
// list with a contact and a group) in the language NOOK_SCREENSHOT_LANG
// names ("de", "zh-Hans"; default English) as main-<tag>.png in the folder
// NOOK_SCREENSHOTS names, for docs/screenshots:
//
//	NOOK_SCREENSHOTS=docs/screenshots NOOK_SCREENSHOT_LANG=de go test ./app/ui -run TestLanguageScreenshots
func TestLanguageScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	tag := os.Getenv("NOOK_SCREENSHOT_LANG")
	if tag == "" {
		tag = i18n.Source
	}
	test.NewTempApp(t)
	fyne.CurrentApp().Preferences().SetString(PrefLanguage, tag)
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	net := newNet()
	var hs []*harness
	for _, name := range []string{"Alice", "Bob"} {
		h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(net)))
		h.createProfile(name, name+" password")
		hs = append(hs, h)
	}
	alice, bob := hs[0], hs[1]
	if i18n.Language() != i18n.Match(tag) {
		t.Fatalf("the language is %q, not %q", i18n.Language(), tag)
	}
	alice.createdGroup("Newsroom")
	befriend(t, alice, bob)
	if _, err := bob.eng.SendMessage(model.ConversationID(alice.self()), "Hi Alice! 👋"); err != nil {
		t.Fatal(err)
	}
	cp := alice.open(bob.self())
	alice.waitFor("Bob's message", func() bool { return len(cp.msgs()) > 0 })
	alice.win.Resize(fyne.NewSize(1000, 680))
	alice.shoot(dir, "main-"+i18n.Language()+".png")
}

// TestCJKGlyphs: in Chinese the theme draws Chinese characters with a
// font that has them (assets.CJKFont), not as boxes: the characters
// and as many replacement characters (U+FFFD, which a font without the
// glyphs draws instead) do not look the same. In English the theme keeps
// Fyne's font and reads no CJK font.
func TestCJKGlyphs(t *testing.T) {
	test.NewTempApp(t)
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	th := widgets.NewTheme(widgets.VariantLight, 1)
	if th.Font(fyne.TextStyle{}).Name() == "DroidSansFallbackFull.ttf" {
		t.Fatal("English text is drawn with the CJK font")
	}
	stub := i18n.Catalog{"unlock.welcome_back": {"other": "欢迎回来"}}
	if err := i18n.AddCatalog("zh-Hans", stub.Encode()); err != nil {
		t.Fatal(err)
	}
	if got := i18n.SetLanguage("zh-Hans"); got != "zh-Hans" {
		t.Fatalf("SetLanguage(zh-Hans) = %q", got)
	}
	if got := th.Font(fyne.TextStyle{}).Name(); got != "DroidSansFallbackFull.ttf" {
		t.Fatalf("Chinese text is drawn with %s", got)
	}
	fyne.CurrentApp().Settings().SetTheme(th)
	draw := func(s string) []byte {
		w := test.NewTempWindow(t, container.NewCenter(widget.NewLabel(s)))
		w.Resize(fyne.NewSize(200, 60))
		var b bytes.Buffer
		if err := png.Encode(&b, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	chinese := draw(i18n.T("unlock.welcome_back"))
	boxes := draw("\ufffd\ufffd\ufffd\ufffd")
	if bytes.Equal(chinese, boxes) {
		t.Fatal("欢迎回来 is drawn as boxes")
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "cjk-glyphs.png"), chinese, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
