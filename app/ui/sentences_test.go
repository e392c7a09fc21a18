package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// TestDisappearAfter: the disappearing-messages sentences take a whole
// phrase in the case the language needs ("через 5 минут", not the
// label "5 минут" lower-cased), with the plural of its count.
func TestDisappearAfter(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	cases := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 5 * time.Minute, "after 5 minutes"},
		{"en", 24 * time.Hour, "after 1 day"},
		{"fr", 5 * time.Minute, "après 5 minutes"},
		{"es", 14 * 24 * time.Hour, "tras 2 semanas"},
		{"ru", time.Minute, "через 1 минуту"},
		{"ru", 5 * time.Minute, "через 5 минут"},
		{"ru", 3 * time.Hour, "через 3 часа"},
		{"uk", 30 * time.Second, "через 30 секунд"},
	}
	for _, tc := range cases {
		i18n.SetLanguage(tc.lang)
		if got := disappearAfter(tc.d); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
	i18n.SetLanguage("uk")
	want := "Bob: нові повідомлення зникатимуть через 1 годину."
	if got := i18n.T("chat.set_new_messages_to", "Title", "Bob", "After", disappearAfter(time.Hour)); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestFailText: why a message was not sent is said in the person's
// language for each of the engine's reasons (stored in English), and a
// reason this version does not know is shown as it is.
func TestFailText(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	for _, r := range []string{model.ReasonBlocked, model.ReasonDeleted, model.ReasonLeft, model.ReasonRemoved, model.ReasonRefused, model.ReasonFileGone} {
		i18n.SetLanguage(i18n.Source)
		en := failText(r)
		i18n.SetLanguage("fr")
		de := failText(r)
		if en == "" || de == en || de == i18n.T("chat.not_sent_reason", "Reason", r) {
			t.Errorf("reason %q: English %q, French %q", r, en, de)
		}
	}
	i18n.SetLanguage(i18n.Source)
	if got, want := failText(model.ReasonLeft), "Not sent: you left the group"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got, want := failText("a reason from a later version"), "Not sent: a reason from a later version"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := failText(""); got != "" {
		t.Errorf("no reason: %q", got)
	}
	if got, want := problemText("a problem from a later version"), "a problem from a later version"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	i18n.SetLanguage("ru")
	if got, want := problemText(model.ProblemDiskFull), "Недостаточно места на диске. Освободите место, затем снова примите файл, чтобы продолжить."; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got, want := failText(model.ReasonRemoved), "Не отправлено: вас удалили из группы"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestEngineSentences: the engine's sentences that used to reach people in
// English inside translated screens are said in their language (Russian,
// Spanish, Ukrainian: TestChooseLanguage replaces the German catalog): what the
// automatic connection tries and why (with the way set into the sentence
// and the plural of its count), why Tor failed and what to do, a group
// server's reason in a group warning, what is wrong with a bridge line or
// a torrc line. A sentence this version has no key for gets a generic one
// of the app's, never the engine's English.
func TestEngineSentences(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	notes := []model.Text{model.Say("connect.stalled_minutes", "Way", engine.ModeDirect.Text(), "Count", 2),
		model.Say("connect.trying", "Way", engine.ModeObfs4.Text())}
	status := model.TorStatus{State: model.TorBootstrapping, Note: model.JoinTexts(notes), Notes: notes}
	failed := model.TorStatus{State: model.TorFailed, Err: "tor exited with status 1", ErrText: model.Say("connect.tor_could_not_start")}
	// Tor's program missing: Explain's sentence and tor's hint, by the
	// keys the engine gives them (TestTorEventErrText).
	x := engine.Explanation{Key: "explain.tor_tor_not_found", HintKey: "explain.tor_not_found_hint", Message: "Nook's Tor program is missing.", Hint: "Nook needs Tor."}
	missing := model.TorStatus{State: model.TorFailed, Err: "tor binary not found",
		ErrText: model.Text{Key: x.Key, English: x.Message}, HintText: model.Text{Key: x.HintKey, English: x.Hint}}
	warning := model.NewGroupWarning("g", "s", "", "gap", model.Say("groupwarning.gap", "Count", 5, "First", uint64(3), "Last", uint64(7)))
	m := &state.Model{}
	for _, c := range []struct {
		lang                        string
		note, failed, missing, warn string
		bridge, torrc               string
	}{
		{"ru", "Нет продвижения 2 минуты (способ: прямое подключение) — так выглядит заблокированное подключение. Пробуем: встроенные мосты obfs4…",
			"Tor не смог запуститься или остановился.", "Программа Tor из состава Nook отсутствует.",
			"Сервер отбросил 5 сообщений участника (номера с 3 по 7).",
			"\"example.org:443\" — не IP-адрес с портом", "SocksPort задаёт сам Nook"},
		{"es", "Ningún avance con una conexión directa en 2 minutos, que es lo que ocurre cuando la conexión está bloqueada. Probando los puentes obfs4 integrados…",
			"Tor no pudo iniciarse o se detuvo.", "",
			"El servidor descartó 5 mensajes de un miembro (números 3 a 7).",
			"\"example.org:443\" no es una dirección IP con puerto", "SocksPort lo fija el propio Nook"},
		{"uk", "Немає поступу 2 хвилини (спосіб: пряме з’єднання) — так виглядає заблоковане з’єднання. Пробуємо: вбудовані мости obfs4…",
			"Tor не зміг запуститися або зупинився.", "",
			"Сервер відкинув 5 повідомлень учасника (номери з 3 по 7).",
			"\"example.org:443\" — не IP-адреса з портом", "SocksPort задає сам Nook"},
	} {
		i18n.SetLanguage(c.lang)
		if got := connectNote(status); got != c.note {
			t.Errorf("%s note: %q, want %q", c.lang, got, c.note)
		}
		if msg, hint := torFailure(failed); msg != c.failed || hint != "" {
			t.Errorf("%s failed: %q, %q; want %q", c.lang, msg, hint, c.failed)
		}
		msg, hint := torFailure(missing)
		if msg != i18n.T("explain.tor_tor_not_found") || hint != i18n.T("explain.tor_not_found_hint") || msg == x.Message || hint == x.Hint {
			t.Errorf("%s missing: %q, %q", c.lang, msg, hint)
		}
		if c.missing != "" && msg != c.missing {
			t.Errorf("%s missing: %q, want %q", c.lang, msg, c.missing)
		}
		if _, text, _ := m.WarningText(warning); text != c.warn {
			t.Errorf("%s warning: %q, want %q", c.lang, text, c.warn)
		}
		_, err := engine.CheckBridgeLine("obfs4 example.org:443")
		if got := bridgeReason(err); got != c.bridge {
			t.Errorf("%s bridge: %q, want %q", c.lang, got, c.bridge)
		}
		if got := checkTorrcLine("SocksPort 9050"); got != c.torrc {
			t.Errorf("%s torrc: %q, want %q", c.lang, got, c.torrc)
		}
	}

	// What this version has no sentence for: the app's own words.
	i18n.SetLanguage("fr")
	later := model.Text{Key: "connect.of_a_later_version", English: "Trying carrier pigeons…"}
	if got := connectNote(model.TorStatus{Notes: []model.Text{notes[1], later, later}}); got != "Essai avec les ponts obfs4 intégrés… Nook cherche un moyen de se connecter." {
		t.Errorf("a later note: %q", got)
	}
	if msg, _ := torFailure(model.TorStatus{State: model.TorFailed, Err: "tor exited"}); msg != "Tor n’a pas pu démarrer ou s’est arrêté." {
		t.Errorf("Tor's own words: %q", msg)
	}
	if _, text, _ := m.WarningText(model.GroupWarning{Server: "s", Kind: "stream", Reason: "the server did something new"}); strings.Contains(text, "something new") || text != i18n.T("state.warning_unknown") {
		t.Errorf("a later warning: %q", text)
	}
	if got := bridgeReason(errors.New("not a valid bridge line: something new")); got != i18n.T("network.bridge_reason_unknown") {
		t.Errorf("a later bridge reason: %q", got)
	}
}
