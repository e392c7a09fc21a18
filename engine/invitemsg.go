package engine

import (
	"slices"
	"strings"

	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
)

// withKind returns m with the kind of message it is. Earlier versions sent
// a group invite as an ordinary text whose body was the invite; such a
// stored message, a text of the invite's text alone that parses as a group
// invite, is a group invite too. It is recognised when read, so no stored
// message is rewritten.
func withKind(m model.Message) model.Message {
	if m.Kind == model.KindText && isGroupInviteText(m.Body) {
		m.Kind = model.KindGroupInvite
	}
	return m
}

// withKinds applies withKind to every message of ms.
func withKinds(ms []model.Message) []model.Message {
	for i := range ms {
		ms[i] = withKind(ms[i])
	}
	return ms
}

// isGroupInviteText reports whether body is a group invite's text and
// nothing else. The invite's signature is checked, its expiry not: an old
// invitation still shows as one (joining checks the rest).
func isGroupInviteText(body string) bool {
	body = strings.TrimSpace(body)
	if len(body) < len(invite.PrefixGroup) || !slices.ContainsFunc([]string{invite.PrefixGroup, invite.PrefixGroupEpoch, invite.PrefixGroupOwned},
		func(p string) bool { return strings.EqualFold(body[:len(p)], p) }) {
		return false
	}
	inv, err := invite.Parse(body)
	if err != nil {
		return false
	}
	_, ok := inv.(*invite.GroupInvite)
	return ok
}
