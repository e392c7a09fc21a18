// Package ui builds Nook's desktop screens on Fyne. It is the only place that
// turns engine state into widgets; the engine itself never sees Fyne.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// Welcome returns the first screen a person sees.
func Welcome(icon fyne.Resource) fyne.CanvasObject {
	logo := widget.NewIcon(icon)
	title := widget.NewLabelWithStyle("Nook", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	tagline := widget.NewLabelWithStyle("Private conversations, peer to peer over Tor.\nNo phone number, no account, no server that knows who you talk to.",
		fyne.TextAlignCenter, fyne.TextStyle{})
	tagline.Wrapping = fyne.TextWrapWord
	logoBox := container.NewGridWrap(fyne.NewSize(96, 96), logo)
	return container.NewVBox(
		layout.NewSpacer(),
		container.NewCenter(logoBox),
		title,
		tagline,
		layout.NewSpacer(),
	)
}
