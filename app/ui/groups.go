package ui

import (
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
)

// This file holds what the main window reads of group invites received
// in a conversation. What the list and the conversation show of groups
// is in the state (members, catch-up, warnings) and in groupchat.go.

// parseGroupInvite reads the group name and server of a group invite's
// text (checking its signature: run it off the Fyne goroutine).
func parseGroupInvite(text string) state.Invite {
	p, err := engine.ParseInvite(text)
	if err != nil || p.Kind != model.InviteGroup {
		return state.Invite{}
	}
	return state.Invite{OK: true, Name: p.Name, Server: p.Address}
}
