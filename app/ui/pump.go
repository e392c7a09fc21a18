package ui

import (
	"context"
	"sync"

	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/model"
)

// eventQueue holds the engine events that arrived and are not applied yet.
type eventQueue struct {
	mu      sync.Mutex
	pending []model.Event
	queued  bool // a flush is queued on the Fyne goroutine
}

// pump subscribes to the engine and queues its events until the UI is
// closed. The first event is the Snapshot of the current state.
func (u *UI) pump() {
	events, unsubscribe := u.eng.Subscribe()
	defer unsubscribe()
	for {
		select {
		case <-u.ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			u.queueEvent(ev)
		}
	}
}

// queueEvent adds ev to the events to apply, and queues a flush on the
// Fyne goroutine unless one is queued already: what arrives before it
// runs is applied by the same flush, and rendered once.
func (u *UI) queueEvent(ev model.Event) {
	q := &u.events
	q.mu.Lock()
	q.pending = append(q.pending, ev)
	flush := !q.queued
	q.queued = true
	q.mu.Unlock()
	if flush {
		u.do(u.flush)
	}
}

// flush applies the queued events to the Model and renders what they
// changed, once.
func (u *UI) flush() {
	q := &u.events
	q.mu.Lock()
	evs := q.pending
	q.pending, q.queued = nil, false
	q.mu.Unlock()
	var c state.Change
	servers := false
	for _, ev := range evs {
		c.Merge(u.state.Apply(ev))
		switch ev := ev.(type) {
		case model.GroupServerReached, model.GroupServersChanged:
			servers = true
		case model.GroupSync:
			servers = servers || ev.CaughtUp
		}
	}
	if !c.Empty() {
		u.renders++
		u.render(c)
	}
	if servers && u.main != nil && u.main.chat != nil && u.main.chat.govern != nil {
		// A server of a group came or went: the open Members dialog
		// says so (groupservers.go).
		u.main.chat.govern.servers.load()
	}
}

// apply renders a Change made on the Fyne goroutine (a filter typed, a
// page of history loaded).
func (u *UI) apply(c state.Change) {
	if !c.Empty() {
		u.render(c)
	}
}

// render redraws what c says changed, and starts the loads it asks for.
func (u *UI) render(c state.Change) {
	if c.Tor {
		ts := u.state.Tor()
		if u.settings != nil {
			u.settings.network.setStatus(ts)
		}
		if u.main != nil {
			u.main.setTorStatus(ts)
		}
	}
	if c.Tray {
		u.updateTray()
	}
	mv := u.main
	if mv == nil {
		return // locked: the next unlock renders it all
	}
	for _, n := range c.Notify {
		u.notifyOf(n)
	}
	for _, text := range c.Invites {
		u.readInvite(text)
	}
	mv.render(c)
}

// readInvite reads the group name and server of a group invite received,
// for the list's preview and the invite's card.
func (u *UI) readInvite(text string) {
	runAlways(u, func(context.Context, Engine) (state.Invite, error) { return parseGroupInvite(text), nil },
		func(in state.Invite, _ error) { u.apply(u.state.SetInvite(text, in)) })
}
