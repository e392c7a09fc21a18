package ui

import (
	"testing"
	"time"

	"github.com/nookchat/nook/app/i18n"
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
