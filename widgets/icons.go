package widgets

import (
	"fmt"
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// glyph is one of the small icons drawn by this package. Each is a 24×24
// SVG path (Material Design icons, Apache 2.0).
type glyph int

const (
	glyphClock glyph = iota
	glyphCheck
	glyphCheckDouble
	glyphWarning
	glyphLock
	glyphTimer
)

var glyphPaths = [...]string{
	glyphClock:       "M11.99 2C6.47 2 2 6.48 2 12s4.47 10 9.99 10C17.52 22 22 17.52 22 12S17.52 2 11.99 2zM12 20c-4.42 0-8-3.58-8-8s3.58-8 8-8 8 3.58 8 8-3.58 8-8 8zm.5-13H11v6l5.25 3.15.75-1.23-4.5-2.67z",
	glyphCheck:       "M9 16.17 4.83 12l-1.42 1.41L9 19 21 7l-1.41-1.41z",
	glyphCheckDouble: "M18 7l-1.41-1.41-6.34 6.34 1.41 1.41L18 7zm4.24-1.41L11.66 16.17 7.48 12l-1.41 1.41L11.66 19l12-12-1.42-1.41zM.41 13.41 6 19l1.41-1.41L1.83 12 .41 13.41z",
	glyphWarning:     "M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z",
	glyphTimer:       "M15 1H9v2h6V1zm-4 13h2V8h-2v6zm8.03-6.61 1.42-1.42c-.43-.51-.9-.99-1.41-1.41l-1.42 1.42C16.07 4.74 14.12 4 12 4c-4.97 0-9 4.03-9 9s4.02 9 9 9 9-4.03 9-9c0-2.12-.74-4.07-1.97-5.61zM12 20c-3.87 0-7-3.13-7-7s3.13-7 7-7 7 3.13 7 7-3.13 7-7 7z",
	glyphLock:        "M18 8h-1V6c0-2.76-2.24-5-5-5S7 3.24 7 6v2H6c-1.1 0-2 .9-2 2v10c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V10c0-1.1-.9-2-2-2zm-6 9c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2zm3.1-9H8.9V6c0-1.71 1.39-3.1 3.1-3.1 1.71 0 3.1 1.39 3.1 3.1v2z",
}

// LockIcon is a closed padlock in the theme's foreground colour, for the
// button that locks the profile.
func LockIcon() fyne.Resource {
	return theme.NewThemedResource(glyphResource(glyphLock, color.Black))
}

// glyphCache holds one resource per glyph and colour; Fyne caches the
// rasterised image by resource name, so reusing resources keeps a long
// message list cheap.
var glyphCache sync.Map // glyphKey → fyne.Resource

type glyphKey struct {
	g glyph
	c color.NRGBA
}

// glyphResource returns glyph g filled with colour c.
func glyphResource(g glyph, c color.Color) fyne.Resource {
	k := glyphKey{g, color.NRGBAModel.Convert(c).(color.NRGBA)}
	if r, ok := glyphCache.Load(k); ok {
		return r.(fyne.Resource)
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#%02x%02x%02x" fill-opacity="%.3f" d="%s"/></svg>`,
		k.c.R, k.c.G, k.c.B, float64(k.c.A)/255, glyphPaths[g])
	name := fmt.Sprintf("nook-glyph-%d-%02x%02x%02x%02x.svg", g, k.c.R, k.c.G, k.c.B, k.c.A)
	r, _ := glyphCache.LoadOrStore(k, fyne.NewStaticResource(name, []byte(svg)))
	return r.(fyne.Resource)
}
