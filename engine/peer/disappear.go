package peer

import (
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// SetDisappear sets the disappearing-messages timer of the conversation
// with a contact (zero: off). Messages written from now on carry it; the
// contact adopts the setting when the session next syncs (at once if one
// is up), unless they changed it later themselves.
func (m *Manager) SetDisappear(addr identity.Address, timer time.Duration) (model.Contact, error) {
	if timer < 0 || timer > model.MaxDisappear || timer%time.Second != 0 {
		return model.Contact{}, fmt.Errorf("a disappearing timer is whole seconds up to %v", model.MaxDisappear)
	}
	now := m.now().Truncate(time.Millisecond) // the precision the protocol carries
	c, err := m.changeContact(addr, false, func(c *model.Contact) bool {
		if c.State == model.ContactBlocked {
			return false
		}
		if now.After(c.DisappearSet) {
			c.Disappear, c.DisappearSet = timer, now
		} else {
			// A clock that went back: still a later change than the last.
			c.Disappear, c.DisappearSet = timer, c.DisappearSet.Add(time.Millisecond)
		}
		return true
	})
	if err != nil {
		return c, err
	}
	if c.State == model.ContactBlocked {
		return c, ErrBlocked
	}
	m.emit(model.DisappearChanged{Address: string(addr), Disappear: timer})
	m.wakeLink(addr)
	return c, nil
}

// adoptDisappear applies the contact's timer setting if it is later than
// ours.
func (m *Manager) adoptDisappear(addr identity.Address, r *protocol.Disappear) error {
	adopted := false
	_, err := m.changeContact(addr, false, func(c *model.Contact) bool {
		if c.State != model.ContactAccepted || !r.Set.After(c.DisappearSet) {
			return false
		}
		adopted = c.Disappear != r.Timer
		c.Disappear, c.DisappearSet = r.Timer, r.Set
		return true
	})
	if errors.Is(err, ErrNotContact) || err == nil && !adopted {
		return nil // not a contact (any more), or nothing new
	} else if err != nil {
		return err
	}
	m.emit(model.DisappearChanged{Address: string(addr), Disappear: r.Timer, ByContact: true})
	return nil
}

// expiresAt is when a message written at now with the given timer is
// deleted (zero: never).
func expiresAt(now time.Time, timer time.Duration) time.Time {
	if timer <= 0 {
		return time.Time{}
	}
	return now.Add(timer)
}
