package ui

import (
	"github.com/nookchat/nook/engine/model"
)

// pump drains the engine's event stream and hands each event to the
// screens on the Fyne goroutine, in order. It ends when the subscription
// does.
func (u *UI) pump(events <-chan model.Event) {
	for ev := range events {
		u.do(func() { u.handle(ev) })
	}
}

// handle applies one engine event to whatever is on screen.
func (u *UI) handle(ev model.Event) {
	if ts, ok := ev.(model.TorStatus); ok {
		u.tor = ts
		if u.settings != nil {
			u.settings.network.setStatus(ts)
		}
	}
	mv := u.main
	if mv == nil {
		return // locked: the next unlock reads fresh state
	}
	switch ev := ev.(type) {
	case model.TorStatus:
		mv.setTorStatus(ev)
	case model.MessageAdded:
		mv.messageAdded(ev.Message)
		if !ev.Message.Outgoing {
			u.notifyMessage(ev.Message)
		}
	case model.MessageStatusChanged:
		mv.statusChanged(ev)
	case model.ContactChanged:
		isNew := mv.sidebar.item(ev.Contact.Address) == nil
		mv.contactChanged(ev.Contact)
		if isNew && ev.Contact.State == model.ContactRequest {
			u.notifyRequest(ev.Contact)
		}
	case model.ContactRemoved:
		mv.contactRemoved(ev.Address)
	case model.PresenceChanged:
		mv.presenceChanged(ev.Address, ev.Presence)
	case model.GroupSync:
		mv.groupSync(ev)
	case model.GroupWarning:
		mv.groupWarning(ev)
	case model.MessagesExpired:
		mv.messagesExpired(ev)
	case model.DisappearChanged:
		mv.disappearChanged(ev)
	case model.GroupMemberLeft:
		if mv.chat != nil && mv.chat.conv == ev.Conversation && mv.chat.group != nil {
			mv.chat.refreshMemberCount()
		}
	case model.UnreadChanged:
		mv.unreadChanged(ev.Conversation, ev.Unread)
		u.updateTray()
	}
}
