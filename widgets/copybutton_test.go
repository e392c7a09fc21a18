package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestCopyButton: tapping copies the text and says "Copied" in the
// success colour until the feedback ends, then the label comes back;
// each tap copies the text of the moment.
func TestCopyButton(t *testing.T) {
	a := newTestApp(t, VariantLight)
	text := "NOOK:C1:FIRST"
	b := NewCopyButton("Copy invite text", func() string { return text })
	t.Cleanup(b.endFeedback)
	showIn(t, b, fyne.NewSize(240, 60))
	if b.Copied() || b.Text != "Copy invite text" {
		t.Fatalf("before copying the button says %q", b.Text)
	}
	test.Tap(b)
	if got := a.Clipboard().Content(); got != text {
		t.Errorf("clipboard holds %q", got)
	}
	if !b.Copied() || b.Text != "Copied" || b.Importance != widget.SuccessImportance {
		t.Errorf("after copying: %q, importance %v", b.Text, b.Importance)
	}
	b.endFeedback() // what the timer does after copiedFeedback
	if b.Copied() || b.Text != "Copy invite text" || b.Importance != widget.MediumImportance {
		t.Errorf("after the feedback: %q, importance %v", b.Text, b.Importance)
	}
	text = "NOOK:C1:SECOND"
	test.Tap(b)
	if got := a.Clipboard().Content(); got != text {
		t.Errorf("second copy: clipboard holds %q", got)
	}
}
