package widgets

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestNewThemeTextScale(t *testing.T) {
	for _, tt := range []struct {
		scale, want float32
	}{{0, 14}, {1, 14}, {0.5, 14 * MinTextScale}, {1.2, 14 * 1.2}, {3, 14 * MaxTextScale}} {
		th := NewTheme(VariantLight, tt.scale)
		if got := th.Size(theme.SizeNameText); math.Abs(float64(got-tt.want)) > 1e-4 {
			t.Errorf("scale %v: text size %v, want %v", tt.scale, got, tt.want)
		}
	}
	// Spacing does not scale with the text.
	if a, b := NewTheme(VariantLight, 1).Size(theme.SizeNamePadding), NewTheme(VariantLight, 1.4).Size(theme.SizeNamePadding); a != b {
		t.Errorf("padding changes with text scale: %v vs %v", a, b)
	}
}

func TestThemeVariants(t *testing.T) {
	bg := func(v Variant, sys fyne.ThemeVariant) color.Color {
		return NewTheme(v, 1).Color(theme.ColorNameBackground, sys)
	}
	light, dark := lightPalette[theme.ColorNameBackground], darkPalette[theme.ColorNameBackground]
	for _, tt := range []struct {
		v    Variant
		sys  fyne.ThemeVariant
		want color.Color
	}{
		{VariantLight, theme.VariantDark, light},
		{VariantDark, theme.VariantLight, dark},
		{VariantSystem, theme.VariantLight, light},
		{VariantSystem, theme.VariantDark, dark},
	} {
		if got := bg(tt.v, tt.sys); got != tt.want {
			t.Errorf("%v under system %v: background %v, want %v", tt.v, tt.sys, got, tt.want)
		}
	}
}

// TestThemeContrast checks WCAG contrast for the text colours on the
// surfaces they are drawn on: 4.5:1 for body text, 3:1 for large or bold
// status text and non-text marks.
func TestThemeContrast(t *testing.T) {
	for name, pal := range map[string]map[fyne.ThemeColorName]color.Color{"light": lightPalette, "dark": darkPalette} {
		for _, tt := range []struct {
			fg, bg fyne.ThemeColorName
			min    float64
		}{
			{theme.ColorNameForeground, theme.ColorNameBackground, 7},
			{theme.ColorNameForeground, ColorNameCard, 7},
			{ColorNameMuted, theme.ColorNameBackground, 4.5},
			{ColorNameMuted, ColorNameCard, 4.5},
			{theme.ColorNamePlaceHolder, theme.ColorNameInputBackground, 4.5},
			{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary, 4.5},
			{ColorNameForegroundOnBubbleOutgoing, ColorNameBubbleOutgoing, 7},
			{ColorNameMutedOnBubbleOutgoing, ColorNameBubbleOutgoing, 4.5},
			{ColorNameForegroundOnAccent, ColorNameAccent, 4.5},
			{theme.ColorNameError, theme.ColorNameBackground, 4.5},
			{theme.ColorNameForegroundOnError, theme.ColorNameError, 4.5},
			{theme.ColorNameSuccess, theme.ColorNameBackground, 3},
			{theme.ColorNameWarning, theme.ColorNameBackground, 3},
			{theme.ColorNameHyperlink, theme.ColorNameBackground, 4.5},
		} {
			fg := over(pal[tt.fg], pal[tt.bg])
			if c := contrast(fg, pal[tt.bg]); c < tt.min {
				t.Errorf("%s: %s on %s has contrast %.2f, want ≥ %.1f", name, tt.fg, tt.bg, c, tt.min)
			}
		}
		for _, c := range avatarPalette {
			if r := contrast(color.White, c); r < 4.5 {
				t.Errorf("avatar colour %v: white initials at contrast %.2f", c, r)
			}
		}
	}
}

// over composites a possibly translucent fg over an opaque bg.
func over(fg, bg color.Color) color.Color {
	f := color.NRGBAModel.Convert(fg).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(f.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(f.R, b.R), G: mix(f.G, b.G), B: mix(f.B, b.B), A: 255}
}

func contrast(a, b color.Color) float64 {
	la, lb := relLum(a), relLum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func relLum(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(n.R) + 0.7152*ch(n.G) + 0.0722*ch(n.B)
}

// TestWidgetsWithoutNookTheme renders every widget under Fyne's own test
// theme: the Nook colour names fall back to standard ones, so nothing is
// drawn transparent.
func TestWidgetsWithoutNookTheme(t *testing.T) {
	test.NewTempApp(t)
	b := NewMessageBubble(conversation()[3])
	showIn(t, b, fyne.NewSize(400, 200))
	r := test.TempWidgetRenderer(t, b).(*bubbleRenderer)
	if _, _, _, a := r.bg.FillColor.RGBA(); a == 0 {
		t.Error("outgoing bubble is transparent under the test theme")
	}
	if r.seg.Style.ColorName != theme.ColorNameForegroundOnPrimary {
		t.Errorf("outgoing text colour %q, want the standard %q", r.seg.Style.ColorName, theme.ColorNameForegroundOnPrimary)
	}
	for _, o := range []fyne.CanvasObject{NewContactRow(contactRows()[0]), NewUnreadPill(3),
		NewStatusBadge(PresenceOnline, "Online"), NewOnionAddress(addrAlice), NewProgress("x"),
		NewPasswordStrength(), NewQRView(nil, "caption", 0), widget.NewLabel("")} {
		showIn(t, o, fyne.NewSize(300, 200))
	}
}

func TestBubbleTextScale(t *testing.T) {
	a := newTestApp(t, VariantLight)
	a.Settings().SetTheme(NewTheme(VariantLight, 1.3))
	box, _ := newConversation(conversation()[2:4])
	w := showIn(t, box, fyne.NewSize(560, 100))
	w.Resize(fyne.NewSize(560, box.MinSize().Height+8))
	test.AssertRendersToImage(t, "bubble_scale130.png", w.Canvas())
}
