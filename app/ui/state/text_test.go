package state

import (
	"testing"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine/model"
)

// TestSayAll: the engine's sentences in the language in use, one after
// another (after a space, or none after a full-width stop), a phrase set
// into a sentence translated in turn, the plural by Count; a sentence this
// version has no key for is said once as the fallback, never in English.
func TestSayAll(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	way := model.Say("connect.way_obfs4")
	notes := []model.Text{model.Say("connect.stalled_seconds", "Way", way, "Count", 1), model.Say("connect.connected", "Way", way)}
	later := model.Text{Key: "connect.of_a_later_version", English: "Trying carrier pigeons…"}
	for _, c := range []struct {
		lang  string
		texts []model.Text
		want  string
	}{
		{i18n.Source, notes, model.JoinTexts(notes)},
		{"zh-Hans", notes, "内置 obfs4 网桥已有 1 秒没有进展，连接被封锁时就是这样。已通过内置 obfs4 网桥连接。"},
		{"ru", notes, "Нет продвижения 1 секунду (способ: встроенные мосты obfs4) — так выглядит заблокированное подключение. Подключено (способ: встроенные мосты obfs4)."},
		{"tr", []model.Text{later, notes[1], later}, "Nook bağlanmanın bir yolunu arıyor. Bağlanıldı: yerleşik obfs4 köprüleri."},
		{"fr", []model.Text{model.Say("connect.trying", "Way", model.Text{English: "pigeons"})}, "Nook cherche un moyen de se connecter."},
		{"fr", nil, ""},
	} {
		i18n.SetLanguage(c.lang)
		if got := SayAll(c.texts, "network.connect_note_unknown"); got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, got, c.want)
		}
	}
}
