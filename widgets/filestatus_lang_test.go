package widgets

import (
	"testing"

	"github.com/nookchat/nook/app/i18n"
)

// TestFileStatusUnnamed: a card whose contact has no name says "your
// contact" in a sentence of its own, capitalised where it starts the
// sentence and declined where it stands inside one (German: dein Kontakt,
// für deinen Kontakt), never a label set into another sentence.
func TestFileStatusUnnamed(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage(i18n.Source) })
	cases := []struct {
		lang string
		f    FileInfo
		want string
	}{
		{"en", FileInfo{State: FileDeclined, Outgoing: true}, "Your contact declined this file."},
		{"en", FileInfo{State: FileOffered, Outgoing: true}, "Waiting for your contact to accept it."},
		{"en", FileInfo{State: FileOffered, Outgoing: true, Contact: "Sam"}, "Waiting for Sam to accept it."},
		{"en", FileInfo{State: FileTooLarge, Outgoing: true, Limit: 2 << 30}, "Too large for your contact: they accept files up to 2 GB."},
		{"de", FileInfo{State: FileCancelled, ByContact: true}, "Dein Kontakt hat diese Übertragung abgebrochen."},
		{"de", FileInfo{State: FileTooLarge, Outgoing: true, Limit: 2 << 30}, "Zu groß für deinen Kontakt: Dateien werden nur bis 2 GB angenommen."},
		{"ru", FileInfo{State: FileUnavailable}, "У вашего контакта больше нет этого файла."},
	}
	for _, tc := range cases {
		i18n.SetLanguage(tc.lang)
		if got, _ := FileStatus(tc.f); got != tc.want {
			t.Errorf("%s %+v: %q, want %q", tc.lang, tc.f, got, tc.want)
		}
	}
}
