package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// testNow is the fixed "now" of every golden: Wednesday 12 March 2025,
// 16:30 UTC.
var testNow = time.Date(2025, 3, 12, 16, 30, 0, 0, time.UTC)

// testTimes formats times against testNow in UTC.
var testTimes = TimeFormat{Now: func() time.Time { return testNow }, Location: time.UTC}

// newTestApp starts a headless app using the Nook theme in variant v.
func newTestApp(t *testing.T, v Variant) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme(v, 1))
	return a
}

// variants are the theme variants goldens are rendered in, with the suffix
// of their file names.
var variants = []struct {
	name string
	v    Variant
}{
	{"light", VariantLight},
	{"dark", VariantDark},
}

// showIn puts o in a new test window of the given size and returns the
// window.
func showIn(t *testing.T, o fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, o)
	w.Resize(size)
	return w
}
