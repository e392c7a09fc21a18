package widgets

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// Fyne logs an error for the POSIX locale; goldens are in English.
	os.Setenv("LANG", "en_US.UTF-8")
	os.Exit(m.Run())
}
