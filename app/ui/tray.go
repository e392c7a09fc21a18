package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/nookchat/nook/app/i18n"
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
	t.unread = fyne.NewMenuItem(i18n.T("tray.no_unread_messages"), nil)
	t.unread.Disabled = true
	show := fyne.NewMenuItem(i18n.T("tray.show_nook"), func() { u.win.Show(); u.win.RequestFocus() })
	quit := fyne.NewMenuItem(i18n.T("tray.quit"), func() { u.app.Quit() })
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
	label := i18n.T("tray.no_unread_messages")
	switch {
	case u.main == nil:
		label = i18n.T("tray.locked")
	case n > 0:
		label = i18n.N("tray.unread_messages", n)
	}
	if u.tray.unread.Label == label {
		return
	}
	u.tray.unread.Label = label
	u.tray.menu.Refresh()
	u.tray.desk.SetSystemTrayMenu(u.tray.menu)
}
