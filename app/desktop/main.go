// Command nook is the Nook desktop messenger.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/nookchat/nook/app/ui"
	"github.com/nookchat/nook/assets"
)

func main() {
	a := app.NewWithID("chat.nook.desktop")
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	a.SetIcon(icon)
	w := a.NewWindow("Nook")
	w.SetContent(ui.Welcome(icon))
	w.Resize(fyne.NewSize(960, 640))
	w.ShowAndRun()
}
