package ui

import (
	"fyne.io/fyne/v2"

	"github.com/nookchat/nook/engine/model"
)

// notify shows a desktop notification for something that arrived, when
// the window is not focused and the settings allow it. The sender and the
// text appear only with the "show message text" setting, which is off by
// default: notifications show on locked screens and shared displays.
func (u *UI) notify(name, text, generic string) {
	if u.focused {
		return
	}
	s, err := u.eng.Settings()
	if err != nil || !s.Notifications {
		return
	}
	title, content := "Nook", generic
	if s.NotificationText {
		title, content = name, text
	}
	if u.opts.Notify != nil {
		u.opts.Notify(title, content)
		return
	}
	u.app.SendNotification(fyne.NewNotification(title, content))
}

func (u *UI) notifyMessage(m model.Message) {
	name := "New message"
	if it := u.main.sidebar.item(string(m.Conversation)); it != nil {
		name = it.c.Name()
	}
	u.notify(name, firstLine(m.Body), "You have a new message")
}

func (u *UI) notifyRequest(c model.Contact) {
	u.notify(c.Name(), "Wants to add you as a contact", "You have a new contact request")
}
