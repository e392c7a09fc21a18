package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
)

// notifyEvery is the shortest time between two notifications: what arrives
// in between (a group catching up after a week away brings hundreds of
// messages at once) is counted and told in the next one.
const notifyEvery = 10 * time.Second

// notify shows a desktop notification for something that arrived, when
// the window is not focused and the settings allow it. The sender and the
// text appear only with the "show message text" setting, which is off by
// default: notifications show on locked screens and shared displays.
func (u *UI) notify(name, text, generic string) {
	if u.focused {
		return
	}
	s := u.prefs
	if !s.Notifications {
		return
	}
	now := u.now()
	if !u.lastNotify.IsZero() && now.Sub(u.lastNotify) < notifyEvery {
		u.held++
		return
	}
	u.lastNotify = now
	title, content := "Nook", generic
	if s.NotificationText {
		title, content = name, text
	}
	if u.held > 0 {
		title, content = "Nook", i18n.N("notify.and_more", u.held, "Text", generic)
		u.held = 0
	}
	if u.opts.Notify != nil {
		u.opts.Notify(title, content)
		return
	}
	u.app.SendNotification(fyne.NewNotification(title, content))
}

// notifyOf tells the person about something that arrived: a message or
// a contact request.
func (u *UI) notifyOf(n state.Notification) {
	switch n.Kind {
	case state.NotifyMessage:
		u.notify(n.Title, n.Text, i18n.T("notify.you_have_a_new"))
	case state.NotifyRequest:
		u.notify(n.Title, n.Text, i18n.T("notify.you_have_a_new_2"))
	}
}
