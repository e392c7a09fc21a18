package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// rgb parses a colour written as 0xRRGGBB with an explicit alpha.
func rgba(hex uint32, a uint8) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: a}
}

func rgb(hex uint32) color.NRGBA { return rgba(hex, 0xff) }

// Brand colours, shared by both palettes and by the QR card.
var (
	brandBlue  = rgb(0x1f3a5f) // the app icon's background
	brandAmber = rgb(0xe0a458) // the app icon's dot
	ink        = rgb(0x1c2733) // near-black with a blue cast
	paper      = rgb(0xffffff)
)

// lightPalette: warm off-white surfaces, deep-blue primary. Text colours are
// at least WCAG AA (4.5:1) on the background they are drawn on, measured
// from rendered pixels by the app's TestTextContrast (app/ui). The focus
// colour is a lighter blue that changes a blue button as well as a grey one
// (the old one was the primary itself, so a focused blue button did not
// change at all).
var lightPalette = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          rgb(0xf4f2ee),
	theme.ColorNameForeground:          ink,
	theme.ColorNamePrimary:             brandBlue,
	theme.ColorNameForegroundOnPrimary: paper,
	theme.ColorNameFocus:               rgba(0x4a7fc1, 0x80), // a lighter blue: changes blue buttons too
	theme.ColorNameHover:               rgba(0x1f3a5f, 0x1a),
	theme.ColorNamePressed:             rgba(0x1f3a5f, 0x29),
	theme.ColorNameSelection:           rgba(0x1f3a5f, 0x26),
	theme.ColorNameButton:              rgb(0xe7e3db),
	theme.ColorNameDisabledButton:      rgb(0xecE9e3),
	theme.ColorNameDisabled:            rgb(0x545d68), // also muted labels (LowImportance): 4.5:1 on a selected row
	theme.ColorNamePlaceHolder:         rgb(0x6b7581),
	theme.ColorNameInputBackground:     paper,
	theme.ColorNameInputBorder:         rgb(0xcfd3d8),
	theme.ColorNameMenuBackground:      paper,
	theme.ColorNameOverlayBackground:   paper,
	theme.ColorNameHeaderBackground:    rgb(0xebe8e2),
	theme.ColorNameSeparator:           rgb(0xe0dcd4),
	theme.ColorNameShadow:              rgba(0x000000, 0x24),
	theme.ColorNameScrollBar:           rgba(0x1c2733, 0x50),
	theme.ColorNameScrollBarBackground: rgba(0x1c2733, 0x10),
	theme.ColorNameError:               rgb(0xb3261e),
	theme.ColorNameForegroundOnError:   paper,
	theme.ColorNameSuccess:             rgb(0x2b7a4b),
	theme.ColorNameForegroundOnSuccess: paper,
	theme.ColorNameWarning:             rgb(0x955909),
	theme.ColorNameForegroundOnWarning: paper,
	theme.ColorNameHyperlink:           rgb(0x1f5fa8),

	ColorNameAccent:                     brandAmber,
	ColorNameForegroundOnAccent:         ink,
	ColorNameMuted:                      rgb(0x545d68),
	ColorNameCard:                       paper,
	ColorNameBubbleOutgoing:             brandBlue,
	ColorNameForegroundOnBubbleOutgoing: paper,
	ColorNameMutedOnBubbleOutgoing:      rgba(0xffffff, 0xb8),
	ColorNameQuote:                      rgba(0x1f3a5f, 0x12),
	ColorNameQuoteOnBubbleOutgoing:      rgba(0xffffff, 0x24),
	ColorNameOnline:                     rgb(0x2e9e5b),
	ColorNameConnecting:                 brandAmber,
	ColorNameOffline:                    rgb(0xa3aab2),
}

// darkPalette: blue-black surfaces; the primary is a light blue with dark
// text on it, so that it reads both as a button and as text (a selected
// tab) on the dark surfaces. Text colours are at least 4.5:1 on the
// surfaces they are drawn on, measured from rendered pixels by the app's
// TestTextContrast.
var darkPalette = map[fyne.ThemeColorName]color.Color{
	theme.ColorNameBackground:          rgb(0x10161e),
	theme.ColorNameForeground:          rgb(0xe4e8ed),
	theme.ColorNamePrimary:             rgb(0x6a9ad6),
	theme.ColorNameForegroundOnPrimary: ink,
	theme.ColorNameFocus:               rgba(0xffffff, 0x4d),
	theme.ColorNameHover:               rgba(0xffffff, 0x12),
	theme.ColorNamePressed:             rgba(0xffffff, 0x1f),
	theme.ColorNameSelection:           rgba(0x3d6da3, 0x4d),
	theme.ColorNameButton:              rgb(0x232c37),
	theme.ColorNameDisabledButton:      rgb(0x1b222b),
	theme.ColorNameDisabled:            rgb(0x8c96a3),
	theme.ColorNamePlaceHolder:         rgb(0x8792a0),
	theme.ColorNameInputBackground:     rgb(0x19212b),
	theme.ColorNameInputBorder:         rgb(0x303b49),
	theme.ColorNameMenuBackground:      rgb(0x1c242f),
	theme.ColorNameOverlayBackground:   rgb(0x1c242f),
	theme.ColorNameHeaderBackground:    rgb(0x151c25),
	theme.ColorNameSeparator:           rgb(0x252e3a),
	theme.ColorNameShadow:              rgba(0x000000, 0x66),
	theme.ColorNameScrollBar:           rgba(0xe4e8ed, 0x50),
	theme.ColorNameScrollBarBackground: rgba(0xe4e8ed, 0x10),
	theme.ColorNameError:               rgb(0xf2766e),
	theme.ColorNameForegroundOnError:   ink,
	theme.ColorNameSuccess:             rgb(0x4cc38a),
	theme.ColorNameForegroundOnSuccess: ink,
	theme.ColorNameWarning:             brandAmber,
	theme.ColorNameForegroundOnWarning: ink,
	theme.ColorNameHyperlink:           rgb(0x7fb0ea),

	ColorNameAccent:                     brandAmber,
	ColorNameForegroundOnAccent:         ink,
	ColorNameMuted:                      rgb(0x97a1ae),
	ColorNameCard:                       rgb(0x1b232d),
	ColorNameBubbleOutgoing:             rgb(0x27507f),
	ColorNameForegroundOnBubbleOutgoing: rgb(0xf3f6f9),
	ColorNameMutedOnBubbleOutgoing:      rgba(0xf3f6f9, 0xb0),
	ColorNameQuote:                      rgba(0xffffff, 0x0f),
	ColorNameQuoteOnBubbleOutgoing:      rgba(0xffffff, 0x1a),
	ColorNameOnline:                     rgb(0x4cc38a),
	ColorNameConnecting:                 brandAmber,
	ColorNameOffline:                    rgb(0x6b7580),
}

// fallbacks maps each Nook colour name to the standard colour used when the
// current theme does not define it.
var fallbacks = map[fyne.ThemeColorName]fyne.ThemeColorName{
	ColorNameAccent:                     theme.ColorNameWarning,
	ColorNameForegroundOnAccent:         theme.ColorNameForegroundOnWarning,
	ColorNameMuted:                      theme.ColorNamePlaceHolder,
	ColorNameCard:                       theme.ColorNameInputBackground,
	ColorNameBubbleOutgoing:             theme.ColorNamePrimary,
	ColorNameForegroundOnBubbleOutgoing: theme.ColorNameForegroundOnPrimary,
	ColorNameMutedOnBubbleOutgoing:      theme.ColorNameForegroundOnPrimary,
	ColorNameQuote:                      theme.ColorNameHover,
	ColorNameQuoteOnBubbleOutgoing:      theme.ColorNameHover,
	ColorNameOnline:                     theme.ColorNameSuccess,
	ColorNameConnecting:                 theme.ColorNameWarning,
	ColorNameOffline:                    theme.ColorNameDisabled,
}

// themeColor returns the named colour from th, falling back to a standard
// colour name for Nook names that th does not define.
func themeColor(th fyne.Theme, n fyne.ThemeColorName) color.Color {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	if fb, ok := fallbacks[n]; ok && !isNook(th) {
		n = fb
	}
	c := th.Color(n, v)
	if c == nil {
		return color.Transparent
	}
	return c
}

// isNook reports whether th is the Nook theme, which defines the Nook
// colour names. Other themes (Fyne's own, or an app theme that wraps this
// one) get the standard fallbacks; asking them for unknown names would only
// log errors.
func isNook(th fyne.Theme) bool {
	_, ok := th.(*nookTheme)
	return ok
}

// themeSize is th.Size(n), for symmetry with themeColor.
func themeSize(th fyne.Theme, n fyne.ThemeSizeName) float32 { return th.Size(n) }
