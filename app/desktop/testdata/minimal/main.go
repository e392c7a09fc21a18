// Command minimal is the yardstick of BenchmarkMemory: a Fyne window of
// 1000×680 with one label, as small as a Fyne app gets.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("chat.nook.minimal")
	w := a.NewWindow("Minimal")
	w.SetContent(widget.NewLabel("A minimal Fyne window"))
	w.Resize(fyne.NewSize(1000, 680))
	w.ShowAndRun()
}
