package ui

import (
	"strings"

	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/engine/invite"
)

// This file holds what the main window reads of group invites received
// in a conversation. What the list and the conversation show of groups
// is in the state (members, catch-up, warnings) and in groupchat.go.

// parseGroupInvite reads the group name and server of a group invite's
// text (checking its signature: run it off the Fyne goroutine).
func parseGroupInvite(text string) state.Invite {
	body := strings.TrimSpace(text)
	if len(body) < len(invite.PrefixGroup) || !strings.EqualFold(body[:len(invite.PrefixGroup)], invite.PrefixGroup) {
		return state.Invite{}
	}
	inv, err := invite.Parse(body)
	if err != nil {
		return state.Invite{}
	}
	g, ok := inv.(*invite.GroupInvite)
	if !ok {
		return state.Invite{}
	}
	return state.Invite{OK: true, Name: g.Name(), Server: string(g.Bundle().Address)}
}
