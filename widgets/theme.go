package widgets

import (
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/assets"
)

// Variant selects the colour scheme of the Nook theme.
type Variant int

const (
	// VariantSystem follows the operating system's light or dark preference.
	VariantSystem Variant = iota
	// VariantLight always uses the light palette.
	VariantLight
	// VariantDark always uses the dark palette.
	VariantDark
)

// String returns the setting's name as shown in the appearance settings.
func (v Variant) String() string {
	switch v {
	case VariantLight:
		return i18n.T("common.light")
	case VariantDark:
		return i18n.T("common.dark")
	default:
		return i18n.T("common.system")
	}
}

// The range of the text-size scale accepted by NewTheme; values outside it
// are clamped.
const (
	MinTextScale float32 = 0.85
	MaxTextScale float32 = 1.4
)

// Colour names that the Nook theme defines in addition to Fyne's standard
// ones. Widgets of this package look them up in the current theme and fall
// back to a standard colour when the theme does not know them.
const (
	// ColorNameAccent is Nook's amber accent (the dot of the app icon).
	ColorNameAccent fyne.ThemeColorName = "nookAccent"
	// ColorNameForegroundOnAccent is text drawn on the accent colour.
	ColorNameForegroundOnAccent fyne.ThemeColorName = "nookForegroundOnAccent"
	// ColorNameMuted is secondary text: times, previews, hints.
	ColorNameMuted fyne.ThemeColorName = "nookMuted"
	// ColorNameCard is the background of raised surfaces (bubbles, cards).
	ColorNameCard fyne.ThemeColorName = "nookCard"
	// ColorNameBubbleOutgoing is the background of the user's own messages.
	ColorNameBubbleOutgoing fyne.ThemeColorName = "nookBubbleOutgoing"
	// ColorNameForegroundOnBubbleOutgoing is text on an outgoing bubble.
	ColorNameForegroundOnBubbleOutgoing fyne.ThemeColorName = "nookForegroundOnBubbleOutgoing"
	// ColorNameMutedOnBubbleOutgoing is secondary text on an outgoing bubble.
	ColorNameMutedOnBubbleOutgoing fyne.ThemeColorName = "nookMutedOnBubbleOutgoing"
	// ColorNameQuote is the tint behind a quoted message inside a bubble.
	ColorNameQuote fyne.ThemeColorName = "nookQuote"
	// ColorNameQuoteOnBubbleOutgoing is that tint inside an outgoing bubble.
	ColorNameQuoteOnBubbleOutgoing fyne.ThemeColorName = "nookQuoteOnBubbleOutgoing"
	// ColorNameOnline, ColorNameConnecting and ColorNameOffline colour the
	// presence dot.
	ColorNameOnline     fyne.ThemeColorName = "nookOnline"
	ColorNameConnecting fyne.ThemeColorName = "nookConnecting"
	ColorNameOffline    fyne.ThemeColorName = "nookOffline"
)

// NewTheme returns the Nook theme: calm deep blue for primary actions, the
// amber of the app icon as accent, and warm neutral surfaces. textScale
// multiplies every text size (and inline icons with them); it is clamped to
// [MinTextScale, MaxTextScale], and 0 means 1.
func NewTheme(variant Variant, textScale float32) fyne.Theme {
	switch {
	case textScale == 0:
		textScale = 1
	case textScale < MinTextScale:
		textScale = MinTextScale
	case textScale > MaxTextScale:
		textScale = MaxTextScale
	}
	return &nookTheme{variant: variant, scale: textScale}
}

// nookTheme implements fyne.Theme. Fonts and icons are Fyne's defaults.
type nookTheme struct {
	variant Variant
	scale   float32
}

var _ fyne.Theme = (*nookTheme)(nil)

func (t *nookTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	pal := lightPalette
	switch t.variant {
	case VariantDark:
		pal = darkPalette
	case VariantSystem:
		if v == theme.VariantDark {
			pal = darkPalette
		}
	}
	if c, ok := pal[n]; ok {
		return c
	}
	return color.Transparent
}

// Font is Fyne's font, except for text in a language whose script it
// lacks (Chinese): then the font that has its glyphs (assets.CJKFont),
// with Fyne's font behind it for Latin letters and digits.
func (t *nookTheme) Font(s fyne.TextStyle) fyne.Resource {
	if !s.Monospace && !s.Symbol && i18n.NeedsCJKFont() {
		return cjkFont()
	}
	return theme.DefaultTheme().Font(s)
}

// cjkFont is assets.CJKFont as a resource, made on first use: the 4 MB
// are not read unless the language needs them.
var cjkFont = sync.OnceValue(func() fyne.Resource {
	return fyne.NewStaticResource("DroidSansFallbackFull.ttf", assets.CJKFont)
})

func (t *nookTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return theme.DefaultTheme().Icon(n)
}

func (t *nookTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 14 * t.scale
	case theme.SizeNameCaptionText:
		return 11.5 * t.scale
	case theme.SizeNameSubHeadingText:
		return 18 * t.scale
	case theme.SizeNameHeadingText:
		return 22 * t.scale
	case theme.SizeNameInlineIcon:
		return 20 * t.scale
	case theme.SizeNameInputRadius:
		return 8
	case theme.SizeNameSelectionRadius:
		return 6
	case theme.SizeNameScrollBarRadius:
		return 4
	}
	return theme.DefaultTheme().Size(n)
}
