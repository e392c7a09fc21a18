package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// minContrast is WCAG 2's AA level for body text.
const minContrast = 4.5

// textSample is one text on screen and the contrast measured for it.
type textSample struct {
	text  string
	ratio float64
	fg    color.RGBA // the text pixel farthest from the background
	bg    color.RGBA // the background: the commonest colour of its box
}

// measureContrast renders the window and measures, for every visible text
// of the top layer (the top dialog, or the window) not inside a disabled
// widget, the contrast between its background (the
// commonest colour in the text's box) and its most contrasting pixel, with
// the WCAG 2 formula. Text scrolled out of view is skipped.
func measureContrast(h *harness) []textSample {
	h.t.Helper()
	h.settle()
	c := h.win.Canvas()
	img := c.Capture()
	scale := c.Scale()
	// A dialog dims the window behind it on purpose: measure only the top
	// layer.
	root := c.Content()
	if o := c.Overlays().Top(); o != nil {
		root = o
	}
	var out []textSample
	var visit func(o fyne.CanvasObject, origin fyne.Position, clip image.Rectangle)
	visit = func(o fyne.CanvasObject, origin fyne.Position, clip image.Rectangle) {
		if o == nil || !o.Visible() {
			return
		}
		if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
			return // WCAG leaves inactive controls out
		}
		pos := origin.Add(o.Position())
		box := image.Rect(int(pos.X*scale), int(pos.Y*scale),
			int((pos.X+o.Size().Width)*scale), int((pos.Y+o.Size().Height)*scale))
		switch x := o.(type) {
		case *canvas.Text:
			r := box.Intersect(clip)
			if strings.TrimSpace(x.Text) == "" || r.Dx() < 2 || r.Dy() < box.Dy() {
				return // nothing to read, or cut by a scroll's edge
			}
			s := contrastIn(img, r)
			s.text = x.Text
			out = append(out, s)
			return
		case *container.Scroll:
			clip = clip.Intersect(box)
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, ch := range x.Objects {
				visit(ch, pos, clip)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(x).Objects() {
				visit(ch, pos, clip)
			}
		}
	}
	visit(root, fyne.Position{}, img.Bounds())
	return out
}

// contrastIn measures the text drawn in r of img.
func contrastIn(img image.Image, r image.Rectangle) textSample {
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			counts[rgbaAt(img, x, y)]++
		}
	}
	var bg color.RGBA
	for c, n := range counts {
		if n > counts[bg] {
			bg = c
		}
	}
	s := textSample{bg: bg, fg: bg, ratio: 1}
	for c := range counts {
		if cr := contrastRatio(c, bg); cr > s.ratio {
			s.ratio, s.fg = cr, c
		}
	}
	return s
}

func rgbaAt(img image.Image, x, y int) color.RGBA {
	r, g, b, _ := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0xff}
}

// contrastRatio is WCAG 2's (L1 + 0.05) / (L2 + 0.05) of relative
// luminances, the lighter over the darker.
func contrastRatio(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// checkContrast fails for every text on screen under minContrast, and
// reports the lowest ratio measured.
func checkContrast(h *harness, screen string) {
	h.t.Helper()
	samples := measureContrast(h)
	if len(samples) == 0 {
		h.t.Fatalf("%s: no text measured", screen)
	}
	lowest := samples[0]
	for _, s := range samples {
		if s.ratio < lowest.ratio {
			lowest = s
		}
		if s.ratio < minContrast {
			h.t.Errorf("%s: %q has contrast %.2f:1 (text %s on %s), want %.1f:1", screen, s.text, s.ratio, colourHex(s.fg), colourHex(s.bg), minContrast)
		}
	}
	h.t.Logf("%s: %d texts, lowest %.2f:1 (%q)", screen, len(samples), lowest.ratio, lowest.text)
}

func colourHex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// setTheme switches the profile's appearance to "light" or "dark".
func (h *harness) setTheme(name string) {
	h.t.Helper()
	s, err := h.eng.Settings()
	if err != nil {
		h.t.Fatal(err)
	}
	s.Theme = name
	if err := h.eng.SetSettings(s); err != nil {
		h.t.Fatal(err)
	}
	h.ui.applyTheme(s)
}

// TestTextContrast renders the screens that explain safety (the lock
// screen and Settings without a password, the invite page, Add a contact,
// an empty conversation, Change password) in both themes and measures the
// contrast of every text from the rendered pixels: each is at least 4.5:1.
func TestTextContrast(t *testing.T) {
	for _, theme := range []string{"light", "dark"} {
		t.Run(theme, func(t *testing.T) {
			h := newProfile(t, "Maya", "")
			pat := string(randomAddress(t))
			if _, err := h.eng.AddContact(pat, "Pat"); err != nil {
				t.Fatal(err)
			}
			h.waitFor("the contact", func() bool { return h.item(pat) != nil })
			h.setTheme(theme)
			h.ui.main.showHome()
			checkContrast(h, "invite page")
			h.open(pat)
			checkContrast(h, "conversation")
			h.ui.main.showAddContact()
			checkContrast(h, "Add a contact")
			h.ui.closeDialogs()
			h.openSettings()
			h.ui.settings.tabs.SelectIndex(1)
			checkContrast(h, "Settings → Privacy")
			h.ui.closeDialogs()
			h.ui.lockNow()
			h.tap("Lock anyway")
			h.waitFor("the lock screen", func() bool { return h.ui.unlock != nil && h.button("Open") != nil })
			checkContrast(h, "lock screen")
		})
	}
}
