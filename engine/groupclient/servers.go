package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// A group on several servers (docs/groups.md, "A group on two servers"):
// the group record names its own server (whose key derives the group ID)
// and up to two more. Every post goes to each, sealed afresh for each (a
// resend is sealed afresh anyway), so the servers see no common bytes;
// each server's subscription feeds the group's one timeline, which drops
// what another server delivered first; a post leaves the queue once every
// server has it ("y" records). The owner and admins change the list with a
// sealed KindServers message, which no server can read.

var (
	// ErrTooManyServers is returned by AddServer past
	// invite.MaxGroupServers.
	ErrTooManyServers = fmt.Errorf("a group lives on at most %d servers", invite.MaxGroupServers)
	// ErrFirstServer is returned by RemoveServer for the group's own
	// server, whose key derives the group's ID.
	ErrFirstServer = errors.New("a group cannot leave the server it was created on")
	// ErrUnknownServer is returned by RemoveServer for a server the group
	// does not live on.
	ErrUnknownServer = errors.New("the group does not live on this server")
)

// postedKey names the record saying that a queued post of a group on
// several servers is on the server with signing key server:
//
//	"y" ‖ server key [32] ‖ model ID [16] → empty
func postedKey(server [32]byte, id model.MessageID) []byte { return key('y', server[:], id[:]) }

// bundles returns the servers gs lives on, its own first.
func (gs *groupState) bundles() []invite.Bundle {
	return append([]invite.Bundle{gs.rec.bundle}, gs.rec.more...)
}

// on reports whether gs lives on the server with signing key server.
func (gs *groupState) on(server [32]byte) bool {
	return slices.ContainsFunc(gs.bundles(), func(b invite.Bundle) bool { return b.SigningKey == server })
}

// multi reports whether gs lives on more than one server.
func (gs *groupState) multi() bool { return len(gs.rec.more) > 0 }

// wakePostersLocked wakes the poster of every server of gs. c.mu is held.
func (c *Client) wakePostersLocked(gs *groupState) {
	for _, b := range gs.bundles() {
		if s, ok := c.servers[b.SigningKey]; ok {
			s.wakePoster()
		}
	}
}

// startServersLocked makes the client's state for every server of gs and,
// once the client is started, starts their posters and subscribers. c.mu
// is held.
func (c *Client) startServersLocked(gs *groupState) {
	for _, b := range gs.bundles() {
		srv := c.serverLocked(b)
		if c.started && !c.closed {
			srv.startPosterLocked()
			srv.startSubscriberLocked()
		}
		srv.wakePoster()
	}
}

// stopUnusedLocked stops the subscriptions of the servers of bundles that
// no group of the profile uses any more. c.mu is held.
func (c *Client) stopUnusedLocked(bundles []invite.Bundle) {
	for _, b := range bundles {
		if s, ok := c.servers[b.SigningKey]; ok && len(c.groupsOnLocked(b.SigningKey)) == 0 {
			s.stopSubscriberLocked()
		}
	}
}

// postedEverywhere reports whether queued post id of gs is on every server
// of gs, as the "y" records in tx say.
func postedEverywhere(tx *store.BucketTx, gs *groupState, id model.MessageID) (bool, error) {
	for _, b := range gs.bundles() {
		switch _, err := tx.Get(postedKey(b.SigningKey, id)); {
		case errors.Is(err, store.ErrNotFound):
			return false, nil
		case err != nil:
			return false, err
		}
	}
	return true, nil
}

// dropQueued takes post id out of the queue: the outbox, its sealed blob
// and its "y" records for the servers of bundles.
func dropQueued(tx *store.Tx, bundles []invite.Bundle, id model.MessageID) error {
	if err := tx.Dequeue(id); err != nil {
		return err
	}
	b := tx.Bucket(bucketName)
	for _, s := range bundles {
		if err := b.Delete(postedKey(s.SigningKey, id)); err != nil {
			return err
		}
	}
	return b.Delete(queueKey(id))
}

// onServerTx records, in tx, that queued post id of gs is on the server
// with signing key server, and takes it out of the queue once it is on
// every server of gs (at once for a group on one server).
func onServerTx(tx *store.Tx, gs *groupState, server [32]byte, id model.MessageID) error {
	if !gs.multi() {
		return dropQueued(tx, nil, id)
	}
	b := tx.Bucket(bucketName)
	if err := b.Put(postedKey(server, id), nil); err != nil {
		return err
	}
	if done, err := postedEverywhere(b, gs, id); err != nil || !done {
		return err
	}
	return dropQueued(tx, gs.bundles(), id)
}

// settle takes queued post id of gs out of the queue when it is on every
// server of gs.
func (c *Client) settle(gs *groupState, id model.MessageID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.Update(func(tx *store.Tx) error {
		if done, err := postedEverywhere(tx.Bucket(bucketName), gs, id); err != nil || !done {
			return err
		}
		return dropQueued(tx, gs.bundles(), id)
	})
}

// postedTo reports whether queued post id is on the server with signing
// key server (a post of a group on several servers).
func (c *Client) postedTo(server [32]byte, id model.MessageID) (bool, error) {
	_, err := c.bucket.Get(postedKey(server, id))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// AddServer makes a group live on one more server, whose bundle the
// profile has (a server invite, or a server of another group): the
// profile's posts go to it from now on, and a KindServers message with the
// new list, posted to every server, tells the others. Only the owner and
// admins can (ErrNotAdmin); ErrTooManyServers past invite.MaxGroupServers.
// Adding a server the group lives on already changes nothing.
func (c *Client) AddServer(id group.ID, b *invite.Bundle) error {
	if err := b.Verify(); err != nil {
		return err
	}
	return c.changeServers(id, func(list []invite.Bundle) ([]invite.Bundle, error) {
		if slices.ContainsFunc(list, func(x invite.Bundle) bool { return x.SigningKey == b.SigningKey }) {
			return nil, nil
		}
		if len(list) >= invite.MaxGroupServers {
			return nil, ErrTooManyServers
		}
		return append(list, *b), nil
	})
}

// RemoveServer stops a group living on one of its servers (not its own:
// ErrFirstServer), telling the others as AddServer does. Only the owner
// and admins can.
func (c *Client) RemoveServer(id group.ID, server [32]byte) error {
	return c.changeServers(id, func(list []invite.Bundle) ([]invite.Bundle, error) {
		i := slices.IndexFunc(list, func(x invite.Bundle) bool { return x.SigningKey == server })
		switch {
		case i < 0:
			return nil, ErrUnknownServer
		case i == 0:
			return nil, ErrFirstServer
		}
		return slices.Delete(list, i, i+1), nil
	})
}

// changeServers posts the list of servers change makes of the group's
// (nil: nothing to do) and moves the profile onto it.
func (c *Client) changeServers(id group.ID, change func([]invite.Bundle) ([]invite.Bundle, error)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs, err := c.adminLocked(id)
	if err != nil {
		return err
	}
	list, err := change(gs.bundles())
	if err != nil || list == nil {
		return err
	}
	// The profile moves first, so that the announcement goes to the new
	// list's servers too (it is posted to the servers of the group as
	// the poster finds them).
	m := group.Message{Kind: group.KindServers, Servers: &group.Servers{Bundles: list}, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	at := serversVersion{epoch: gs.cur().n, sent: m.Sent.UnixNano()}
	if err := c.setServersLocked(gs, list, at); err != nil {
		return err
	}
	_, err = c.queuePostLocked(gs, &m, nil)
	return err
}

// setServersLocked stores list, of version at, as the servers of gs and
// follows it. c.mu is held.
func (c *Client) setServersLocked(gs *groupState, list []invite.Bundle, at serversVersion) error {
	rec := gs.rec
	rec.more = slices.Clone(list[1:])
	v, err := rec.encode()
	if err != nil {
		return err
	}
	err = c.bucket.Update(func(tx *store.BucketTx) error {
		if err := tx.Put(groupKey(gs.g.ID()), v); err != nil {
			return err
		}
		return tx.Put(serversAtKey(gs.g.ID()), at.encode())
	})
	if err != nil {
		return fmt.Errorf("groupclient: store the group's servers: %w", err)
	}
	gs.serversAt = at
	c.followServersLocked(gs, list)
	return nil
}

// followServersLocked makes list, stored already, the servers of gs:
// subscriptions start on the new servers and stop on those no group uses
// any more; model.GroupServersChanged says so. A queued post on every remaining server leaves the queue when
// a poster next looks (server.queued). c.mu is held.
func (c *Client) followServersLocked(gs *groupState, list []invite.Bundle) {
	old := gs.bundles()
	gs.rec.more = slices.Clone(list[1:])
	c.startServersLocked(gs)
	c.stopUnusedLocked(old)
	c.releaseRemovedLocked(gs)
	c.cfg.Emit(model.GroupServersChanged{Conversation: gs.conv})
}

// serversVersion orders the lists of servers of a group: the epoch they
// were sealed in, then the time their author sent them. A list is
// followed only if newer than the last one followed, so that a server
// holding back an older list (one that still named a server removed
// since) cannot bring the group back onto it by delivering it late. The
// zero value is older than every list: a group joined, or stored before
// lists were versioned, follows the first it sees.
type serversVersion struct {
	epoch uint32
	sent  int64 // Unix nanoseconds
}

func (v serversVersion) newer(than serversVersion) bool {
	return v.epoch > than.epoch || v.epoch == than.epoch && v.sent > than.sent
}

func (v serversVersion) encode() []byte {
	b := []byte{recordVersion}
	b = binary.BigEndian.AppendUint32(b, v.epoch)
	return binary.BigEndian.AppendUint64(b, uint64(v.sent))
}

func decodeServersVersion(b []byte) (serversVersion, error) {
	if len(b) != 13 || b[0] != recordVersion {
		return serversVersion{}, fmt.Errorf("%w: version of the servers", ErrCorrupt)
	}
	return serversVersion{epoch: binary.BigEndian.Uint32(b[1:]), sent: int64(binary.BigEndian.Uint64(b[5:]))}, nil
}

// loadServersVersion reads the version of the last list of servers group
// id followed (zero when none was recorded).
func (c *Client) loadServersVersion(id group.ID) (serversVersion, error) {
	v, err := c.bucket.Get(serversAtKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return serversVersion{}, nil
	}
	if err != nil {
		return serversVersion{}, err
	}
	return decodeServersVersion(v)
}

// serversChange is a list of servers observeServers accepted, with its
// version.
type serversChange struct {
	list []invite.Bundle
	at   serversVersion
}

// storeServers writes, in the batch's transaction, the lists of servers
// observeServers accepted and their versions.
func storeServers(tx *store.Tx, fx *effects) error {
	for gs, ch := range fx.servers {
		rec := gs.rec
		rec.more = ch.list[1:]
		v, err := rec.encode()
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketName)
		if err := b.Put(groupKey(gs.g.ID()), v); err != nil {
			return err
		}
		if err := b.Put(serversAtKey(gs.g.ID()), ch.at.encode()); err != nil {
			return err
		}
	}
	return nil
}

// observeServers accepts a list of servers from the owner or an admin of
// epoch ep (others' are refused with a warning) if it is newer than the
// last one followed (serversVersion) and sealed in the newest epoch seen:
// a list under a replaced key, from an admin since demoted or removed or
// delivered late, is ignored. The batch's transaction stores it
// (fx.servers) and the client follows it after the commit. c.mu is held.
func (c *Client) observeServers(gs *groupState, ep *epochState, m *group.Message, fx *effects) {
	warn := func(why model.Text) {
		fx.warnings = append(fx.warnings, model.NewGroupWarning(gs.conv, string(gs.rec.bundle.Address), string(m.Author), "servers", why))
	}
	list := m.Servers.Bundles
	switch {
	case gs.roleIn(ep, group.KeyOf(m.Author)) == model.RoleMember:
		warn(model.Say("groupwarning.servers_not_admin"))
		return
	case list[0].SigningKey != gs.rec.bundle.SigningKey:
		warn(model.Say("groupwarning.servers_first"))
		return
	}
	if m.Author == gs.self.Address() {
		return // ours, back from a server: the profile follows its list since it posted it
	}
	at := serversVersion{epoch: ep.n, sent: m.Sent.UnixNano()}
	last := gs.serversAt
	if ch, ok := fx.servers[gs]; ok {
		last = ch.at // a newer one earlier in this batch
	}
	if ep.n < gs.newestSeen().n || !at.newer(last) {
		return // an old epoch's list, or one older than the list followed
	}
	fx.servers[gs] = serversChange{list: list, at: at}
}
