package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// showWelcome shows the first-run screen: what Nook is, and the way in.
func (u *UI) showWelcome() {
	title := widget.NewLabelWithStyle(i18n.T("welcome.welcome_to_nook"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = "headingText"
	about := widget.NewLabelWithStyle(
		i18n.T("welcome.nook_lets_you_talk"),
		fyne.TextAlignCenter, fyne.TextStyle{})
	about.Wrapping = fyne.TextWrapWord
	start := widget.NewButton(i18n.T("common.create_your_profile"), func() { u.showCreate(u.showWelcome) })
	start.Importance = widget.HighImportance
	imp := linkButton(i18n.T("welcome.i_have_a_profile"), func() { u.showImport() })
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
