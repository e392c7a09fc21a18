package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestGroupedAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{addrAlice, "5gyzvxzb hpgnnqff zk2fxxgf qyuk6xux eqbeapdn xj2w6yd2 7ztmalqd.onion"},
		{"  W3BDTQCNXRPMYHHBP6SY5X7E2OMF2OX6QK4Z6LR2MFO7YAEZWN4SXEYD.ONION ", "w3bdtqcn xrpmyhhb p6sy5x7e 2omf2ox6 qk4z6lr2 mfo7yaez wn4sxeyd.onion"},
		{"short", "short.onion"},
	}
	for _, tt := range tests {
		if got := GroupedAddress(tt.in); got != tt.want {
			t.Errorf("GroupedAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOnionAddress_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			o := NewOnionAddress(addrAlice)
			w := showIn(t, o, fyne.NewSize(420, 100))
			test.AssertRendersToMarkup(t, "onion_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "onion_"+v.name+".png", w.Canvas())

			test.Tap(o.button)
			t.Cleanup(o.endFeedback)
			test.AssertRendersToMarkup(t, "onion_copied_"+v.name+".xml", w.Canvas())
		})
	}
}

func TestOnionAddress_Copy(t *testing.T) {
	a := newTestApp(t, VariantLight)
	o := NewOnionAddress(addrBob) // given without the suffix
	showIn(t, o, fyne.NewSize(420, 100))

	test.Tap(o.button)
	t.Cleanup(o.endFeedback)
	if got, want := a.Clipboard().Content(), addrBob+".onion"; got != want {
		t.Errorf("clipboard = %q, want %q", got, want)
	}
	if o.button.Text != "Copied" {
		t.Errorf("button says %q after copying, want Copied", o.button.Text)
	}
	o.endFeedback() // what the timer does after copiedFeedback
	if o.button.Text != "Copy" {
		t.Errorf("button says %q after the feedback, want Copy", o.button.Text)
	}

	var got string
	o.OnCopy = func(s string) { got = s }
	o.SetAddress(addrAlice)
	test.Tap(o.button)
	if got != addrAlice {
		t.Errorf("OnCopy got %q, want %q", got, addrAlice)
	}
}

// TestOnionAddress_MinSize guards against the wrapped-label trap: before it
// is laid out, the widget must not ask for one line per block.
func TestOnionAddress_MinSize(t *testing.T) {
	newTestApp(t, VariantLight)
	o := NewOnionAddress(addrAlice)
	ms := o.MinSize()
	if ms.Height > 80 || ms.Width > 460 {
		t.Errorf("MinSize = %v: want two lines of text beside the button", ms)
	}
	o.Resize(fyne.NewSize(800, ms.Height))
	if h := o.MinSize().Height; h >= ms.Height {
		t.Errorf("at 800 wide MinSize height = %v, want less than the two-line %v", h, ms.Height)
	}
}
