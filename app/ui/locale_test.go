package ui

import "os"

// The UI tests read English whatever the machine's language: the system's
// language they see is English. A test that needs another sets the app's
// language preference (PrefLanguage) before the UI starts.
func init() {
	os.Setenv("LC_ALL", "en_US.UTF-8")
	os.Setenv("LANGUAGE", "")
}
