package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// showWelcome shows the first-run screen: what Nook is, and the way in.
func (u *UI) showWelcome() {
	title := widget.NewLabelWithStyle("Welcome to Nook", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	about := widget.NewLabelWithStyle(
		"Nook lets you talk privately with people you know, directly from your computer to theirs through Tor.\n"+
			"There is no phone number, no account and no server that learns who you talk to.",
		fyne.TextAlignCenter, fyne.TextStyle{})
	about.Wrapping = fyne.TextWrapWord
	start := widget.NewButton("Create your profile", func() { u.showCreate(u.showWelcome) })
	start.Importance = widget.HighImportance
	imp := linkButton("I have a profile backup — import it…", func() { u.showImport() })
	content := container.NewVBox(
		u.logo(112),
		title,
		about,
		widget.NewSeparator(),
		container.NewCenter(container.NewHBox(start)),
		container.NewCenter(imp),
	)
	u.show(column(520, content))
	u.win.Canvas().Focus(nil)
}
