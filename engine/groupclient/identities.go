package groupclient

import (
	"crypto/sha256"
	"errors"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/store"
)

// Per-group identities (docs/groups.md, "Per-group identities"): the
// profile signs each group's messages with a key of that group
// (groupState.self), and tells its contacts, and only them, which member
// it is with contact tags (group.KindKnownTo) posted after its join
// notice.

// perGroup reports whether gs signs with a per-group key rather than the
// profile's onion key (a membership from before per-group keys).
func (c *Client) perGroup(gs *groupState) bool { return gs.self != c.cfg.Self }

// contactKeys returns the contact keys of the profile's contacts
// (Config.Contacts), without the blocked ones when tagging; the caller
// wipes them.
func (c *Client) contactKeys(tagging bool) []contactKey {
	if c.cfg.Contacts == nil {
		return nil
	}
	var out []contactKey
	for _, a := range c.cfg.Contacts() {
		if tagging && c.cfg.Blocked != nil && c.cfg.Blocked(a) {
			continue // a blocked contact is not told which member the profile is
		}
		k, err := group.NewContactKey(c.cfg.Self, a)
		if err != nil {
			continue // not a valid key: nobody can be recognised by it
		}
		out = append(out, contactKey{a, k})
	}
	return out
}

type contactKey struct {
	addr identity.Address
	key  *group.ContactKey
}

func wipeContactKeys(ks []contactKey) {
	for _, k := range ks {
		k.key.Wipe()
	}
}

// queueKnownToLocked queues the profile's contact tags in gs. A
// membership that signs with the onion key needs none: its key is its
// address. c.mu is held.
func (c *Client) queueKnownToLocked(gs *groupState) error {
	if !c.perGroup(gs) {
		return nil
	}
	cks := c.contactKeys(true)
	defer wipeContactKeys(cks)
	keys := make([]*group.ContactKey, len(cks))
	for i, k := range cks {
		keys[i] = k.key
	}
	kt, err := group.NewKnownTo(c.cfg.Rand, gs.g.ID(), group.KeyOf(gs.self.Address()), keys)
	if err != nil {
		return err
	}
	m := group.Message{Kind: group.KindKnownTo, KnownTo: kt, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	if _, err = c.queuePostLocked(gs, &m, nil); err != nil {
		return err
	}
	return c.bucket.Update(func(tx *store.BucketTx) error {
		for _, k := range cks {
			if err := tx.Put(taggedKey(gs.g.ID(), k.addr), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// taggedKey names a contact that the profile's newest contact tags in a
// group include: "t" ‖ group ID [32] ‖ SHA-256(address)[:8] → empty.
func taggedKey(id group.ID, contact identity.Address) []byte {
	h := sha256.Sum256([]byte(contact))
	return key('t', id[:], h[:8])
}

// ContactAccepted posts the profile's contact tags again in every group
// whose newest tags do not include contact, a contact just accepted, so
// that they recognise the profile there too (each such group costs one
// post). The engine calls it when a contact is accepted.
func (c *Client) ContactAccepted(contact identity.Address) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	var errs []error
	for id, gs := range c.groups {
		if !c.perGroup(gs) {
			continue
		}
		switch _, err := c.bucket.Get(taggedKey(id, contact)); {
		case err == nil:
			continue
		case !errors.Is(err, store.ErrNotFound):
			errs = append(errs, err)
			continue
		}
		if err := c.queueKnownToLocked(gs); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// certified returns, for each member of group id whose contact tags name
// one of the profile's contacts, that contact's onion address.
func (c *Client) certified(id group.ID, authors []identity.Address) (map[identity.Address]identity.Address, error) {
	out := map[identity.Address]identity.Address{}
	var cks []contactKey
	defer func() { wipeContactKeys(cks) }()
	loaded := false
	for _, a := range authors {
		v, err := c.bucket.Get(knownToKey(id, a.PublicKey()))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		kt, err := group.ParseKnownTo(v)
		if err != nil {
			return nil, err
		}
		if !loaded {
			cks, loaded = c.contactKeys(false), true
		}
		for _, k := range cks {
			if kt.Has(k.key, id, group.KeyOf(a)) {
				out[a] = k.addr
				break
			}
		}
	}
	return out, nil
}

// blockedMember reports whether author, a member of group id, is a
// contact the profile blocked: by their key (a membership from before
// per-group keys) or by their contact tags.
func (c *Client) blockedMember(id group.ID, author identity.Address) bool {
	if c.cfg.Blocked == nil {
		return false
	}
	if c.cfg.Blocked(author) {
		return true
	}
	who, err := c.certified(id, []identity.Address{author})
	return err == nil && who[author] != "" && c.cfg.Blocked(who[author])
}

// Self returns the profile's member ID in group id: the address form of
// the key it signs that group's messages with.
func (c *Client) Self(id group.ID) (identity.Address, error) {
	gs, err := c.group(id)
	if err != nil {
		return "", err
	}
	return gs.self.Address(), nil
}
