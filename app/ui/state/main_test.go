package state

import (
	"os"
	"testing"

	"github.com/nookchat/nook/app/i18n"
)

// TestMain speaks English, as the app does on an English system.
func TestMain(m *testing.M) {
	T, N = i18n.T, i18n.N
	i18n.SetLanguage(i18n.Source)
	os.Exit(m.Run())
}
