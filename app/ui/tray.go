package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// trayMenu is the system tray icon's menu: the unread count, Show Nook and
// Quit. It exists only when Options.Tray is set.
type trayMenu struct {
	desk   desktop.App
	menu   *fyne.Menu
	unread *fyne.MenuItem
}

func (u *UI) setupTray() {
	desk, ok := u.app.(desktop.App)
	if !ok {
		return
	}
	t := &trayMenu{desk: desk}
	t.unread = fyne.NewMenuItem("No unread messages", nil)
	t.unread.Disabled = true
	show := fyne.NewMenuItem("Show Nook", func() { u.win.Show(); u.win.RequestFocus() })
	quit := fyne.NewMenuItem("Quit", func() { u.app.Quit() })
	quit.IsQuit = true
	t.menu = fyne.NewMenu("Nook", t.unread, fyne.NewMenuItemSeparator(), show, quit)
	desk.SetSystemTrayIcon(u.icon)
	desk.SetSystemTrayMenu(t.menu)
	u.tray = t
}

// updateTray shows the total unread count in the tray menu.
func (u *UI) updateTray() {
	if u.tray == nil {
		return
	}
	n := u.state.Unread()
	label := "No unread messages"
	switch {
	case u.main == nil:
		label = "Locked"
	case n == 1:
		label = "1 unread message"
	case n > 1:
		label = fmt.Sprintf("%d unread messages", n)
	}
	if u.tray.unread.Label == label {
		return
	}
	u.tray.unread.Label = label
	u.tray.menu.Refresh()
	u.tray.desk.SetSystemTrayMenu(u.tray.menu)
}
