package widgets

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2/canvas"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

func TestProgress_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			boot := NewProgress("Connecting to Tor")
			boot.SetProgress(45, "Loading relay descriptors")
			catch := NewProgress("Catching up: Newsroom")
			catch.SetIndeterminate("Fetching messages from the group server")
			done := NewProgress("Connecting to Tor")
			done.SetProgress(100, "Done")
			failed := NewProgress("Connecting to Tor")
			failed.SetProgress(10, "Handshaking with a relay")
			failed.SetError("Tor could not reach the network.",
				"If Tor is blocked where you are, add a bridge in Settings → Network.")
			box := container.NewVBox(boot, spacer(), catch, spacer(), done, spacer(), failed)
			w := showIn(t, box, fyne.NewSize(400, 100))
			w.Resize(fyne.NewSize(400, box.MinSize().Height+8))
			test.AssertRendersToMarkup(t, "progress_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "progress_"+v.name+".png", w.Canvas())
		})
	}
}

func TestProgress_State(t *testing.T) {
	newTestApp(t, VariantLight)
	p := NewProgress("Connecting to Tor")
	showIn(t, p, fyne.NewSize(300, 100))
	for _, tt := range []struct {
		set    func()
		want   float64
		failed bool
	}{
		{func() { p.SetProgress(-5, "") }, 0, false},
		{func() { p.SetProgress(250, "") }, 100, false},
		{func() { p.SetIndeterminate("") }, -1, false},
		{func() { p.SetError("failed", "") }, -1, true},
		{func() { p.SetProgress(30, "") }, 30, false}, // clears the error
	} {
		tt.set()
		if p.Percent() != tt.want || p.Failed() != tt.failed {
			t.Errorf("Percent, Failed = %v, %v; want %v, %v", p.Percent(), p.Failed(), tt.want, tt.failed)
		}
	}
}

// spacer separates stacked widgets in goldens as a form would.
func spacer() fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSquareSize(8))
	return r
}

func TestProgress_AnimationStopsWhenHidden(t *testing.T) {
	newTestApp(t, VariantLight)
	p := NewProgress("Catching up")
	showIn(t, p, fyne.NewSize(300, 100))
	r := test.TempWidgetRenderer(t, p).(*progressRenderer)
	p.SetIndeterminate("Fetching")
	if !r.running {
		t.Fatal("indeterminate bar is not animating")
	}
	p.Hide()
	if r.running {
		t.Error("hidden bar still animating")
	}
	p.Show()
	if !r.running {
		t.Error("shown again, the bar is not animating")
	}
	p.SetProgress(50, "")
	if r.running {
		t.Error("determinate bar still animating")
	}
}
